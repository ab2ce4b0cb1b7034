import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';

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

/** An option that takes one of `allowed`; anything else ends the run with a message naming the option. */
export function enumArg<T extends string>(name: string, raw: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(raw))
    usage(`--${name} must be one of ${allowed.join(', ')} (got ${raw})`);
  return raw as T;
}

/** `--help`: prints the script's header comment, which is its usage, and exits. */
export function printUsage(scriptUrl: string): never {
  process.stdout.write(`${readFileSync(fileURLToPath(scriptUrl), 'utf8').split('*/')[0]}*/\n`);
  process.exit(0);
}

/**
 * A benchmark's command line (`args`, default this process's): its `options` and `--help`, strictly
 * (an unknown option, a missing value or a stray argument ends the run with a message, exit 2).
 * `--help` prints the header comment of the script at `scriptUrl` and exits.
 */
export function parseCommandLine<const T extends ParseArgsOptionsConfig>(
  scriptUrl: string,
  options: T,
  o: { allowNegative?: boolean; args?: string[] } = {},
) {
  const config = {
    options: { ...options, help: { type: 'boolean', default: false } },
    strict: true,
    allowNegative: o.allowNegative ?? false,
    ...(o.args ? { args: o.args } : {}),
  } as const;
  let parsed: ReturnType<typeof parseArgs<typeof config>>;
  try {
    parsed = parseArgs(config);
  } catch (err) {
    usage(`${(err as Error).message}\n(see --help)`);
  }
  if ((parsed.values as { help?: boolean }).help) printUsage(scriptUrl);
  return parsed.values;
}
