import type { FastifyInstance } from 'fastify';
import { type ConsoleDeps, sendPage } from '../context.ts';
import { when } from '../format.ts';
import { html } from '../html.ts';
import { vi } from '../vi.ts';
import { adminOrChairman } from './admin/guards.ts';
import { sendWardPicker, wardIdOf } from './admin/ward-picker.ts';

const d = vi.digests;
const hours = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 });

/**
 * The chairman's digests sent (GET /api/v1/reports/digests): for the chairman's own ward, newest
 * first, each with its counts and how it reached them, and the report itself as it was sent. An admin
 * picks the ward. The digest service keeps a chairman to their ward (another's is 404).
 */
export async function boardDigestPages(app: FastifyInstance, { container }: ConsoleDeps) {
  app.get('/board/digests', async (req, reply) => {
    const s = adminOrChairman(req);
    const wardId = s.principal.role === 'admin' ? wardIdOf(req) : (s.principal.wardId ?? undefined);
    if (!wardId)
      return sendWardPicker(req, reply, { container }, s.principal, {
        title: d.title,
        action: '/console/board/digests',
      });
    const history = await container.digests.history(s.principal, wardId, 100);
    const c = d.columns;
    const emails = (list: (typeof history.items)[number]['emails']) =>
      list.length ? list.map((e) => `${e.to}: ${d.emailStatus[e.status] ?? e.status}`).join('; ') : d.noEmail;
    const table = history.items.length
      ? html`<table class="cases digests"><caption class="visually-hidden">${d.title}</caption>
<thead><tr><th scope="col">${c.sentFor}</th><th scope="col">${c.unanswered}</th><th scope="col">${c.late}</th><th scope="col">${c.notified}</th><th scope="col">${c.emails}</th><th scope="col">${c.open}</th></tr></thead>
<tbody>${history.items.map(
          (item) => html`<tr${item.late > 0 ? html` class="overdue"` : ''}>
<th scope="row">${when(item.scheduledFor)}</th><td>${item.unanswered}</td><td>${item.late > 0 ? html`⚠ ${item.late}` : '0'}</td><td>${item.notified}</td><td>${emails(item.emails)}</td>
<td><a href="/console/board/digests/${item.id}">${d.view(when(item.scheduledFor))}</a></td>
</tr>`,
        )}</tbody></table>`
      : html`<p>${d.none}</p>`;
    const body = html`<p><a href="/console/board">${d.backBoard}</a></p>
<h1>${d.title}</h1><p>${d.intro}</p>${table}`;
    return sendPage(req, reply, container, { title: d.title, current: 'board' }, body);
  });

  app.get('/board/digests/:id', async (req, reply) => {
    const s = adminOrChairman(req);
    const digest = await container.digests.one(s.principal, (req.params as { id: string }).id);
    const r = digest.content;
    const departments = (r.departments ?? []).map(
      (dep) => html`<h2>${dep.name}</h2><p>${d.totals(dep.unanswered, dep.late)}</p>
${dep.heads.length ? html`<p class="meta">${d.heads}: ${dep.heads.join(', ')}</p>` : ''}
<ul>${dep.cases.map(
        (k) =>
          html`<li><a href="/console/cases/${k.id}">${k.code}</a> — ${k.title} · ${k.statusLabel} · ${d.deadline} ${k.deadline ? when(k.deadline) : '—'} · ${k.late ? html`<span class="flag overdue">⚠ ${d.lateBy(hours.format(k.hoursLate))}</span>` : d.onTime}</li>`,
      )}</ul>`,
    );
    const body = html`<p><a href="/console/board/digests${s.principal.role === 'admin' ? `?wardId=${digest.wardId}` : ''}">${d.back}</a></p>
<h1>${d.one(when(digest.scheduledFor))}${r.wardName ? html` — ${r.wardName}` : ''}</h1>
${r.asOf ? html`<p class="meta">${d.asOf(when(r.asOf))}</p>` : ''}
<p>${d.totals(r.unanswered ?? 0, r.late ?? 0)}</p>
${departments}`;
    return sendPage(
      req,
      reply,
      container,
      { title: d.one(when(digest.scheduledFor)), current: 'board' },
      body,
    );
  });
}
