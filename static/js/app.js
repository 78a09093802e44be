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
  // The field the message is about takes the focus; otherwise the message itself.
  var field = err && document.querySelector("[aria-describedby~=form-error]");
  if (field) field.focus();
  else if (err) err.focus();
});
// The article editor: wrap the selection in a tag, add a link, upload an image and insert it.
(function () {
  "use strict";
  function area(el) {
    var box = el.closest("[data-editor]");
    return box && box.querySelector("[data-editor-text]");
  }
  function insert(text, before, after) {
    var s = text.selectionStart, e = text.selectionEnd, v = text.value;
    text.value = v.slice(0, s) + before + v.slice(s, e) + after + v.slice(e);
    text.focus();
    text.selectionStart = s + before.length;
    text.selectionEnd = e + before.length;
  }
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest && ev.target.closest("[data-wrap],[data-link]");
    if (!b) return;
    var text = area(b);
    if (!text) return;
    if (b.hasAttribute("data-link")) {
      var url = window.prompt("链接地址（https://… 或 /activities/1）");
      if (url) insert(text, '<a href="' + url.replace(/"/g, "") + '">', "</a>");
      return;
    }
    var parts = b.getAttribute("data-wrap").split("|");
    insert(text, parts[0], parts[1]);
  });
  document.addEventListener("change", function (ev) {
    var input = ev.target;
    if (!input.hasAttribute || !input.hasAttribute("data-image-upload") || !input.files.length) return;
    var text = area(input);
    var token = (JSON.parse(document.body.getAttribute("hx-headers") || "{}"))["X-CSRF-Token"] || "";
    var data = new FormData();
    data.append("image", input.files[0]);
    fetch(input.getAttribute("data-image-upload"), { method: "POST", body: data, headers: { "X-CSRF-Token": token }, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
      .then(function (r) {
        if (r.ok && r.body.url) insert(text, '<img src="' + r.body.url + '" alt="">', "");
        else window.alert((r.body && r.body.message) || "图片上传失败");
      })
      .catch(function () { window.alert("图片上传失败，请稍后重试"); });
    input.value = "";
  });
})();
// Admin map: press on the map or drag the edited point's marker to place it; the x/y inputs
// (percent) follow, and typing in them moves the marker. Without JS the inputs alone still work.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var dragging = null;
  function parts() {
    var svg = document.querySelector("svg[data-place-map]");
    var x = document.getElementById("poi-x"), y = document.getElementById("poi-y");
    return svg && x && y ? { svg: svg, x: x, y: y } : null;
  }
  function circle(cls, r) {
    var c = document.createElementNS(SVG, "circle");
    c.setAttribute("class", cls);
    c.setAttribute("r", String(r));
    return c;
  }
  // The marker of the point in the form; a new point gets one on its first placing.
  function marker(p) {
    var m = p.svg.querySelector(".marker.on");
    if (m) return m;
    var w = p.svg.viewBox.baseVal.width;
    m = document.createElementNS(SVG, "g");
    m.setAttribute("class", "marker on draft");
    m.appendChild(circle("marker__hit", Math.max(8, Math.round(w * 28 / 390))));
    m.appendChild(circle("marker__pin", Math.max(3, Math.round(w * 7 / 390))));
    p.svg.appendChild(m);
    return m;
  }
  function moveTo(p, px, py) {
    var m = marker(p), vb = p.svg.viewBox.baseVal;
    var cx = vb.width * px / 100, cy = vb.height * py / 100;
    Array.prototype.forEach.call(m.querySelectorAll("circle"), function (c) {
      c.setAttribute("cx", cx.toFixed(1));
      c.setAttribute("cy", cy.toFixed(1));
    });
    var label = m.querySelector("text"), pin = m.querySelector(".marker__pin");
    if (label && pin) {
      label.setAttribute("x", cx.toFixed(1));
      label.setAttribute("y", (cy - parseFloat(pin.getAttribute("r")) - 4).toFixed(1));
    }
  }
  function placeAt(p, ev) {
    var box = p.svg.getBoundingClientRect();
    if (!box.width || !box.height) return;
    var clamp = function (v) { return Math.min(100, Math.max(0, v)); };
    var px = clamp(((ev.clientX - box.left) / box.width) * 100);
    var py = clamp(((ev.clientY - box.top) / box.height) * 100);
    p.x.value = px.toFixed(2);
    p.y.value = py.toFixed(2);
    moveTo(p, px, py);
  }
  document.addEventListener("pointerdown", function (ev) {
    var p = parts();
    if (!p || ev.button !== 0 || !ev.target.closest || !p.svg.contains(ev.target)) return;
    var m = ev.target.closest(".marker");
    if (m && !m.classList.contains("on")) return; // another point: its link opens it for editing
    ev.preventDefault();
    dragging = p;
    if (p.svg.setPointerCapture) p.svg.setPointerCapture(ev.pointerId);
    placeAt(p, ev);
  });
  document.addEventListener("pointermove", function (ev) {
    if (dragging) placeAt(dragging, ev);
  });
  function stop() {
    dragging = null;
  }
  document.addEventListener("pointerup", stop);
  document.addEventListener("pointercancel", stop);
  // The edited point's marker links to itself: pressing it drags, it never reloads the page.
  document.addEventListener("click", function (ev) {
    if (ev.target.closest && ev.target.closest("svg[data-place-map] .marker.on")) ev.preventDefault();
  });
  document.addEventListener("input", function (ev) {
    if (ev.target.id !== "poi-x" && ev.target.id !== "poi-y") return;
    var p = parts();
    if (!p) return;
    var px = parseFloat(p.x.value), py = parseFloat(p.y.value);
    if (px >= 0 && px <= 100 && py >= 0 && py <= 100) moveTo(p, px, py);
  });
})();
// Buttons that ask before an irreversible step without htmx.
document.addEventListener("click", function (ev) {
  var b = ev.target.closest && ev.target.closest("[data-confirm]");
  // A form's own question is asked once, on submit.
  if (b && b.tagName !== "FORM" && !window.confirm(b.getAttribute("data-confirm"))) ev.preventDefault();
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
// − / + steppers around a quantity field; a change event lets htmx forms (the cart) save it.
document.addEventListener("click", function (ev) {
  var b = ev.target.closest && ev.target.closest("[data-step]");
  if (!b) return;
  var input = b.closest("[data-stepper]").querySelector("input");
  var min = parseInt(input.min, 10) || 1, max = parseInt(input.max, 10) || 99;
  var next = Math.min(max, Math.max(min, (parseInt(input.value, 10) || min) + parseInt(b.getAttribute("data-step"), 10)));
  if (String(next) !== input.value) {
    input.value = String(next);
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }
});
// Copy buttons: `data-copy="ID"` copies the text (or a field's value) of element ID and says so.
document.addEventListener("click", function (ev) {
  var button = ev.target.closest && ev.target.closest("[data-copy]");
  if (!button) return;
  var source = document.getElementById(button.getAttribute("data-copy"));
  if (!source) return;
  var text = source.matches("input, textarea") ? source.value : source.textContent.trim();
  var done = function () { button.textContent = "已复制"; };
  if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(text).then(done, function () { window.prompt("请长按复制", text); });
  } else {
    window.prompt("请长按复制", text);
  }
});
