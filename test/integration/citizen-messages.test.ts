import type http from 'node:http';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Container, createContainer } from '../../src/container.ts';
import { createMessageDispatcher } from '../../src/modules/messages/message-dispatch.ts';
import { type MessageDelivery, startMessageDelivery } from '../../src/modules/messages/message-worker.ts';
import type { SmsProvider } from '../../src/modules/messages/sms-providers.ts';
import { smsSize } from '../../src/modules/messages/sms-text.ts';
import { loggerOptions } from '../../src/shared/logger.ts';
import { bearer, call, createTestApp, type TestApp } from '../support/app.ts';
import { caseBody } from '../support/case-body.ts';
import { postCase } from '../support/cases.ts';
import { createApiClient, createCategory, createWard, type Ward } from '../support/fixtures.ts';
import { captureLogs, expectNoLeaks } from '../support/logs.ts';
import { sleep, until } from '../support/polling.ts';
import { receiver } from '../support/receiver.ts';

/**
 * Status messages to citizens end to end: the API records them with the case changes, a real
 * messages consumer runs in this process (a worker container on the test's Redis prefix), and a real
 * HTTP SMS gateway on 127.0.0.1 answers by the number a message is for: numbers ending in 1 fail
 * twice with a 500 first, numbers ending in 2 are refused with a 400, the rest are accepted.
 */

type Sms = { headers: http.IncomingHttpHeaders; body: Record<string, unknown> };
type Message = {
  id: string;
  kind: string;
  status: string;
  provider: string | null;
  text: string | null;
  encoding: string | null;
  segments: number | null;
  attempts: number;
  lastStatusCode: number | null;
  deliveredAt: string | null;
};

const TOKEN = 'sms-gateway-token-0123456789';
let t: TestApp;
let worker: Container;
let consumer: MessageDelivery | undefined;
let ward: Ward;
let apiKey: string;
let assigned: { code: string };
let unassigned: { code: string };
/** Tries are counted by the message's idempotency key. */
const gateway = receiver(
  (r) => {
    const to = String(JSON.parse(r.body).to);
    let status = 200;
    if (r.headers.authorization !== `Bearer ${TOKEN}`) status = 401;
    else if (to.endsWith('1') && r.attempt <= 2) status = 500;
    else if (to.endsWith('2')) status = 400;
    return { status, type: 'application/json', body: '{}' };
  },
  (r) => String(JSON.parse(r.body).idempotencyKey),
);

/** A mobile number of its own per case, ending in `last`. */
const phone = (last: '0' | '1' | '2') =>
  `09${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}${last}`;

beforeAll(async () => {
  const env = {
    SMS_PROVIDER: 'http',
    SMS_HTTP_URL: `${await gateway.listen()}/sms`,
    SMS_HTTP_TOKEN: TOKEN,
    SMS_BACKOFF_MS: '50',
    SMS_MAX_ATTEMPTS: '4',
    SMS_DISPATCH_MS: '100',
    PUBLIC_TRACKING_URL: 'https://pakn.haiphong.gov.vn/tra-cuu/{code}',
  };
  t = await createTestApp(env);
  worker = await createContainer(t.config, { role: 'worker' });
  consumer = await startMessageDelivery(worker);
  ward = await createWard(t);
  apiKey = await createApiClient(t);
  assigned = await createCategory(t, { defaultDepartmentCode: 'ktht' });
  unassigned = await createCategory(t);
});

afterAll(async () => {
  await consumer?.close();
  await worker?.close();
  await t?.close();
  await gateway.close();
});

const messagesOf = async (caseId: string, token = ward.tokens.intake): Promise<Message[]> =>
  (
    await call(t.app, { method: 'GET', url: `/api/v1/cases/${caseId}/messages`, headers: bearer(token) }, 200)
  ).json().items;

/** The case's messages once `n` of them have settled (delivered or failed). */
const settled = (caseId: string, n: number) =>
  until(
    async () => {
      const items = await messagesOf(caseId);
      return items.length === n && items.every((m) => m.status !== 'pending') ? items : undefined;
    },
    10_000,
    () => `${n} settled messages of case ${caseId}`,
  );

const act = (id: string, action: string, token: string, payload: object = {}) =>
  call(t.app, { method: 'POST', url: `/api/v1/cases/${id}/${action}`, headers: bearer(token), payload }, 200);

/** What the gateway was sent for the number, its JSON read. */
const sentTo = (to: string): Sms[] =>
  gateway.received
    .map((r) => ({ headers: r.headers, body: JSON.parse(r.body) as Record<string, unknown> }))
    .filter((r) => r.body.to === to.replace(/^0/, '84'));

describe('status messages to the reporter', () => {
  it('sends the receipt with the code and the tracking link, once, even when the app retries', async () => {
    const reporterPhone = phone('0');
    const body = caseBody(ward.code, {
      categoryCode: assigned.code,
      reporter: { name: 'Trần Thị B', phone: reporterPhone },
    });
    const c = await postCase(t.app, { 'x-api-key': apiKey }, body);
    await call(
      t.app,
      { method: 'POST', url: '/api/v1/cases', headers: { 'x-api-key': apiKey }, payload: body },
      200,
    );
    const [m] = await settled(c.id, 1);
    expect(m).toMatchObject({
      kind: 'received',
      status: 'delivered',
      provider: 'http',
      attempts: 1,
      lastStatusCode: 200,
    });
    // Auto-assigned at intake: one message says both, with the department and the deadline; the case
    // is named by its category and code, never by the title a caller wrote.
    expect(m?.text).toContain(
      `phan anh ve Linh vuc ${assigned.code} ma ${c.code} va chuyen Phong Kinh te - Ha tang - Do thi xu ly, han tra loi`,
    );
    expect(m?.text).not.toContain('Den duong hong');
    // The reporter's own link: its token is in the message sent, and nowhere in the log.
    expect(m?.text).toContain(`https://pakn.haiphong.gov.vn/tra-cuu/${c.code}?t=…`);

    const [sms, ...more] = sentTo(reporterPhone);
    expect(more).toHaveLength(0);
    expect(sms?.headers['idempotency-key']).toBe(m?.id);
    expect(sms?.body).toMatchObject({ brandName: 'UBND', idempotencyKey: m?.id });
    const sent = String(sms?.body.text);
    const token = /\?t=([A-Za-z0-9_-]{22})$/.exec(sent)?.[1] as string;
    expect(sent.replace(token, '…')).toBe(m?.text);
    // The link opens the reporter's own view of the case.
    const own = await t.app.inject({ method: 'GET', url: `/api/v1/public/cases/${c.code}?t=${token}` });
    expect(own.json()).toMatchObject({ view: 'reporter', description: body.description });
    // Without diacritics by default: GSM-7, and the segments recorded are those of the text sent.
    const size = smsSize(sent);
    expect(size.encoding).toBe('gsm7');
    expect(m).toMatchObject({ encoding: 'gsm7', segments: size.segments });
    expect(sms?.body).toMatchObject({ encoding: 'gsm7', segments: size.segments });
  });

  it('follows the case through assignment, answer and closure, one message each', async () => {
    const reporterPhone = phone('0');
    const c = await postCase(
      t.app,
      bearer(ward.tokens.intake),
      caseBody(ward.code, {
        channel: 'walk_in',
        categoryCode: unassigned.code,
        reporter: { phone: reporterPhone, name: 'Lê Văn C' },
      }),
    );
    expect(c.status).toBe('received');
    await act(c.id, 'assign', ward.tokens.intake, { departmentId: ward.departments.culture.id });
    await act(c.id, 'accept', ward.tokens.cultureHead);
    await act(c.id, 'respond', ward.tokens.cultureHead, { answer: 'Đã sửa xong đèn.' });
    await act(c.id, 'close', ward.tokens.intake);
    const items = await settled(c.id, 4);
    expect(items.map((m) => m.kind)).toEqual(['received', 'assigned', 'answered', 'closed']);
    expect(items.every((m) => m.status === 'delivered' && m.attempts === 1)).toBe(true);
    expect(items[0]?.text).toBe(
      `UBND Phuong ${ward.code} da tiep nhan phan anh ve Linh vuc ${unassigned.code} ma ${c.code}. Theo doi tai https://pakn.haiphong.gov.vn/tra-cuu/${c.code}?t=…`,
    );
    expect(items[1]?.text).toContain('da duoc chuyen Phong Van hoa - Xa hoi xu ly, han tra loi');
    expect(items[2]?.text).toContain(`ma ${c.code} da co tra loi`);
    expect(items[3]?.text).toContain(`ma ${c.code} da duoc xu ly xong`);
    // Accepting is no news to the reporter; each message went out exactly once.
    expect(sentTo(reporterPhone).map((r) => r.body.idempotencyKey)).toEqual(items.map((m) => m.id));
  });

  it('tries again after a gateway failure, under the same idempotency key', async () => {
    const reporterPhone = phone('1');
    const c = await postCase(
      t.app,
      { 'x-api-key': apiKey },
      caseBody(ward.code, { reporter: { phone: reporterPhone } }),
    );
    const [m] = await settled(c.id, 1);
    expect(m).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 200 });
    const tries = sentTo(reporterPhone);
    expect(tries).toHaveLength(3);
    expect(new Set(tries.map((r) => r.headers['idempotency-key']))).toEqual(new Set([m?.id]));
    // The same text on every try (the token put back into the stored text is the same each time).
    const texts = new Set(tries.map((r) => r.body.text));
    expect(texts.size).toBe(1);
    expect(String([...texts][0]).replace(/t=[A-Za-z0-9_-]{22}$/, 't=…')).toBe(m?.text);
  });

  it('does not try again what the gateway refused', async () => {
    const reporterPhone = phone('2');
    const c = await postCase(
      t.app,
      { 'x-api-key': apiKey },
      caseBody(ward.code, { reporter: { phone: reporterPhone } }),
    );
    const [m] = await settled(c.id, 1);
    expect(m).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: 400, deliveredAt: null });
    expect(sentTo(reporterPhone)).toHaveLength(1);
  });

  it('names nothing but the code to a confidential or anonymous reporter', async () => {
    for (const reporter of [
      { name: 'Phạm Văn D', phone: phone('0'), confidential: true },
      { phone: phone('0') },
    ]) {
      const c = await postCase(
        t.app,
        { 'x-api-key': apiKey },
        caseBody(ward.code, { categoryCode: assigned.code, title: 'Lấn chiếm vỉa hè nhà số 7', reporter }),
      );
      const [m] = await settled(c.id, 1);
      expect(m?.text).toContain(c.code);
      expect(m?.text).not.toMatch(/Lan chiem|nha so 7|Pham/);
    }
  });

  it("tells a duplicate's reporter the original's code", async () => {
    // Numbers of their own: the per-number limit counts every message a number gets.
    const original = await postCase(
      t.app,
      { 'x-api-key': apiKey },
      caseBody(ward.code, { reporter: { name: 'Vũ Văn G', phone: phone('0') } }),
    );
    const dup = await postCase(
      t.app,
      { 'x-api-key': apiKey },
      caseBody(ward.code, { reporter: { name: 'Đặng Thị H', phone: phone('0') } }),
    );
    await act(dup.id, 'reject', ward.tokens.intake, { reason: 'duplicate', duplicateOf: original.id });
    const items = await settled(dup.id, 2);
    expect(items[1]).toMatchObject({ kind: 'rejected', status: 'delivered' });
    expect(items[1]?.text).toContain(`trung voi phan anh ma ${original.code}`);
    // The original is another reporter's case: its public link, without a token.
    expect(items[1]?.text).toMatch(
      new RegExp(`https://pakn\\.haiphong\\.gov\\.vn/tra-cuu/${original.code}$`),
    );
  });

  it('cannot be made to text a caller’s link, or to text one number again and again', async () => {
    // What an API key holder (an app, an Open311 integrator) once could do: twenty reports, each
    // with a phishing title, to one stranger's number, and the ward's brand name texted them all.
    const victim = phone('0');
    const title = 'Nhận 5tr: http://evil.tld/vn \u202e\n\u200bTHÔNG BÁO';
    const cases = [];
    for (let i = 0; i < 20; i++)
      cases.push(
        await postCase(
          t.app,
          { 'x-api-key': apiKey },
          caseBody(ward.code, { categoryCode: assigned.code, title, reporter: { phone: victim } }),
        ),
      );
    const logs = await Promise.all(cases.map((c) => settled(c.id, 1)));
    const statuses = logs.map(([m]) => m?.status);
    // SMS_PHONE_LIMIT (6 by default) in SMS_PHONE_WINDOW_MINUTES (60): the rest is held, and says so.
    expect(statuses.filter((s) => s === 'delivered')).toHaveLength(6);
    expect(statuses.filter((s) => s === 'held')).toHaveLength(14);
    const held = logs.map(([m]) => m).find((m) => m?.status === 'held') as Message & { lastError: string };
    expect(held.lastError).toBe('Không gửi: quá 6 tin nhắn tới số này trong 60 phút');
    const texts = sentTo(victim).map((r) => String(r.body.text));
    expect(texts).toHaveLength(6);
    for (const text of texts) {
      expect(text).not.toMatch(/evil|5tr|THONG BAO|\u202e|\u200b|\n/i);
      // An anonymous reporter (no name) is told the code alone.
      expect(text).toContain(`tiep nhan phan anh ma ${ward.code}-`);
    }
  });

  it('shows the delivery log to the ward office and the chairman only, in their ward', async () => {
    const c = await postCase(
      t.app,
      { 'x-api-key': apiKey },
      caseBody(ward.code, {
        categoryCode: assigned.code,
        reporter: { name: 'Ngô Văn K', phone: phone('0') },
      }),
    );
    await settled(c.id, 1);
    expect(await messagesOf(c.id, ward.tokens.chairman)).toHaveLength(1);
    const asHead = await t.app.inject({
      method: 'GET',
      url: `/api/v1/cases/${c.id}/messages`,
      headers: bearer(ward.tokens.infraHead),
    });
    expect(asHead.statusCode).toBe(403);
    const other = await createWard(t);
    const asOther = await t.app.inject({
      method: 'GET',
      url: `/api/v1/cases/${c.id}/messages`,
      headers: bearer(other.tokens.intake),
    });
    expect(asOther.statusCode).toBe(404);
  });
});

/** A provider that records what it is asked to send and accepts it all. */
function recordingProvider(sent: string[]): SmsProvider {
  return {
    name: 'log',
    async send(sms) {
      sent.push(sms.idempotencyKey);
      await sleep(2);
      return { ok: true, statusCode: 200 };
    },
  };
}

const receiptsOf = async (caseIds: string[]) =>
  t.container.db.selectFrom('citizen_messages').selectAll().where('case_id', 'in', caseIds).execute();

describe('the dispatcher', () => {
  // From here on no worker runs in the background: the tests drive dispatchers themselves.
  beforeAll(async () => {
    await consumer?.close();
    consumer = undefined;
  });

  const dispatcher = (sent: string[], batchSize = 7) =>
    createMessageDispatcher({
      db: t.container.db,
      provider: recordingProvider(sent),
      maxAttempts: 3,
      backoffMs: 50,
      diacritics: false,
      trackingUrl: t.config.PUBLIC_TRACKING_URL,
      tracking: t.container.tracking,
      phoneLimit: 1_000,
      phoneWindowMinutes: 60,
      batchSize,
      concurrency: 3,
      leaseMs: 60_000,
    });

  it('sends every message exactly once with two dispatchers side by side', async () => {
    const cases = await Promise.all(
      Array.from({ length: 40 }, () => postCase(t.app, { 'x-api-key': apiKey }, caseBody(ward.code))),
    );
    const sent: string[] = [];
    await Promise.all([dispatcher(sent).dispatch(10_000), dispatcher(sent).dispatch(10_000)]);
    const rows = await receiptsOf(cases.map((c) => c.id));
    expect(rows).toHaveLength(40);
    expect(rows.every((m) => m.status === 'delivered' && m.attempts === 1)).toBe(true);
    const mine = new Set(rows.map((m) => m.id));
    const sentOfMine = sent.filter((id) => mine.has(id));
    expect(sentOfMine).toHaveLength(40);
    expect(new Set(sentOfMine).size).toBe(40);
  });

  it('tries again, with the same text, what a dispatcher claimed before it died; gives up after the last try', async () => {
    const [a, b] = await Promise.all([
      postCase(t.app, { 'x-api-key': apiKey }, caseBody(ward.code)),
      postCase(t.app, { 'x-api-key': apiKey }, caseBody(ward.code)),
    ]);
    // As a dispatcher leaves them when it dies after its claim, once the lease has run out.
    const claimedBefore = (caseId: string, attempts: number) =>
      t.container.db
        .updateTable('citizen_messages')
        .set({
          attempts,
          body: 'Van ban da gui lan truoc',
          encoding: 'gsm7',
          segments: 1,
          provider: 'log',
          last_attempt_at: new Date(Date.now() - 120_000),
          next_attempt_at: new Date(Date.now() - 1_000),
        })
        .where('case_id', '=', caseId)
        .execute();
    await claimedBefore(String(a?.id), 1);
    await claimedBefore(String(b?.id), 3);
    const sent: string[] = [];
    await dispatcher(sent, 100).dispatch(10_000);
    const [ra] = await receiptsOf([String(a?.id)]);
    const [rb] = await receiptsOf([String(b?.id)]);
    expect(ra).toMatchObject({ status: 'delivered', attempts: 2, body: 'Van ban da gui lan truoc' });
    expect(sent.filter((id) => id === ra?.id)).toHaveLength(1);
    expect(rb).toMatchObject({ status: 'failed', attempts: 3, last_error: 'no more attempts' });
    expect(sent).not.toContain(rb?.id);
  });
});

describe('message settings', () => {
  it('with SMS_DIACRITICS=true sends Vietnamese as written, in UCS-2 segments; the log provider masks the phone', async () => {
    const { lines, stream } = captureLogs();
    const app = await createTestApp({ SMS_PROVIDER: 'log', SMS_DIACRITICS: 'true', SMS_DISPATCH_MS: '100' });
    const w = await createContainer(app.config, { role: 'worker' });
    const c2 = await startMessageDelivery(w, { log: pino(loggerOptions('info'), stream) });
    try {
      const reporterPhone = phone('0');
      const c = await postCase(
        app.app,
        bearer(ward.tokens.intake),
        caseBody(ward.code, { channel: 'walk_in', reporter: { name: 'Đỗ Thị E', phone: reporterPhone } }),
      );
      const row = await until(
        async () => {
          const m = await app.container.db
            .selectFrom('citizen_messages')
            .selectAll()
            .where('case_id', '=', c.id)
            .where('status', '=', 'delivered')
            .executeTakeFirst();
          return m ?? undefined;
        },
        10_000,
        () => 'the logged message',
      );
      expect(row).toMatchObject({ provider: 'log', encoding: 'ucs2' });
      expect(row.body).toContain(`Phường ${ward.code} đã tiếp nhận phản ánh mã ${c.code}`);
      expect(row.body).toContain(`${c.code}?t={token}`);
      const logged = lines.map((l) => JSON.parse(l)).find((l) => l.idempotencyKey === row.id);
      // The log shows the message with the reporter's token redacted, like any secret in a link.
      expect(logged).toMatchObject({
        msg: 'SMS (log provider)',
        text: String(row.body).replace('{token}', '[redacted]'),
        encoding: 'ucs2',
      });
      // The segments are those of the text sent (its 22-character token in place).
      expect(row.segments).toBe(smsSize(String(row.body).replace('{token}', 'x'.repeat(22))).segments);
      expect(row.segments).toBeGreaterThan(1);
      expect(logged.to).toBe(`[phone …${reporterPhone.slice(-3)}]`);
      expectNoLeaks(lines, { secrets: {}, phones: [reporterPhone] });
    } finally {
      await c2?.close();
      await w.close();
      await app.close();
    }
  });

  it('with SMS_PROVIDER=none records no message at all', async () => {
    const app = await createTestApp({ SMS_PROVIDER: 'none' });
    try {
      const c = await postCase(
        app.app,
        bearer(ward.tokens.intake),
        caseBody(ward.code, { channel: 'walk_in' }),
      );
      await call(
        app.app,
        {
          method: 'POST',
          url: `/api/v1/cases/${c.id}/reject`,
          headers: bearer(ward.tokens.intake),
          payload: { reason: 'unclear' },
        },
        200,
      );
      const rows = await app.container.db
        .selectFrom('citizen_messages')
        .select('id')
        .where('case_id', '=', c.id)
        .execute();
      expect(rows).toHaveLength(0);
    } finally {
      await app.close();
    }
  });
});
