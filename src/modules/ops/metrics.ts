import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Queues } from '../../shared/queues.ts';

/** Prometheus metrics: request rate and latency by route, queue depth, process figures. */
export const metricsPlugin = fp(
  async (app: FastifyInstance, opts: { queues: Queues; registry: Registry }) => {
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

    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      duration.observe(
        { method: request.method, route, status_code: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    });
  },
  { name: 'pakn-metrics' },
);

export const newMetricsRegistry = () => new Registry();
