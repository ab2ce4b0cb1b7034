import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { Db } from '../../db/database.ts';
import { pendingMigrations } from '../../db/migrate.ts';
import { notFound, unauthorized } from '../../shared/errors.ts';
import { problemSchema } from '../../shared/http.ts';

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref()),
  ]);

const checkSchema = z.enum(['ok', 'down', 'behind']);
const readySchema = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    checks: z.object({
      database: checkSchema,
      redis: checkSchema,
      migrations: checkSchema,
      /** Informational: a worker heartbeat is alive. The API serves while a worker restarts. */
      worker: z.enum(['ok', 'down']).optional(),
    }),
    warnings: z
      .array(
        z.object({
          code: z.literal('calendar_provisional'),
          message: z.string(),
          year: z.number().int(),
          wards: z.array(z.string()),
        }),
      )
      .optional()
      .meta({
        description:
          'Things an operator should act on that do not make the service unready: from 1 November, wards whose next year’s days off are still provisional (their codes)',
      }),
  })
  .meta({ id: 'Readiness' });

export const opsRoutes: FastifyPluginAsyncZod<{
  db: Db;
  redis: Redis;
  registry: Registry;
  workerStatus?: () => Promise<'ok' | 'down'>;
  /** From 1 November: the wards whose next year is still provisional (informational). */
  calendarNotice?: () => Promise<{ year: number; wards: string[] } | null>;
  /** METRICS_TOKEN: /metrics answers only with it as a bearer token; unset, /metrics is off. */
  metricsToken?: string | undefined;
}> = async (app, { db, redis, registry, workerStatus, calendarNotice, metricsToken }) => {
  const tags = ['operations'];

  app.get(
    '/health',
    {
      schema: {
        operationId: 'health',
        summary: 'The process is alive',
        tags,
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      schema: {
        operationId: 'ready',
        summary: 'Postgres and Redis reachable and migrations current (503 otherwise)',
        tags,
        response: {
          200: readySchema,
          503: z.union([readySchema, problemSchema]).meta({
            description: 'Not ready (the checks say why), or overloaded or shutting down (a problem)',
          }),
        },
      },
    },
    async (_req, reply) => {
      const workerCheck = workerStatus
        ? withTimeout(workerStatus(), 1_000).catch(() => 'down' as const)
        : Promise.resolve(undefined);
      const [database, migrations, cache] = await Promise.all([
        withTimeout(sql`SELECT 1`.execute(db), 2_000).then(
          () => 'ok' as const,
          () => 'down' as const,
        ),
        withTimeout(pendingMigrations(db), 2_000).then(
          (p) => (p.length === 0 ? ('ok' as const) : ('behind' as const)),
          () => 'down' as const,
        ),
        withTimeout(redis.ping(), 1_000).then(
          () => 'ok' as const,
          () => 'down' as const,
        ),
      ]);
      const checks = { database, redis: cache, migrations };
      const ok = Object.values(checks).every((c) => c === 'ok');
      const worker = await workerCheck;
      const notice =
        calendarNotice && database === 'ok' && migrations === 'ok'
          ? await withTimeout(calendarNotice(), 1_000).catch(() => null)
          : null;
      const warnings = notice
        ? [
            {
              code: 'calendar_provisional' as const,
              message: `Lịch nghỉ năm ${notice.year} chưa được xác nhận ở ${notice.wards.length} phường/xã; hạn xử lý năm ${notice.year} đang tính theo lịch tạm tính.`,
              year: notice.year,
              wards: notice.wards,
            },
          ]
        : undefined;
      return reply.code(ok ? 200 : 503).send({
        status: ok ? 'ok' : 'unavailable',
        checks: { ...checks, ...(worker ? { worker } : {}) },
        ...(warnings ? { warnings } : {}),
      });
    },
  );

  const expected = metricsToken ? createHash('sha256').update(`Bearer ${metricsToken}`).digest() : undefined;
  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    if (!expected) throw notFound('Chưa bật /metrics (đặt METRICS_TOKEN).');
    const given = createHash('sha256')
      .update(req.headers.authorization ?? '')
      .digest();
    if (!timingSafeEqual(given, expected)) throw unauthorized('Cần Authorization: Bearer <METRICS_TOKEN>.');
    return reply.type(registry.contentType).send(await registry.metrics());
  });
};
