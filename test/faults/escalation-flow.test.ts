import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, createTestApp, type TestApp } from '../support/app.ts';
import { reportCase } from '../support/cases.ts';
import { escalationsOf, expectOnTime, notificationCounts } from '../support/escalations.ts';
import { createCategory, createWard, type Ward, type WardUsers, wardUsers } from '../support/fixtures.ts';
import { secondsSla, setWardPolicy } from '../support/ladders.ts';
import { sleep, until } from '../support/polling.ts';
import {
  closeWithAll,
  isolatedEnv,
  spawnWorker,
  stopAllStarted,
  type WorkerProcess,
  workerEnv,
} from '../support/processes.ts';

// A real worker process against real Postgres and Redis, with a 3 s answer SLA on the continuous
// clock: reminder at 2 s, overdue at 3 s, chairman at 5 s; acceptance warning at 2 s.

let t: TestApp;
let ward: Ward;
let users: WardUsers;
let category: { code: string };
let worker: WorkerProcess;

beforeAll(async () => {
  const shared = await isolatedEnv();
  // The worker boots while the app and the ward are set up.
  worker = spawnWorker(workerEnv(shared));
  t = closeWithAll(await createTestApp(shared));
  ward = await createWard(t);
  await setWardPolicy(t.container.db, ward.id);
  category = await createCategory(t, { defaultDepartmentCode: 'ktht', sla: secondsSla });
  users = await wardUsers(t.container.db, ward);
  await worker.ready;
});
afterAll(stopAllStarted);

type InboxItem = {
  id: string;
  type: string;
  caseId: string;
  caseCode: string;
  step: string;
  readAt: string | null;
  title: string;
  body: string;
};
const inbox = async (token: string): Promise<InboxItem[]> =>
  (
    await call(t.app, { method: 'GET', url: '/api/v1/notifications?limit=200', headers: bearer(token) }, 200)
  ).json().items;

describe('escalation engine with a worker process', () => {
  it('holds a paused case’s escalations until the clock resumes, then fires them from the time that was left', async () => {
    const db = t.container.db;
    const paused = await reportCase(t, ward, category.code);
    const before = await call(
      t.app,
      {
        method: 'POST',
        url: `/api/v1/cases/${paused.id}/request-info`,
        headers: bearer(ward.tokens.infraHead),
        payload: { note: 'Đề nghị gửi thêm ảnh hiện trường' },
      },
      200,
    );
    expect(before.json().status).toBe('awaiting_info');
    const left = new Date(paused.dueAt as string).getTime() - Date.now();

    // Past the original deadline and the chairman's step: while paused, nothing fires.
    await sleep(new Date(paused.dueAt as string).getTime() + 2_600 - Date.now());
    expect(await escalationsOf(db, [paused.id])).toEqual([]);

    const resumed = (
      await call(
        t.app,
        { method: 'POST', url: `/api/v1/cases/${paused.id}/resume`, headers: bearer(ward.tokens.infraHead) },
        200,
      )
    ).json();
    const newDue = new Date(resumed.dueAt).getTime();
    // The time that was left when the clock stopped is the time left now (within the request's own time).
    expect(Math.abs(newDue - Date.now() - left)).toBeLessThan(500);

    await until(
      async () => (await escalationsOf(db, [paused.id])).length >= 3,
      8_000,
      () => `escalations after resume missing\n${worker.output().slice(-2000)}`,
      100,
    );
    const rows = await escalationsOf(db, [paused.id]);
    expect(rows.map((e) => [e.step, e.due_at.getTime() - newDue, e.generation])).toEqual([
      ['reminder', -1_000, 3],
      ['overdue', 0, 3],
      ['chairman', 2_000, 3],
    ]);
    expectOnTime(rows, 1_000);
  });

  it('fires every step once, on time and in order, and tells exactly the right people', async () => {
    const db = t.container.db;

    const late = await reportCase(t, ward, category.code);
    const undispatched = await reportCase(t, ward);
    const answered = await reportCase(t, ward, category.code);
    expect([late.status, undispatched.status, answered.status]).toEqual(['assigned', 'received', 'assigned']);

    // The department answers the third case after its reminder, before its answer deadline.
    await until(
      async () => (await escalationsOf(db, [answered.id])).some((e) => e.step === 'reminder'),
      6_000,
      () => `no reminder for the answered case\n${worker.output().slice(-2000)}`,
      100,
    );
    await call(
      t.app,
      {
        method: 'POST',
        url: `/api/v1/cases/${answered.id}/respond`,
        headers: bearer(ward.tokens.infraHead),
        payload: { answer: 'Đã thu gom rác và nhắc nhở các hộ dân.' },
      },
      200,
    );

    const ids = [late.id, undispatched.id, answered.id];
    await until(
      async () => (await escalationsOf(db, ids)).length >= 5,
      10_000,
      () => `escalations missing\n${worker.output().slice(-2000)}`,
      100,
    );
    // Past the answered case's chairman time: nothing more may fire.
    const answeredDue = new Date(answered.dueAt as string).getTime();
    await sleep(Math.max(0, answeredDue + 2_600 - Date.now()));

    const rows = await escalationsOf(db, ids);
    const steps = (caseId: string) => rows.filter((e) => e.case_id === caseId).map((e) => e.step);
    expect(steps(late.id)).toEqual(['reminder', 'overdue', 'chairman']);
    expect(steps(undispatched.id)).toEqual(['accept_overdue']);
    expect(steps(answered.id)).toEqual(['reminder']);
    expectOnTime(rows, 1_000);
    const lateDue = new Date(late.dueAt as string).getTime();
    expect(rows.filter((e) => e.case_id === late.id).map((e) => e.due_at.getTime() - lateDue)).toEqual([
      -1_000, 0, 2_000,
    ]);

    // The answered case's remaining timers were cancelled, not fired.
    const timers = await db
      .selectFrom('case_timers')
      .select(['case_id', 'step', 'status'])
      .where('case_id', 'in', ids)
      .execute();
    expect(timers.filter((x) => x.status === 'pending')).toEqual([]);
    expect(
      timers
        .filter((x) => x.case_id === answered.id && x.status === 'fired')
        .map((x) => x.step)
        .sort(),
    ).toEqual(['reminder']);

    // Exactly once per person, case and step; only the roles the ladder names.
    const counts = await notificationCounts(db, ids);
    expect(counts.every((c) => c.n === '1')).toBe(true);
    const told = counts
      .map((c) => `${c.user_id}:${c.case_id}:${c.step}`)
      .sort()
      .join('\n');
    expect(told).toBe(
      [
        `${users.infraHead}:${late.id}:reminder`,
        `${users.infraHead}:${late.id}:overdue`,
        `${users.intake}:${late.id}:overdue`,
        `${users.chairman}:${late.id}:chairman`,
        `${users.intake}:${undispatched.id}:accept_overdue`,
        `${users.infraHead}:${answered.id}:reminder`,
      ]
        .sort()
        .join('\n'),
    );

    // The inboxes, through the API, in Vietnamese.
    const chairmanInbox = (await inbox(ward.tokens.chairman)).filter((n) => ids.includes(n.caseId));
    expect(chairmanInbox.map((n) => [n.caseId, n.step, n.type])).toEqual([
      [late.id, 'chairman', 'escalation'],
    ]);
    expect(chairmanInbox[0]?.title).toBe(`Báo cáo Chủ tịch: phản ánh ${late.code} quá hạn trả lời`);
    const intakeInbox = await inbox(ward.tokens.intake);
    const overdue = intakeInbox.find((n) => n.caseId === late.id);
    expect(overdue?.title).toBe(`Phản ánh ${late.code} quá hạn trả lời`);
    expect(overdue?.body).toMatch(
      new RegExp(
        `^Phản ánh ${late.code}: Phòng Kinh tế – Hạ tầng – Đô thị chưa trả lời, hạn \\d\\d:\\d\\d \\d\\d/\\d\\d/\\d{4}\\.$`,
      ),
    );
    expect(intakeInbox.find((n) => n.caseId === undispatched.id)?.title).toBe(
      `Phản ánh ${undispatched.code} quá hạn phân loại`,
    );
    expect(await inbox(ward.tokens.infraOfficer)).toEqual([]);
    expect(await inbox(ward.tokens.cultureHead)).toEqual([]);

    // The case's escalations as staff see them; a department that may not see the case gets 404.
    const list = (
      await call(
        t.app,
        { method: 'GET', url: `/api/v1/cases/${late.id}/escalations`, headers: bearer(ward.tokens.chairman) },
        200,
      )
    ).json();
    expect(list.items.map((e: { step: string }) => e.step)).toEqual(['reminder', 'overdue', 'chairman']);
    expect(list.items[0]).toEqual({
      step: 'reminder',
      dueAt: new Date(lateDue - 1_000).toISOString(),
      firedAt: expect.any(String),
      generation: 1,
    });
    await call(
      t.app,
      {
        method: 'GET',
        url: `/api/v1/cases/${late.id}/escalations`,
        headers: bearer(ward.tokens.cultureHead),
      },
      404,
    );

    const lags = rows.map((e) => e.fired_at.getTime() - e.due_at.getTime());
    console.info(`escalation lag ms: ${lags.join(', ')} (max ${Math.max(...lags)})`);
    expect((await worker.stop()).code).toBe(0);
  });
});
