import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { draining } from './errors.ts';

/**
 * How the API answers while it closes (SIGTERM): requests still arriving on connections kept alive
 * get a 503 problem+json with Retry-After, and every response, including those to requests in flight
 * when closing began, says `Connection: close`. Without that header Node keeps such a connection open
 * for the keep-alive timeout (72 s in Fastify), so the close never finished within the grace period;
 * with it the client opens a new connection (to another instance) for its next request. Node has no
 * call that marks the responses already in flight, hence the hook (a flag check per response).
 * Fastify's own 503 while closing (`return503OnClosing`) is plain JSON, so buildApp turns it off.
 */
export const drain = fp(
  async (app: FastifyInstance) => {
    let closing = false;
    app.addHook('preClose', (done) => {
      closing = true;
      done();
    });
    app.addHook('onRequest', (_request, _reply, done) => {
      if (closing) done(draining());
      else done();
    });
    app.addHook('onSend', (_request, reply, payload, done) => {
      if (closing) reply.header('connection', 'close');
      done(null, payload);
    });
  },
  { name: 'drain' },
);
