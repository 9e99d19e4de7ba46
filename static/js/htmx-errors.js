// Refusals inline: a refused htmx request answers 4xx with templates/errors/_inline.html.
// htmx drops error responses by default; here the fragment goes into the element named by
// the nearest data-error-target (beside the control that asked), and a form marked
// data-reset-on-error is reset, so a select shows the value the server holds, not the
// refused choice. A form sent with errors answers 422 (peergroups.http.FORM_INVALID) with
// itself re-rendered: without a data-error-target it is swapped where a 200 would go, so
// the errors show in place. No inline script: the page's CSP allows only files like this one.
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  if (status < 400 || status >= 500) {
    return;
  }
  var source = event.detail.requestConfig ? event.detail.requestConfig.elt : event.target;
  var owner = source && source.closest ? source.closest("[data-error-target]") : null;
  var slot = owner ? document.querySelector(owner.getAttribute("data-error-target")) : null;
  if (!slot) {
    if (status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
    return;
  }
  event.detail.shouldSwap = true;
  event.detail.isError = false;
  event.detail.target = slot;
  event.detail.swapOverride = "innerHTML";
  if (owner.hasAttribute("data-reset-on-error") && owner.reset) {
    owner.reset();
  }
});
