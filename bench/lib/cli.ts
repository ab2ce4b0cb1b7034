import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A bad command line: the message on stderr, exit 2. */
export function usage(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

/** An integer option within [min, max]; anything else ends the run with a message naming the option. */
export function intArg(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    usage(`--${name} must be an integer from ${min} to ${max} (got ${raw})`);
  return n;
}

/** `--help`: prints the script's header comment, which is its usage, and exits. */
export function printUsage(scriptUrl: string): never {
  process.stdout.write(`${readFileSync(fileURLToPath(scriptUrl), 'utf8').split('*/')[0]}*/\n`);
  process.exit(0);
}
