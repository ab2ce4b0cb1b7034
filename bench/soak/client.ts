/**
 * An open-loop HTTP client for the soak: requests leave at a fixed rate whatever the server's latency
 * (no coordinated omission: a slow server gets more requests in flight, not fewer requests), over a
 * bounded pool of keep-alive connections (node:http), each with a timeout. Latency is measured from
 * the moment the request is handed to the pool, so waiting for a free connection counts.
 */
import http from 'node:http';

export type Reply = { status: number; body: string | null; ms: number };

export function createHttpClient(opts: { base: string; connections: number; timeoutMs: number }) {
  const url = new URL(opts.base);
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: opts.connections,
    maxFreeSockets: opts.connections,
  });

  /**
   * Sends one request; resolves with the status, the body when `wantBody`, and the latency in ms.
   * Rejects on a network error or a timeout (the socket is then destroyed).
   */
  function send(req: {
    method: 'GET' | 'POST';
    path: string;
    headers: Record<string, string>;
    body?: string;
    wantBody: boolean;
  }): Promise<Reply> {
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { ...req.headers };
      if (req.body !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = Buffer.byteLength(req.body);
      }
      // From the hand-over to the pool, waiting for a connection included (a socket timeout would
      // only start once the request has one).
      const timer = setTimeout(
        () => r.destroy(new Error(`timeout after ${opts.timeoutMs} ms`)),
        opts.timeoutMs,
      );
      const fail = (err: Error) => {
        clearTimeout(timer);
        reject(err);
      };
      const r = http.request(
        { agent, host: url.hostname, port: url.port, method: req.method, path: req.path, headers },
        (res) => {
          const chunks: Buffer[] = [];
          if (req.wantBody || (res.statusCode ?? 0) >= 300) res.on('data', (c: Buffer) => chunks.push(c));
          else res.resume();
          res.on('end', () => {
            clearTimeout(timer);
            resolve({
              status: res.statusCode ?? 0,
              body: chunks.length ? Buffer.concat(chunks).toString('utf8') : null,
              ms: performance.now() - t0,
            });
          });
          res.on('error', fail);
        },
      );
      r.on('error', fail);
      r.end(req.body);
    });
  }

  return { send, close: () => agent.destroy() };
}

/** The q-quantile (0..1) of sorted numbers, nearest rank; null for none. */
export function quantile(sorted: ArrayLike<number>, q: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] as number;
}

const r1 = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);

/** Latency and outcome counters of one kind of request in one window. */
export class KindStats {
  sent = 0;
  completed = 0;
  /** Network errors and timeouts (no HTTP status). */
  errors = 0;
  statuses: Record<string, number> = {};
  /** Answers other than the kind's expected status. */
  unexpected = 0;
  latencies: number[] = [];

  record(status: number | null, ms: number, expected: number) {
    this.completed++;
    if (status === null) this.errors++;
    else {
      this.statuses[status] = (this.statuses[status] ?? 0) + 1;
      if (status !== expected) this.unexpected++;
      this.latencies.push(ms);
    }
  }

  static merge(all: KindStats[]): KindStats {
    const m = new KindStats();
    for (const s of all) {
      m.sent += s.sent;
      m.completed += s.completed;
      m.errors += s.errors;
      m.unexpected += s.unexpected;
      for (const [k, v] of Object.entries(s.statuses)) m.statuses[k] = (m.statuses[k] ?? 0) + v;
      for (const x of s.latencies) m.latencies.push(x);
    }
    return m;
  }

  summary() {
    const sorted = Float64Array.from(this.latencies).sort();
    return {
      sent: this.sent,
      completed: this.completed,
      errors: this.errors,
      unexpected: this.unexpected,
      statuses: this.statuses,
      latencyMs: {
        p50: r1(quantile(sorted, 0.5)),
        p90: r1(quantile(sorted, 0.9)),
        p99: r1(quantile(sorted, 0.99)),
        max: r1(sorted.length ? (sorted[sorted.length - 1] as number) : null),
      },
    };
  }
}
export type KindSummary = ReturnType<KindStats['summary']>;
