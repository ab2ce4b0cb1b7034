// pakn console: small helpers on top of htmx 2 (no inline scripts: the CSP allows none).
// - Error fragments (400, 403, 404, 409, 412, 422) are swapped like answers: they carry the
//   Vietnamese message the person needs, where the result would have gone.
document.addEventListener('htmx:beforeSwap', (event) => {
  const status = event.detail.xhr.status;
  if ([400, 403, 404, 409, 412, 422].includes(status)) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
