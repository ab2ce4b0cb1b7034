import type { FastifyRequest } from 'fastify';
import type { Container } from '../../../container.ts';
import type { UserPrincipal } from '../../../modules/auth/principal.ts';
import { AppError, notFound, problemType } from '../../../shared/errors.ts';
import type { Fields } from '../../fields.ts';
import { html, type SafeHtml } from '../../html.ts';
import { notice } from '../../layout.ts';
import { vi } from '../../vi.ts';

const t = vi.adminDirectory;

/** Ids in paths: digits only; anything else is a record that does not exist (404, as in the API). */
export function idOf(req: FastifyRequest): string {
  const id = (req.params as { id?: string }).id ?? '';
  if (!/^[1-9]\d{0,17}$/.test(id)) throw notFound();
  return id;
}

/** The form's fields (a plain form posts strings; anything else is dropped). */
export const fieldsOf = (req: FastifyRequest): Fields =>
  Object.fromEntries(
    Object.entries((req.body ?? {}) as Record<string, unknown>).filter(
      (e): e is [string, string] => typeof e[1] === 'string',
    ),
  );

/**
 * `If-Match` from the version the form carried (what the admin saw); a form without one names no
 * version that exists, so it is refused as stale rather than applied blindly.
 */
export const ifMatchOf = (f: Fields) => `"${/^\d{1,9}$/.test(f.version ?? '') ? f.version : '0'}"`;

/** The fields every form sends: the anti-forgery token and, for a change, the version it was shown. */
export const hiddenFields = (csrf: string, version?: number) =>
  html`<input type="hidden" name="_csrf" value="${csrf}">${version === undefined ? '' : html`<input type="hidden" name="version" value="${version}">`}`;

/**
 * The version a record's form carries: the one the admin's sent form had (a form shown again with its
 * mistakes must still be refused if someone changed the record meanwhile), else the record's own.
 */
export const versionShown = (values: Fields | undefined, record: { version: number }) =>
  values?.version && /^\d{1,9}$/.test(values.version) ? Number(values.version) : record.version;

export const activeWords = (active: boolean) => (active ? t.active : t.inactive);

/** Active in words, with a mark that is not colour alone. */
export const activeCell = (active: boolean) =>
  html`<span class="${active ? 'active' : 'inactive'}">${active ? '' : html`<span aria-hidden="true">⊘ </span>`}${activeWords(active)}</span>`;

/** A list page's query: the cursor and the active filter (`true`/`false`; absent: all). */
export function listArgs(raw: Record<string, string | undefined>) {
  const cursor = raw.cursor && /^[A-Za-z0-9_-]{1,200}$/.test(raw.cursor) ? raw.cursor : undefined;
  const active = raw.active === 'true' ? true : raw.active === 'false' ? false : undefined;
  return { limit: 50, ...(cursor ? { cursor } : {}), ...(active === undefined ? {} : { active }) };
}

/** The status filter of a list (all, active, inactive). */
export const activeSelect = (raw: Record<string, string | undefined>) =>
  html`<p><label for="active">${t.status}</label> <select id="active" name="active">
<option value="">${t.anyStatus}</option>
<option value="true"${raw.active === 'true' ? html` selected` : ''}>${t.active}</option>
<option value="false"${raw.active === 'false' ? html` selected` : ''}>${t.inactive}</option>
</select></p>`;

/** The ward filter of a list. */
export const wardSelect = (wards: { id: string; name: string }[], chosen: string | undefined) =>
  html`<p><label for="wardId">${t.ward}</label> <select id="wardId" name="wardId">
<option value="">${t.anyWard}</option>
${wards.map((w) => html`<option value="${w.id}"${chosen === w.id ? html` selected` : ''}>${w.name}</option>`)}
</select></p>`;

/** The next page of a list (the services' keyset cursors), its filters kept; and the way back to the first. */
export function pager(base: string, raw: Record<string, string | undefined>, nextCursor: string | null) {
  const keep = Object.entries(raw).filter(
    (e): e is [string, string] => e[0] !== 'cursor' && typeof e[1] === 'string' && e[1] !== '',
  );
  const first = raw.cursor
    ? html`<a href="${base}${keep.length ? `?${new URLSearchParams(keep)}` : ''}">${t.first}</a> `
    : '';
  const next = nextCursor
    ? html`<a href="${base}?${new URLSearchParams([...keep, ['cursor', nextCursor]])}">${t.next}</a>`
    : '';
  return first || next ? html`<p class="pager">${first}${next}</p>` : '';
}

/** A table of a list; `rows` already rendered, the first column a link to each record. */
export const listTable = (headers: string[], rows: SafeHtml[]) =>
  rows.length
    ? html`<table class="cases"><thead><tr>${headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead><tbody>${rows}</tbody></table>`
    : html`<p>${t.empty}</p>`;

/**
 * A list page's body: its title, the links to a new record (`newQuery`: what the new one starts
 * with) and back to the admin index, the filters (`filters`: the controls, before the button), the
 * table and the pager.
 */
export const listBody = (
  base: string,
  page: {
    title: string;
    newLabel: string;
    newQuery?: string;
    filters: SafeHtml;
    headers: string[];
    rows: SafeHtml[];
    raw: Record<string, string | undefined>;
    nextCursor: string | null;
  },
) =>
  html`<h1>${page.title}</h1>
<p><a href="/console${base}/new${page.newQuery ?? ''}">${page.newLabel}</a> · <a href="/console/admin">${t.toAdmin}</a></p>
<form method="get" action="/console${base}" class="filters">${page.filters}<p><button type="submit">${t.filter}</button></p></form>
${listTable(page.headers, page.rows)}
${pager(`/console${base}`, page.raw, page.nextCursor)}`;

/** What a record page says after a change that redirected to it (`?done=`). */
export function doneNotice(raw: Record<string, string | undefined>, extra: Record<string, string> = {}) {
  const texts: Record<string, string> = {
    saved: t.saved,
    created: t.created,
    deactivated: t.deactivated,
    reactivated: t.reactivated,
    ...extra,
  };
  const text = raw.done ? texts[raw.done] : undefined;
  return text ? notice('info', text) : '';
}

/**
 * Deactivate or reactivate, each behind a confirmation that needs no script (a `<details>` that opens
 * on the button, with the real button inside); the form carries the version the admin saw.
 */
export function lifecycleForms(
  base: string,
  view: { active: boolean; version: number },
  name: string,
  csrf: string,
) {
  const [summary, confirm, button, action] = view.active
    ? [t.deactivate, t.deactivateConfirm(name), t.deactivateButton, 'deactivate']
    : [t.reactivate, t.reactivateConfirm(name), t.reactivateButton, 'reactivate'];
  return html`<details class="confirm"><summary>${summary}</summary>
<form method="post" action="${base}/${action}">${hiddenFields(csrf, view.version)}
<p>${confirm}</p>
<p><button type="submit">${button}</button></p>
</form></details>`;
}

/** Whether a service refused a new record because its code or name is taken (409 duplicate). */
export const isDuplicate = (err: unknown) => err instanceof AppError && err.type === problemType('duplicate');

/** Every ward (city-wide for an admin), by name: for the selects and filters. */
export async function allWards(container: Container, principal: UserPrincipal) {
  const all: { id: string; code: string; name: string; active: boolean }[] = [];
  let cursor: string | undefined;
  do {
    const p = await container.directory.listWards(principal, { limit: 200, ...(cursor ? { cursor } : {}) });
    all.push(...p.items);
    cursor = p.nextCursor ?? undefined;
  } while (cursor);
  return all.sort((a, b) => a.name.localeCompare(b.name, 'vi'));
}

/** Every department (of a ward, or of all), by name. */
export async function allDepartments(container: Container, principal: UserPrincipal, wardId?: string) {
  const all: { id: string; wardId: string; code: string; name: string; active: boolean }[] = [];
  let cursor: string | undefined;
  do {
    const p = await container.directory.listDepartments(principal, wardId, {
      limit: 200,
      ...(cursor ? { cursor } : {}),
    });
    all.push(...p.items);
    cursor = p.nextCursor ?? undefined;
  } while (cursor);
  return all.sort((a, b) => a.name.localeCompare(b.name, 'vi'));
}

/** A ward filter's value: an id, or nothing (a malformed one filters nothing rather than failing). */
export const wardIdOf = (v: string | undefined) => (v && /^[1-9]\d{0,17}$/.test(v) ? v : undefined);
