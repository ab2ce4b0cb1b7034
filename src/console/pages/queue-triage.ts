import type { CaseService } from '../../modules/cases/case-service.ts';
import { when } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { vi } from '../vi.ts';
import { caseCells, deadlineCell, headRow, stateOf } from './queue-views.ts';

export type TriageItem = Awaited<ReturnType<CaseService['queue']>>[number];

/** What the bulk forms were sent with, to show them again beside what was wrong with them. */
export type BulkState = {
  picked: Set<string>;
  values: Partial<Record<'departmentId' | 'categoryCode' | 'note' | 'original' | 'duplicateNote', string>>;
  errors: Partial<Record<'pick' | 'departmentId' | 'categoryCode' | 'original', string>>;
};

export const emptyBulk = (): BulkState => ({ picked: new Set(), values: {}, errors: {} });

/** The most cases one bulk form acts on: each is its own transaction, run one after another. */
export const BULK_LIMIT = 100;

type Option = { id?: string; code?: string; name: string; active: boolean };

/** A control's label, and the message beside it when it was wrong (aria-invalid, aria-describedby). */
function field(id: string, label: string, control: (attrs: SafeHtml) => SafeHtml, error?: string) {
  const attrs = error ? html` aria-invalid="true" aria-describedby="${id}-error"` : html``;
  return html`<p><label for="${id}">${label}</label> ${control(attrs)}${
    error ? html` <span class="field-error" id="${id}-error">${error}</span>` : ''
  }</p>`;
}

/**
 * The cases waiting for classification. For the ward office's intake staff a checkbox per row (named
 * by the case's code, carrying the version the person saw) and two bulk forms over the checked rows:
 * dispatch to a department, or refuse as duplicates of one original. Plain form posts (htmx swaps the
 * result into the page when it is there). A chairman (or an admin) reads the same list, without them.
 */
export function triageContent(
  items: TriageItem[],
  canAct: boolean,
  csrf: string,
  departments: Option[],
  categories: Option[],
  state: BulkState,
): SafeHtml {
  if (items.length === 0) return html`<p>${vi.queue.empty}</p>`;
  const rows = items.map((c) => {
    const value = `${c.id}:${c.version}`;
    const pick = canAct
      ? html`<td class="pick"><input type="checkbox" id="pick-${c.id}" name="pick" value="${value}"${
          state.picked.has(c.id) ? html` checked` : ''
        }${state.errors.pick ? html` aria-describedby="pick-error"` : ''}><label for="pick-${c.id}" class="visually-hidden">${vi.queues.pick(c.code)}</label></td>`
      : '';
    const returned = c.returned ? html` <span class="flag returned">↩ ${vi.queues.returnedTag}</span>` : '';
    return html`<tr class="${stateOf(c.left)}">${pick}${caseCells(c)}${deadlineCell(c.left)}<td>${c.statusLabel}${returned}</td><td>${when(c.receivedAt)}</td></tr>`;
  });
  const columns = [
    ...(canAct ? [html`<span class="visually-hidden">${vi.queues.pickColumn}</span>`] : []),
    vi.cases.columns.code,
    vi.cases.columns.title,
    vi.queue.left,
    vi.cases.columns.status,
    vi.cases.columns.received,
  ];
  const table = html`<p class="meta">${canAct ? vi.queues.keys : vi.queue.keys}</p>
<table class="cases queue">${headRow(columns)}<tbody>${rows}</tbody></table>`;
  if (!canAct) return table;

  const e = state.errors;
  const v = state.values;
  const needsCategory = items.some((c) => c.categoryCode === null);
  const option = (value: string, label: string, chosen: string | undefined) =>
    html`<option value="${value}"${chosen === value ? html` selected` : ''}>${label}</option>`;
  const assign = html`<fieldset class="bulk"><legend>${vi.bulk.assignLegend}</legend>
${field(
  'bulk-department',
  vi.bulk.department,
  (a) =>
    html`<select id="bulk-department" name="departmentId"${a}>${option('', vi.bulk.chooseDepartment, v.departmentId)}${departments
      .filter((d) => d.active)
      .map((d) => option(d.id ?? '', d.name, v.departmentId))}</select>`,
  e.departmentId,
)}
${
  needsCategory
    ? field(
        'bulk-category',
        vi.bulk.category,
        (a) =>
          html`<select id="bulk-category" name="categoryCode"${a}>${option('', vi.bulk.keepCategory, v.categoryCode)}${categories
            .filter((c) => c.active)
            .map((c) => option(c.code ?? '', c.name, v.categoryCode))}</select>`,
        e.categoryCode,
      )
    : ''
}
${field('bulk-note', vi.bulk.note, (a) => html`<input id="bulk-note" name="note" maxlength="2000" value="${v.note ?? ''}"${a}>`)}
<p><button type="submit" name="op" value="assign">${vi.bulk.assign}</button></p>
</fieldset>`;
  const duplicate = html`<fieldset class="bulk"><legend>${vi.bulk.duplicateLegend}</legend>
${field(
  'bulk-original',
  vi.bulk.original,
  (a) =>
    html`<input id="bulk-original" name="original" maxlength="60" autocomplete="off" value="${v.original ?? ''}"${a}> <span class="meta" id="bulk-original-hint">${vi.bulk.originalHint}</span>`,
  e.original,
)}
${field(
  'bulk-duplicate-note',
  vi.bulk.note,
  (a) =>
    html`<input id="bulk-duplicate-note" name="duplicateNote" maxlength="2000" value="${v.duplicateNote ?? ''}"${a}>`,
)}
<p><button type="submit" name="op" value="duplicate">${vi.bulk.reject}</button></p>
</fieldset>`;
  return html`<form id="bulk" method="post" action="/console/queue/bulk" hx-post="/console/queue/bulk" hx-target="#main" hx-swap="innerHTML show:window:top">
<input type="hidden" name="_csrf" value="${csrf}">
${e.pick ? html`<p class="field-error" id="pick-error" role="alert">${e.pick}</p>` : ''}
${table}
<h2>${vi.bulk.selection}</h2>
${assign}
${duplicate}
</form>`;
}
