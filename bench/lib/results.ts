/**
 * Where a benchmark's results go and what names a run: the checkout's root, bench/results/
 * (git-ignored), a run's tag, the commit it measured, and its JSON written there.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root directory (with a trailing slash). */
export const root = fileURLToPath(new URL('../../', import.meta.url));
export const resultsDir = path.join(root, 'bench/results');

/** A run's tag: its start in UTC to the second (yyyyMMddHHmmss) and four random hex digits. */
export function runTag(): string {
  return `${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}${randomBytes(2).toString('hex')}`;
}

/** Which code ran: the commit of `dir` and how many files under src/ or migrations/ differed from it. */
export function gitState(dir: string = root) {
  try {
    const git = (...a: string[]) =>
      execFileSync('git', ['-C', dir, ...a], { encoding: 'utf8', timeout: 10_000 }).trim();
    return {
      head: git('rev-parse', 'HEAD'),
      uncommitted: git('status', '--porcelain', '--', 'src', 'migrations').split('\n').filter(Boolean).length,
    };
  } catch {
    return null;
  }
}

/** Writes `result` as bench/results/<name> (pretty JSON); returns the file's path. */
export function writeResult(name: string, result: unknown): string {
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, name);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
