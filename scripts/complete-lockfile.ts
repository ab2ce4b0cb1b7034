/**
 * The npm registry mirror this project is developed on lacks some platform-specific optional
 * packages (Biome's and msgpackr-extract's binaries for other OSes), so `npm install` here writes a
 * package-lock.json without them, and `npm ci` then refuses the lock as incomplete. This adds the
 * missing entries, marked optional with their os/cpu, so `npm ci` accepts the lock everywhere and
 * each platform still fetches only its own binary. Run after `npm install`: `npm run lock:complete`.
 */
import { readFileSync, writeFileSync } from 'node:fs';

type Entry = {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  optionalDependencies?: Record<string, string>;
};

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8')) as { packages: Record<string, Entry> };

const platform = (name: string): Pick<Entry, 'os' | 'cpu' | 'libc'> => {
  const os = ['android', 'darwin', 'linux', 'win32', 'freebsd'].find((o) => name.includes(`-${o}`));
  const cpu = ['arm64', 'x64', 'arm'].find((c) => new RegExp(`-${c}(-|$)`).test(name));
  return {
    ...(os ? { os: [os] } : {}),
    ...(cpu ? { cpu: [cpu] } : {}),
    ...(name.endsWith('-musl') ? { libc: ['musl'] } : {}),
  };
};

let added = 0;
for (const [key, entry] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const depKey = `node_modules/${dep}`;
    if (lock.packages[depKey] || lock.packages[`${key}/${depKey}`]) continue;
    lock.packages[depKey] = {
      version,
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      ...platform(dep),
    };
    added++;
  }
}
const sorted = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
lock.packages = sorted;
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(`package-lock.json: ${added} missing optional platform entries added\n`);
