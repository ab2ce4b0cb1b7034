import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A free TCP port on 127.0.0.1 (asks the kernel for one, then releases it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no port'))));
    });
  });
}

export type NodeChild = {
  name: string;
  proc: ChildProcess;
  /** The last few KB the child wrote to stderr. */
  stderrTail: () => string;
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`. Resolves with the exit code (null when killed). */
  stop: (graceMs?: number) => Promise<number | null>;
};

/**
 * Starts `node <nodeArgs> <script>` with the same Node binary as this process. Its stdout goes to
 * `stdoutFile` (or /dev/null); stderr is kept in memory (tail) so a failure can be reported.
 */
export function startNode(opts: {
  name: string;
  script: string;
  cwd: string;
  env: Record<string, string>;
  nodeArgs?: string[];
  stdoutFile?: string;
}): NodeChild {
  const out = openSync(opts.stdoutFile ?? '/dev/null', 'a');
  const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), opts.script], {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ['ignore', out, 'pipe'],
  });
  closeSync(out);
  let tail = '';
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-8_000);
  });
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code) => resolve(code));
  });
  let stopping: Promise<number | null> | undefined;
  const stop = (graceMs = 15_000) => {
    stopping ??= (async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    })();
    return stopping;
  };
  return { name: opts.name, proc, stderrTail: () => tail, exited, stop };
}

/** Polls `url` until it answers 200, the child exits, or `timeoutMs` passes. */
export async function waitForOk(child: NodeChild, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  let exited = false;
  void child.exited.then(() => {
    exited = true;
  });
  for (let i = 0; i < 10_000 && Date.now() < deadline; i++) {
    if (exited)
      throw new Error(
        `${child.name} exited during start-up (code ${child.proc.exitCode}):\n${child.stderrTail()}`,
      );
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
      last = `${res.status} ${await res.text()}`;
    } catch (err) {
      last = String(err);
    }
    await sleep(200);
  }
  throw new Error(
    `${child.name} not ready at ${url} after ${timeoutMs} ms (last: ${last})\n${child.stderrTail()}`,
  );
}
