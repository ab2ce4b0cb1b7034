import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { resolveBody } from '../../modules/campaigns/campaign-schemas.ts';
import { AppError } from '../../shared/errors.ts';
import { type ConsoleDeps, sessionOf } from '../context.ts';
import { one } from '../fields.ts';
import { when } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { notice } from '../layout.ts';
import { vi } from '../vi.ts';
import { staffActor } from './admin/guards.ts';
import {
  campaignHeading,
  campaignOf,
  campaignTabs,
  doneNotice,
  idParam,
  sendCampaignPage,
} from './campaign-common.ts';

const t = vi.campaigns;
const k = t.conflicts;

type Conflict = Awaited<ReturnType<ConsoleDeps['container']['campaignLists']['conflicts']>>[number];
/** What was wrong with one conflict's resolve form: said beside its note. */
type Refused = { id: string; note: string; message: string };

/**
 * The coordinator's conflicts: one number under different names, one person on two groups' lists.
 * Each is counted once and never merged silently; the coordinator checks with the units and records
 * what was decided. Numbers are masked; "Hiện số điện thoại" shows them, and every such reveal is
 * recorded in the audit trail (the service does it, the button says so).
 */
export async function campaignConflictPages(app: FastifyInstance, { container }: ConsoleDeps) {
  async function conflictsPage(
    req: FastifyRequest,
    reply: FastifyReply,
    o: { status?: number; refused?: Refused } = {},
  ) {
    const s = sessionOf(req);
    const c = await campaignOf(container, req);
    const reveal = (req.query as { reveal?: string }).reveal === 'true';
    const conflicts = await container.campaignLists.conflicts(s.principal, staffActor(req), c.id, reveal);
    const base = `/console/campaigns/${c.id}/conflicts`;
    const open = conflicts.filter((x) => x.resolution === null).length;
    const revealControl = conflicts.length
      ? reveal
        ? html`${notice('info', t.upload.revealed)}<p><a href="${base}">${t.hide}</a></p>`
        : html`<form method="get" action="${base}" class="reveal"><input type="hidden" name="reveal" value="true">
<button type="submit" aria-describedby="reveal-hint">${t.reveal}</button> <span class="meta" id="reveal-hint">${t.revealHint}</span></form>`
      : '';
    const item = (x: Conflict): SafeHtml => {
      const refused = o.refused?.id === x.id ? o.refused : undefined;
      const noteId = `note-${x.id}`;
      const kind = k.kinds[x.kind] ?? x.kind;
      return html`<section class="conflict${x.resolution ? ' resolved' : ''}" aria-labelledby="conflict-${x.id}">
<h2 id="conflict-${x.id}">${k.heading(kind, x.phone)}</h2>
<table class="cases campaign"><caption>${k.listings(x.phone)}</caption>
<thead><tr><th scope="col">${k.columns.unit}</th><th scope="col">${k.columns.row}</th><th scope="col">${k.columns.name}</th></tr></thead>
<tbody>${x.listings.map(
        (l) =>
          html`<tr><th scope="row"><a href="/console/campaigns/${c.id}/units/${l.unitId}/list">${l.unitName}</a></th><td>${l.row}</td><td>${l.name}</td></tr>`,
      )}</tbody></table>
${
  x.resolution
    ? html`<p class="resolution"><span class="flag done">✓</span> ${k.resolved(x.resolution.resolvedBy ?? t.groups.unknownUser, when(x.resolution.resolvedAt))} <q>${x.resolution.note}</q></p>`
    : html`<form method="post" action="${base}/${x.id}/resolve" class="resolve">
<input type="hidden" name="_csrf" value="${s.csrf}">
<p class="field${refused ? ' invalid' : ''}"><label for="${noteId}">${k.note}</label>
<span class="meta" id="${noteId}-hint">${k.noteHint}</span>
<textarea id="${noteId}" name="note" rows="2" required maxlength="1000" aria-describedby="${noteId}-hint${refused ? ` ${noteId}-error` : ''}"${refused ? html` aria-invalid="true"` : ''}>${refused?.note ?? ''}</textarea>
${refused ? html`<span class="field-error" id="${noteId}-error">${refused.message}</span>` : ''}</p>
<p><button type="submit" aria-describedby="conflict-${x.id}">${k.resolve}</button></p>
</form>`
}</section>`;
    };
    const body = html`${campaignHeading(c, k.title)}
${o.refused ? notice('error', o.refused.message, true) : doneNotice(req, { resolved: k.resolvedDone })}
${campaignTabs(c, 'conflicts')}
<p>${k.intro}</p>
${conflicts.length ? html`<p><strong>${k.open(open)}</strong></p>${revealControl}${conflicts.map(item)}` : html`<p>${k.empty}</p>`}`;
    return sendCampaignPage(req, reply, container, k.title, body, o.status);
  }

  app.get('/campaigns/:id/conflicts', async (req, reply) => conflictsPage(req, reply));

  app.post('/campaigns/:id/conflicts/:cid/resolve', async (req, reply) => {
    const s = sessionOf(req);
    const id = idParam(req, 'id');
    const cid = idParam(req, 'cid');
    const note = one((req.body ?? {}) as Record<string, unknown>, 'note');
    const refuse = (message: string) =>
      conflictsPage(req, reply, { status: 400, refused: { id: cid, note, message } });
    const body = resolveBody.safeParse({ note });
    if (!body.success) return refuse(note === '' ? t.required : (body.error.issues[0]?.message ?? t.fix));
    try {
      await container.campaignLists.resolve(s.principal, staffActor(req), id, cid, body.data.note);
    } catch (err) {
      if (err instanceof AppError && err.statusCode === 400) return refuse(err.message);
      throw err;
    }
    // Back with the numbers masked: showing them again is a reveal of its own, asked for by its button.
    return reply.redirect(`/console/campaigns/${id}/conflicts?done=resolved`, 303);
  });
}
