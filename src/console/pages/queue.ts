import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFound } from '../../shared/errors.ts';
import { activeCategories, type ConsoleDeps, sendFragment, sendPage, sessionOf } from '../context.ts';
import { when } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { notice } from '../layout.ts';
import { vi } from '../vi.ts';
import { bulkRoutes, mayBulkAct } from './queue-bulk.ts';
import { type BulkState, emptyBulk, triageContent } from './queue-triage.ts';
import {
  caseCells,
  deadlineCell,
  dueCell,
  excerpt,
  headRow,
  type QueueView,
  stateOf,
  tabs,
  viewHint,
  viewOf,
  viewsOf,
  viewTitle,
} from './queue-views.ts';

/** How many cases a queue's page lists: a queue is worked from its top. */
const LIMIT = 200;

export type RenderQueue = (
  req: FastifyRequest,
  reply: FastifyReply,
  view: QueueView,
  problem?: { status: number; bulk: BulkState },
) => Promise<unknown>;

/**
 * What to work on next, as tabs (`/console/queue?view=…`, bookmarkable): for the ward office (its
 * chairman reads them too) the cases waiting for classification, those a department returned, the
 * answers to review, the extension requests, and the overdue cases per department; for a department
 * its open cases by answer deadline and, for its head, the officers' answer proposals. Every tab is
 * a service's scoped query (cases.queue, actions.pendingExtensions…), with its count in its label.
 * Overdue and due-soon say so in words and with an icon, not by colour alone.
 */
export async function queuePages(app: FastifyInstance, deps: ConsoleDeps) {
  const { container } = deps;

  const render: RenderQueue = async (req, reply, view, problem) => {
    const s = sessionOf(req);
    const who = s.principal;
    // The tabs' counts are read while the queue itself is (they are shown only once it is rendered).
    const counting = Promise.all([
      container.cases.queueCounts(who),
      container.actions.workflowQueueCounts(who),
    ]);
    counting.catch(() => {}); // awaited below; a failure before then is not an unhandled rejection
    let content: SafeHtml;
    switch (view) {
      case 'triage': {
        const items = await container.cases.queue(who, 'triage', LIMIT);
        const canAct = mayBulkAct(who);
        const [departments, categories] = canAct
          ? await Promise.all([
              container.directory.listDepartments(who, who.wardId ?? undefined, { limit: 100 }),
              items.some((c) => c.categoryCode === null) ? activeCategories(container) : [],
            ])
          : [{ items: [] }, []];
        content = triageContent(
          items,
          canAct,
          s.csrf,
          departments.items,
          categories,
          problem?.bulk ?? emptyBulk(),
        );
        break;
      }
      case 'returned': {
        const items = await container.cases.queue(who, 'returned', LIMIT);
        content = table(
          [
            vi.cases.columns.code,
            vi.cases.columns.title,
            vi.queue.left,
            vi.queues.returned,
            vi.queues.reason,
          ],
          items.map(
            (c) =>
              html`<tr class="${stateOf(c.left)}">${caseCells(c)}${deadlineCell(c.left)}<td>${
                c.returned
                  ? vi.queues.returnedBy(
                      c.returned.departmentName ?? vi.queues.someDepartment,
                      when(c.returned.at),
                    )
                  : ''
              }</td><td>${c.returned?.note ?? ''}</td></tr>`,
          ),
        );
        break;
      }
      case 'review': {
        const items = await container.cases.queue(who, 'review', LIMIT);
        content = table(
          [vi.cases.columns.code, vi.cases.columns.title, vi.queues.answeredAt, vi.queues.answer],
          items.map(
            (c) =>
              html`<tr>${caseCells(c)}<td>${when(c.answeredAt)}</td><td>${excerpt(c.answer?.text ?? '')}</td></tr>`,
          ),
        );
        break;
      }
      case 'extensions': {
        const items = await container.actions.pendingExtensions(who, LIMIT);
        content = table(
          [
            vi.cases.columns.code,
            vi.cases.columns.title,
            vi.queues.extendBy,
            vi.queues.reason,
            vi.queues.requested,
            vi.queues.due,
          ],
          items.map(
            ({ case: c, request: r }) =>
              html`<tr>${caseCells(c)}<td>${vi.extendBy[r.extendBy] ?? r.extendBy}</td><td>${r.reason}</td><td>${when(r.requestedAt)} <span class="meta">(${r.requestedBy})</span></td>${dueCell(c.dueAt, c.overdue)}</tr>`,
          ),
        );
        break;
      }
      case 'overdue': {
        const groups = await container.cases.overdueByDepartment(who, LIMIT);
        content = groups.length
          ? html`<p class="meta">${vi.queue.keys}</p>${groups.map(
              (g) => html`<section aria-labelledby="group-${g.departmentId}">
<h2 id="group-${g.departmentId}">${vi.queues.group(g.name, g.count)}</h2>
<p>${vi.queues.heads}: ${g.heads.length ? g.heads.join(', ') : vi.queues.noHead}</p>
${table(
  [vi.cases.columns.code, vi.cases.columns.title, vi.queue.left, vi.cases.columns.status],
  false,
  g.cases.map(
    (c) =>
      html`<tr class="${stateOf(c.left)}">${caseCells(c)}${deadlineCell(c.left)}<td>${c.statusLabel}</td></tr>`,
  ),
)}
${g.cases.length < g.count ? html`<p class="meta">${vi.queues.more(g.count, g.cases.length)}</p>` : ''}
</section>`,
            )}`
          : html`<p>${vi.queues.empty}</p>`;
        break;
      }
      case 'department': {
        const items = await container.cases.queue(who, 'department', LIMIT);
        content = table(
          [
            vi.cases.columns.code,
            vi.cases.columns.title,
            vi.queue.left,
            vi.cases.columns.status,
            vi.cases.columns.received,
          ],
          items.map(
            (c) =>
              html`<tr class="${stateOf(c.left)}">${caseCells(c)}${deadlineCell(c.left)}<td>${c.statusLabel}</td><td>${when(c.receivedAt)}</td></tr>`,
          ),
        );
        break;
      }
      case 'proposals': {
        const items = await container.actions.pendingProposals(who, LIMIT);
        content = table(
          [
            vi.cases.columns.code,
            vi.cases.columns.title,
            vi.queues.proposedBy,
            vi.queues.proposedAt,
            vi.queues.due,
            vi.queues.answer,
          ],
          items.map(
            ({ case: c, proposal: p }) =>
              html`<tr>${caseCells(c)}<td>${p.proposedBy}</td><td>${when(p.proposedAt)}</td>${dueCell(c.dueAt, c.overdue)}<td>${excerpt(p.answer)}</td></tr>`,
          ),
        );
        break;
      }
    }
    const [caseCounts, workflowCounts] = await counting;
    const counts: Record<QueueView, number> = { ...caseCounts, ...workflowCounts };
    const shown = view === 'overdue' ? null : LIMIT;
    const main = html`<h1>${viewTitle[view]}</h1>
${tabs(viewsOf(who.role), view, counts)}
${problem ? notice('error', vi.bulk.fix, true) : ''}
<p>${viewHint[view]}</p>
${content}
${shown !== null && counts[view] > shown ? html`<p class="meta">${vi.queues.more(counts[view], shown)}</p>` : ''}`;
    const status = problem?.status ?? 200;
    if (req.headers['hx-request']) return sendFragment(reply, main, status);
    return sendPage(req, reply, container, { title: viewTitle[view], current: 'queue', status }, main);
  };

  app.get('/queue', async (req, reply) => {
    const view = viewOf(sessionOf(req).principal, (req.query as { view?: unknown }).view);
    if (view === null) throw notFound();
    return render(req, reply, view);
  });

  await app.register(bulkRoutes, { ...deps, render });
}

/** A queue's table; `keys`: with the j/k hint above it (once per page). */
function table(columns: string[], rows: SafeHtml[]): SafeHtml;
function table(columns: string[], keys: false, rows: SafeHtml[]): SafeHtml;
function table(columns: string[], a: SafeHtml[] | false, b?: SafeHtml[]): SafeHtml {
  const rows = a === false ? (b ?? []) : a;
  if (rows.length === 0) return html`<p>${vi.queues.empty}</p>`;
  return html`${a === false ? '' : html`<p class="meta">${vi.queue.keys}</p>`}<table class="cases queue">${headRow(columns)}<tbody>${rows}</tbody></table>`;
}
