/**
 * bench/intake's figures: the database check of every phase (each 201 one case with its events and
 * timers), each server's means over the rounds, the project's ratios to each floor and the targets.
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
    // Counted by joins, not per case: the minimal floor's tables have no index but their keys.
    const [cases, events, timers] =
      p.target === 'minimal'
        ? ['bench_minimal_cases', 'bench_minimal_events', 'bench_minimal_timers']
        : ['cases', 'case_events', 'case_timers'];
    const rows = await db.query<{ external_id: string; events: string; timers: string }>(
      `WITH c AS (SELECT id, external_id FROM ${cases} WHERE starts_with(external_id, $1)),
         e AS (SELECT case_id, count(*) AS n FROM ${events} WHERE case_id IN (SELECT id FROM c) GROUP BY case_id),
         t AS (SELECT case_id, count(*) AS n FROM ${timers} WHERE case_id IN (SELECT id FROM c) GROUP BY case_id)
       SELECT c.external_id, coalesce(e.n, 0) AS events, coalesce(t.n, 0) AS timers
       FROM c LEFT JOIN e ON e.case_id = c.id LEFT JOIN t ON t.case_id = c.id`,
      [p.prefix],
    );
    const inDb = new Set(rows.rows.map((r) => r.external_id));
    const missing = [...p.createdIds].filter((id) => !inDb.has(id)).length;
    const unanswered = rows.rows.filter((r) => !p.createdIds.has(r.external_id)).length;
    const eventCount = String(p.target === 'project' ? 2 : p.target === 'minimal' ? 1 : o.floorEvents);
    const timerCount = p.target === 'minimal' ? '2' : '3';
    const badEvents = rows.rows.filter((r) => r.events !== eventCount).length;
    const badTimers = rows.rows.filter((r) => r.timers !== timerCount).length;
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

/** The project against one floor: the ratios of the means over the rounds, and per round. */
function ratiosTo(phases: PhaseResult[], floorTarget: 'floor' | 'minimal', rounds: number) {
  const of = (t: Target) => phases.filter((p) => p.target === t);
  const project = aggregate(of('project'));
  const floor = aggregate(of(floorTarget));
  // A phase is disturbed when other work on the machine took more than 0.3 cores meanwhile.
  const disturbed = (p: PhaseResult) => p.cpu.otherCores > 0.3;
  const perRound = Array.from({ length: rounds }, (_, i) => {
    const prp = of('project')[i] as PhaseResult;
    const flp = of(floorTarget)[i] as PhaseResult;
    return {
      round: i + 1,
      throughput: r2(prp.measured.requestsPerSec / flp.measured.requestsPerSec),
      p99: r2(prp.measured.latencyMs.p99 / flp.measured.latencyMs.p99),
      disturbed: disturbed(prp) || disturbed(flp),
    };
  });
  const clean = perRound.filter((r) => !r.disturbed);
  return {
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
}
export type Ratios = ReturnType<typeof ratiosTo>;

/**
 * Figures and ratios (means over the rounds) against both floors, and the targets: against the
 * schema's floor throughput >= 0.7 x and p99 <= 1.5 x (issue 2); against the minimal floor throughput
 * >= 0.5 x and p99 <= 2 x (issue 19); zero errors and every row verified for both.
 */
export function compare(phases: PhaseResult[], rounds: number, verification: Verification) {
  const of = (t: Target) => phases.filter((p) => p.target === t);
  const project = aggregate(of('project'));
  const floor = aggregate(of('floor'));
  const minimal = aggregate(of('minimal'));
  const ratios = ratiosTo(phases, 'floor', rounds);
  const toMinimal = ratiosTo(phases, 'minimal', rounds);
  const zeroErrors = project.errors + project.timeouts + project.non2xx === 0;
  const verified = verification.every((v) => v.ok);
  const versus = (r: Ratios, throughputAtLeast: number, p99AtMost: number) => ({
    throughputAtLeast,
    p99AtMost,
    met: r.throughput >= throughputAtLeast && r.p99 <= p99AtMost && zeroErrors && verified,
    throughputMet: r.throughput >= throughputAtLeast,
    p99Met: r.p99 <= p99AtMost,
  });
  const target = { ...versus(ratios, 0.7, 1.5), zeroErrors, verified };
  const targetMinimal = { ...versus(toMinimal, 0.5, 2), zeroErrors, verified };
  return { project, floor, minimal, ratios, toMinimal, target, targetMinimal };
}
export type Comparison = ReturnType<typeof compare>;
