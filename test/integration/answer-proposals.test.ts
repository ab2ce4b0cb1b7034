import type { InjectOptions } from 'fastify';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEscalationJob } from '../../src/modules/sla/escalation-job.ts';
import { bearer, call, createTestApp, type TestApp } from '../support/app.ts';
import { caseBody } from '../support/case-body.ts';
import { type CaseJson, postCase } from '../support/cases.ts';
import {
  createApiClient,
  createCategory,
  createWard,
  type Ward,
  type WardUsers,
  wardUsers,
} from '../support/fixtures.ts';
import { expectProblem } from '../support/problems.ts';

/**
 * Officers draft, heads approve (issue 16 §4): a department officer's answer is a proposal where the
 * ward wants approval; the head approves it (the case is answered, by the head, as of then) or sends
 * it back with a note; escalations keep running meanwhile; a ward may let officers answer directly.
 */
let t: TestApp;
let ward: Ward;
let users: WardUsers;
let apiKey: string;
let category: { code: string };

beforeAll(async () => {
  t = await createTestApp();
  [ward, apiKey, category] = await Promise.all([
    createWard(t),
    createApiClient(t, 'smart_haiphong'),
    // The default ladder on the working clock: every timer lies days ahead until a test moves it.
    createCategory(t, { defaultDepartmentCode: 'ktht' }),
  ]);
  users = await wardUsers(t.container.db, ward);
}, 120_000);
afterAll(() => t.close());

const post = (url: string, token: string, payload?: object, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url,
    headers: { ...bearer(token), ...headers },
    ...(payload ? { payload } : {}),
  });

const get = async (url: string, token: string) =>
  (await call(t.app, { method: 'GET', url, headers: bearer(token) } as InjectOptions, 200)).json();

/** A case of the ward's infrastructure department, as the app reports it: assigned at once. */
async function newCase(w: Ward = ward): Promise<CaseJson> {
  const c = await postCase(t.app, { 'x-api-key': apiKey }, caseBody(w.code, { categoryCode: category.code }));
  expect(c.status).toBe('assigned');
  return c;
}

const pendingTimers = (caseId: string) =>
  t.container.db
    .selectFrom('case_timers')
    .select(['id', 'step', 'generation', 'due_at'])
    .where('case_id', '=', caseId)
    .where('status', '=', 'pending')
    .orderBy('step')
    .execute();

const inbox = (userId: string, caseId: string) =>
  t.container.db
    .selectFrom('notifications')
    .select(['type', 'title', 'body'])
    .where('user_id', '=', userId)
    .where('case_id', '=', caseId)
    .orderBy('id')
    .execute();

const eventsOf = async (caseId: string) =>
  (await get(`/api/v1/cases/${caseId}/events?limit=200`, ward.tokens.intake)).items as {
    type: string;
    actor: { id: string | null };
    fromStatus: string | null;
    toStatus: string | null;
    data: Record<string, unknown>;
  }[];

const propose = (caseId: string, answer: string, token = ward.tokens.infraOfficer) =>
  post(`/api/v1/cases/${caseId}/respond`, token, {
    answer,
    attachments: [{ url: 'https://files.example.vn/bien-ban.pdf', name: 'Biên bản' }],
  });

describe('an officer proposes', () => {
  it('keeps the case where it is, shows the proposal to staff, tells the heads, and allows one at a time', async () => {
    const c = await newCase();
    const timersBefore = await pendingTimers(c.id);
    expect(timersBefore.map((x) => x.step)).toEqual(['chairman', 'overdue', 'reminder']);

    const res = await propose(c.id, 'Đã cử tổ điện lực thay bóng đèn trong tuần.');
    expect(res.statusCode, res.body).toBe(201);
    const proposal = res.json();
    expect(proposal).toMatchObject({
      status: 'proposed',
      caseId: c.id,
      answer: 'Đã cử tổ điện lực thay bóng đèn trong tuần.',
      proposedBy: { id: users.infraOfficer },
      decidedAt: null,
    });
    expect(proposal.id).toMatch(/^\d+$/);

    // The case is not answered: same status, no answer, a new version; the proposal is visible.
    const now = await get(`/api/v1/cases/${c.id}`, ward.tokens.infraHead);
    expect(now).toMatchObject({ status: 'assigned', answer: null, answeredAt: null, version: c.version + 1 });
    expect(now.pendingProposal).toMatchObject({
      id: proposal.id,
      answer: 'Đã cử tổ điện lực thay bóng đèn trong tuần.',
      proposedBy: { id: users.infraOfficer },
      attachments: [{ url: 'https://files.example.vn/bien-ban.pdf', name: 'Biên bản' }],
    });
    for (const token of [ward.tokens.intake, ward.tokens.chairman, ward.tokens.infraOfficer, t.adminToken])
      expect((await get(`/api/v1/cases/${c.id}`, token)).pendingProposal?.id).toBe(proposal.id);
    // The citizen's app never sees a draft.
    const byApp = await call(
      t.app,
      { method: 'GET', url: `/api/v1/cases/${c.id}`, headers: { 'x-api-key': apiKey } },
      200,
    );
    expect(byApp.json()).not.toHaveProperty('pendingProposal');
    expect(byApp.body).not.toContain('Đã cử tổ điện lực');

    // The escalation timers run on, untouched (same rows, same generation, same times).
    expect(await pendingTimers(c.id)).toEqual(timersBefore);

    // The head's inbox, not the officer's nor another department's.
    const told = await inbox(users.infraHead, c.id);
    expect(told).toHaveLength(1);
    expect(told[0]?.type).toBe('answer_proposal');
    expect(told[0]?.title).toContain(c.code);
    expect(await inbox(users.infraOfficer, c.id)).toEqual([]);
    expect(await inbox(users.cultureHead, c.id)).toEqual([]);
    const viaApi = await get('/api/v1/notifications?limit=50', ward.tokens.infraHead);
    expect(
      viaApi.items.some(
        (n: { type: string; caseId: string }) => n.type === 'answer_proposal' && n.caseId === c.id,
      ),
    ).toBe(true);

    // One waiting proposal per case: a second is refused in Vietnamese, and nothing changed.
    const again = await propose(c.id, 'Bản khác');
    const problem = expectProblem(again, 409) as { type?: string; detail?: string };
    expect(problem.type).toBe('urn:pakn:problem:proposal-pending');
    expect(problem.detail).toMatch(/đề xuất trả lời đang chờ/);
    expect((await get(`/api/v1/cases/${c.id}`, ward.tokens.intake)).version).toBe(c.version + 1);

    const events = await eventsOf(c.id);
    expect(events.at(-1)).toMatchObject({
      type: 'answer_proposed',
      actor: { id: users.infraOfficer },
      fromStatus: 'assigned',
      toStatus: 'assigned',
      data: { answerProposalId: proposal.id },
    });
  });

  it('lets the escalation ladder fire while the proposal waits (a proposal is not an answer)', async () => {
    const c = await newCase();
    expect((await propose(c.id, 'Dự thảo chờ duyệt')).statusCode).toBe(201);
    const overdue = (await pendingTimers(c.id)).find((x) => x.step === 'overdue');
    if (!overdue) throw new Error('no pending overdue timer');
    await t.container.db
      .updateTable('case_timers')
      .set({ due_at: sql`now() - interval '1 second'` })
      .where('id', '=', overdue.id)
      .execute();
    const job = createEscalationJob({
      db: t.container.db,
      queues: t.container.queues,
      log: pino({ level: 'silent' }),
    });
    expect(await job.run(overdue.id)).toMatchObject({ kind: 'fired', step: 'overdue', caseId: c.id });
    // The ward office and the head are told the case is late while the proposal waits.
    expect((await inbox(users.intake, c.id)).map((n) => n.type)).toEqual(['escalation']);
    expect((await inbox(users.infraHead, c.id)).map((n) => n.type).sort()).toEqual([
      'answer_proposal',
      'escalation',
    ]);
  });
});

describe('the head decides', () => {
  it('approves: the proposal becomes the answer, by the head, as of now; the ladder ends', async () => {
    const c = await newCase();
    await call(
      t.app,
      { method: 'POST', url: `/api/v1/cases/${c.id}/accept`, headers: bearer(ward.tokens.infraOfficer) },
      200,
    );
    const proposal = (await propose(c.id, 'Đã thay bóng đèn ngày 21/11.')).json();
    const proposed = await get(`/api/v1/cases/${c.id}`, ward.tokens.infraHead);
    expect(proposed.status).toBe('in_progress');

    // A stale If-Match is 412, like every action.
    const stale = await post(
      `/api/v1/cases/${c.id}/answer-proposals/${proposal.id}/approve`,
      ward.tokens.infraHead,
      undefined,
      { 'if-match': `"${proposed.version - 1}"` },
    );
    expectProblem(stale, 412);

    const before = Date.now();
    const res = await post(
      `/api/v1/cases/${c.id}/answer-proposals/${proposal.id}/approve`,
      ward.tokens.infraHead,
      { note: 'Đồng ý' },
      { 'if-match': `"${proposed.version}"` },
    );
    expect(res.statusCode, res.body).toBe(200);
    const answered = res.json();
    expect(res.headers.etag).toBe(`"${answered.version}"`);
    expect(answered).toMatchObject({
      status: 'answered',
      answer: { text: 'Đã thay bóng đèn ngày 21/11.' },
      attachments: expect.any(Array),
    });
    // Judged when published: answered at the approval, not at the proposal.
    expect(new Date(answered.answeredAt).getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(new Date(answered.answeredAt).getTime()).toBeGreaterThan(new Date(proposal.proposedAt).getTime());
    expect(await pendingTimers(c.id)).toEqual([]);
    expect((await get(`/api/v1/cases/${c.id}`, ward.tokens.infraHead)).pendingProposal).toBeUndefined();

    const row = await t.container.db
      .selectFrom('answer_proposals')
      .select(['status', 'decided_by_user_id', 'note'])
      .where('id', '=', proposal.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'approved', decided_by_user_id: users.infraHead, note: 'Đồng ý' });

    // Answered by the head: the event that answered the case is the head's.
    const events = await eventsOf(c.id);
    expect(events.map((e) => e.type).slice(-3)).toEqual(['accepted', 'answer_proposed', 'answer_approved']);
    expect(events.at(-1)).toMatchObject({
      actor: { id: users.infraHead },
      fromStatus: 'in_progress',
      toStatus: 'answered',
      data: {
        answerProposalId: proposal.id,
        proposedBy: users.infraOfficer,
        answer: 'Đã thay bóng đèn ngày 21/11.',
      },
    });
    // The reporter is told, as for any answer.
    const messages = await t.container.db
      .selectFrom('citizen_messages')
      .select('kind')
      .where('case_id', '=', c.id)
      .execute();
    expect(messages.map((m) => m.kind)).toContain('answered');

    // Decided once: again is 409 (the case is answered now).
    expectProblem(
      await post(`/api/v1/cases/${c.id}/answer-proposals/${proposal.id}/approve`, ward.tokens.infraHead),
      409,
    );
  });

  it('sends back with a required note: the case stays, the officer is told and may propose again', async () => {
    const c = await newCase();
    const proposal = (await propose(c.id, 'Sẽ xử lý.')).json();
    const url = `/api/v1/cases/${c.id}/answer-proposals/${proposal.id}/send-back`;

    const noNote = await post(url, ward.tokens.infraHead, {});
    const problem = expectProblem(noNote, 400, 'note') as { errors?: { path: string; message: string }[] };
    expect(problem.errors?.find((e) => e.path === 'note')?.message).toBe(
      'Cần ghi rõ lý do trả lại đề xuất trả lời',
    );
    expectProblem(await post(url, ward.tokens.infraHead, { note: '   ' }), 400, 'note');

    const before = await get(`/api/v1/cases/${c.id}`, ward.tokens.infraHead);
    const res = await post(url, ward.tokens.infraHead, { note: 'Cần nêu rõ ngày hoàn thành.' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      id: proposal.id,
      status: 'sent_back',
      note: 'Cần nêu rõ ngày hoàn thành.',
      decidedBy: { id: users.infraHead },
    });
    const after = await get(`/api/v1/cases/${c.id}`, ward.tokens.infraHead);
    expect(after).toMatchObject({
      status: before.status,
      dueAt: before.dueAt,
      answer: null,
    });
    expect(after).not.toHaveProperty('pendingProposal');
    expect((await pendingTimers(c.id)).length).toBe(3);

    const told = await inbox(users.infraOfficer, c.id);
    expect(told.map((n) => n.type)).toEqual(['answer_sent_back']);
    expect(told[0]?.body).toContain('Cần nêu rõ ngày hoàn thành.');
    expect((await eventsOf(c.id)).at(-1)).toMatchObject({
      type: 'answer_sent_back',
      actor: { id: users.infraHead },
      data: { answerProposalId: proposal.id, note: 'Cần nêu rõ ngày hoàn thành.' },
    });

    // Decided: neither approved nor sent back again; a new proposal is welcome.
    expectProblem(await post(url, ward.tokens.infraHead, { note: 'Lần nữa' }), 409);
    expectProblem(
      await post(`/api/v1/cases/${c.id}/answer-proposals/${proposal.id}/approve`, ward.tokens.infraHead),
      409,
    );
    const second = await propose(c.id, 'Sẽ thay bóng đèn trước ngày 25/11.');
    expect(second.statusCode).toBe(201);
    expect((await get(`/api/v1/cases/${c.id}`, ward.tokens.intake)).pendingProposal.id).toBe(
      second.json().id,
    );
  });

  it('a head who answers directly supersedes the waiting proposal', async () => {
    const c = await newCase();
    const proposal = (await propose(c.id, 'Dự thảo')).json();
    const res = await post(`/api/v1/cases/${c.id}/respond`, ward.tokens.infraHead, {
      answer: 'Trả lời của trưởng phòng.',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'answered', answer: { text: 'Trả lời của trưởng phòng.' } });
    const row = await t.container.db
      .selectFrom('answer_proposals')
      .select('status')
      .where('id', '=', proposal.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('superseded');
    expect((await eventsOf(c.id)).at(-1)).toMatchObject({
      type: 'answered',
      data: { supersededAnswerProposalId: proposal.id },
    });
    expectProblem(
      await post(`/api/v1/cases/${c.id}/answer-proposals/${proposal.id}/approve`, ward.tokens.infraHead),
      409,
    );
  });
});

describe('who may propose and decide', () => {
  it('another department’s head gets 404; an officer, intake or the chairman 403', async () => {
    const c = await newCase();
    const proposal = (await propose(c.id, 'Dự thảo')).json();
    const approve = `/api/v1/cases/${c.id}/answer-proposals/${proposal.id}/approve`;
    const sendBack = `/api/v1/cases/${c.id}/answer-proposals/${proposal.id}/send-back`;

    const missing = expectProblem(
      await post('/api/v1/cases/999999999999/answer-proposals/1/approve', ward.tokens.cultureHead),
      404,
    ) as { detail?: string };
    const other = expectProblem(await post(approve, ward.tokens.cultureHead), 404) as { detail?: string };
    expect(other.detail).toBe(missing.detail);
    expectProblem(await post(sendBack, ward.tokens.cultureHead, { note: 'Không phải của tôi' }), 404);

    for (const token of [ward.tokens.infraOfficer, ward.tokens.intake, ward.tokens.chairman]) {
      expectProblem(await post(approve, token), 403);
      expectProblem(await post(sendBack, token, { note: 'Trả lại' }), 403);
    }
    for (const token of [ward.tokens.intake, ward.tokens.chairman, t.adminToken])
      expectProblem(await propose(c.id, 'Không được đề xuất', token), 403);

    // A proposal id of another case is not this case's: 404.
    const d = await newCase();
    expectProblem(
      await post(`/api/v1/cases/${d.id}/answer-proposals/${proposal.id}/approve`, ward.tokens.infraHead),
      404,
    );

    // Nothing moved.
    const now = await get(`/api/v1/cases/${c.id}`, ward.tokens.infraHead);
    expect(now).toMatchObject({ status: 'assigned', pendingProposal: { id: proposal.id } });
  });

  it('another ward’s staff get 404 for the case and its proposal', async () => {
    const other = await createWard(t);
    const c = await newCase();
    const proposal = (await propose(c.id, 'Dự thảo')).json();
    expectProblem(
      await post(`/api/v1/cases/${c.id}/answer-proposals/${proposal.id}/approve`, other.tokens.infraHead),
      404,
    );
    expectProblem(await propose(c.id, 'Dự thảo khác', other.tokens.infraOfficer), 404);
  });
});

describe('the ward setting', () => {
  it('when officers need no approval, an officer answers the case directly', async () => {
    const w = await createWard(t);
    const shown = await get(`/api/v1/wards/${w.id}`, t.adminToken);
    expect(shown.officerAnswersNeedApproval).toBe(true);
    const patched = await call(
      t.app,
      {
        method: 'PATCH',
        url: `/api/v1/wards/${w.id}`,
        headers: { ...bearer(t.adminToken), 'if-match': `"${shown.version}"` },
        payload: { officerAnswersNeedApproval: false },
      },
      200,
    );
    expect(patched.json()).toMatchObject({ officerAnswersNeedApproval: false, name: shown.name });
    expectProblem(
      await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/wards/${w.id}`,
        headers: bearer(t.adminToken),
        payload: { officerAnswersNeedApproval: 'no' },
      }),
      400,
      'officerAnswersNeedApproval',
    );

    const c = await newCase(w);
    const res = await post(`/api/v1/cases/${c.id}/respond`, w.tokens.infraOfficer, {
      answer: 'Cán bộ trả lời trực tiếp.',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'answered', answer: { text: 'Cán bộ trả lời trực tiếp.' } });
    expect(await pendingTimers(c.id)).toEqual([]);
    const events = (await get(`/api/v1/cases/${c.id}/events`, w.tokens.intake)).items;
    expect(events.at(-1)).toMatchObject({
      type: 'answered',
      toStatus: 'answered',
      actor: { name: 'Cán bộ department_officer' },
    });
    const officer = await t.container.db
      .selectFrom('users')
      .select('id')
      .where('ward_id', '=', w.id)
      .where('role', '=', 'department_officer')
      .executeTakeFirstOrThrow();
    expect(events.at(-1).actor.id).toBe(officer.id);
    const proposals = await t.container.db
      .selectFrom('answer_proposals')
      .select('id')
      .where('case_id', '=', c.id)
      .execute();
    expect(proposals).toEqual([]);
  });
});
