/**
 * The plans behind each page: every distinct SELECT its last request sent (the same text and parameters
 * once, with how many times the page sent it) run again under EXPLAIN (ANALYZE, BUFFERS), in a
 * transaction rolled back. Only SELECTs: a page's request also writes (a session's last_seen_at, at
 * most once a minute), and EXPLAIN ANALYZE would run the write. The plans go to a file; a summary per
 * statement (time, the plan's top node, its scans) comes back for the run's output and JSON.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Statement } from '../queries/capture.ts';

export type PlanSummary = {
  sql: string;
  /** How many times the page's request sent this statement with these parameters. */
  times: number;
  executionMs: number;
  planningMs: number;
  /** The scans the plan used (`Index Scan using cases_pkey on cases c`, `Seq Scan on categories`...). */
  scans: string[];
  rows: number | null;
};

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

export async function explainPages(
  url: string,
  pages: { name: string; who: string; request: string; statements: Statement[] }[],
  file: string,
): Promise<Record<string, PlanSummary[]>> {
  const client = new pg.Client({ connectionString: url, application_name: 'pakn-bench-explain' });
  await client.connect();
  const out: string[] = [];
  const summaries: Record<string, PlanSummary[]> = {};
  try {
    for (const p of pages) {
      out.push(`\n==== ${p.name}: GET ${p.request} as ${p.who} (${p.statements.length} statements sent)\n`);
      const distinct = new Map<string, { s: Statement; times: number }>();
      for (const s of p.statements) {
        const key = `${s.text}\u0000${JSON.stringify(s.values)}`;
        const seen = distinct.get(key);
        if (seen) seen.times++;
        else distinct.set(key, { s, times: 1 });
      }
      const list: PlanSummary[] = [];
      for (const { s, times } of distinct.values()) {
        const text = oneLine(s.text);
        if (!/^(select|with)\b/i.test(text)) {
          out.push(`-- not explained (writes): ${text.slice(0, 200)}\n`);
          continue;
        }
        await client.query('BEGIN');
        let plan: string[];
        try {
          const res = await client.query<{ 'QUERY PLAN': string }>(
            `EXPLAIN (ANALYZE, BUFFERS) ${s.text}`,
            s.values,
          );
          plan = res.rows.map((r) => r['QUERY PLAN']);
        } finally {
          await client.query('ROLLBACK');
        }
        const num = (re: RegExp) => Number(plan.map((l) => re.exec(l)?.[1]).find(Boolean) ?? Number.NaN);
        const summary: PlanSummary = {
          sql: text,
          times,
          executionMs: num(/Execution Time: ([\d.]+)/),
          planningMs: num(/Planning Time: ([\d.]+)/),
          scans: [
            ...new Set(
              plan.flatMap((l) => {
                const m = /((?:Parallel )?(?:Seq|Index Only|Index|Bitmap Heap|Bitmap Index) Scan[^(]*)/.exec(
                  l,
                );
                return m?.[1] ? [m[1].trim()] : [];
              }),
            ),
          ],
          rows: Number(/actual time=[\d.]+\.\.[\d.]+ rows=(\d+)/.exec(plan[0] ?? '')?.[1] ?? Number.NaN),
        };
        list.push(summary);
        out.push(
          `-- ${times > 1 ? `sent ${times} times: ` : ''}${text}\n   params ${JSON.stringify(s.values).slice(0, 300)}\n`,
        );
        for (const line of plan) out.push(`   ${line}\n`);
      }
      summaries[p.name] = list;
    }
  } finally {
    await client.end();
  }
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, out.join(''));
  return summaries;
}
