import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContainer } from '../../src/container.ts';
import { createEmailDeliverer } from '../../src/modules/email/email-delivery.ts';
import { smtpTransport } from '../../src/modules/email/smtp-transport.ts';
import { bearer, call, type TestApp, testConfig } from '../support/app.ts';
import { briefCaseBody } from '../support/case-body.ts';
import { postCase } from '../support/cases.ts';
import { type DigestSetting, digestSetting, wardWithChairman } from '../support/digest.ts';
import { createCategory, createWard, type Ward } from '../support/fixtures.ts';
import { uid } from '../support/ids.ts';
import { sleep } from '../support/polling.ts';

// The chairman's digest (issue 5, item 7) on a database of its own: a digest run serves every ward
// of its database, so on the run's shared database it would notify other test files' chairmen.
// Worker processes sending it on schedule: faults/chairman-digest-worker.test.ts.

let smtp: DigestSetting['smtp'];
let smtpUrl: string;
let database: DigestSetting['database'];
let t: TestApp;
let setting: DigestSetting;

beforeAll(async () => {
  setting = await digestSetting();
  ({ smtp, smtpUrl, database, t } = setting);
});
afterAll(() => setting?.close());

/** A case filed at the counter by the ward's intake officer. */
const fileCase = (ward: Ward, categoryCode?: string, title = 'Cống thoát nước bị tắc') =>
  postCase(
    t.app,
    bearer(ward.tokens.intake),
    briefCaseBody(ward.code, {
      channel: 'walk_in',
      externalId: `dg-${uid()}`,
      title,
      description: `${title} ở tổ dân phố 5, đề nghị xử lý.`,
      reporter: { name: 'Ngô Thị Hoa', phone: '0912345678' },
      categoryCode,
    }),
  );

const digestsOf = (wardId: string) =>
  t.container.db
    .selectFrom('digests')
    .selectAll()
    .where('ward_id', '=', wardId)
    .orderBy('scheduled_for')
    .execute();
const notificationsOf = (userId: string) =>
  t.container.db
    .selectFrom('notifications')
    .selectAll()
    .where('user_id', '=', userId)
    .where('type', '=', 'digest')
    .execute();
const emailsOf = (userId: string) =>
  t.container.db.selectFrom('email_deliveries').selectAll().where('user_id', '=', userId).execute();

// Mondays 07:30 in Hải Phòng (00:30 UTC), after every deadline the tests' cases get.
const monday = (isoDate: string) => new Date(`${isoDate}T00:30:00Z`);

describe("the chairman's digest", () => {
  it('goes out once per ward and occurrence, however many runs race for it', async () => {
    const { ward, chairmanId } = await wardWithChairman(t);
    const at = monday('2027-01-04');
    const other = await createContainer(testConfig({ DATABASE_URL: database.url, SMTP_URL: smtpUrl }), {
      role: 'worker',
    });
    try {
      const runs = await Promise.all([
        t.container.digests.runDue(at),
        t.container.digests.runDue(new Date(at.getTime() + 1_000)),
        other.digests.runDue(new Date(at.getTime() + 2_000)),
      ]);
      expect(runs.reduce((n, r) => n + r.digests, 0)).toBe(1);
      // Later ticks of the same window add nothing.
      await t.container.digests.runDue(new Date(at.getTime() + 3_600_000));
    } finally {
      await other.close();
    }
    const digests = await digestsOf(ward.id);
    expect(digests.map((d) => d.scheduled_for)).toEqual([at]);
    const notifications = await notificationsOf(chairmanId);
    expect(notifications).toHaveLength(1);
    expect(notifications[0]).toMatchObject({ case_id: null, step: null, digest_id: digests[0]?.id });
    expect(await emailsOf(chairmanId)).toHaveLength(1);
  });

  it('catches up a missed occurrence within DIGEST_CATCH_UP_HOURS, not later, and never before it', async () => {
    const { ward } = await wardWithChairman(t);
    const at = monday('2027-01-11');
    await t.container.digests.runDue(new Date(at.getTime() - 60_000));
    expect(await digestsOf(ward.id)).toHaveLength(0);
    // Workers down from Sunday to Monday 10:00: the digest goes out at 10:00.
    await t.container.digests.runDue(new Date(at.getTime() + 2.5 * 3_600_000));
    expect((await digestsOf(ward.id)).map((d) => d.scheduled_for)).toEqual([at]);

    // Down for more than a day: that week's digest is not sent late.
    const late = await wardWithChairman(t);
    await t.container.digests.runDue(new Date(monday('2027-01-18').getTime() + 25 * 3_600_000));
    expect(await digestsOf(late.ward.id)).toHaveLength(0);
  });

  it('lists unanswered and late cases by department with their heads, matching a direct SQL count', async () => {
    const { ward, chairmanId } = await wardWithChairman(t);
    const category = await createCategory(t, { defaultDepartmentCode: 'ktht' });
    const dispatched = [await fileCase(ward, category.code), await fileCase(ward, category.code)];
    const waiting = await fileCase(ward, undefined, 'Đèn chiếu sáng ngõ 7 không sáng');
    const answered = await fileCase(ward, category.code);
    await call(
      t.app,
      { method: 'POST', url: `/api/v1/cases/${answered.id}/accept`, headers: bearer(ward.tokens.infraHead) },
      200,
    );
    await call(
      t.app,
      {
        method: 'POST',
        url: `/api/v1/cases/${answered.id}/respond`,
        headers: bearer(ward.tokens.infraHead),
        payload: { answer: 'Đã nạo vét cống.' },
      },
      200,
    );
    // One dispatched case is not due until long after the digest.
    await t.container.db
      .updateTable('cases')
      .set({ due_at: new Date('2027-06-01T10:00:00Z'), version: sql`version + 1` })
      .where('id', '=', dispatched[1]?.id ?? '')
      .execute();

    const at = monday('2027-01-25');
    await t.container.digests.runDue(at);
    const [digest] = await digestsOf(ward.id);
    const content = digest?.content as {
      unanswered: number;
      late: number;
      departments: Array<{
        name: string;
        heads: string[];
        unanswered: number;
        late: number;
        cases: Array<{ code: string; late: boolean; title: string }>;
      }>;
    };

    const counted = await sql<{ unanswered: number; late: number }>`
      SELECT count(*)::int AS unanswered,
             count(*) FILTER (WHERE (status = 'received' AND accept_due_at < ${at})
                               OR (status IN ('assigned', 'in_progress') AND due_at < ${at}))::int AS late
      FROM cases
      WHERE ward_id = ${ward.id} AND status IN ('received', 'assigned', 'in_progress', 'awaiting_info')
    `.execute(t.container.db);
    expect({ unanswered: content.unanswered, late: content.late }).toEqual(counted.rows[0]);
    expect(content).toMatchObject({ unanswered: 3, late: 2 });

    const infra = content.departments.find((d) => d.name === 'Phòng Kinh tế – Hạ tầng – Đô thị');
    expect(infra).toMatchObject({ heads: ['Cán bộ department_head'], unanswered: 2, late: 1 });
    expect(infra?.cases.map((c) => [c.code, c.late])).toEqual([
      [dispatched[0]?.code, true],
      [dispatched[1]?.code, false],
    ]);
    const office = content.departments.find((d) => d.heads.includes('Cán bộ intake'));
    expect(office?.cases.map((c) => c.code)).toEqual([waiting.code]);
    expect(JSON.stringify(content)).not.toContain(answered.code);

    const [notification] = await notificationsOf(chairmanId);
    expect(notification?.title).toContain('3 hồ sơ chưa trả lời, 2 quá hạn');
    expect(notification?.body).toContain('Lãnh đạo đơn vị: Cán bộ department_head');
    expect(notification?.body).toContain(dispatched[0]?.code);
    expect(notification?.body).not.toContain('0912345678');

    // The chairman reads it in the inbox.
    const inbox = await call(
      t.app,
      { method: 'GET', url: '/api/v1/notifications', headers: bearer(ward.tokens.chairman) },
      200,
    );
    expect(inbox.json().items).toContainEqual(
      expect.objectContaining({ type: 'digest', caseId: null, step: null, title: notification?.title }),
    );
  });

  it('is sent over SMTP, retried after a 4xx reply with the same Message-ID, given up after a 5xx', async () => {
    const first = await wardWithChairman(t);
    const second = await wardWithChairman(t);
    await t.container.digests.runDue(monday('2027-02-01'));
    smtp.refuse.set(first.email ?? '', { code: 451, times: 1 });
    smtp.refuse.set(second.email ?? '', { code: 550, times: 99 });
    const transport = smtpTransport({ url: smtpUrl, timeoutMs: 5_000 });
    const deliverer = createEmailDeliverer({
      db: t.container.db,
      transport,
      from: 'PAKN phường <pakn@hp.test>',
      maxAttempts: 5,
      backoffMs: 10,
    });
    try {
      const [a] = await emailsOf(first.chairmanId);
      const [b] = await emailsOf(second.chairmanId);
      expect(await deliverer.deliver(a?.id ?? '')).toMatchObject({ kind: 'retry', attempts: 1 });
      await sleep(30);
      expect(await deliverer.deliver(a?.id ?? '')).toMatchObject({ kind: 'delivered', attempts: 2 });
      expect(await deliverer.deliver(a?.id ?? '')).toMatchObject({ kind: 'skipped', reason: 'delivered' });
      expect(await deliverer.deliver(b?.id ?? '')).toMatchObject({ kind: 'failed', attempts: 1 });
    } finally {
      transport.close();
    }
    const got = smtp.received.filter((m) => m.to === first.email);
    expect(got).toHaveLength(1);
    const [row] = await emailsOf(first.chairmanId);
    expect(got[0]?.messageId).toBe(row?.message_id);
    expect(got[0]?.subject).toMatch(/^Báo cáo PAKN Phường .* ngày 01\/02\/2027: /);
    expect(got[0]?.text).toContain('Kính gửi đồng chí Phạm Văn Chủ,');
    expect(got[0]?.html).toContain('<p>Kính gửi đồng chí Phạm Văn Chủ,</p>');

    // The delivery log, for the ward office.
    const history = await call(
      t.app,
      { method: 'GET', url: '/api/v1/reports/digests', headers: bearer(second.ward.tokens.intake) },
      200,
    );
    expect(history.json().items[0].emails).toEqual([
      expect.objectContaining({ to: second.email, status: 'failed', attempts: 1, lastStatusCode: 550 }),
    ]);
  });

  it('notifies without e-mail when the chairman has no address or SMTP is not configured', async () => {
    const { ward, chairmanId } = await wardWithChairman(t, null);
    const at = monday('2027-02-08');
    await t.container.digests.runDue(at);
    expect(await notificationsOf(chairmanId)).toHaveLength(1);
    expect(await emailsOf(chairmanId)).toHaveLength(0);

    const withAddress = await wardWithChairman(t);
    const noSmtp = await createContainer(testConfig({ DATABASE_URL: database.url }), { role: 'worker' });
    try {
      await noSmtp.digests.runDue(monday('2027-02-15'));
    } finally {
      await noSmtp.close();
    }
    expect(await notificationsOf(withAddress.chairmanId)).toHaveLength(1);
    expect(await emailsOf(withAddress.chairmanId)).toHaveLength(0);
    expect((await digestsOf(ward.id)).length).toBe(2);
  });
});

describe('the digest on demand', () => {
  let ward: Ward;
  beforeAll(async () => {
    ward = (await wardWithChairman(t)).ward;
  });

  it("shows a ward's staff their own ward's digest as of now", async () => {
    for (const token of [ward.tokens.chairman, ward.tokens.intake]) {
      const res = await call(
        t.app,
        { method: 'GET', url: '/api/v1/reports/digest', headers: bearer(token) },
        200,
      );
      expect(res.json()).toMatchObject({ wardId: ward.id, timezone: 'Asia/Ho_Chi_Minh' });
    }
    const admin = await call(
      t.app,
      { method: 'GET', url: `/api/v1/reports/digest?wardId=${ward.id}`, headers: bearer(t.adminToken) },
      200,
    );
    expect(admin.json().wardId).toBe(ward.id);
  });

  it('refuses other wards, department staff, an admin without a ward and anonymous callers', async () => {
    const other = await createWard(t);
    const get = (url: string, headers = {}) => t.app.inject({ method: 'GET', url, headers });
    expect(
      (await get(`/api/v1/reports/digest?wardId=${other.id}`, bearer(ward.tokens.chairman))).statusCode,
    ).toBe(403);
    expect(
      (await get(`/api/v1/reports/digests?wardId=${other.id}`, bearer(ward.tokens.intake))).statusCode,
    ).toBe(403);
    expect((await get('/api/v1/reports/digest', bearer(ward.tokens.infraHead))).statusCode).toBe(403);
    const noWard = await get('/api/v1/reports/digest', bearer(t.adminToken));
    expect(noWard.statusCode).toBe(400);
    expect(noWard.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((await get('/api/v1/reports/digest?wardId=abc', bearer(t.adminToken))).statusCode).toBe(400);
    expect((await get('/api/v1/reports/digest?wardId=999999999', bearer(t.adminToken))).statusCode).toBe(404);
    expect((await get('/api/v1/reports/digest')).statusCode).toBe(401);
  });

  it('takes e-mail addresses on users and refuses bad ones', async () => {
    const created = await call(
      t.app,
      {
        method: 'POST',
        url: '/api/v1/users',
        headers: bearer(t.adminToken),
        payload: {
          username: `ct-${uid().toLowerCase()}`,
          password: 'password-123',
          fullName: 'Vũ Thị Chủ Tịch',
          role: 'chairman',
          wardId: ward.id,
          email: 'chutich@hongbang.haiphong.gov.vn',
        },
      },
      201,
    );
    expect(created.json().email).toBe('chutich@hongbang.haiphong.gov.vn');
    const id = created.json().id;
    const patch = (payload: object) =>
      t.app.inject({ method: 'PATCH', url: `/api/v1/users/${id}`, headers: bearer(t.adminToken), payload });
    expect((await patch({ email: 'không phải địa chỉ' })).statusCode).toBe(400);
    expect((await patch({})).statusCode).toBe(400);
    const cleared = await patch({ email: null });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json().email).toBeNull();
    expect(
      (
        await t.app.inject({
          method: 'PATCH',
          url: '/api/v1/users/999999999',
          headers: bearer(t.adminToken),
          payload: { email: null },
        })
      ).statusCode,
    ).toBe(404);
  });
});
