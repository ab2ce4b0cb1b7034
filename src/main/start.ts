import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Logger, pino } from 'pino';
import { ConfigError, loadConfig } from '../config.ts';
import { loggerOptions } from '../shared/logger.ts';
import { startApi } from './api.ts';
import { bootstrap } from './bootstrap.ts';

const workerScript = fileURLToPath(new URL('./worker.ts', import.meta.url));

/**
 * Runs src/main/worker.ts as a child process with the same environment, and starts it again, with
 * exponential backoff (0.5 s doubling to 30 s; reset once it has run a minute), whenever it dies
 * without being asked to. `stop` forwards the signal and waits for the worker to finish its jobs.
 */
function superviseWorker(log: Logger, stopTimeoutMs: number) {
  let child: ChildProcess | null = null;
  let stopping = false;
  let failures = 0;
  let restart: NodeJS.Timeout | undefined;

  const spawn = () => {
    const startedAt = Date.now();
    // Its own process group: a terminal's Ctrl-C reaches the worker once, forwarded from here.
    const c = fork(workerScript, [], { env: process.env, stdio: 'inherit', detached: true });
    child = c;
    log.info({ pid: c.pid }, 'worker started');
    c.once('exit', (code, signal) => {
      if (child === c) child = null;
      if (stopping) return;
      failures = Date.now() - startedAt > 60_000 ? 1 : failures + 1;
      const delay = Math.min(30_000, 500 * 2 ** (failures - 1));
      log.error({ code, signal, restartInMs: delay }, 'worker exited unexpectedly; restarting');
      restart = setTimeout(spawn, delay);
    });
  };
  spawn();

  return {
    async stop(signal: NodeJS.Signals): Promise<void> {
      stopping = true;
      clearTimeout(restart);
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((resolve) => c.once('exit', resolve));
      c.kill(signal);
      const force = setTimeout(() => c.kill('SIGKILL'), stopTimeoutMs);
      await exited;
      clearTimeout(force);
      log.info('worker stopped');
    },
  };
}

// npm start: prepare the database (create, migrate, first admin), then run the worker as a child
// process (unless START_WORKER=false, e.g. where workers run as their own service) and serve the API
// in this one. The API produces jobs; only the worker consumes them.
try {
  const config = loadConfig();
  const log = pino({ ...loggerOptions(config.LOG_LEVEL), name: 'start' });
  await bootstrap(config, pino({ ...loggerOptions(config.LOG_LEVEL), name: 'bootstrap' }));
  const worker = config.START_WORKER ? superviseWorker(log, config.SHUTDOWN_TIMEOUT_MS) : undefined;
  // The worker gets its own grace period inside ours.
  await startApi(config, worker ? { alongside: { stop: worker.stop, graceMs: 2_000 } } : {});
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    process.stderr.write(`pakn failed to start: ${(err as Error).stack ?? String(err)}\n`);
  }
  process.exit(1);
}
