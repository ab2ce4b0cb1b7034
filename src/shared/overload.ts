import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { overloaded } from './errors.ts';

/** Answered even under overload: liveness (restarting an overloaded process helps nobody) and metrics. */
const exempt = new Set(['/health', '/metrics']);

const retryAfterSeconds = 5;

/**
 * Load shedding. While the event loop's mean delay over the last second is above
 * `maxEventLoopDelayMs`, requests are refused at once with 503 problem+json and Retry-After instead
 * of waiting in line until their clients give up while the API still does their work (bench/soak
 * found that). `/ready` is refused too, so a load balancer sends traffic elsewhere. Intake retried
 * with the same externalId is idempotent, so a refused case is sent again, never lost. 0 turns it off.
 */
export const overload = fp(
  async (app: FastifyInstance, opts: { maxEventLoopDelayMs: number }) => {
    if (opts.maxEventLoopDelayMs <= 0) return;
    await app.register(underPressure, {
      maxEventLoopDelay: opts.maxEventLoopDelayMs,
      retryAfter: retryAfterSeconds,
      pressureHandler: async (request) => {
        if (exempt.has(request.routeOptions.url ?? '')) return;
        throw overloaded(retryAfterSeconds);
      },
    });
  },
  { name: 'overload' },
);
