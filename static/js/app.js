// campus: the little behaviour htmx does not give us. Loaded with `defer` from our own origin
// (the CSP forbids inline scripts).
(function () {
  "use strict";
  // Toasts fade away on their own.
  document.addEventListener("htmx:afterSwap", function (ev) {
    var host = document.getElementById("toast");
    if (host && ev.detail.target === host) {
      window.setTimeout(function () { host.innerHTML = ""; }, 3500);
    }
  });
  // A network failure gets the same toast as a server error.
  document.addEventListener("htmx:sendError", function () {
    var host = document.getElementById("toast");
    if (host) {
      host.innerHTML = '<div class="toast toast-error" role="alert">网络不给力，请稍后重试</div>';
      window.setTimeout(function () { host.innerHTML = ""; }, 3500);
    }
  });
})();
// Print buttons (the packing list); no inline handlers under the CSP.
document.addEventListener("click", function (ev) {
  if (ev.target.closest && ev.target.closest("[data-print]")) {
    window.print();
  }
});
// A plain form with `data-confirm` asks first (irreversible back-office steps).
document.addEventListener("submit", function (ev) {
  var form = ev.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    ev.preventDefault();
  }
});
