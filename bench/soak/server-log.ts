/** Reads the soak server's log after the run: errors, warnings, full GCs and the server's own time per request. */
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { quantile } from './client.ts';

export type FullGc = { pid: number; atMs: number; beforeMiB: number; afterMiB: number };

/**
 * Reads the server's log (streamed: it can be tens of MB): error- and warn-level lines, and, with
 * --trace-gc, every full (mark-compact) collection of each process with the heap before and after
 * it. V8 stamps those in ms since its process started; `startMs` (pid: wall clock) turns them into
 * wall-clock times. Also the server's own time per request ("request completed": Fastify's elapsed
 * time) per window of the load, by arrival.
 */
export async function scanLog(
  file: string,
  startMs: Map<number, number>,
  windowsOf: { loadStartMs: number; windowS: number; count: number },
) {
  const out = {
    lines: 0,
    bytes: 0,
    errorLines: 0,
    warnLines: 0,
    firstErrors: [] as string[],
    scavenges: {} as Record<string, number>,
  };
  const fullGcs: FullGc[] = [];
  const serverMs: number[][] = Array.from({ length: windowsOf.count }, () => []);
  const gcLine =
    /^\[(\d+):0x[0-9a-f]+\]\s+([\d.]+) ms: (Mark-Compact|Scavenge|Minor Mark-Sweep)[^\d]*([\d.]+) \(([\d.]+)\) -> ([\d.]+) \(([\d.]+)\) MB/;
  try {
    out.bytes = statSync(file).size;
    for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
      out.lines++;
      if (line.startsWith('[')) {
        const m = gcLine.exec(line);
        if (m) {
          const pid = Number(m[1]);
          if (m[3] !== 'Mark-Compact') out.scavenges[pid] = (out.scavenges[pid] ?? 0) + 1;
          else
            fullGcs.push({
              pid,
              atMs: (startMs.get(pid) ?? 0) + Number(m[2]),
              beforeMiB: Number(m[4]),
              afterMiB: Number(m[6]),
            });
          continue;
        }
      }
      if (line.includes('"msg":"request completed"')) {
        const at = Number(/"time":(\d+)/.exec(line)?.[1]);
        const ms = Number(/"responseTime":([\d.]+)/.exec(line)?.[1]);
        // Logged when the answer is sent: its window is that of its arrival, time taken back.
        const w = Math.floor((at - ms - windowsOf.loadStartMs) / 1000 / windowsOf.windowS);
        if (Number.isFinite(ms) && w >= 0 && w < windowsOf.count) serverMs[w]?.push(ms);
        continue;
      }
      if (/"level":(50|60)/.test(line)) {
        out.errorLines++;
        if (out.firstErrors.length < 5) out.firstErrors.push(line.slice(0, 600));
      } else if (line.includes('"level":40')) out.warnLines++;
    }
  } catch {}
  const serverSide = serverMs.map((xs) => {
    const sorted = Float64Array.from(xs).sort();
    const q = (p: number) => {
      const v = quantile(sorted, p);
      return v === null ? null : Math.round(v * 10) / 10;
    };
    return { requests: xs.length, p50: q(0.5), p99: q(0.99) };
  });
  return { ...out, fullGcs, serverSide };
}
export type ServerLog = Awaited<ReturnType<typeof scanLog>>;
