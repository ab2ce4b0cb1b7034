import type { CaseView } from '../../modules/cases/case-schemas.ts';
import { when } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { vi } from '../vi.ts';

/**
 * The call form's two helpers, swapped in by htmx as the call is typed (and rendered with the form
 * when it comes back with errors). Their links open in a new tab: the call being typed stays.
 */

const newTab = (id: string, code: string) =>
  html`<a href="/console/cases/${id}" target="_blank" rel="noopener">${code}<span class="visually-hidden"> ${vi.callForm.newTab}</span></a>`;

const short = (c: CaseView) =>
  c.title ?? (c.description.length > 80 ? `${c.description.slice(0, 80)}…` : c.description);

/**
 * The caller's earlier cases (null: the phone is not yet a whole number): a line saying how many and
 * the newest, and the list behind it — one stop for the Tab key on the way to the next field.
 */
export function callerHistory(found: { total: number; items: CaseView[] } | null): SafeHtml {
  if (found === null) return html``;
  const [newest] = found.items;
  if (!newest) return html`<p class="meta">${vi.callForm.noHistory}</p>`;
  const c = vi.callForm.columns;
  return html`<details class="caller-history"><summary>${vi.callForm.history(found.total, newest.code, newest.statusLabel)}</summary>
<table><caption>${vi.callForm.historyCaption} — ${vi.callForm.historyShown(found.items.length, found.total)}</caption>
<thead><tr><th scope="col">${c.code}</th><th scope="col">${c.received}</th><th scope="col">${c.status}</th><th scope="col">${c.title}</th></tr></thead>
<tbody>${found.items.map(
    (k) =>
      html`<tr><td>${newTab(k.id, k.code)}</td><td>${when(k.receivedAt)}</td><td>${k.statusLabel}</td><td>${short(k)}</td></tr>`,
  )}</tbody></table></details>`;
}

/** Open cases like the one being typed; the clerk may still save. Nothing when there are none. */
export function likelyDuplicates(found: { case: CaseView; reasons: string[] }[]): SafeHtml {
  if (found.length === 0) return html``;
  return html`<section class="duplicates" aria-labelledby="duplicates-title"><h2 id="duplicates-title">${vi.callForm.duplicates}</h2>
<p class="meta">${vi.callForm.duplicatesHint}</p>
<ul>${found.map(
    (d) =>
      html`<li>${newTab(d.case.id, d.case.code)} — <strong>${d.case.statusLabel}</strong> — ${short(d.case)} <span class="meta">(${d.reasons.map((r) => vi.callForm.reasons[r] ?? r).join(', ')})</span></li>`,
  )}</ul></section>`;
}
