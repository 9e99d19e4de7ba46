// Small behaviours the pages opt into with data- attributes. No inline script anywhere:
// the Content-Security-Policy allows scripts from our own origin only.
(function () {
  "use strict";
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
    counter.textContent = used.toLocaleString("en") + " of " + limit.toLocaleString("en") + " characters";
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
  document.addEventListener("DOMContentLoaded", function () { addCounters(document); });
  document.addEventListener("htmx:afterSwap", function (event) { addCounters(event.target); });
})();
