import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { type DigestSetting, digestSetting, wardWithChairman } from '../support/digest.ts';
import { testPrefix } from '../support/ids.ts';
import { sleep, until } from '../support/polling.ts';
import { killAllWorkers, spawnWorker, workerEnv } from '../support/processes.ts';

// The chairman's digest sent by worker processes on schedule, on a database of its own (as in
// integration/chairman-digest.test.ts, where the digest's other tests run in-process).

let setting: DigestSetting;

beforeAll(async () => {
  setting = await digestSetting();
});
afterEach(() => killAllWorkers());
afterAll(async () => {
  await killAllWorkers();
  await setting?.close();
});

describe("the chairman's digest", () => {
  it('a worker sends it on schedule through the queue, once per occurrence, with two workers ticking', async () => {
    const { t, smtp, smtpUrl, database } = setting;
    const { email } = await wardWithChairman(t);
    const env = workerEnv(
      { DATABASE_URL: database.url, REDIS_URL: inject('redisUrl'), REDIS_PREFIX: testPrefix() },
      {
        DIGEST_SCHEDULE: '* * * * *',
        DIGEST_TICK_MS: '250',
        SMTP_URL: smtpUrl,
        SMTP_FROM: 'PAKN phường <pakn@hp.test>',
        EMAIL_BACKOFF_MS: '100',
      },
    );
    const workers = [spawnWorker(env), spawnWorker(env)];
    await Promise.all(workers.map((w) => w.ready));
    await until(
      async () => smtp.received.some((m) => m.to === email),
      20_000,
      () => `no digest e-mail for ${email}:\n${workers[0]?.output().slice(-2000)}`,
      100,
    );
    // A few more ticks: none of them sends the same occurrence again.
    await sleep(1_500);
    const got = smtp.received.filter((m) => m.to === email);
    expect(new Set(got.map((m) => m.messageId)).size).toBe(got.length);
    const rows = await t.container.db
      .selectFrom('email_deliveries as e')
      .innerJoin('digests as d', 'd.id', 'e.digest_id')
      .select(['d.scheduled_for', 'e.status', 'e.message_id'])
      .where('e.to_address', '=', email ?? '')
      .execute();
    expect(new Set(rows.map((r) => r.scheduled_for.toISOString())).size).toBe(rows.length);
    expect(
      rows
        .filter((r) => r.status === 'delivered')
        .map((r) => r.message_id)
        .sort(),
    ).toEqual(got.map((m) => m.messageId).sort());
  });
});
