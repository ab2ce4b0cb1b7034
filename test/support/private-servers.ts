import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { createDatabase } from './database.ts';
import { until } from './polling.ts';
import { answers, freePort } from './ports.ts';
import { register } from './processes.ts';

/**
 * Private servers for outage tests, which take away the servers the API and the worker depend on.
 * They never touch the machine's shared Postgres or Redis: a Redis outage is a private
 * `redis-server` stopped and started again, a Postgres outage a private cluster (initdb + pg_ctl in a
 * temporary directory). Each is registered with processes.ts, so `stopAllStarted()` stops it.
 */

const run = promisify(execFile);

/** Whether an executable is on the PATH (a test needing it is skipped where it is not). */
export const onPath = (command: string) =>
  (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, command)));

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
        return answers('127.0.0.1', port, 500);
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
  register({
    kind: 'server',
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
  register({
    kind: 'server',
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
  await createDatabase(url);
  return { url, stop, start };
}
