// pakn console: small helpers on top of htmx 2 (no inline scripts: the CSP allows none).
// - Error fragments (400, 403, 404, 409, 412, 413, 422) are swapped like answers: they carry the
//   Vietnamese message the person needs, where the result would have gone.
document.addEventListener('htmx:beforeSwap', (event) => {
  const status = event.detail.xhr.status;
  if ([400, 403, 404, 409, 412, 413, 422].includes(status)) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// Keyboard shortcuts (console.md): ignored while typing in a field, except Ctrl+Enter, which submits
// the form being filled.
const typing = (el) =>
  el instanceof HTMLElement && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));

document.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    const form = event.target instanceof Element ? event.target.closest('form') : null;
    if (form) {
      event.preventDefault();
      form.requestSubmit(form.querySelector('button[type=submit]') ?? undefined);
    }
    return;
  }
  if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === '?') {
    const dialog = document.getElementById('shortcuts');
    if (dialog instanceof HTMLDialogElement) {
      event.preventDefault();
      dialog.showModal();
    }
  } else if (event.key === 'n' && document.querySelector('a[href="/console/intake/new"]')) {
    event.preventDefault();
    window.location.href = '/console/intake/new';
  } else if (event.key === '/') {
    event.preventDefault();
    const q = document.getElementById('q');
    if (q) q.focus();
    // Not for a campaign unit's submitter, who has no case list.
    else if (document.querySelector('a[href="/console/cases"]')) window.location.href = '/console/cases#q';
  }
});

document.addEventListener('DOMContentLoaded', () => {
  if (window.location.hash === '#q') document.getElementById('q')?.focus();
});

// In a queue, j and k move from row to row (the focus on the row's first link, its case: a row may
// start with a checkbox); Enter opens it; x checks or unchecks the row's checkbox, where it has one.
// A focused checkbox is not a field being typed in: j, k and x work from it too.
const rowLinks = () =>
  [...document.querySelectorAll('table.queue tbody tr')]
    .map((tr) => tr.querySelector('a[href]'))
    .filter(Boolean);

document.addEventListener('keydown', (event) => {
  const onCheckbox = event.target instanceof HTMLInputElement && event.target.type === 'checkbox';
  if ((typing(event.target) && !onCheckbox) || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === 'x') {
    const row = event.target instanceof Element ? event.target.closest('table.queue tbody tr') : null;
    const box = row?.querySelector('input[type=checkbox]');
    if (!box || onCheckbox) return;
    event.preventDefault();
    box.click();
    return;
  }
  if (event.key !== 'j' && event.key !== 'k') return;
  const links = rowLinks();
  if (links.length === 0) return;
  event.preventDefault();
  const row = event.target instanceof Element ? event.target.closest('table.queue tbody tr') : null;
  const at = row ? links.indexOf(row.querySelector('a[href]')) : -1;
  const next = event.key === 'j' ? Math.min(at + 1, links.length - 1) : Math.max(at - 1, 0);
  links[at === -1 ? 0 : next].focus();
});
