import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createDb } from '../src/db/database.ts';
import { ensureDatabase, migrateToLatest } from '../src/db/migrate.ts';
import { continuousLadder } from './support-worker.ts';

/**
 * Outage tests (test/outage-*.test.ts) run the API and the worker as real child processes and take
 * away the servers they depend on. They never touch the machine's shared Postgres or Redis: a Redis
 * outage is a private `redis-server` stopped and started again, a Postgres outage a private cluster
 * (initdb + pg_ctl in a temporary directory). Everything started here is registered and stopped by
 * `stopAllStarted()` (afterAll), pass or fail, by its own pid or data directory only; should the test
 * process end without it, a synchronous last resort on exit kills what is left.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
type Started = { stop: () => Promise<void>; killNow: () => void };
const started = new Set<Started>();
process.once('exit', () => {
  for (const s of started) {
    try {
      s.killNow();
    } catch {
      // Exiting anyway.
    }
  }
});

/** Stops every server and process this file started and that is still running. */
export async function stopAllStarted(): Promise<void> {
  const all = [...started];
  started.clear();
  await Promise.all(all.map((s) => s.stop().catch(() => {})));
}

/** Whether an executable is on the PATH (a test needing it is skipped where it is not). */
export const onPath = (command: string) =>
  (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, command)));

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });

/** Polls until `check` holds, or fails after `timeoutMs` with `message()`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  message: () => string,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${message()}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * A ladder a second apart, for a 2 s answer SLA (`quickSla`): the department head reminded at 1 s,
 * the ward office and the head told at 2 s, the chairman at 3 s after intake.
 */
export const quickPolicy = continuousLadder('PT1S');

/** `listen()` a test's HTTP server on a free loopback port (its base URL); `close()` it, connections too. */
export function onLoopback(server: http.Server) {
  return {
    async listen(): Promise<string> {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    },
    async close(): Promise<void> {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export const quickSla = {
  normal: { duration: 'PT2S', clock: 'continuous' },
  urgent: { duration: 'PT2S', clock: 'continuous' },
};

// ---------------------------------------------------------------------------------------------------
// Private Redis

export type PrivateRedis = {
  url: string;
  /** SIGTERM, then wait for the exit. It keeps nothing on disk: it comes back empty. */
  stop: () => Promise<void>;
  /** Starts it again on the same port and waits until it accepts connections. */
  start: () => Promise<void>;
};

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'pakn-outage-redis-'));
  const port = await freePort();
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const start = async () => {
    const c = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: 'ignore' },
    );
    child = c;
    let failed: Error | undefined;
    exited = new Promise((resolve) => {
      c.once('exit', () => resolve());
      c.once('error', (err) => {
        failed = err;
        resolve();
      });
    });
    await until(
      async () => {
        if (failed) throw failed;
        if (c.exitCode !== null) throw new Error(`redis-server on port ${port} exited (${c.exitCode})`);
        return answers(port);
      },
      10_000,
      () => `redis-server on port ${port} does not answer`,
    );
  };
  const stop = async () => {
    const c = child;
    child = null;
    if (c && c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    await exited;
  };
  started.add({
    async stop() {
      const c = child;
      if (c && c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
    killNow() {
      child?.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  });
  await start();
  return { url: `redis://127.0.0.1:${port}`, stop, start };
}

// ---------------------------------------------------------------------------------------------------
// Private Postgres

/** The directory of the local PostgreSQL server binaries (initdb, pg_ctl), or null if there are none. */
export function postgresBinDir(): string | null {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')) && existsSync(join(base, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], 'bin') : null;
}

export type PrivatePostgres = {
  /** A migrated database of this cluster. */
  url: string;
  /** `pg_ctl stop -m fast`: sessions are terminated (57P01), new connections refused. */
  stop: () => Promise<void>;
  /** `pg_ctl start`, waiting until it accepts connections. */
  start: () => Promise<void>;
};

/**
 * A throwaway PostgreSQL cluster on a free port, with one migrated database. initdb refuses to run as
 * root, so as root the cluster belongs to (and runs as) the `postgres` user.
 */
export async function startPrivatePostgres(bin: string): Promise<PrivatePostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'pakn-outage-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const command = (tool: string, args: string[]): [string, string[]] =>
    asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args];
  const pg = (tool: string, args: string[]) => run(...command(tool, args), { timeout: 60_000 });
  const data = join(dir, 'data');
  const port = await freePort();
  await pg('initdb', [
    '-D',
    data,
    '-A',
    'trust',
    '-U',
    'postgres',
    '--no-sync',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
  ]);
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=60',
  ].join(' ');
  const start = async () => {
    await pg('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '30', 'start']);
  };
  const stop = async () => {
    await pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']);
  };
  const immediate = ['-D', data, '-m', 'immediate', '-w', '-t', '30', 'stop'];
  started.add({
    async stop() {
      await pg('pg_ctl', immediate).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
    killNow() {
      if (existsSync(join(data, 'postmaster.pid')))
        execFileSync(...command('pg_ctl', immediate), { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    },
  });
  await start();

  const url = `postgres://postgres@127.0.0.1:${port}/pakn_outage`;
  await ensureDatabase(url);
  const db = createDb({ url, poolSize: 1 });
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
  return { url, stop, start };
}

// ---------------------------------------------------------------------------------------------------
// The API as a child process

export type ApiProcess = {
  child: ChildProcess;
  /** Resolves with the base URL once the API listens. */
  ready: Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
  /** The request ids the API logged: a request it never logged was never accepted. */
  logged: Set<string>;
  /** Sends the signal (SIGTERM by default) and waits for the exit. */
  stop: (signal?: NodeJS.Signals) => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/** Spawns src/main/api.ts on a free port with the given settings over this process's environment. */
export function spawnApi(env: Record<string, string>): ApiProcess {
  const child = spawn(process.execPath, ['src/main/api.ts'], {
    cwd: root,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The last 200 kB are enough to tell what went wrong; a loaded API logs a line per request.
  let out = '';
  const append = (chunk: string) => {
    out = (out + chunk).slice(-200_000);
  };
  let pending = '';
  const logged = new Set<string>();
  let markReady: (url: string) => void = () => {};
  let failReady: (err: Error) => void = () => {};
  const ready = new Promise<string>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    append(chunk);
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const m = /"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/.exec(line);
      if (m?.[1]) markReady(m[1]);
      const id = /"reqId":"([^"]+)"/.exec(line);
      if (id?.[1]) logged.add(id[1]);
    }
  });
  child.stderr?.setEncoding('utf8').on('data', append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      started.delete(handle);
      failReady(new Error(`API exited (${code ?? signal}) before it listened:\n${out.slice(-3000)}`));
      resolve({ code, signal });
    });
  });
  const timeout = setTimeout(() => failReady(new Error(`API not listening after 30 s:\n${out}`)), 30_000);
  ready.finally(() => clearTimeout(timeout)).catch(() => {});
  const alive = () => child.exitCode === null && child.signalCode === null;
  const handle: Started = {
    async stop() {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
    killNow: () => child.kill('SIGKILL'),
  };
  started.add(handle);
  return {
    child,
    ready,
    exited,
    output: () => out,
    logged,
    async stop(signal = 'SIGTERM') {
      if (alive()) child.kill(signal);
      return exited;
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// HTTP from outside, as a client sees it

export type HttpResult = {
  /** Sent as `x-request-id`, which the API adopts and logs. */
  requestId: string;
  /** The status, or null when the connection failed (refused, reset, closed without an answer). */
  status: number | null;
  error?: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
  startedAt: number;
};

/** Keep-alive connections, as a channel app or a load balancer would hold them. */
export const keepAlive = () => new http.Agent({ keepAlive: true, maxSockets: 64 });

/** One request; never throws: a network error comes back as `status: null` with its code. */
export function request(
  base: string,
  opts: {
    method: string;
    path: string;
    headers?: Record<string, string>;
    body?: unknown;
    agent?: http.Agent;
  },
): Promise<HttpResult> {
  const startedAt = Date.now();
  const requestId = randomUUID();
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve) => {
    const done = (r: Omit<HttpResult, 'ms' | 'startedAt' | 'requestId'>) =>
      resolve({ ...r, requestId, ms: Date.now() - startedAt, startedAt });
    const req = http.request(
      new URL(opts.path, base),
      {
        method: opts.method,
        agent: opts.agent ?? false,
        headers: {
          'x-request-id': requestId,
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...opts.headers,
        },
        timeout: 20_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          done({
            status: res.statusCode ?? null,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', (err: NodeJS.ErrnoException) =>
          done({ status: null, error: err.code ?? err.message, headers: {}, body: '' }),
        );
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('client timeout'), { code: 'TIMEOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) =>
      done({ status: null, error: err.code ?? err.message, headers: {}, body: '' }),
    );
    req.end(payload);
  });
}

export type ReadyBody = { status: string; checks: Record<string, string> };

export async function ready(base: string): Promise<HttpResult & { json: ReadyBody | null }> {
  const r = await request(base, { method: 'GET', path: '/ready' });
  let json: ReadyBody | null = null;
  try {
    json = JSON.parse(r.body) as ReadyBody;
  } catch {
    // Not JSON: the assertion on it will say so.
  }
  return { ...r, json };
}

/** A case as the Smart Hải Phòng app reports it (through its API key), with a unique external id. */
export const intakeBody = (wardCode: string, externalId: string, categoryCode?: string) => ({
  wardCode,
  channel: 'smart_haiphong',
  externalId,
  description: 'Cống thoát nước bị tắc, nước tràn ra đường ở tổ dân phố 7.',
  reporter: { name: 'Trần Thị D', phone: '0912000333' },
  ...(categoryCode ? { categoryCode } : {}),
});

export const isProblem503 = (r: HttpResult) => {
  if (r.status !== 503) return false;
  if (!String(r.headers['content-type']).startsWith('application/problem+json')) return false;
  try {
    return (JSON.parse(r.body) as { status?: number }).status === 503;
  } catch {
    return false;
  }
};

/** How many results of each status (or network error), for failure messages and reports. */
export function tally(results: HttpResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of results) {
    const key = String(r.status ?? r.error);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Percentiles of durations, for the report lines the tests print. */
export function summary(ms: number[]): string {
  if (ms.length === 0) return 'none';
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return `n=${s.length} p50=${at(0.5)} ms p95=${at(0.95)} ms max=${s.at(-1)} ms`;
}
