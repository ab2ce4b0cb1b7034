import type { NodeChild } from './child.ts';

/**
 * A benchmark's clean-up (stop its children, drop its database, delete its Redis keys...), run at
 * most once: at the end, on Ctrl-C (then exit 130), or from the watchdog.
 */
export function cleanupOnce(steps: () => Promise<void>, say: (line: string) => void): () => Promise<void> {
  let cleaning: Promise<void> | undefined;
  const cleanup = () => {
    cleaning ??= steps();
    return cleaning;
  };
  process.once('SIGINT', () => {
    say('\ninterrupted: cleaning up');
    void cleanup().finally(() => process.exit(130));
  });
  return cleanup;
}

/**
 * Runs a benchmark's `main` (which says whether its target was met) under a watchdog: past `budgetMs`
 * the run is cleaned up and exits 1. A failure is reported with the end of each child's stderr (exit
 * 2); the clean-up always runs. The exit code is then 0, or 1 when `check` is on and `main` said no.
 */
export async function runGuarded(
  o: {
    /** Names the run in the failure line (`<what> failed: …`). */
    what: string;
    budgetMs: number;
    cleanup: () => Promise<void>;
    children: readonly NodeChild[];
    check: boolean;
    say: (line: string) => void;
  },
  main: () => Promise<boolean>,
): Promise<void> {
  const watchdog = setTimeout(() => {
    o.say(`watchdog: run exceeded ${o.budgetMs / 1000} s; stopping`);
    void o.cleanup().finally(() => process.exit(1));
  }, o.budgetMs);
  watchdog.unref();
  let met = false;
  try {
    met = await main();
  } catch (err) {
    o.say(`${o.what} failed: ${(err as Error).stack ?? String(err)}`);
    for (const c of o.children) if (c.stderrTail()) o.say(`--- ${c.name} stderr ---\n${c.stderrTail()}`);
    process.exitCode = 2;
  } finally {
    await o.cleanup();
    clearTimeout(watchdog);
  }
  if (process.exitCode === undefined) process.exitCode = met || !o.check ? 0 : 1;
}
