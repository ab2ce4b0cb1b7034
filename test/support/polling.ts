/** Waits `ms` (a fixed pause: to let a few more ticks pass, or a clock run out). */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Calls `probe` every `everyMs` until it returns something other than `false` or `undefined`, and
 * returns that (`true`, or the value waited for); fails after `timeoutMs` with `message()`, which is
 * read only then (so it can show a process's latest output). The one way the tests wait for a
 * condition.
 */
export async function until<T>(
  probe: () => T | false | undefined | Promise<T | false | undefined>,
  timeoutMs: number,
  message: () => string,
  everyMs = 50,
): Promise<Exclude<T, false | undefined>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== false && value !== undefined) return value as Exclude<T, false | undefined>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${message()}`);
    await sleep(everyMs);
  }
}
