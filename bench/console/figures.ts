/** bench/console's figures per page: percentiles of the whole request and of its SQL, and the ratio to the baseline. */
import type { Statement } from '../queries/capture.ts';

export type Sample = { ms: number; sqlMs: number; statements: Statement[]; bytes: number };

export type Figures = {
  name: string;
  who: string;
  request: string;
  /** Outside the budget: the baselines. */
  baseline: boolean;
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  sqlP50: number;
  sqlP95: number;
  /** Statements a request sent (its median); bytes of its body (median). */
  statements: number;
  bytes: number;
  /** p50 and p95 ÷ the baseline's of the same run. */
  ratioP50: number | null;
  ratioP95: number | null;
};

/** Nearest rank, as bench/queries. */
export const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN;
};
const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;

export function figuresOf(
  q: { name: string; who: string; request: string; baseline: boolean; samples: Sample[] },
  base: { p50: number; p95: number } | null,
): Figures {
  const ms = q.samples.map((s) => s.ms);
  const sqlMs = q.samples.map((s) => s.sqlMs);
  const f = {
    name: q.name,
    who: q.who,
    request: q.request,
    baseline: q.baseline,
    n: ms.length,
    p50: r1(pct(ms, 50)),
    p95: r1(pct(ms, 95)),
    p99: r1(pct(ms, 99)),
    max: r1(Math.max(...ms)),
    sqlP50: r1(pct(sqlMs, 50)),
    sqlP95: r1(pct(sqlMs, 95)),
    statements: pct(
      q.samples.map((s) => s.statements.length),
      50,
    ),
    bytes: pct(
      q.samples.map((s) => s.bytes),
      50,
    ),
  };
  return {
    ...f,
    ratioP50: base ? r2(pct(ms, 50) / base.p50) : null,
    ratioP95: base ? r2(pct(ms, 95) / base.p95) : null,
  };
}

export function printFigures(log: (s: string) => void, all: Figures[], baselineName: string) {
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  log(
    `  ${'page'.padEnd(28)} ${pad('n', 4)} ${pad('p50', 6)} ${pad('p95', 6)} ${pad('p99', 6)} ${pad('max', 6)}   ` +
      `${pad('SQL p50', 7)} ${pad('p95', 6)} ${pad('stmts', 5)} ${pad('KB', 5)}   × ${baselineName} p50 / p95`,
  );
  for (const f of all)
    log(
      `  ${f.name.padEnd(28)} ${pad(f.n, 4)} ${pad(f.p50, 6)} ${pad(f.p95, 6)} ${pad(f.p99, 6)} ${pad(f.max, 6)}   ` +
        `${pad(f.sqlP50, 7)} ${pad(f.sqlP95, 6)} ${pad(f.statements, 5)} ${pad(Math.round(f.bytes / 1024), 5)}   ` +
        `${f.ratioP50 === null ? '' : `${f.ratioP50} / ${f.ratioP95}`}`,
    );
}
