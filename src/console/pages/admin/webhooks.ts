import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { webhookEvents } from '../../../modules/notifications/webhook-outbox.ts';
import { webhookBody } from '../../../modules/notifications/webhook-schemas.ts';
import { AppError } from '../../../shared/errors.ts';
import { type ConsoleDeps, sendPage, sessionOf } from '../../context.ts';
import { described, field, fieldError, labelWithHint, many, one, type Problems } from '../../fields.ts';
import { when } from '../../format.ts';
import { html } from '../../html.ts';
import { notice } from '../../layout.ts';
import { vi } from '../../vi.ts';
import { adminOnly, staffActor } from './guards.ts';

const w = vi.adminOps.webhooks;
/** The deliveries shown under each webhook: enough to see whether the receiver answers. */
const RECENT = 5;

/**
 * Outgoing webhooks (api.md `POST /api/v1/webhooks`), admin only: the list with each one's recent
 * deliveries, a form to add one, and "ngừng gửi" (the API deactivates; it never deletes, so the
 * delivery log stays). The secret goes in once and is never put in a page again — not even the form
 * sent back with an error.
 */
export async function webhookPages(app: FastifyInstance, { container }: ConsoleDeps) {
  const { webhooks } = container;

  async function render(
    req: FastifyRequest,
    reply: FastifyReply,
    state: {
      values?: { url: string; events: string[] };
      problems?: Problems;
      status?: number;
      done?: string;
    },
  ) {
    const s = sessionOf(req);
    const rawCursor = (req.query as { cursor?: unknown }).cursor;
    const cursor =
      typeof rawCursor === 'string' && /^[A-Za-z0-9_-]{1,200}$/.test(rawCursor) ? rawCursor : undefined;
    const list = await webhooks.list({ limit: 50, ...(cursor ? { cursor } : {}) });
    const recent = await Promise.all(list.items.map((h) => webhooks.deliveries(h.id, { limit: RECENT })));
    const problems = state.problems ?? {};
    const values = state.values ?? { url: '', events: [] };
    const items = list.items.map((h, i) => {
      const deliveries = recent[i]?.items ?? [];
      return html`<li class="webhook">
<p><strong>${h.url}</strong> — ${h.active ? w.active : html`<span class="flag">${w.inactive}</span>`}</p>
<p class="meta">${w.events}: ${h.events.map((e) => w.eventNames[e] ?? e).join(', ')} · ${w.createdAt} ${when(h.createdAt)}</p>
<details><summary>${w.deliveries}</summary>${
        deliveries.length
          ? html`<ul>${deliveries.map(
              (d) =>
                html`<li>${when(d.createdAt)} · ${d.event} · ${w.delivery[d.status] ?? d.status} (${w.attempts(d.attempts)}${d.lastStatusCode ? html`, HTTP ${d.lastStatusCode}` : ''})${d.lastError ? html` — ${d.lastError}` : ''}</li>`,
            )}</ul>`
          : html`<p>${w.noDeliveries}</p>`
      }</details>
${
  h.active
    ? html`<form method="post" action="/console/admin/webhooks/${h.id}/deactivate" class="action">
<input type="hidden" name="_csrf" value="${s.csrf}">
<button type="submit" aria-label="${w.deactivateLabel(h.url)}">${w.deactivate}</button>
</form>`
    : ''
}
</li>`;
    });
    const invalid = Object.keys(problems).length > 0;
    const body = html`<p><a href="/console/admin">${vi.adminOps.back}</a></p>
<h1>${w.title}</h1>
${state.done ? notice('info', state.done) : ''}
${invalid ? notice('error', vi.adminOps.fix, true) : ''}
<p>${w.intro}</p>
${list.items.length ? html`<ul class="webhooks">${items}</ul>` : html`<p>${w.none}</p>`}
${list.nextCursor ? html`<p><a href="/console/admin/webhooks?cursor=${list.nextCursor}">${w.next}</a></p>` : ''}
<p class="meta">${w.noDelete}</p>
<h2>${w.create}</h2>
<form method="post" action="/console/admin/webhooks" class="webhook-new">
<input type="hidden" name="_csrf" value="${s.csrf}">
${field('url', w.url, html`<input id="url" name="url" type="url" value="${values.url}" autocomplete="off" spellcheck="false"${described('url', problems)}>`, problems)}
<fieldset${described('events', problems)}><legend>${w.events}</legend>
${webhookEvents.map(
  (e) =>
    html`<p><label><input type="checkbox" name="events" value="${e}"${values.events.includes(e) ? html` checked` : ''}> ${w.eventNames[e] ?? e}</label></p>`,
)}${fieldError('events', problems)}</fieldset>
${field('secret', labelWithHint(w.secret, w.secretHint), html`<input id="secret" name="secret" type="password" autocomplete="new-password" value=""${described('secret', problems)}>`, problems)}
<p><button type="submit">${w.create}</button></p>
</form>`;
    return sendPage(req, reply, container, { title: w.title, status: state.status ?? 200 }, body);
  }

  app.get('/admin/webhooks', async (req, reply) => {
    adminOnly(req);
    const done = (req.query as { done?: string }).done;
    return render(req, reply, {
      ...(done === 'created' ? { done: w.created } : done === 'deactivated' ? { done: w.deactivated } : {}),
    });
  });

  app.post('/admin/webhooks', async (req, reply) => {
    adminOnly(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = { url: one(body, 'url'), events: many(body, 'events') };
    const parsed = webhookBody.safeParse({ ...values, secret: one(body, 'secret') });
    const problems: Problems = {};
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems[String(issue.path[0] ?? 'url')] ??= issue.message;
      return render(req, reply, { values, problems, status: 400 });
    }
    try {
      await webhooks.create(staffActor(req), parsed.data);
    } catch (err) {
      if (!(err instanceof AppError) || err.statusCode !== 400) throw err;
      for (const p of err.errors ?? [{ path: 'url', message: err.message }]) problems[p.path] ??= p.message;
      return render(req, reply, { values, problems, status: 400 });
    }
    return reply.redirect('/console/admin/webhooks?done=created', 303);
  });

  app.post('/admin/webhooks/:id/deactivate', async (req, reply) => {
    adminOnly(req);
    const { id } = req.params as { id: string };
    if (!/^[1-9]\d{0,17}$/.test(id)) return reply.callNotFound();
    await webhooks.deactivate(staffActor(req), id);
    return reply.redirect('/console/admin/webhooks?done=deactivated', 303);
  });
}
