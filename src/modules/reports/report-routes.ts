import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problems } from '../../shared/http.ts';
import { principalOf } from '../auth/auth-plugin.ts';
import { slaReportQuery, slaReportSchema } from './report-schemas.ts';
import type { ReportService } from './report-service.ts';
import { slaReportCsv } from './sla-report.ts';

export const reportRoutes: FastifyPluginAsyncZod<{ reports: ReportService }> = async (app, { reports }) => {
  app.get(
    '/api/v1/reports/sla',
    {
      config: { access: { roles: ['admin', 'intake', 'chairman'] } },
      schema: {
        operationId: 'slaReport',
        summary: 'On-time report: cases received in a period, per department, category or channel',
        description:
          'JSON by default; `Accept: text/csv` (or `format=csv`) returns the rows as CSV (UTF-8 with BOM, for Excel).',
        tags: ['reports'],
        querystring: slaReportQuery,
        response: { 200: slaReportSchema, ...problems(400, 401, 403) },
      },
    },
    async (req, reply) => {
      const report = await reports.sla(principalOf(req), req.query);
      const csv =
        req.query.format === 'csv' ||
        (req.query.format === undefined && req.headers.accept?.includes('text/csv'));
      if (!csv) return report;
      const name = `bao-cao-dung-han-${report.wardId ?? 'thanh-pho'}-${report.from}-${report.to}.csv`;
      // The response schema describes the JSON; the CSV is text, sent as it is.
      const text = slaReportCsv(report.rows) as never;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}"`)
        .serializer((x: string) => x)
        .send(text);
    },
  );
};
