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
// WeUI uploader: previews of the chosen photos and their count (the form works without it).
document.addEventListener("change", function (ev) {
  var input = ev.target;
  if (!input.matches || !input.matches("input[type=file][data-max]")) {
    return;
  }
  var box = input.closest(".weui-uploader");
  var list = box && box.querySelector("[data-upload-files]");
  var count = box && box.querySelector("[data-upload-count]");
  var max = parseInt(input.getAttribute("data-max"), 10) || 9;
  if (list) {
    list.innerHTML = "";
    Array.prototype.slice.call(input.files, 0, max).forEach(function (file) {
      var li = document.createElement("li");
      li.className = "weui-uploader__file";
      li.style.backgroundImage = "url(" + URL.createObjectURL(file) + ")";
      list.appendChild(li);
    });
  }
  if (count) {
    count.textContent = String(input.files.length);
  }
  input.setCustomValidity(input.files.length > max ? "最多上传 " + max + " 张图片" : "");
});
