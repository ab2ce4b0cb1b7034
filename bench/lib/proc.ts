/** Linux processes from /proc: a process's fields, its tree, its memory and when it started. */
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NodeChild } from './child.ts';

/** The fields of /proc/<pid>/stat after the command name (index 0 is the state), or null when it is gone. */
export function statFields(pid: number): string[] | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** `pid` and all its descendants (e.g. `npm start`'s API process and the worker it forks). */
export function processTree(pid: number): number[] {
  const parentOf = new Map<number, number>();
  let seen = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || ++seen > 20_000) continue;
    const f = statFields(Number(d));
    if (f) parentOf.set(Number(d), Number(f[1]));
  }
  const tree = [pid];
  for (let i = 0; i < tree.length && i < 1_000; i++)
    for (const [child, parent] of parentOf) if (parent === tree[i]) tree.push(child);
  return tree;
}

/** VmRSS of a process in KiB, or null when it is gone. */
export function rssKiB(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** When a process started (wall clock, ms), from /proc: its start in ticks after boot, and boot time. */
export function processStartMs(pid: number): number | null {
  try {
    const ticks = Number(statFields(pid)?.[19]);
    const btime = Number(/^btime (\d+)/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    return Number.isFinite(ticks) && Number.isFinite(btime) ? btime * 1000 + ticks * 10 : null;
  } catch {
    return null;
  }
}

/**
 * Stops a server and anything it started that outlived it (by pid, the tree noted while it ran);
 * `say` reports each leftover killed.
 */
export async function stopTree(child: NodeChild, tree: number[], say: (line: string) => void) {
  await child.stop(20_000);
  for (const pid of tree.slice(1)) {
    try {
      process.kill(pid, 0);
    } catch {
      continue;
    }
    await sleep(2_000);
    try {
      process.kill(pid, 'SIGKILL');
      say(`killed leftover process ${pid} of ${child.name}`);
    } catch {}
  }
}
