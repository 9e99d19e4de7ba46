// Small behaviours the pages opt into with data- attributes. No inline script anywhere:
// the Content-Security-Policy allows scripts from our own origin only.
(function () {
  "use strict";
  // The page's language (<html lang>) and its sentences, translated on <body data-text-*>
  // (templates/base.html): "{used} of {limit} characters" with its placeholders filled in.
  var language = document.documentElement.lang || "en";
  function sentence(name, values, fallback) {
    var text = (document.body && document.body.getAttribute("data-text-" + name)) || fallback;
    return text.replace(/\{(\w+)\}/g, function (whole, key) { return key in values ? values[key] : whole; });
  }
  function number(n, digits) {
    return n.toLocaleString(language, { maximumFractionDigits: digits || 0 });
  }
  // <input data-select-on-focus>: one click selects a secret link or key for copying.
  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (target && target.hasAttribute && target.hasAttribute("data-select-on-focus")) {
      target.select();
    }
  });
  // <form data-confirm="Question?">: ask before a destructive post.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
  // <textarea maxlength>: a live count under the box, so a long text meets its limit
  // before the server refuses it (the same bound the form, the API and the service use).
  function describe(box, counter) {
    var limit = parseInt(box.getAttribute("maxlength"), 10);
    var used = box.value.length;
    counter.textContent = sentence("characters", { used: number(used), limit: number(limit) }, "{used} of {limit} characters");
    counter.classList.toggle("near-limit", used > limit * 0.9);
  }
  function addCounters(root) {
    var boxes = (root || document).querySelectorAll("textarea[maxlength]");
    Array.prototype.forEach.call(boxes, function (box) {
      if (box.hasAttribute("data-counted")) return;
      box.setAttribute("data-counted", "");
      var counter = document.createElement("p");
      counter.className = "counter";
      counter.id = (box.id || "text") + "_counter";
      counter.setAttribute("aria-live", "polite");
      box.insertAdjacentElement("afterend", counter);
      var described = box.getAttribute("aria-describedby");
      box.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);
      describe(box, counter);
      box.addEventListener("input", function () { describe(box, counter); });
    });
  }
  // <input type=file data-max-bytes>: a file over the limit is refused here, beside the
  // field, before anything is sent, so the other fields keep what was typed (the server
  // would refuse the whole request before reading it).
  function fileTooLarge(input) {
    var limit = parseInt(input.getAttribute("data-max-bytes"), 10);
    var files = Array.prototype.slice.call(input.files || []);
    var big = files.filter(function (file) { return file.size > limit; })[0];
    var id = (input.id || "file") + "_size_error";
    var shown = document.getElementById(id);
    if (!big) {
      if (shown) shown.remove();
      input.removeAttribute("aria-invalid");
      return false;
    }
    var words = function (n) { return number(n / 1048576, 1) + " MB"; };
    if (!shown) {
      shown = document.createElement("p");
      shown.className = "error";
      shown.id = id;
      shown.setAttribute("role", "alert");
      input.insertAdjacentElement("afterend", shown);
    }
    shown.textContent = sentence(
      "file-too-large",
      { name: big.name, size: words(big.size), limit: words(limit) },
      "“{name}” is {size}; the limit is {limit}. Choose a smaller file."
    );
    input.setAttribute("aria-invalid", "true");
    input.value = "";
    return true;
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("input[type=file][data-max-bytes]")) {
      fileTooLarge(target);
    }
  });
  document.addEventListener("submit", function (event) {
    var inputs = event.target.querySelectorAll ? event.target.querySelectorAll("input[type=file][data-max-bytes]") : [];
    Array.prototype.forEach.call(inputs, function (input) {
      if (fileTooLarge(input)) event.preventDefault();
    });
  }, true);
  // <input required data-confirm-note="id">: a confirmation left unticked shows its
  // message beside the button (not only the browser's tooltip) and takes the focus.
  document.addEventListener("invalid", function (event) {
    var box = event.target;
    var id = box && box.getAttribute && box.getAttribute("data-confirm-note");
    var note = id && document.getElementById(id);
    if (!note) return;
    note.classList.add("error");
    note.setAttribute("role", "alert");
    box.focus();
  }, true);
  document.addEventListener("change", function (event) {
    var box = event.target;
    var id = box && box.getAttribute && box.getAttribute("data-confirm-note");
    var note = id && document.getElementById(id);
    if (note && box.checked) {
      note.classList.remove("error");
      note.removeAttribute("role");
    }
  });
  document.addEventListener("DOMContentLoaded", function () { addCounters(document); });
  document.addEventListener("htmx:afterSwap", function (event) { addCounters(event.target); });
})();
