import type { FastifyInstance } from 'fastify';
import { slaReportQuery } from '../../modules/reports/report-schemas.ts';
import { slaReportCsv } from '../../modules/reports/sla-report.ts';
import { slaReportXlsx, xlsxType } from '../../modules/reports/sla-report-xlsx.ts';
import { forbidden } from '../../shared/errors.ts';
import { type ConsoleDeps, issuesText, sendPage, sessionOf } from '../context.ts';
import { html } from '../html.ts';
import { notice } from '../layout.ts';
import { vi } from '../vi.ts';

const percent = new Intl.NumberFormat('vi-VN', { style: 'percent', maximumFractionDigits: 1 });
const ddmmyyyy = (iso: string) => iso.split('-').reverse().join('/');

/**
 * The chairman's board: per department (or category) for a chosen period, what came in, what was
 * answered and how much on time, and what is late and still unanswered — each late count a link to the
 * cases behind it; the heads' names beside their departments; the same report as CSV or XLSX. The
 * figures are the SLA report's (GET /api/v1/reports/sla), for the chairman's ward.
 */
export async function boardPages(app: FastifyInstance, { container }: ConsoleDeps) {
  const chairmanOrAdmin = (req: Parameters<typeof sessionOf>[0]) => {
    const s = sessionOf(req);
    if (s.principal.role !== 'chairman' && s.principal.role !== 'admin') throw forbidden();
    return s;
  };
  const queryOf = (raw: Record<string, string>) => {
    const fields = Object.fromEntries(Object.entries(raw).filter(([k, v]) => v !== '' && k !== 'format'));
    return slaReportQuery.safeParse(fields);
  };

  app.get('/board', async (req, reply) => {
    const s = chairmanOrAdmin(req);
    const raw = req.query as Record<string, string>;
    const parsed = queryOf(raw);
    const query = parsed.success ? parsed.data : slaReportQuery.parse({});
    const report = await container.reports.sla(s.principal, query);
    const heads = new Map<string, string[]>();
    if (report.wardId && report.groupBy === 'department') {
      const users = await container.directory.listUsers(s.principal, {
        wardId: report.wardId,
        role: 'department_head',
        active: true,
        limit: 100,
      });
      for (const u of users.items)
        if (u.departmentId) heads.set(u.departmentId, [...(heads.get(u.departmentId) ?? []), u.fullName]);
    }
    const params = new URLSearchParams({ from: report.from, to: report.to, groupBy: report.groupBy });
    const rows = report.rows.map((r) => {
      const late =
        r.overdueOpen > 0 && report.groupBy === 'department' && r.key
          ? html`<a href="/console/cases?departmentId=${r.key}&amp;overdue=true" aria-label="${vi.board.overdueLink(r.overdueOpen, r.name)}">⚠ ${r.overdueOpen}</a>`
          : r.overdueOpen > 0
            ? html`⚠ ${r.overdueOpen}`
            : '0';
      return html`<tr${r.overdueOpen > 0 ? html` class="overdue"` : ''}>
<th scope="row">${r.name}</th>
${report.groupBy === 'department' ? html`<td>${(r.key && heads.get(r.key)?.join(', ')) || ''}</td>` : ''}
<td>${r.received}</td><td>${r.answered}</td><td>${r.answeredOnTime}</td><td>${late}</td>
<td>${r.onTimeRate === null ? vi.board.noRate : percent.format(r.onTimeRate)}</td>
</tr>`;
    });
    const c = vi.board.columns;
    const table = report.rows.length
      ? html`<table class="cases board"><caption>${vi.board.period(ddmmyyyy(report.from), ddmmyyyy(report.to))}</caption>
<thead><tr><th scope="col">${c.name}</th>${report.groupBy === 'department' ? html`<th scope="col">${c.heads}</th>` : ''}<th scope="col">${c.received}</th><th scope="col">${c.answered}</th><th scope="col">${c.onTime}</th><th scope="col">${c.overdueOpen}</th><th scope="col">${c.rate}</th></tr></thead>
<tbody>${rows}</tbody></table>`
      : html`<p>${vi.board.empty}</p>`;
    const form = html`<form method="get" action="/console/board" class="filters">
<p><label for="from">${vi.board.from}</label> <input id="from" name="from" type="date" value="${report.from}"></p>
<p><label for="to">${vi.board.to}</label> <input id="to" name="to" type="date" value="${report.to}"></p>
<p><label for="groupBy">${vi.board.groupBy}</label> <select id="groupBy" name="groupBy">
<option value="department"${report.groupBy === 'department' ? html` selected` : ''}>${vi.board.byDepartment}</option>
<option value="category"${report.groupBy === 'category' ? html` selected` : ''}>${vi.board.byCategory}</option>
</select></p>
<p><button type="submit">${vi.board.show}</button></p>
</form>`;
    const downloads = html`<p>${vi.board.download}: <a href="/console/board/export?${params.toString()}&amp;format=csv">${vi.board.csv}</a> · <a href="/console/board/export?${params.toString()}&amp;format=xlsx">${vi.board.xlsx}</a></p>`;
    const problem = parsed.success ? '' : notice('error', issuesText(parsed.error), true);
    // The digests sent and the audit trail: the chairman's own ward's (an admin picks a ward).
    const more = html`<p><a href="/console/board/digests">${vi.digests.link}</a> · <a href="/console/admin/audit">${vi.digests.auditLink}</a></p>`;
    return sendPage(
      req,
      reply,
      container,
      { title: vi.board.title, current: 'board', status: parsed.success ? 200 : 400 },
      html`<h1>${vi.board.title}</h1>${problem}${form}${table}${downloads}${more}`,
    );
  });

  app.get('/board/export', async (req, reply) => {
    const s = chairmanOrAdmin(req);
    const raw = req.query as Record<string, string>;
    const parsed = queryOf(raw);
    const report = await container.reports.sla(
      s.principal,
      parsed.success ? parsed.data : slaReportQuery.parse({}),
    );
    const format = raw.format === 'xlsx' ? 'xlsx' : 'csv';
    const name = `bao-cao-dung-han-${report.from}-${report.to}.${format}`;
    reply.header('content-disposition', `attachment; filename="${name}"`);
    if (format === 'xlsx') return reply.type(xlsxType).send(await slaReportXlsx(report));
    return reply.type('text/csv; charset=utf-8').send(slaReportCsv(report.rows));
  });
}
