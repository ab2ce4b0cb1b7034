import type { FastifyInstance } from 'fastify';
import { auditObjectTypes } from '../../../modules/audit/audit-entry.ts';
import type { AuditEntryView } from '../../../modules/audit/audit-schemas.ts';
import { auditQuery } from '../../../modules/audit/audit-schemas.ts';
import { type ConsoleDeps, sendPage } from '../../context.ts';
import { described, field, one, type Problems } from '../../fields.ts';
import { when } from '../../format.ts';
import { html } from '../../html.ts';
import { notice } from '../../layout.ts';
import { vi } from '../../vi.ts';
import { auditChanges } from './audit-diff.ts';
import { isoDateOf } from './calendar-form.ts';
import { adminOrChairman } from './guards.ts';

const a = vi.adminOps.audit;
const filterNames = ['objectType', 'objectId', 'actorId', 'from', 'to'] as const;

/** An action as people read it: "Webhook: tạo" for `webhook.create`. */
const actionText = (e: AuditEntryView) => {
  const verb = e.action.slice(e.action.indexOf('.') + 1);
  return `${a.objectTypes[e.objectType] ?? e.objectType}: ${a.verbs[verb] ?? verb}`;
};

/**
 * The audit trail (api.md `GET /api/v1/audit`): admins see every entry, a chairman their own ward's
 * (the audit service decides). Filters live in the URL (a day range in Vietnam time rather than
 * instants); newest first, a page at a time; each entry's change as the fields it touched, before
 * and after — the trail holds no secret, and the page shows no field named like one.
 */
export async function auditPages(app: FastifyInstance, { container }: ConsoleDeps) {
  app.get('/admin/audit', async (req, reply) => {
    const s = adminOrChairman(req);
    const raw = req.query as Record<string, unknown>;
    const values = Object.fromEntries(filterNames.map((n) => [n, one(raw, n)])) as Record<
      (typeof filterNames)[number],
      string
    >;
    const problems: Problems = {};
    const day = (name: 'from' | 'to', time: string) => {
      if (values[name] === '') return undefined;
      const iso = isoDateOf(values[name]);
      if (iso === null) {
        problems[name] = a.badDate;
        return undefined;
      }
      return `${iso}T${time}+07:00`;
    };
    const from = day('from', '00:00:00.000');
    const to = day('to', '23:59:59.999');
    if (from && to && from > to) problems.to = a.badRange;
    const cursor = one(raw, 'cursor');
    const parsed = auditQuery.safeParse(
      Object.fromEntries(
        Object.entries({
          objectType: values.objectType,
          objectId: values.objectId,
          actorId: values.actorId,
          from,
          to,
          cursor,
          limit: '50',
        }).filter(([, v]) => v !== undefined && v !== ''),
      ),
    );
    if (!parsed.success)
      for (const issue of parsed.error.issues)
        problems[String(issue.path[0] ?? 'objectId')] ??= issue.message;
    const invalid = Object.keys(problems).length > 0;
    const list = !invalid && parsed.success ? await container.audit.list(s.principal, parsed.data) : null;

    const filterUrl = (extra: Record<string, string>) =>
      `/console/admin/audit?${new URLSearchParams(extra).toString()}`;
    const kept = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
    const rows = (list?.items ?? []).map((e) => {
      const changes = auditChanges(e.before, e.after);
      const who = e.actor.id
        ? html`<a href="${filterUrl({ actorId: e.actor.id })}" title="${a.byActor(e.actor.username)}">${e.actor.username}</a>`
        : html`${a.system} (${e.actor.username})`;
      const change =
        changes.length === 0
          ? html`<p class="meta">${a.nothing}</p>`
          : html`${e.before === null ? html`<p class="meta">${a.created}</p>` : ''}${e.after === null ? html`<p class="meta">${a.deleted}</p>` : ''}<dl class="diff">${changes.map(
              (c) =>
                html`<dt>${c.field}</dt><dd>${e.before === null ? '' : html`<del>${c.before ?? a.empty_}</del> → `}<ins>${c.after ?? a.empty_}</ins></dd>`,
            )}</dl>`;
      return html`<tr>
<td>${when(e.at)}</td>
<td>${who}</td>
<td>${e.address ?? a.noAddress}</td>
<td>${actionText(e)}</td>
<td><a href="${filterUrl({ objectType: e.objectType, objectId: e.objectId })}" title="${a.byObject}">${a.objectTypes[e.objectType] ?? e.objectType} ${e.objectId}</a></td>
<td>${change}</td>
</tr>`;
    });
    const c = a.columns;
    const table = list?.items.length
      ? html`<table class="cases audit"><caption class="visually-hidden">${a.title}</caption>
<thead><tr><th scope="col">${c.at}</th><th scope="col">${c.who}</th><th scope="col">${c.address}</th><th scope="col">${c.action}</th><th scope="col">${c.object}</th><th scope="col">${c.change}</th></tr></thead>
<tbody>${rows}</tbody></table>`
      : list
        ? html`<p>${a.empty}</p>`
        : '';
    const text = (name: 'objectId' | 'actorId', label: string) =>
      field(
        name,
        label,
        html`<input id="${name}" name="${name}" value="${values[name]}" autocomplete="off"${described(name, problems)}>`,
        problems,
      );
    const dateBox = (name: 'from' | 'to', label: string) =>
      field(
        name,
        label,
        html`<input id="${name}" name="${name}" type="date" value="${values[name]}"${described(name, problems)}>`,
        problems,
      );
    const filters = html`<form method="get" action="/console/admin/audit" class="filters">
${field(
  'objectType',
  a.objectType,
  html`<select id="objectType" name="objectType"${described('objectType', problems)}><option value="">${a.anyType}</option>${auditObjectTypes.map(
    (t) =>
      html`<option value="${t}"${values.objectType === t ? html` selected` : ''}>${a.objectTypes[t] ?? t}</option>`,
  )}</select>`,
  problems,
)}
${text('objectId', a.objectId)}
${text('actorId', a.actorId)}
${dateBox('from', a.from)}
${dateBox('to', a.to)}
<p><button type="submit">${a.filter}</button> <a href="/console/admin/audit">${a.clear}</a></p>
</form>`;
    const back =
      s.principal.role === 'admin'
        ? html`<p><a href="/console/admin">${vi.adminOps.back}</a></p>`
        : html`<p><a href="/console/board">${vi.digests.backBoard}</a></p>`;
    const body = html`${back}<h1>${a.title}</h1>
<p>${s.principal.role === 'admin' ? a.intro : a.introChairman}</p>
${invalid ? notice('error', vi.adminOps.fix, true) : ''}
${filters}${table}
${list?.nextCursor ? html`<p><a href="${filterUrl({ ...kept, cursor: list.nextCursor })}">${a.next}</a></p>` : ''}`;
    return sendPage(req, reply, container, { title: a.title, status: invalid ? 400 : 200 }, body);
  });
}
