/** bench/queries' figures per query (p50/p95/max of the request and of its SQL) and the plans of what it sent. */
import pg from 'pg';
import type { CpuReading } from '../lib/cpu-meter.ts';
import type { Statement } from './capture.ts';

export type Sample = { ms: number; sqlMs: number; statements: Statement[] };

export type Result = {
  name: string;
  who: string;
  request: string;
  n: number;
  items: number;
  p50: number;
  p95: number;
  max: number;
  sqlP50: number;
  sqlP95: number;
  statements: number;
  explain: { sql: string; params: unknown[]; plan: string[] }[];
  cpu: CpuReading;
};

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN;
};
const r1 = (x: number) => Math.round(x * 10) / 10;

/** A query's figures from its samples, added to `results` and printed (nothing when it has none). */
export function summarize(
  results: Result[],
  log: (msg: string) => void,
  q: { name: string; who: string; request: string; samples: Sample[]; items: number; cpu: CpuReading },
  explainOf: Statement[],
) {
  const { name, samples, items } = q;
  if (samples.length === 0) {
    log(`  ${name.padEnd(22)} no samples`);
    return;
  }
  const ms = samples.map((s) => s.ms);
  const sqlMs = samples.map((s) => s.sqlMs);
  const r: Result = {
    name,
    who: q.who,
    request: q.request,
    n: samples.length,
    items,
    p50: r1(pct(ms, 50)),
    p95: r1(pct(ms, 95)),
    max: r1(Math.max(...ms)),
    sqlP50: r1(pct(sqlMs, 50)),
    sqlP95: r1(pct(sqlMs, 95)),
    statements: explainOf.length,
    explain: explainOf.map((s) => ({ sql: s.text, params: s.values, plan: [] })),
    cpu: q.cpu,
  };
  results.push(r);
  log(
    `  ${name.padEnd(22)} n=${String(r.n).padStart(4)}  p50 ${String(r.p50).padStart(6)}  p95 ${String(r.p95).padStart(6)}  ` +
      `max ${String(r.max).padStart(6)} ms   (SQL p50 ${r.sqlP50}, p95 ${r.sqlP95}; ${r.statements} statements, ${items} items)`,
  );
}

/** Every statement each query sent (its last call), again under EXPLAIN (ANALYZE, BUFFERS), printed and kept. */
export async function explainAll(url: string, results: Result[], log: (msg: string) => void) {
  const explainer = new pg.Client({ connectionString: url, application_name: 'pakn-bench-explain' });
  await explainer.connect();
  for (const r of results) {
    if (r.name === 'paging, pages ≥ 50') continue;
    log(`\n-- ${r.name}: GET ${r.request} as ${r.who}`);
    for (const e of r.explain) {
      const plan = await explainer.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, BUFFERS) ${e.sql}`,
        e.params,
      );
      e.plan = plan.rows.map((x) => x['QUERY PLAN']);
      log(`${e.sql.replace(/\s+/g, ' ').slice(0, 400)}\n   params ${JSON.stringify(e.params).slice(0, 200)}`);
      for (const line of e.plan) log(`   ${line}`);
    }
  }
  await explainer.end();
}
