// Inside the mini-program <web-view> only: load WeChat's JSSDK and turn the buttons that need
// native powers into navigations to the shell's native pages. Outside WeChat nothing changes:
// the same links go to the mock cashier and plain pages.
(function () {
  "use strict";
  var me = document.currentScript;
  if (!/miniProgram/i.test(navigator.userAgent) || !me) return;
  document.documentElement.classList.add("in-miniprogram");
  var sdk = document.createElement("script");
  sdk.src = me.getAttribute("data-jssdk");
  sdk.onload = function () {
    document.addEventListener("click", function (ev) {
      if (!window.wx || !window.wx.miniProgram) return;
      var pay = ev.target.closest("[data-pay-order]");
      if (pay) {
        ev.preventDefault();
        window.wx.miniProgram.navigateTo({ url: "/pages/pay/pay?order=" + encodeURIComponent(pay.getAttribute("data-pay-order")) });
        return;
      }
      var sub = ev.target.closest("[data-subscribe]");
      if (sub) {
        ev.preventDefault();
        // data-subscribe="class": top up that purpose's template only (empty: every template).
        var purposes = sub.getAttribute("data-subscribe");
        window.wx.miniProgram.navigateTo({
          url: "/pages/subscribe/subscribe" + (purposes ? "?purposes=" + encodeURIComponent(purposes) : ""),
        });
        return;
      }
      var map = ev.target.closest("[data-map-lat]");
      if (map) {
        ev.preventDefault();
        window.wx.miniProgram.navigateTo({
          url: "/pages/location/location?lat=" + map.getAttribute("data-map-lat") + "&lng=" + map.getAttribute("data-map-lng") +
            "&name=" + encodeURIComponent(map.getAttribute("data-map-name") || "") + "&address=" + encodeURIComponent(map.getAttribute("data-map-address") || ""),
        });
      }
    });
  };
  document.head.appendChild(sdk);
})();
