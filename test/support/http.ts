import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { briefCaseBody } from './case-body.ts';

/** HTTP from outside, as a client of a spawned API (processes.ts) sees it. */

export type HttpResult = {
  /** Sent as `x-request-id`, which the API adopts and logs. */
  requestId: string;
  /** The status, or null when the connection failed (refused, reset, closed without an answer). */
  status: number | null;
  error?: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
  startedAt: number;
};

/** Keep-alive connections, as a channel app or a load balancer would hold them. */
export const keepAlive = () => new http.Agent({ keepAlive: true, maxSockets: 64 });

/** One request; never throws: a network error comes back as `status: null` with its code. */
export function request(
  base: string,
  opts: {
    method: string;
    path: string;
    headers?: Record<string, string>;
    body?: unknown;
    agent?: http.Agent;
  },
): Promise<HttpResult> {
  const startedAt = Date.now();
  const requestId = randomUUID();
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve) => {
    const done = (r: Omit<HttpResult, 'ms' | 'startedAt' | 'requestId'>) =>
      resolve({ ...r, requestId, ms: Date.now() - startedAt, startedAt });
    const req = http.request(
      new URL(opts.path, base),
      {
        method: opts.method,
        agent: opts.agent ?? false,
        headers: {
          'x-request-id': requestId,
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...opts.headers,
        },
        timeout: 20_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          done({
            status: res.statusCode ?? null,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', (err: NodeJS.ErrnoException) =>
          done({ status: null, error: err.code ?? err.message, headers: {}, body: '' }),
        );
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('client timeout'), { code: 'TIMEOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) =>
      done({ status: null, error: err.code ?? err.message, headers: {}, body: '' }),
    );
    req.end(payload);
  });
}

/** Files a brief case (`briefCaseBody`) at a spawned API with the ward's API key; never throws either. */
export const reportAt = (
  base: string,
  ward: { code: string; apiKey: string },
  fields: { externalId: string; categoryCode: string },
  agent?: http.Agent,
): Promise<HttpResult> =>
  request(base, {
    method: 'POST',
    path: '/api/v1/cases',
    headers: { 'x-api-key': ward.apiKey },
    body: briefCaseBody(ward.code, fields),
    ...(agent ? { agent } : {}),
  });

export type ReadyBody = { status: string; checks: Record<string, string> };

export async function ready(base: string): Promise<HttpResult & { json: ReadyBody | null }> {
  const r = await request(base, { method: 'GET', path: '/ready' });
  let json: ReadyBody | null = null;
  try {
    json = JSON.parse(r.body) as ReadyBody;
  } catch {
    // Not JSON: the assertion on it will say so.
  }
  return { ...r, json };
}

export const isProblem503 = (r: HttpResult) => {
  if (r.status !== 503) return false;
  if (!String(r.headers['content-type']).startsWith('application/problem+json')) return false;
  try {
    return (JSON.parse(r.body) as { status?: number }).status === 503;
  } catch {
    return false;
  }
};

/** How many results of each status (or network error), for failure messages and reports. */
export function tally(results: HttpResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of results) {
    const key = String(r.status ?? r.error);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Percentiles of durations, for the report lines the tests print. */
export function summary(ms: number[]): string {
  if (ms.length === 0) return 'none';
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return `n=${s.length} p50=${at(0.5)} ms p95=${at(0.95)} ms max=${s.at(-1)} ms`;
}
