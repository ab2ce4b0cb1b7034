/**
 * bench/intake's figures: the database check of every phase (each 201 one case with its events and 3
 * timers), each server's means over the rounds, the project/floor ratios and the target.
 */
import type pg from 'pg';
import type { PhaseResult, Target } from './phases.ts';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const r2 = (n: number) => Math.round(n * 100) / 100;

/**
 * Every 201 made exactly one case, with its events and timers; rows without a 201 are requests still
 * in flight when a load phase ended (at most one per connection per load).
 */
export async function verifyPhases(
  db: pg.Pool,
  phases: PhaseResult[],
  o: { floorEvents: number; connections: number },
) {
  const verification = [];
  for (const p of phases) {
    const rows = await db.query<{ external_id: string; events: string; timers: string }>(
      `SELECT c.external_id,
         (SELECT count(*) FROM case_events e WHERE e.case_id = c.id) AS events,
         (SELECT count(*) FROM case_timers t WHERE t.case_id = c.id) AS timers
       FROM cases c WHERE starts_with(c.external_id, $1)`,
      [p.prefix],
    );
    const inDb = new Set(rows.rows.map((r) => r.external_id));
    const missing = [...p.createdIds].filter((id) => !inDb.has(id)).length;
    const unanswered = rows.rows.filter((r) => !p.createdIds.has(r.external_id)).length;
    const events = String(p.target === 'project' ? 2 : o.floorEvents);
    const badEvents = rows.rows.filter((r) => r.events !== events).length;
    const badTimers = rows.rows.filter((r) => r.timers !== '3').length;
    verification.push({
      target: p.target,
      round: p.round,
      responses201: p.createdIds.size,
      casesInDb: rows.rowCount ?? 0,
      created201ButMissing: missing,
      rowsWithout201: unanswered,
      casesWithWrongEventCount: badEvents,
      casesWithWrongTimerCount: badTimers,
      ok: missing === 0 && unanswered <= 2 * o.connections && badEvents === 0 && badTimers === 0,
    });
  }
  return verification;
}
export type Verification = Awaited<ReturnType<typeof verifyPhases>>;

/** One server's means over its rounds. */
function aggregate(ps: PhaseResult[]) {
  const xs = ps.map((p) => p.measured);
  return {
    requestsPerSec: r2(mean(xs.map((x) => x.requestsPerSec))),
    latencyMs: {
      p50: r2(mean(xs.map((x) => x.latencyMs.p50))),
      p97_5: r2(mean(xs.map((x) => x.latencyMs.p97_5))),
      p99: r2(mean(xs.map((x) => x.latencyMs.p99))),
    },
    errors: xs.reduce((n, x) => n + x.errors, 0),
    timeouts: xs.reduce((n, x) => n + x.timeouts, 0),
    non2xx: xs.reduce((n, x) => n + x.non2xx, 0),
    // CPU per request hardly depends on how busy the machine was: the steadier figure on a shared box.
    cpu: {
      serverMsPerRequest: r2(mean(ps.map((p) => (p.cpu.serverCores / p.measured.requestsPerSec) * 1000))),
      // The backends serving the benchmark's database only (WAL writer and checkpointer not included).
      postgresMsPerRequest: r2(
        mean(ps.map((p) => ((p.cpu.dbBackendCores ?? 0) / p.measured.requestsPerSec) * 1000)),
      ),
      otherCores: r2(mean(ps.map((p) => p.cpu.otherCores))),
    },
  };
}
export type ServerFigures = ReturnType<typeof aggregate>;

/** Figures and ratios (means over the rounds), and the target: throughput >= 0.7 x, p99 <= 1.5 x, zero errors. */
export function compare(phases: PhaseResult[], rounds: number, verification: Verification) {
  const of = (t: Target) => phases.filter((p) => p.target === t);
  const project = aggregate(of('project'));
  const floor = aggregate(of('floor'));
  // A phase is disturbed when other work on the machine took more than 0.3 cores meanwhile.
  const disturbed = (p: PhaseResult) => p.cpu.otherCores > 0.3;
  const perRound = Array.from({ length: rounds }, (_, i) => {
    const prp = of('project')[i] as PhaseResult;
    const flp = of('floor')[i] as PhaseResult;
    return {
      round: i + 1,
      throughput: r2(prp.measured.requestsPerSec / flp.measured.requestsPerSec),
      p99: r2(prp.measured.latencyMs.p99 / flp.measured.latencyMs.p99),
      disturbed: disturbed(prp) || disturbed(flp),
    };
  });
  const clean = perRound.filter((r) => !r.disturbed);
  const ratios = {
    throughput: r2(project.requestsPerSec / floor.requestsPerSec),
    p99: r2(project.latencyMs.p99 / floor.latencyMs.p99),
    perRound,
    /** Means over the rounds where neither phase was disturbed (null when none). */
    undisturbed: clean.length
      ? {
          rounds: clean.length,
          throughput: r2(mean(clean.map((r) => r.throughput))),
          p99: r2(mean(clean.map((r) => r.p99))),
        }
      : null,
    serverCpuPerRequest: r2(project.cpu.serverMsPerRequest / floor.cpu.serverMsPerRequest),
    postgresCpuPerRequest: r2(project.cpu.postgresMsPerRequest / floor.cpu.postgresMsPerRequest),
  };
  const zeroErrors = project.errors + project.timeouts + project.non2xx === 0;
  const verified = verification.every((v) => v.ok);
  const target = {
    throughputAtLeast: 0.7,
    p99AtMost: 1.5,
    met: ratios.throughput >= 0.7 && ratios.p99 <= 1.5 && zeroErrors && verified,
    throughputMet: ratios.throughput >= 0.7,
    p99Met: ratios.p99 <= 1.5,
    zeroErrors,
    verified,
  };
  return { project, floor, ratios, target };
}
export type Comparison = ReturnType<typeof compare>;
