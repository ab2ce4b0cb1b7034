import autocannon, { type Result } from 'autocannon';

export type LoadOptions = {
  url: string;
  path: string;
  headers: Record<string, string>;
  connections: number;
  durationS: number;
  /** A fresh request body and the unique id it carries, once per request. */
  nextBody: () => { id: string; body: string };
};

export type LoadRun = {
  result: Result;
  /** The ids whose request was answered 201. */
  created: Set<string>;
};

/**
 * POSTs bodies from `nextBody` over `connections` keep-alive connections for `durationS` seconds
 * (autocannon, in this process). Bounded: stopped if it overruns its duration by 30 s.
 */
export function runLoad(o: LoadOptions): Promise<LoadRun> {
  const created = new Set<string>();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: o.url,
        connections: o.connections,
        duration: o.durationS,
        timeout: 10,
        requests: [
          {
            method: 'POST',
            path: o.path,
            headers: { 'content-type': 'application/json', ...o.headers },
            setupRequest(req, context) {
              const { id, body } = o.nextBody();
              context.id = id;
              return { ...req, body };
            },
            onResponse(status, _body, context) {
              if (status === 201) created.add(context.id as string);
            },
          },
        ],
      },
      (err, result) => {
        clearTimeout(guard);
        if (err) reject(err);
        else resolve({ result, created });
      },
    );
    const guard = setTimeout(() => instance.stop(), (o.durationS + 30) * 1000);
  });
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The figures the benchmarks report from an autocannon result. */
export function summarize(r: Result) {
  const statusCodes = Object.fromEntries(
    Object.entries(r.statusCodeStats ?? {}).map(([code, s]) => [code, s.count]),
  );
  return {
    durationS: round(r.duration),
    requestsPerSec: round(r.requests.mean, 1),
    responses: r.requests.total,
    latencyMs: {
      mean: round(r.latency.mean),
      p50: r.latency.p50,
      p97_5: r.latency.p97_5,
      p99: r.latency.p99,
      max: r.latency.max,
    },
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    statusCodes,
  };
}
export type Summary = ReturnType<typeof summarize>;

export type GetRun = {
  result: Result;
  /** Every response's latency in ms (autocannon's own timing, from the request's write to its end). */
  latenciesMs: Float64Array;
  /** Responses by status code. */
  statuses: Record<string, number>;
};

/**
 * GETs `path` with `headers` over `connections` keep-alive connections for `durationS` seconds
 * (autocannon, in this process), keeping every response's latency for exact percentiles (autocannon's
 * histogram has no p95). Bounded: stopped if it overruns its duration by 30 s.
 */
export function runGet(o: {
  url: string;
  path: string;
  headers: Record<string, string>;
  connections: number;
  durationS: number;
}): Promise<GetRun> {
  let latencies = new Float64Array(1 << 16);
  let n = 0;
  const statuses: Record<string, number> = {};
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: o.url,
        connections: o.connections,
        duration: o.durationS,
        timeout: 10,
        requests: [{ method: 'GET', path: o.path, headers: o.headers }],
      },
      (err, result) => {
        clearTimeout(guard);
        if (err) reject(err);
        else resolve({ result, latenciesMs: latencies.slice(0, n), statuses });
      },
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (n === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[n++] = ms;
      statuses[status] = (statuses[status] ?? 0) + 1;
    });
    const guard = setTimeout(() => instance.stop(), (o.durationS + 30) * 1000);
  });
}

/** The q-quantile (0–1) of `sorted` (ascending), nearest rank. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] as number;
}
