/**
 * The baseline's consumer: a plain BullMQ Worker that does nothing but note, for each job, how late it
 * started (Date.now() − the due time the producer put in the job). Same worker options as the
 * engine's escalation consumer (src/modules/sla/escalation-worker.ts). On SIGTERM it stops taking
 * jobs, waits for the active ones, writes what it saw to BARE_OUT (JSON) and exits 0.
 *
 * Env: REDIS_URL, BARE_PREFIX, BARE_QUEUE, BARE_CONCURRENCY, BARE_OUT.
 */
import { writeFileSync } from 'node:fs';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) {
    process.stderr.write(`bare-worker: ${name} is required\n`);
    process.exit(2);
  }
  return v;
};

const connection = new Redis(env('REDIS_URL'), { maxRetriesPerRequest: null, connectionName: 'bench-bare' });
connection.on('error', () => {});
const out = env('BARE_OUT');
// [jobId, lagMs] per processed job, in processing order; ids repeat if a job ran twice.
const ids: string[] = [];
const lags: number[] = [];

const worker = new Worker<{ due: number }>(
  env('BARE_QUEUE'),
  async (job) => {
    lags.push(Date.now() - job.data.due);
    ids.push(job.id ?? '');
  },
  {
    connection,
    prefix: env('BARE_PREFIX'),
    concurrency: Number(env('BARE_CONCURRENCY')),
    lockDuration: 10_000,
    stalledInterval: 5_000,
    maxStalledCount: 5,
  },
);
worker.on('error', (err) => process.stderr.write(`bare-worker: ${String(err)}\n`));
await worker.waitUntilReady();
process.stdout.write('ready\n');

let closing = false;
process.on('SIGTERM', () => {
  if (closing) return;
  closing = true;
  void (async () => {
    await worker.close();
    writeFileSync(out, JSON.stringify({ pid: process.pid, ids, lags }));
    connection.disconnect();
    process.exit(0);
  })();
});
