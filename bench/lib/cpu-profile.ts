/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by package / area and the hottest
 * functions. Usage: node bench/lib/cpu-profile.ts <file.cpuprofile> [top]
 */
import { readFileSync } from 'node:fs';

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

/** Where a frame's code lives: an npm package, the project, Node itself, or V8 bookkeeping. */
export function areaOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + '/node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? url);
  }
  if (url.startsWith('node:')) return 'node: (core)';
  const src = url.indexOf('/src/');
  if (src >= 0)
    return `pakn ${url
      .slice(src + 1)
      .split('/')
      .slice(0, 3)
      .join('/')}`;
  return url;
}

export function summarizeProfile(file: string, top = 25) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  /** The nearest frame (itself or a caller) in an npm package or in pakn: who asked for the work. */
  const owner = (id: number): string => {
    for (let cur: number | undefined = id, i = 0; cur !== undefined && i < 500; cur = parent.get(cur), i++) {
      const f = byId.get(cur)?.callFrame;
      if (f && (f.url.includes('/node_modules/') || f.url.includes('/src/')))
        return areaOf(f.url, f.functionName);
    }
    const f = byId.get(id)?.callFrame;
    return f ? areaOf(f.url, f.functionName) : '?';
  };
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  let total = 0;
  let idle = 0;
  const areas = new Map<string, number>();
  const owners = new Map<string, number>();
  const fns = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    total += us;
    if (functionName === '(idle)') {
      idle += us;
      continue;
    }
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const o = functionName === '(garbage collector)' ? functionName : owner(id);
    owners.set(o, (owners.get(o) ?? 0) + us);
    const key = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*\/(node_modules|src)\//, '$1/')}:${lineNumber + 1}` : ''}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
  }
  const busy = total - idle;
  const rank = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({
        name,
        ms: Math.round(us / 1000),
        pctOfBusy: Math.round((us / busy) * 1000) / 10,
      }));
  return {
    totalMs: Math.round(total / 1000),
    busyMs: Math.round(busy / 1000),
    byArea: rank(areas),
    /** Self time charged to the nearest package or pakn frame on the stack (Node core and native work included). */
    byOwner: rank(owners),
    topFunctions: rank(fns),
  };
}

if (import.meta.main) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node bench/lib/cpu-profile.ts <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  const s = summarizeProfile(file, Number(top ?? 25));
  process.stdout.write(`busy ${s.busyMs} ms of ${s.totalMs} ms sampled\n\nself time by area:\n`);
  for (const a of s.byArea)
    process.stdout.write(`  ${String(a.pctOfBusy).padStart(5)}%  ${a.ms} ms  ${a.name}\n`);
  process.stdout.write('\nself time charged to the nearest package / pakn caller:\n');
  for (const a of s.byOwner)
    process.stdout.write(`  ${String(a.pctOfBusy).padStart(5)}%  ${a.ms} ms  ${a.name}\n`);
  process.stdout.write('\nhottest functions (self):\n');
  for (const f of s.topFunctions)
    process.stdout.write(`  ${String(f.pctOfBusy).padStart(5)}%  ${f.ms} ms  ${f.name}\n`);
}
