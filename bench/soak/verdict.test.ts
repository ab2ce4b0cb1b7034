import { describe, expect, it } from 'vitest';
import {
  bounds,
  judge,
  judgeMemory,
  type MemoryFacts,
  type MemoryJudgement,
  type VerdictFacts,
  verdictLine,
} from './verdict.ts';

const run = { traceGc: true, warmupS: 60, durationS: 180 };
const MiB = 1024;

/** A second-by-second RSS trace at `kib` throughout. */
const flatRss = (kib: number) => Array.from({ length: 181 }, (_, t) => ({ t, kib }));

const steadyMemory: MemoryFacts = {
  fullGcs: [
    { atS: 20, afterMiB: 50 },
    { atS: 70, afterMiB: 52 },
    { atS: 150, afterMiB: 51 },
  ],
  rss: flatRss(400 * MiB),
  endKiB: 400 * MiB,
  afterWarmupKiB: 400 * MiB,
};

/** A run that met every check: the facts a quiet machine and sound code give. */
function facts(change: Partial<VerdictFacts> = {}): VerdictFacts {
  const memory = judgeMemory(steadyMemory, run);
  return {
    requests: { errors: 0, unexpected: 0, dropped: 0, stillInFlight: 0 },
    latency: { first: { p99: 20, otherCores: 0.05 }, last: { p99: 25, otherCores: 0.1 } },
    memory: { api: memory, worker: memory },
    escalationsOk: true,
    deliveries: { pending: 0, failed: 0, deliveredNotSeen: 0, badSignatures: 0, malformed: 0 },
    intake: { responses201: 100, casesInDb: 101, missingCreated: [], failedRequests: 0 },
    server: { workerRestarts: 0, errorLogLines: 0, exitCode: 0 },
    ...change,
  };
}

const failingMemory: MemoryJudgement = judgeMemory(
  { ...steadyMemory, endKiB: 900 * MiB, fullGcs: [...steadyMemory.fullGcs, { atS: 170, afterMiB: 200 }] },
  run,
);
const slow = { first: { p99: 20, otherCores: 0.05 }, last: { p99: 400, otherCores: 0.1 } };

describe('judge', () => {
  it('meets a clean run in both scopes', () => {
    for (const scope of ['all', 'correctness'] as const) {
      const { verdict, met } = judge(facts(), scope);
      expect(met).toBe(true);
      expect(verdict.scope).toBe(scope);
      expect(verdict.latency).toMatchObject({ ok: true, judged: true, limit: 40, ratio: 1.25 });
    }
  });

  it('fails a p99 drift with --check, reports it without failing with --check correctness', () => {
    const all = judge(facts({ latency: slow }), 'all');
    expect(all.met).toBe(false);
    expect(all.verdict.latency.ok).toBe(false);
    const correctness = judge(facts({ latency: slow }), 'correctness');
    expect(correctness.met).toBe(true);
    expect(correctness.verdict.latency.ok).toBe(false);
  });

  it('does not judge p99 when other work took the machine in either window', () => {
    const busy = { ...slow, first: { p99: 20, otherCores: bounds.disturbedOtherCores + 0.1 } };
    const { verdict, met } = judge(facts({ latency: busy }), 'all');
    expect(verdict.latency).toMatchObject({ ok: false, judged: false });
    expect(met).toBe(true);
  });

  it('fails a window without answers (no p99) on latency', () => {
    const none = { first: { p99: 20, otherCores: 0 }, last: { p99: null, otherCores: 0 } };
    const { verdict, met } = judge(facts({ latency: none }), 'all');
    expect(verdict.latency.lastWindowP99).toBe(Number.POSITIVE_INFINITY);
    expect(met).toBe(false);
  });

  it('fails growing memory with --check, not with --check correctness', () => {
    const memory = { api: failingMemory, worker: judgeMemory(steadyMemory, run) };
    expect(judge(facts({ memory }), 'all').met).toBe(false);
    const correctness = judge(facts({ memory }), 'correctness');
    expect(correctness.met).toBe(true);
    expect(correctness.verdict.memory.ok).toBe(false);
  });

  it.each<[string, Partial<VerdictFacts>]>([
    ['an error', { requests: { errors: 1, unexpected: 0, dropped: 0, stillInFlight: 0 } }],
    ['an unexpected status', { requests: { errors: 0, unexpected: 1, dropped: 0, stillInFlight: 0 } }],
    ['a dropped request', { requests: { errors: 0, unexpected: 0, dropped: 1, stillInFlight: 0 } }],
    ['a request still in flight', { requests: { errors: 0, unexpected: 0, dropped: 0, stillInFlight: 1 } }],
    ['an escalation not exactly once', { escalationsOk: false }],
    [
      'a delivery not delivered',
      { deliveries: { pending: 1, failed: 0, deliveredNotSeen: 0, badSignatures: 0, malformed: 0 } },
    ],
    [
      'a failed delivery',
      { deliveries: { pending: 0, failed: 1, deliveredNotSeen: 0, badSignatures: 0, malformed: 0 } },
    ],
    [
      'a bad signature',
      { deliveries: { pending: 0, failed: 0, deliveredNotSeen: 0, badSignatures: 1, malformed: 0 } },
    ],
    [
      'a 201 not in the database',
      { intake: { responses201: 100, casesInDb: 100, missingCreated: ['42'], failedRequests: 0 } },
    ],
    [
      'a case without a 201 or a failed request',
      { intake: { responses201: 100, casesInDb: 102, missingCreated: [], failedRequests: 0 } },
    ],
    ['a worker restart', { server: { workerRestarts: 1, errorLogLines: 0, exitCode: 0 } }],
    ['an error-level log line', { server: { workerRestarts: 0, errorLogLines: 1, exitCode: 0 } }],
    ['an unclean shutdown', { server: { workerRestarts: 0, errorLogLines: 0, exitCode: 1 } }],
  ])('fails %s in both scopes', (_what, change) => {
    expect(judge(facts(change), 'all').met).toBe(false);
    expect(judge(facts(change), 'correctness').met).toBe(false);
  });

  it('accepts cases written for requests that failed on our side, and a run without a webhook', () => {
    const intake = { responses201: 100, casesInDb: 103, missingCreated: [], failedRequests: 2 };
    const { verdict, met } = judge(facts({ intake, deliveries: null }), 'correctness');
    expect(met).toBe(true);
    expect(verdict.intake.casesWithout201).toBe(2);
    expect(verdict.deliveries.ok).toBe(true);
  });
});

describe('judgeMemory', () => {
  it('takes the RSS high-water mark until the first full GC after warm-up as the baseline', () => {
    const m = judgeMemory(
      { ...steadyMemory, rss: [...flatRss(300 * MiB), { t: 65, kib: 420 * MiB }], endKiB: 540 * MiB },
      run,
    );
    expect(m.rss).toMatchObject({
      judged: true,
      baselineUntilS: 70,
      baselineMiB: 420,
      limitMiB: 545,
      endMiB: 540,
    });
    expect(m.rss.ok).toBe(true);
    expect(m.liveHeap).toMatchObject({ judged: true, ok: true, firstMiB: 52, lastMiB: 51, limitMiB: 85 });
  });

  it('does not judge without a full GC after warm-up, and ignores GCs outside the load', () => {
    const m = judgeMemory(
      {
        ...steadyMemory,
        fullGcs: [
          { atS: -5, afterMiB: 40 },
          { atS: 30, afterMiB: 50 },
          { atS: 200, afterMiB: 90 },
        ],
        endKiB: 2_000 * MiB,
      },
      run,
    );
    expect(m.fullGcs).toEqual([{ atS: 30, afterMiB: 50 }]);
    expect(m).toMatchObject({ judged: false, ok: true });
    expect(m.rss.baselineUntilS).toBeNull();
  });

  it('fails a live heap that grew past its bound', () => {
    expect(failingMemory.liveHeap).toMatchObject({ judged: true, ok: false, lastMiB: 200 });
    expect(failingMemory.ok).toBe(false);
  });

  it('without --trace-gc, compares RSS with its high-water mark over the warm-up', () => {
    const m = judgeMemory({ ...steadyMemory, fullGcs: [] }, { ...run, traceGc: false });
    expect(m.rss).toMatchObject({ judged: true, ok: true, baselineUntilS: 60 });
    expect(m.liveHeap.judged).toBe(false);
  });
});

describe('verdictLine', () => {
  it('names every check with --check', () => {
    const { verdict, met } = judge(facts({ latency: slow }), 'all');
    expect(verdictLine(verdict, met)).toBe(
      'verdict: errors ok, p99 FAILED, memory ok, escalations ok, deliveries ok, intake ok, server ok -> NOT MET',
    );
  });

  it('with --check correctness, reports timing apart from the verdict', () => {
    const { verdict, met } = judge(facts({ latency: slow }), 'correctness');
    expect(verdictLine(verdict, met)).toBe(
      'verdict (correctness): errors ok, escalations ok, deliveries ok, intake ok, server ok -> MET; ' +
        'timing, reported and not judged: p99 OVER its bound, memory within its bound',
    );
  });
});
