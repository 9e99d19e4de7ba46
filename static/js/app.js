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
})();
