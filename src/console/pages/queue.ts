import type { FastifyInstance } from 'fastify';
import { isDepartmentRole } from '../../modules/auth/principal.ts';
import { type ConsoleDeps, sendPage, sessionOf } from '../context.ts';
import { timeLeft, when } from '../format.ts';
import { html } from '../html.ts';
import { vi } from '../vi.ts';

/** Due within this much (working) time: shown as due soon. */
const DUE_SOON_SECONDS = 4 * 3600;

/**
 * What to work on next: for a department, its open cases by answer deadline; for the ward office (and
 * its chairman), the cases waiting for classification by their accept deadline. Overdue and due-soon
 * say so in words and with an icon, not by colour alone.
 */
export async function queuePages(app: FastifyInstance, { container }: ConsoleDeps) {
  app.get('/queue', async (req, reply) => {
    const s = sessionOf(req);
    const department = isDepartmentRole(s.principal.role);
    const items = await container.cases.queue(s.principal, department ? 'department' : 'triage', 200);
    const title = department ? vi.queue.department : vi.queue.triage;
    const rows = items.map((c) => {
      const l = c.left;
      const state =
        l === null ? 'paused' : l.seconds < 0 ? 'overdue' : l.seconds < DUE_SOON_SECONDS ? 'due-soon' : '';
      const flag =
        state === 'overdue'
          ? html`<span class="flag overdue" aria-hidden="true">⚠</span> `
          : state === 'due-soon'
            ? html`<span class="flag due-soon">⏰ ${vi.cases.dueSoon}</span> `
            : '';
      return html`<tr class="${state}">
<td><a href="/console/cases/${c.id}">${c.code}</a></td>
<td>${c.title ?? c.description.slice(0, 80)}</td>
<td>${flag}${l === null ? vi.queue.paused : html`${timeLeft(l.seconds, l.working)} <span class="meta">(${when(l.dueAt)})</span>`}</td>
<td>${c.statusLabel}</td>
<td>${when(c.receivedAt)}</td>
</tr>`;
    });
    const table = items.length
      ? html`<p class="meta">${vi.queue.keys}</p><table class="cases queue"><thead><tr><th scope="col">${vi.cases.columns.code}</th><th scope="col">${vi.cases.columns.title}</th><th scope="col">${vi.queue.left}</th><th scope="col">${vi.cases.columns.status}</th><th scope="col">${vi.cases.columns.received}</th></tr></thead><tbody>${rows}</tbody></table>`
      : html`<p>${vi.queue.empty}</p>`;
    return sendPage(
      req,
      reply,
      container,
      { title, current: 'queue' },
      html`<h1>${title}</h1><p>${department ? vi.queue.departmentHint : vi.queue.triageHint}</p>${table}`,
    );
  });
}
