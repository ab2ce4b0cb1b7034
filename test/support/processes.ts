import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import type { Config } from '../../src/config.ts';
import { createIsolatedDatabase } from './database.ts';
import { testPrefix } from './ids.ts';
import { until } from './polling.ts';

/**
 * The API and the worker as real child processes (src/main/api.ts, src/main/worker.ts), and the
 * registry of everything a test file starts: children here, private Redis and Postgres servers in
 * private-servers.ts, databases of its own (`isolatedEnv`), and whatever in-process app, receiver or
 * client it hands to `closeWithAll`. `stopAllStarted()` (afterAll) takes all of it down, pass or fail,
 * each by its own pid, data directory or name only, in an order that lets each go cleanly: the child
 * processes, then the in-process things, then the private servers, then the databases. Should the
 * test process end without it, a synchronous last resort on exit kills the processes and servers left.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));

type Kind = 'worker' | 'api' | 'in-process' | 'server' | 'database';
type Started = { kind: Kind; stop: () => Promise<unknown>; killNow?: () => void };
const started = new Set<Started>();
process.once('exit', () => {
  for (const s of started) {
    try {
      s.killNow?.();
    } catch {
      // Exiting anyway.
    }
  }
});

/** Registers something started, for `stopAllStarted`; returns what unregisters it. */
export function register(entry: Started): () => void {
  started.add(entry);
  return () => started.delete(entry);
}

/** Registers an app, receiver or client of this process to be closed by `stopAllStarted`; returns it. */
export function closeWithAll<T extends { close: () => Promise<unknown> }>(thing: T): T {
  register({ kind: 'in-process', stop: () => thing.close() });
  return thing;
}

async function stopAll(kinds: Kind[]): Promise<void> {
  const chosen = [...started].filter((s) => kinds.includes(s.kind));
  for (const s of chosen) started.delete(s);
  await Promise.all(chosen.map((s) => s.stop().catch(() => {})));
}

/** Stops everything this file started that is still running, in the order above. */
export async function stopAllStarted(): Promise<void> {
  for (const kinds of [['worker', 'api'], ['in-process'], ['server'], ['database']] as Kind[][])
    await stopAll(kinds);
}

/** Kills every worker still running (afterEach/afterAll, pass or fail). */
export const killAllWorkers = () => stopAll(['worker']);

type Exit = { code: number | null; signal: NodeJS.Signals | null };

/** A child process of this repository's code, its output kept and read line by line. */
type NodeChild<R> = {
  child: ChildProcess;
  /** Resolves once the child says it is ready (see spawnWorker, spawnApi). */
  ready: Promise<R>;
  exited: Promise<Exit>;
  /** The last 200 kB of its stdout and stderr. */
  output: () => string;
  /** Sends the signal (SIGTERM by default) and waits for the exit. */
  stop: (signal?: NodeJS.Signals) => Promise<Exit>;
  /** SIGKILL, then wait for the exit. */
  kill: () => Promise<void>;
};

/** The one child-process helper: `node <script>` with `env` over this process's environment. */
function spawnNode<R>(
  kind: 'worker' | 'api',
  script: string,
  env: Record<string, string>,
  readyWithinMs: number,
  onLine: (line: string, markReady: (value: R) => void) => void,
): NodeChild<R> {
  const child = spawn(process.execPath, [script], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The last 200 kB are enough to tell what went wrong; a loaded API logs a line per request.
  let out = '';
  const append = (chunk: string) => {
    out = (out + chunk).slice(-200_000);
  };
  let pending = '';
  let markReady: (value: R) => void = () => {};
  let failReady: (err: Error) => void = () => {};
  const ready = new Promise<R>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    append(chunk);
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line, markReady);
  });
  child.stderr?.setEncoding('utf8').on('data', append);
  const alive = () => child.exitCode === null && child.signalCode === null;
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      unregister();
      failReady(new Error(`${kind} exited (${code ?? signal}) before it was ready:\n${out.slice(-3000)}`));
      resolve({ code, signal });
    });
  });
  const timeout = setTimeout(
    () => failReady(new Error(`${kind} not ready after ${readyWithinMs} ms:\n${out.slice(-3000)}`)),
    readyWithinMs,
  );
  ready.finally(() => clearTimeout(timeout)).catch(() => {});
  const kill = async () => {
    if (alive()) child.kill('SIGKILL');
    await exited;
  };
  const unregister = register({ kind, stop: kill, killNow: () => child.kill('SIGKILL') });
  return {
    child,
    ready,
    exited,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (alive()) child.kill(signal);
      return exited;
    },
    kill,
  };
}

export type FiredLine = { timerId: string; step: string; caseId: string; lagMs: number; workerId: string };

/** A real worker process; `fired` holds the escalations it logged, as it logs them. */
export type WorkerProcess = NodeChild<void> & { fired: FiredLine[] };

/** Spawns a worker with the given settings (see `workerEnv`); `ready` once it logged "worker ready". */
export function spawnWorker(env: Record<string, string>): WorkerProcess {
  const fired: FiredLine[] = [];
  const worker = spawnNode<void>(
    'worker',
    'src/main/worker.ts',
    // No status messages: the run's database is shared by every test file, and a worker's dispatcher
    // would send (to its log) the messages that citizen-messages.test.ts waits for.
    // No digests either: the chairman digest tests create their own.
    { LOG_LEVEL: 'info', SMS_PROVIDER: 'none', DIGEST_SCHEDULE: 'off', ...env },
    20_000,
    (line, markReady) => {
      if (!line.startsWith('{')) return;
      try {
        const entry = JSON.parse(line);
        if (entry.msg === 'worker ready') markReady();
        if (entry.msg === 'escalation fired')
          fired.push({
            timerId: entry.timerId,
            step: entry.step,
            caseId: entry.caseId,
            lagMs: entry.lagMs,
            workerId: entry.workerId,
          });
      } catch {
        // Not a log line.
      }
    },
  );
  return { ...worker, fired };
}

/** Resolves as soon as `worker` has logged `n` fired escalations (checked every 10 ms). */
export const firedAtLeast = (worker: WorkerProcess, n: number, timeoutMs: number) =>
  until(
    () => worker.fired.length >= n,
    timeoutMs,
    () => `worker fired ${worker.fired.length} < ${n}:\n${worker.output().slice(-2000)}`,
    10,
  );

/**
 * Where a test's app and its child processes meet, away from other test files: a database of its own
 * (a worker serves every timer of its database) and a Redis prefix of its own, on the run's Redis
 * unless `redisUrl` names another: the settings for createTestApp, workerEnv and spawnApi. The
 * database is dropped by `stopAllStarted()`.
 */
export async function isolatedEnv(redisUrl: string = inject('redisUrl')) {
  const database = await createIsolatedDatabase();
  register({ kind: 'database', stop: database.drop });
  return { DATABASE_URL: database.url, REDIS_URL: redisUrl, REDIS_PREFIX: testPrefix() };
}

/** Webhook deliveries retried within a second (and given 5 s to answer), for tests that hold or fail them. */
export const quickWebhooks = {
  WEBHOOK_BACKOFF_MS: '200',
  WEBHOOK_SWEEP_MS: '500',
  WEBHOOK_TIMEOUT_MS: '5000',
};

/** The settings a worker needs to share a test app's database and Redis, with sub-second ticks. */
export function workerEnv(
  config: Pick<Config, 'DATABASE_URL' | 'REDIS_URL' | 'REDIS_PREFIX'>,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: config.DATABASE_URL,
    REDIS_URL: config.REDIS_URL,
    REDIS_PREFIX: config.REDIS_PREFIX,
    DATABASE_POOL_SIZE: '10',
    ESCALATION_TICK_MS: '500',
    WORKER_HEARTBEAT_MS: '1000',
    WEBHOOK_ALLOW_PRIVATE: 'true',
    ...extra,
  };
}

/** The API as a child process; `ready` resolves with its base URL once it listens. */
export type ApiProcess = NodeChild<string> & {
  /** The request ids the API logged: a request it never logged was never accepted. */
  logged: Set<string>;
};

/** Spawns src/main/api.ts on a free port of 127.0.0.1 with the given settings. */
export function spawnApi(env: Record<string, string>): ApiProcess {
  const logged = new Set<string>();
  const api = spawnNode<string>(
    'api',
    'src/main/api.ts',
    // No load shedding unless a test asks for it (as testConfig): on a machine shared by test files the
    // API's event loop lags for reasons of the machine, and a shed request is not what a test is about.
    {
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      OVERLOAD_EVENT_LOOP_DELAY_MS: '0',
      ...env,
    },
    30_000,
    (line, markReady) => {
      const m = /"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/.exec(line);
      if (m?.[1]) markReady(m[1]);
      const id = /"reqId":"([^"]+)"/.exec(line);
      if (id?.[1]) logged.add(id[1]);
    },
  );
  return { ...api, logged };
}
