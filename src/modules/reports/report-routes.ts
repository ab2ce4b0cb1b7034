import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problems } from '../../shared/http.ts';
import { principalOf } from '../auth/auth-plugin.ts';
import { slaReportQuery, slaReportSchema } from './report-schemas.ts';
import type { ReportService } from './report-service.ts';
import { slaReportCsv } from './sla-report.ts';
import { slaReportXlsx, xlsxType } from './sla-report-xlsx.ts';

export const reportRoutes: FastifyPluginAsyncZod<{ reports: ReportService }> = async (app, { reports }) => {
  app.get(
    '/api/v1/reports/sla',
    {
      config: { access: { roles: ['admin', 'intake', 'chairman'] } },
      schema: {
        operationId: 'slaReport',
        summary: 'On-time report: cases received in a period, per department, category or channel',
        description:
          'JSON by default; `Accept: text/csv` (or `format=csv`) returns the rows as CSV (UTF-8 with BOM, for Excel), `Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet` (or `format=xlsx`) as an Excel workbook with Vietnamese headings.',
        tags: ['reports'],
        querystring: slaReportQuery,
        response: { 200: slaReportSchema, ...problems(400, 401, 403) },
      },
    },
    async (req, reply) => {
      const report = await reports.sla(principalOf(req), req.query);
      const accept = req.headers.accept ?? '';
      const format =
        req.query.format ??
        (accept.includes(xlsxType) ? 'xlsx' : accept.includes('text/csv') ? 'csv' : 'json');
      if (format === 'json') return report;
      const name = `bao-cao-dung-han-${report.wardId ?? 'thanh-pho'}-${report.from}-${report.to}.${format}`;
      reply.header('content-disposition', `attachment; filename="${name}"`);
      // The response schema describes the JSON; the files are sent as they are.
      if (format === 'xlsx') return reply.type(xlsxType).send((await slaReportXlsx(report)) as never);
      return reply
        .type('text/csv; charset=utf-8')
        .serializer((x: string) => x)
        .send(slaReportCsv(report.rows) as never);
    },
  );
};
