/** The soak's command line (its usage is run.ts's header comment), checked, with the defaults it derives. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { configSchema } from '../../src/config.ts';
import { enumArg, intArg, parseCommandLine, usage } from '../lib/cli.ts';
import { resultsDir } from '../lib/results.ts';
import { checkScopes } from './verdict.ts';

/** 0.7 x the project's req/s in the latest intake benchmark here, if any. */
function defaultRate(): { rate: number; from: string } {
  try {
    const files = readdirSync(resultsDir)
      .filter((f) => /^intake-.*\.json$/.test(f))
      .sort()
      .reverse();
    for (const f of files) {
      const r = JSON.parse(readFileSync(path.join(resultsDir, f), 'utf8')) as {
        project?: { requestsPerSec?: unknown };
      };
      const rps = Number(r.project?.requestsPerSec);
      if (Number.isFinite(rps) && rps > 0)
        return { rate: Math.round(rps * 0.7), from: `0.7 x ${rps} req/s (bench/results/${f})` };
    }
  } catch {}
  return { rate: 500, from: 'no intake result here: 500' };
}

/** `--check` takes an optional scope (`all` or `correctness`): alone, it is `--check all`. */
function withCheckScope(argv: string[]): string[] {
  const scopes: readonly string[] = checkScopes;
  return argv.map((a, i) => (a === '--check' && !scopes.includes(argv[i + 1] ?? '') ? '--check=all' : a));
}

/** The options of this run; a bad command line ends it (exit 2), `--help` prints `scriptUrl`'s usage. */
export function soakOptions(scriptUrl: string) {
  const args = parseCommandLine(
    scriptUrl,
    {
      rate: { type: 'string', default: '' },
      duration: { type: 'string', default: '300' },
      window: { type: 'string', default: '' },
      warmup: { type: 'string', default: '60' },
      connections: { type: 'string', default: '64' },
      grace: { type: 'string', default: '60' },
      'quiet-wait': { type: 'string', default: '15' },
      escalations: { type: 'string', default: '20' },
      'log-level': { type: 'string', default: 'info' },
      'keep-logs': { type: 'boolean', default: false },
      webhook: { type: 'boolean', default: true },
      'trace-gc': { type: 'boolean', default: true },
      seed: { type: 'string', default: '1' },
      'pool-size': { type: 'string', default: '20' },
      'keep-db': { type: 'boolean', default: false },
      'server-autovacuum': { type: 'boolean', default: false },
      check: { type: 'string', default: '' },
    },
    { allowNegative: true, args: withCheckScope(process.argv.slice(2)) },
  );

  const durationS = intArg('duration', args.duration, 10, 3_600);
  const windowS = args.window ? intArg('window', args.window, 5, 600) : durationS >= 180 ? 60 : 15;
  if (durationS % windowS !== 0)
    usage(`--duration (${durationS}) must be a multiple of --window (${windowS})`);
  const warmupS = intArg('warmup', args.warmup, 0, 3_600);
  if (warmupS === 0 || warmupS % windowS !== 0)
    usage(`--warmup (${warmupS}) must be a positive multiple of --window (${windowS})`);
  if (durationS < warmupS + 2 * windowS)
    usage(
      `--duration ${durationS} leaves fewer than two ${windowS} s windows after the ${warmupS} s warm-up ` +
        `to compare: use --duration ${warmupS + 2 * windowS} or more (or a shorter --window / --warmup)`,
    );
  const rateDefault = args.rate ? null : defaultRate();
  return {
    rate: args.rate ? intArg('rate', args.rate, 1, 20_000) : (rateDefault?.rate as number),
    rateFrom: rateDefault?.from ?? 'given',
    durationS,
    windowS,
    /**
     * Excluded from the comparisons. 60 s by default: the longest answer deadline (50 s) plus the
     * chairman step (10 s), after which every kind of request and escalation step runs at its steady rate.
     */
    warmupS,
    connections: intArg('connections', args.connections, 1, 1_000),
    graceS: intArg('grace', args.grace, 5, 600),
    quietWaitS: intArg('quiet-wait', args['quiet-wait'], 0, 600),
    /** Escalation steps falling due per second, about (sets the share of cases in fast categories). */
    escalationsPerS: intArg('escalations', args.escalations, 1, 1_000),
    logLevel: configSchema.shape.LOG_LEVEL.parse(args['log-level']),
    keepLogs: args['keep-logs'],
    webhook: args.webhook,
    traceGc: args['trace-gc'],
    seed: intArg('seed', args.seed, 0, 2 ** 31),
    poolSize: intArg('pool-size', args['pool-size'], 1, 200),
    keepDb: args['keep-db'],
    serverAutovacuum: args['server-autovacuum'],
    /** Exit 1 when the verdict is not met. */
    check: args.check !== '',
    /** What the verdict judges: everything, or correctness only (timing reported, not judged). */
    checkScope: args.check ? enumArg('check', args.check, checkScopes) : ('all' as const),
    requestTimeoutMs: 10_000,
  };
}
export type SoakOptions = ReturnType<typeof soakOptions>;
