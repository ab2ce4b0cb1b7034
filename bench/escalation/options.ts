/**
 * bench/escalation's command line (its usage is run.ts's header comment) and what a run derives from
 * it: names, Redis and database URLs, the workers' environment and configuration, the due offsets.
 */
import path from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { enumArg, intArg, parseCommandLine } from '../lib/cli.ts';
import { databaseUrl } from '../lib/pg-admin.ts';
import { mulberry32 } from '../lib/prng.ts';
import { resultsDir, root, runTag } from '../lib/results.ts';

/** The window's due offsets (ms from its start): evenly spaced, shuffled (seeded) across cases. */
export function dueOffsets(n: number, spanMs: number): number[] {
  const offsets = Array.from({ length: n }, (_, i) => Math.floor(((i + 0.5) * spanMs) / n));
  const rand = mulberry32(0x9e3779b9);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [offsets[i], offsets[j]] = [offsets[j] as number, offsets[i] as number];
  }
  return offsets;
}

/** The run: its options, checked, and everything derived from them. */
export function escalationRun(scriptUrl: string) {
  const args = parseCommandLine(scriptUrl, {
    cases: { type: 'string', default: '10000' },
    window: { type: 'string', default: '60' },
    lead: { type: 'string', default: '90' },
    workers: { type: 'string', default: '1' },
    far: { type: 'string', default: '100000' },
    'bare-lead': { type: 'string', default: '20' },
    grace: { type: 'string', default: '60' },
    order: { type: 'string', default: 'bare-first' },
    only: { type: 'string', default: 'both' },
    'redis-db': { type: 'string', default: '13' },
    'quiet-wait': { type: 'string', default: '20' },
    'keep-db': { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    'project-dir': { type: 'string', default: '' },
    check: { type: 'boolean', default: false },
  });
  const N = intArg('cases', args.cases, 1, 1_000_000);
  const windowMs = intArg('window', args.window, 1, 3_600) * 1000;
  const redisDb = intArg('redis-db', args['redis-db'], 1, 15);
  const stamp = runTag();
  const basePgUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const redisUrl = (() => {
    const u = new URL(process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379');
    u.pathname = `/${redisDb}`;
    return u.toString();
  })();
  const dbName = `pakn_bench_esc_${stamp}`;
  const dbUrl = databaseUrl(basePgUrl, dbName);
  const enginePrefix = `bench-esc-${stamp}`;
  // What the worker children will run with: this environment (ESCALATION_* may be set by the caller)
  // plus the bench's database, Redis and prefix.
  const workerEnv: Record<string, string> = {
    ...(process.env as Record<string, string>),
    NODE_ENV: 'production',
    DATABASE_URL: dbUrl,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: enginePrefix,
    LOG_LEVEL: 'warn',
  };
  const config = loadConfig(workerEnv);
  return {
    N,
    windowMs,
    leadMs: intArg('lead', args.lead, 5, 3_600) * 1000,
    bareLeadMs: intArg('bare-lead', args['bare-lead'], 2, 3_600) * 1000,
    workerCount: intArg('workers', args.workers, 1, 8),
    farCount: intArg('far', args.far, 0, 2_000_000),
    graceMs: intArg('grace', args.grace, 1, 3_600) * 1000,
    quietWaitMs: intArg('quiet-wait', args['quiet-wait'], 0, 600) * 1000,
    redisDb,
    order: enumArg('order', args.order, ['bare-first', 'engine-first'] as const),
    only: enumArg('only', args.only, ['both', 'engine', 'bare'] as const),
    keepDb: args['keep-db'],
    cpuProf: args['cpu-prof'],
    check: args.check,
    stamp,
    basePgUrl,
    redisUrl,
    dbName,
    dbUrl,
    enginePrefix,
    barePrefix: `bench-bare-${stamp}`,
    queue: 'escalations',
    profDir: path.join(resultsDir, `escalation-${stamp}-prof`),
    projectDir: args['project-dir'] ? path.resolve(args['project-dir']) : root,
    workerEnv,
    config,
    concurrency: config.ESCALATION_CONCURRENCY,
    offsets: dueOffsets(N, windowMs),
  };
}
export type EscalationRun = ReturnType<typeof escalationRun>;
