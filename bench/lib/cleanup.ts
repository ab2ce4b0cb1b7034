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
