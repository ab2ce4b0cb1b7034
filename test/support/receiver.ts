import http from 'node:http';
import type net from 'node:net';

/** `listen()` a test's HTTP server on a free loopback port (its base URL); `close()` it, connections too. */
function onLoopback(server: http.Server) {
  return {
    async listen(): Promise<string> {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    },
    async close(): Promise<void> {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A request a receiver got. */
export type Received = {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
  /** What its tries are counted by: the webhook delivery id (`x-pakn-delivery`) unless told otherwise. */
  id: string;
  /** Which try of `id` it is, from 1. */
  attempt: number;
  /** The webhook signature header (`x-pakn-signature`). */
  signature: string;
  /** The status it was answered with, once answered; never set when the client went away first. */
  answered?: number;
};

/** A status (text/plain, `ok` or `not now`), or a status with a body of its own and/or held `holdMs` first. */
export type Answer = number | { status: number; body?: string; type?: string; holdMs?: number };

/**
 * The one HTTP receiver of the tests (webhook receivers, an SMS gateway, an "internal service"): on
 * loopback, it records every request in `received` and answers it as `answer` says. A held answer
 * is dropped when the client goes away first; `inFlight()` lists the requests held right now.
 */
export function receiver(
  answer: (r: Received) => Answer,
  idOf: (r: Pick<Received, 'path' | 'headers' | 'body'>) => string = (r) =>
    String(r.headers['x-pakn-delivery']),
) {
  const received: Received[] = [];
  const tries = new Map<string, number>();
  const open = new Set<Received>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const got = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      const id = idOf(got);
      const attempt = (tries.get(id) ?? 0) + 1;
      tries.set(id, attempt);
      const r: Received = {
        ...got,
        at: Date.now(),
        id,
        attempt,
        signature: String(req.headers['x-pakn-signature']),
      };
      received.push(r);
      const a = answer(r);
      const {
        status,
        body = status === 200 ? 'ok' : 'not now',
        type = 'text/plain',
        holdMs = 0,
      } = typeof a === 'number' ? { status: a } : a;
      const send = () => {
        open.delete(r);
        if (res.destroyed) return;
        r.answered = status;
        res.writeHead(status, { 'content-type': type }).end(body);
      };
      if (holdMs <= 0) return send();
      open.add(r);
      const timer = setTimeout(send, holdMs);
      res.on('close', () => {
        clearTimeout(timer);
        open.delete(r);
      });
    });
  });
  return { received, inFlight: () => [...open], ...onLoopback(server) };
}
