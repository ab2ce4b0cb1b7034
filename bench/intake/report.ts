/** bench/intake's report: the server's log and CPU profiles summed up, and the summary it prints. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { summarizeProfile } from '../lib/cpu-profile.ts';
import { root } from '../lib/results.ts';
import type { Comparison, Verification } from './figures.ts';

/** The project's log: its size, and its error-level lines (null when it cannot be read). */
export function serverLogInfo(serverLog: string, kept: boolean) {
  try {
    const lines = readFileSync(serverLog, 'utf8').split('\n').filter(Boolean);
    const errors = lines.filter((l) => /"level":(50|60)/.test(l));
    return {
      file: path.relative(root, serverLog),
      bytes: statSync(serverLog).size,
      lines: lines.length,
      errorLines: errors.length,
      firstErrors: errors.slice(0, 3).map((l) => l.slice(0, 600)),
      kept,
    };
  } catch {
    return null;
  }
}
export type LogInfo = ReturnType<typeof serverLogInfo>;

/** One summary per profile in `profDir` (a project process's or the floor's). */
export function cpuProfiles(profDir: string) {
  return readdirSync(profDir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => ({
      file: path.relative(root, path.join(profDir, f)),
      ...summarizeProfile(path.join(profDir, f), 20),
    }));
}

/** The summary at the end of the run, ending with the target and where the results went. */
export function printSummary(
  c: Comparison,
  o: {
    verification: Verification;
    logInfo: LogInfo;
    profiles: ReturnType<typeof cpuProfiles>;
    keepLogs: boolean;
    codeShim: boolean;
    resultsFile: string;
  },
  say: (line: string) => void,
) {
  const { target, targetMinimal } = c;
  say('');
  for (const [name, x] of [
    ['minimal', c.minimal],
    ['floor  ', c.floor],
    ['project', c.project],
  ] as const)
    say(
      `${name}: ${x.requestsPerSec} req/s, p50 ${x.latencyMs.p50} ms, p97.5 ${x.latencyMs.p97_5} ms, ` +
        `p99 ${x.latencyMs.p99} ms, errors ${x.errors}, timeouts ${x.timeouts}, non-2xx ${x.non2xx}; ` +
        `CPU/req: server ${x.cpu.serverMsPerRequest} ms, postgres ${x.cpu.postgresMsPerRequest} ms; ` +
        `others' load ${x.cpu.otherCores} cores`,
    );
  for (const [name, ratios, t] of [
    ['project/minimal', c.toMinimal, targetMinimal],
    ['project/floor', c.ratios, target],
  ] as const)
    say(
      `${name}: throughput ${ratios.throughput} (target >= ${t.throughputAtLeast}), p99 ${ratios.p99} (target <= ${t.p99AtMost}); ` +
        `per round ${ratios.perRound.map((r) => `${r.throughput}/${r.p99}${r.disturbed ? ' (disturbed)' : ''}`).join(', ')}; ` +
        `${ratios.undisturbed ? `undisturbed rounds ${ratios.undisturbed.throughput}/${ratios.undisturbed.p99}; ` : ''}` +
        `CPU/req server ${ratios.serverCpuPerRequest}x, postgres ${ratios.postgresCpuPerRequest}x -> ${t.met ? 'met' : 'NOT met'}`,
    );
  say(
    `verification: ${target.verified ? 'ok' : 'FAILED'} (${o.verification.map((v) => `${v.target}${v.round} ${v.responses201} x 201 -> ${v.casesInDb} cases`).join(', ')})`,
  );
  const { logInfo } = o;
  if (logInfo) {
    say(
      `server log: ${logInfo.lines} lines, ${logInfo.bytes} bytes, ${logInfo.errorLines} at error level` +
        `${o.keepLogs ? ` in ${logInfo.file}` : ' (deleted)'}`,
    );
    for (const l of logInfo.firstErrors) say(`  ${l}`);
    if (!o.codeShim && logInfo.firstErrors.some((l) => l.includes('cases_code_key')))
      say(
        '  -> case codes collide once case_code_seq passes 9999 (lpad(n, 4, ...) truncates; see ' +
          'bench/HISTORY.md). Rerun with --code-shim to measure past the bug.',
      );
  }
  for (const p of o.profiles) {
    say(`cpu profile ${p.file} (busy ${p.busyMs} ms); self time by nearest package / pakn caller:`);
    for (const a of p.byOwner.slice(0, 12)) say(`  ${String(a.pctOfBusy).padStart(5)}%  ${a.name}`);
  }
  say(
    `target against the minimal floor (>= 0.5, <= 2x) ${targetMinimal.met ? 'MET' : 'NOT MET'}; ` +
      `against the schema's floor (>= 0.7, <= 1.5x) ${target.met ? 'MET' : 'NOT MET'}; results in ${o.resultsFile}`,
  );
}
