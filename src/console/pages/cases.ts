import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { caseStatuses } from '../../db/types.ts';
import { listCasesQuery } from '../../modules/cases/case-schemas.ts';
import { statusLabels } from '../../modules/cases/status-labels.ts';
import { downloadHeaders } from '../../modules/files/file-routes.ts';
import { type FileView, fileIdOf } from '../../modules/files/file-schemas.ts';
import { notFound } from '../../shared/errors.ts';
import {
  activeCategories,
  type ConsoleDeps,
  issuesText,
  sendFragment,
  sendPage,
  sessionOf,
} from '../context.ts';
import { timeLeft, when } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { notice } from '../layout.ts';
import { vi } from '../vi.ts';
import { answerTemplatePickerRoutes, templatesForCase } from './answer-template-picker.ts';
import { actionForms, caseActionRoutes, type RespondState } from './case-actions.ts';

/** Ids in paths: digits only; anything else is a case that does not exist (404, as in the API). */
const caseId = (params: unknown) => {
  const id = (params as { id?: string }).id ?? '';
  if (!/^\d{1,18}$/.test(id)) throw notFound();
  return id;
};

type Left = Awaited<ReturnType<ConsoleDeps['container']['cases']['timeLeft']>>;

/** The running deadline in words, refreshed by the server every minute (never a browser countdown). */
function timeLeftFragment(id: string, left: Left): SafeHtml {
  const words = left === null ? vi.case.noDeadline : timeLeft(left.seconds, left.working, left.overdue);
  const state = left === null ? '' : left.overdue ? 'overdue' : left.seconds < 4 * 3600 ? 'due-soon' : '';
  const label =
    left === null ? '' : left.deadline === 'accept' ? vi.case.timeLeftAccept : vi.case.timeLeftAnswer;
  return html`<p class="time-left ${state}" id="time-left" hx-get="/console/cases/${id}/time-left" hx-trigger="every 60s" hx-swap="outerHTML">${
    label ? html`<span class="label">${label}:</span> ` : ''
  }${state === 'overdue' ? html`<span class="flag" aria-hidden="true">⚠</span> ` : state === 'due-soon' ? html`<span class="flag">⏰ ${vi.cases.dueSoon}</span> ` : ''}<strong>${words}</strong>${
    left ? html` <span class="due">(${when(left.dueAt)})</span>` : ''
  }</p>`;
}

type Attachment = { url: string; mediaType?: string | undefined; name?: string | undefined };

const typeNames: Record<string, string> = {
  'application/pdf': 'PDF',
  'image/jpeg': 'JPEG',
  'image/png': 'PNG',
  'image/webp': 'WebP',
};

/**
 * An answer's attachments as download links with name, type and size: a pakn file through the
 * console's own route (only those the caller may fetch), an external address as it is.
 */
function attachmentList(list: Attachment[], files: Map<string, FileView>): SafeHtml | '' {
  const items = list.flatMap((a) => {
    const id = fileIdOf(a.url);
    if (id === null)
      return [
        html`<li><a href="${a.url}" rel="noopener noreferrer">${a.name ?? a.url}</a> <span class="meta">(${vi.files.external})</span></li>`,
      ];
    const f = files.get(id);
    return f
      ? [
          html`<li><a href="/console/files/${f.id}" download>${f.name}</a> <span class="meta">(${typeNames[f.mediaType] ?? f.mediaType}, ${vi.files.size(f.size)})</span></li>`,
        ]
      : [];
  });
  return items.length
    ? html`<h3 class="attachments-title">${vi.files.attachments}</h3><ul class="attachments">${items}</ul>`
    : '';
}

/** The case list (filters and search in the URL, so staff bookmark them) and the case page. */
export async function casePages(app: FastifyInstance, { container, sessions }: ConsoleDeps) {
  app.get('/cases', async (req, reply) => {
    const s = sessionOf(req);
    const raw = req.query as Record<string, string>;
    const parsed = listCasesQuery.safeParse({ limit: '50', ...raw });
    const query = parsed.success ? parsed.data : listCasesQuery.parse({ limit: '50' });
    const { items, nextCursor } = await container.cases.list(s.principal, query);
    const keep = new URLSearchParams(Object.entries(raw).filter(([k, v]) => k !== 'cursor' && v !== ''));
    const filters = html`<form method="get" action="/console/cases" class="filters" role="search">
<p><label for="q">${s.principal.role === 'intake' ? vi.callForm.searchLabel : vi.cases.search}</label> <input id="q" name="q" type="search" value="${raw.q ?? ''}"></p>
<p><label for="status">${vi.cases.status}</label> <select id="status" name="status">
<option value="">${vi.cases.anyStatus}</option>
${caseStatuses.map((st) => html`<option value="${st}"${raw.status === st ? html` selected` : ''}>${statusLabels[st]}</option>`)}
</select></p>
<p><input id="overdue" name="overdue" type="checkbox" value="true"${raw.overdue === 'true' ? html` checked` : ''}> <label for="overdue">${vi.cases.overdueOnly}</label></p>
<p><button type="submit">${vi.cases.filter}</button></p>
</form>`;
    const rows = items.map(
      (c) => html`<tr>
<td><a href="/console/cases/${c.id}">${c.code}</a></td>
<td>${c.title ?? c.description.slice(0, 80)}</td>
<td>${c.statusLabel}${c.overdue ? html` <span class="flag overdue">⚠ ${vi.cases.overdue}</span>` : ''}</td>
<td>${when(c.receivedAt)}</td>
<td>${when(c.dueAt)}</td>
</tr>`,
    );
    const table = items.length
      ? html`<table class="cases"><thead><tr><th scope="col">${vi.cases.columns.code}</th><th scope="col">${vi.cases.columns.title}</th><th scope="col">${vi.cases.columns.status}</th><th scope="col">${vi.cases.columns.received}</th><th scope="col">${vi.cases.columns.due}</th></tr></thead><tbody>${rows}</tbody></table>`
      : html`<p>${vi.cases.empty}</p>`;
    const more = nextCursor
      ? html`<p><a href="/console/cases?${new URLSearchParams([...keep, ['cursor', nextCursor]]).toString()}">${vi.cases.next}</a></p>`
      : '';
    const problem = parsed.success ? '' : notice('error', issuesText(parsed.error));
    return sendPage(
      req,
      reply,
      container,
      { title: vi.cases.title, current: 'cases', status: parsed.success ? 200 : 400 },
      html`<h1>${vi.cases.title}</h1>${problem}${filters}${table}${more}`,
    );
  });

  app.get('/cases/:id/time-left', async (req, reply) => {
    const id = caseId(req.params);
    return sendFragment(
      reply,
      timeLeftFragment(id, await container.cases.timeLeft(sessionOf(req).principal, id)),
    );
  });

  /** The case page; with `problem`, the same page saying what went wrong with the action just sent. */
  async function renderCase(
    req: FastifyRequest,
    reply: FastifyReply,
    id: string,
    problem?: { status: number; text: string; respond?: RespondState },
    draft = '',
  ) {
    const s = sessionOf(req);
    const { case: kase, left } = await container.cases.getWithTimeLeft(s.principal, id);
    const [events, escalations, messages, departments] = await Promise.all([
      container.cases.events(s.principal, id, { limit: 200 }),
      container.escalations.forCase(s.principal, id),
      container.messages.forCase(s.principal, id),
      s.principal.role === 'admin' || s.principal.wardId === kase.wardId
        ? container.directory.listDepartments(s.principal, kase.wardId, { limit: 100 })
        : Promise.resolve({ items: [] }),
    ]);
    const [categories, extension, templates] = await Promise.all([
      activeCategories(container),
      container.actions.pendingExtensionOf(id),
      templatesForCase(container, s.principal, kase),
    ]);
    const categoryName = categories.find((c) => c.code === kase.categoryCode)?.name ?? kase.categoryCode;
    const department = departments.items.find((d) => d.id === kase.departmentId)?.name;
    const r = kase.reporter;
    const reporter = r
      ? html`<dl class="facts">
<dt>${vi.case.reporter}</dt><dd>${r.name ?? ''}${r.confidential ? html` <span class="flag">${vi.case.confidential}</span>` : ''}</dd>
${r.phone ? html`<dt>${vi.case.phone}</dt><dd><a href="tel:${r.phone}">${r.phone}</a></dd>` : ''}
${r.email ? html`<dt>${vi.case.email}</dt><dd>${r.email}</dd>` : ''}
</dl>`
      : html`<p>${vi.case.reporter}: ${vi.case.hidden}</p>`;
    const pending = (
      kase as {
        pendingProposal?: {
          answer: string;
          attachments: Attachment[];
          proposedBy: { name: string };
          proposedAt: string;
        };
      }
    ).pendingProposal;
    const listed = [...(kase.answer?.attachments ?? []), ...(pending?.attachments ?? [])];
    const files = await container.files.visible(
      s.principal,
      listed.map((a) => fileIdOf(a.url)).filter((x): x is string => x !== null),
    );
    const main = html`<h1>${kase.code} <span class="status">${kase.statusLabel}</span></h1>
${problem ? notice('error', problem.text) : ''}
${timeLeftFragment(id, left)}
<section aria-labelledby="details"><h2 id="details" class="visually-hidden">${vi.case.description}</h2>
${kase.title ? html`<p class="case-title"><strong>${kase.title}</strong></p>` : ''}
<p class="description">${kase.description}</p>
<dl class="facts">
<dt>${vi.case.status}</dt><dd>${kase.statusLabel}</dd>
<dt>${vi.case.urgency}</dt><dd>${vi.urgency[kase.urgency] ?? kase.urgency}</dd>
<dt>${vi.case.channel}</dt><dd>${vi.channels[kase.channel]}</dd>
<dt>${vi.case.category}</dt><dd>${categoryName ?? vi.case.none}</dd>
<dt>${vi.case.department}</dt><dd>${department ?? vi.case.none}</dd>
<dt>${vi.case.received}</dt><dd>${when(kase.receivedAt)}</dd>
<dt>${vi.case.acceptDue}</dt><dd>${when(kase.acceptDueAt) || vi.case.none}</dd>
<dt>${vi.case.answerDue}</dt><dd>${when(kase.dueAt) || vi.case.none}</dd>
<dt>${vi.case.location}</dt><dd>${[kase.location?.address, kase.location?.residentialGroup].filter(Boolean).join(', ') || vi.case.none}</dd>
</dl>
${reporter}
</section>
${kase.answer ? html`<section aria-labelledby="answer"><h2 id="answer">${vi.case.answer}</h2><p>${kase.answer.text}</p>${attachmentList(kase.answer.attachments, files)}<p class="meta">${when(kase.answer.at)}</p></section>` : ''}
${pending ? html`<section aria-labelledby="pending"><h2 id="pending">${vi.case.pendingProposal}</h2><p>${pending.answer}</p>${attachmentList(pending.attachments, files)}<p class="meta">${pending.proposedBy.name} · ${when(pending.proposedAt)}</p></section>` : ''}
${actionForms(kase, s.principal, s.csrf, departments.items, kase.categoryCode === null ? categories : [], extension, { templates, draft: problem?.respond?.draft ?? draft, fileError: problem?.respond?.fileError })}
<section aria-labelledby="timeline"><h2 id="timeline">${vi.case.timeline}</h2>
<ol class="timeline">${events.items.map(
      (e) =>
        html`<li><time datetime="${e.at}">${when(e.at)}</time> — <strong>${vi.events[e.type] ?? e.type}</strong> · ${e.actor.name ?? vi.case.system}</li>`,
    )}</ol></section>
<section aria-labelledby="escalations"><h2 id="escalations">${vi.case.escalations}</h2>
${escalations.items.length ? html`<ul>${escalations.items.map((e) => html`<li><strong>${vi.steps[e.step] ?? e.step}</strong> — ${vi.case.dueAt} ${when(e.dueAt)}, ${vi.case.firedAt} ${when(e.firedAt)}</li>`)}</ul>` : html`<p>${vi.case.noEscalations}</p>`}
</section>
<section aria-labelledby="messages"><h2 id="messages">${vi.case.messages}</h2>
${messages.items.length ? html`<ul>${messages.items.map((m) => html`<li><time datetime="${m.createdAt}">${when(m.createdAt)}</time> — ${m.text ?? ''} <span class="meta">(${vi.messageStatus[m.status] ?? m.status})</span></li>`)}</ul>` : html`<p>${vi.case.noMessages}</p>`}
</section>`;
    return sendPage(
      req,
      reply,
      container,
      { title: kase.code, current: 'cases', status: problem?.status ?? 200 },
      main,
    );
  }

  app.get('/cases/:id', async (req, reply) => renderCase(req, reply, caseId(req.params)));

  // An attachment, by the cookie session: the files service's own check (the uploader, or whoever may
  // see a case that refers to it; 404 otherwise), always a download (file-routes.ts downloadHeaders).
  app.get('/files/:id', async (req, reply) => {
    const { file, bytes } = await container.files.open(sessionOf(req).principal, caseId(req.params));
    return reply.headers(downloadHeaders(file)).send(bytes);
  });
  await app.register(caseActionRoutes, { container, sessions, rerender: renderCase });
  await app.register(answerTemplatePickerRoutes, { container, sessions, rerender: renderCase });
}
