/**
 * bench/intake's phases: a smoke request that must take the auto-assign path, and a measured phase
 * of one server (warm-up, then the measured load with the CPU of the server, of its Postgres backends
 * and of everything else).
 */
import type pg from 'pg';
import { type CpuReading, startCpuMeter, waitForQuiet } from '../lib/cpu-meter.ts';
import { runLoad, type Summary, summarize } from '../lib/load.ts';
import { processTree } from '../lib/proc.ts';
import type { Server } from '../lib/project.ts';

/** The project; the floor on the app's schema; the minimal floor on tables with a primary key only. */
export type Target = 'floor' | 'minimal' | 'project';

export type PhaseResult = {
  target: Target;
  round: number;
  prefix: string;
  quietBefore: { quiet: boolean; busyCores: number } | null;
  warmup: { responses: number; created: number } | null;
  measured: Summary;
  /** Processes measured as the server: for the project, the API process and the worker it forks. */
  serverProcesses: number;
  cpu: CpuReading;
  /** The end of what the server wrote to stderr (empty when all went well). */
  stderr: string;
  createdIds: Set<string>;
};

/**
 * One request to `base`: 201, and in the database an assigned case with `events` events (the
 * project writes 2: received and assigned) and 3 timers; for the minimal floor, a case in its table
 * with 1 event and 2 timers.
 */
export async function smoke(
  db: pg.Pool,
  o: {
    target: Target;
    base: string;
    headers: Record<string, string>;
    id: string;
    body: string;
    events: number;
  },
  say: (line: string) => void,
) {
  const res = await fetch(`${o.base}/api/v1/cases`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...o.headers },
    body: o.body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`smoke ${o.target}: ${res.status} ${text}`);
  if (o.target === 'minimal') {
    const m = await db.query<{ events: string; timers: string }>(
      `SELECT (SELECT count(*) FROM bench_minimal_events e WHERE e.case_id = c.id) AS events,
         (SELECT count(*) FROM bench_minimal_timers t WHERE t.case_id = c.id) AS timers
       FROM bench_minimal_cases c WHERE external_id = $1`,
      [o.id],
    );
    say(`smoke minimal: 201, ${m.rows[0]?.events} event, ${m.rows[0]?.timers} timers`);
    if (m.rows[0]?.events !== '1' || m.rows[0].timers !== '2')
      throw new Error('the minimal floor did not write a case with 1 event and 2 timers');
    return;
  }
  const row = await db.query<{ status: string; events: string; timers: string }>(
    `SELECT status,
       (SELECT count(*) FROM case_events e WHERE e.case_id = c.id) AS events,
       (SELECT count(*) FROM case_timers t WHERE t.case_id = c.id) AS timers
     FROM cases c WHERE external_id = $1`,
    [o.id],
  );
  const r = row.rows[0];
  say(`smoke ${o.target}: 201, case ${r?.status}, ${r?.events} events, ${r?.timers} timers`);
  if (r?.status !== 'assigned' || r.events !== String(o.events) || r.timers !== '3')
    throw new Error(`${o.target} did not write an assigned case with ${o.events} events and 3 timers`);
}

/**
 * A measured phase on a running server: waits (bounded) for a quiet machine, warms up for `warmupS`,
 * then measures `durationS` of autocannon posting bodies with externalIds under `prefix`.
 */
export async function measurePhase(
  server: Server,
  o: {
    target: Target;
    round: number;
    prefix: string;
    headers: Record<string, string>;
    connections: number;
    warmupS: number;
    durationS: number;
    quietWaitS: number;
    nextBody: (kind: 'w' | 'm') => { id: string; body: string };
    backendPids: () => Promise<number[]>;
  },
): Promise<{ phase: PhaseResult; tree: number[] }> {
  const load = (kind: 'w' | 'm', durationS: number) =>
    runLoad({
      url: server.base,
      path: '/api/v1/cases',
      connections: o.connections,
      durationS,
      headers: o.headers,
      nextBody: () => o.nextBody(kind),
    });
  const quietBefore = o.quietWaitS > 0 ? await waitForQuiet(0.3, o.quietWaitS * 1000) : null;
  let warmup: PhaseResult['warmup'] = null;
  const createdIds = new Set<string>();
  if (o.warmupS > 0) {
    const w = await load('w', o.warmupS);
    for (const id of w.created) createdIds.add(id);
    warmup = { responses: w.result.requests.total, created: w.created.size };
  }
  const tree = processTree(server.child.proc.pid as number);
  const meter = startCpuMeter(tree, await o.backendPids());
  const m = await load('m', o.durationS);
  const cpu = meter(await o.backendPids());
  for (const id of m.created) createdIds.add(id);
  return {
    phase: {
      target: o.target,
      round: o.round,
      prefix: o.prefix,
      quietBefore,
      warmup,
      measured: summarize(m.result),
      serverProcesses: tree.length,
      cpu,
      stderr: '',
      createdIds,
    },
    tree,
  };
}

const r2 = (n: number) => Math.round(n * 100) / 100;

/** The line a phase prints when it is measured. */
export function phaseLine(p: PhaseResult): string {
  const { measured, cpu, quietBefore } = p;
  return (
    `${p.target.padEnd(7)} round ${p.round}: ${measured.requestsPerSec} req/s, p50 ${measured.latencyMs.p50} ms, ` +
    `p97.5 ${measured.latencyMs.p97_5} ms, p99 ${measured.latencyMs.p99} ms, max ${measured.latencyMs.max} ms, ` +
    `errors ${measured.errors}, timeouts ${measured.timeouts}, non-2xx ${measured.non2xx} ` +
    `${JSON.stringify(measured.statusCodes)}; CPU cores: server ${cpu.serverCores} ` +
    `(${r2((cpu.serverCores / Math.max(1, measured.requestsPerSec)) * 1000)} ms/req; by process ` +
    `${Object.values(cpu.serverCoresByPid).join(' + ')}), ` +
    `load ${cpu.loadCores}, postgres ${cpu.dbBackendCores} (` +
    `${r2(((cpu.dbBackendCores ?? 0) / Math.max(1, measured.requestsPerSec)) * 1000)} ms/req; all postgres ` +
    `${cpu.postgresCores}), others ${cpu.otherCores}${cpu.otherCores > 0.3 ? ' DISTURBED' : ''}` +
    `${quietBefore && !quietBefore.quiet ? ` (machine busy before: ${quietBefore.busyCores} cores)` : ''}`
  );
}
