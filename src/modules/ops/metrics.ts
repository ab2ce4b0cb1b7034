import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from '../../db/database.ts';
import type { Queues } from '../../shared/queues.ts';
import { escalationLag } from '../sla/escalation-repository.ts';

/** Prometheus metrics: request rate and latency by route, queue depth, process figures. */
export const metricsPlugin = fp(
  async (app: FastifyInstance, opts: { queues: Queues; registry: Registry; db?: Db }) => {
    const { registry } = opts;
    collectDefaultMetrics({ register: registry, prefix: 'pakn_' });
    const duration = new Histogram({
      name: 'pakn_http_request_duration_seconds',
      help: 'HTTP request latency by route (its _count is the request count)',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    new Gauge({
      name: 'pakn_queue_jobs',
      help: 'Jobs per queue and state',
      labelNames: ['queue', 'state'],
      registers: [registry],
      async collect() {
        for (const [name, queue] of Object.entries(opts.queues)) {
          try {
            const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
            for (const [state, n] of Object.entries(counts)) this.set({ queue: name, state }, n);
          } catch {
            // Redis away: /ready reports it; metrics stay scrapeable.
          }
        }
      },
    });

    const { db } = opts;
    if (db) {
      // One query per scrape feeds both gauges.
      let cached: { at: number; lag: ReturnType<typeof escalationLag> } | undefined;
      const lagNow = () => {
        if (!cached || Date.now() - cached.at > 1_000) cached = { at: Date.now(), lag: escalationLag(db) };
        return cached.lag;
      };
      // Escalation lag, computed from Postgres at scrape time (design.md §5): what is overdue now, and
      // how late the recent escalations fired.
      new Gauge({
        name: 'pakn_escalation_oldest_due_seconds',
        help: 'Age of the oldest escalation timer that is due and has not fired (0 when none)',
        registers: [registry],
        async collect() {
          try {
            this.set((await lagNow()).oldestDueSeconds);
          } catch {
            // Postgres away: /ready reports it.
          }
        },
      });
      new Gauge({
        name: 'pakn_escalation_fire_lag_seconds',
        help: 'Escalations fired in the last 10 minutes: fired_at - due_at, median (p50) and max',
        labelNames: ['stat'],
        registers: [registry],
        async collect() {
          try {
            const lag = await lagNow();
            this.set({ stat: 'p50' }, lag.p50Seconds ?? 0);
            this.set({ stat: 'max' }, lag.maxSeconds ?? 0);
            this.set({ stat: 'count' }, lag.fired);
          } catch {
            // Postgres away: /ready reports it.
          }
        },
      });
    }

    app.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched';
      duration.observe(
        { method: request.method, route, status_code: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
      done();
    });
  },
  { name: 'pakn-metrics' },
);

export const newMetricsRegistry = () => new Registry();
