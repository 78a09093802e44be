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
// WeUI uploaders: say which pictures were picked (the input itself is invisible).
document.addEventListener("change", function (ev) {
  var input = ev.target;
  if (!input.classList || !input.classList.contains("weui-uploader__input")) return;
  var box = input.closest(".weui-uploader");
  var note = box && box.querySelector(".uploader-note");
  if (note) {
    var n = input.files ? input.files.length : 0;
    note.textContent = n > 0 ? "已选择 " + n + " 张" : "";
  }
});
// A form that came back with an error: move focus to the message.
document.addEventListener("DOMContentLoaded", function () {
  var err = document.getElementById("form-error");
  if (err) err.focus();
});
