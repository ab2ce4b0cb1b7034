import type { Transaction } from 'kysely';
import type { z } from 'zod';
import type { Db } from '../../db/database.ts';
import type { CaseRow, CaseStatus, CitizenMessageKind, Database } from '../../db/types.ts';
import { badRequest, conflict, forbidden, notFound, preconditionFailed } from '../../shared/errors.ts';
import type { Queues } from '../../shared/queues.ts';
import type { Principal } from '../auth/principal.ts';
import type { Publication } from '../directory/publication.ts';
import type { CitizenMessageData } from '../messages/citizen-templates.ts';
import { recordCitizenMessage } from '../messages/message-outbox.ts';
import { enqueueDeliveries } from '../notifications/delivery-queue.ts';
import { recordWebhookEvent } from '../notifications/webhook-outbox.ts';
import { answerDeadline, dueAfterResume, escalationTimers, remainingAtPause } from '../sla/deadlines.ts';
import { replaceTimers } from '../sla/timer-repository.ts';
import { addDuration } from '../sla/working-time.ts';
import type {
  assignBody,
  closeBody,
  extensionBody,
  noteBody,
  optionalNoteBody,
  publicationBody,
  ratingBody,
  rejectBody,
  reopenBody,
  respondBody,
} from './action-schemas.ts';
import {
  type CaseWithCategory,
  caseColumns,
  findCase,
  findCaseForUpdate,
  insertEvent,
  type NewEvent,
} from './case-repository.ts';
import { caseScope } from './case-scope.ts';
import { toCaseView } from './case-view.ts';
import type { IntakeContext, IntakeContextLoader } from './intake-context.ts';
import { publicationOf } from './public-view.ts';
import { type Actor, type CaseAction, decide } from './state-machine.ts';
import { statusLabels } from './status-labels.ts';

type Trx = Transaction<Database>;
type Locked = CaseWithCategory & { ward_code: string };
type Patch = Partial<{
  [K in keyof CaseRow]: CaseRow[K] extends Date | null ? Date | null : CaseRow[K];
}>;

/** What an action changes: the case columns, the event's type and data, and the SLA's new timers. */
type Change = {
  patch: Patch;
  event: string;
  data: Record<string, unknown>;
  /** The category the action classified the case into, when it did (assign may). */
  category?: { code: string; publication: Publication };
  /** New deadlines: the case's timers are replaced under a new SLA generation. */
  deadlines?: { acceptDueAt: Date | null; dueAt: Date | null };
  /** The status message the reporter is sent about it, if any. */
  message?: { kind: CitizenMessageKind; data: CitizenMessageData };
};

const actionLabels: Record<CaseAction, string> = {
  assign: 'chuyển xử lý',
  reject: 'từ chối tiếp nhận',
  accept: 'nhận xử lý',
  return: 'trả lại',
  request_info: 'yêu cầu bổ sung',
  resume: 'tiếp tục xử lý',
  request_extension: 'xin gia hạn',
  decide_extension: 'quyết định gia hạn',
  respond: 'trả lời',
  refuse_answer: 'trả lại câu trả lời',
  close: 'kết thúc',
  reopen: 'mở lại',
  rate: 'đánh giá',
  publish: 'công khai câu trả lời',
};

/** `If-Match: "3"`, `W/"3"`, `3` or `*`. */
function matchesVersion(ifMatch: string, version: number): boolean {
  return ifMatch
    .split(',')
    .map((t) => t.trim())
    .some((t) => t === '*' || t.replace(/^W\//, '').replaceAll('"', '') === String(version));
}

export type CaseActions = ReturnType<typeof createCaseActions>;

export function createCaseActions(deps: {
  db: Db;
  queues: Pick<Queues, 'deliveries'>;
  intakeContext: IntakeContextLoader;
  reopenWindowDays: number;
  /** Whether reporters are sent status messages (SMS_PROVIDER is not `none`). */
  messagesEnabled: boolean;
}) {
  const { db, intakeContext } = deps;

  const actorOf = (p: Principal, row: Pick<CaseRow, 'api_client_id'>): Actor =>
    p.kind === 'user'
      ? { kind: 'user', role: p.role }
      : { kind: 'api_client', owns: row.api_client_id === p.clientId };

  const eventActor = (
    p: Principal,
  ): Pick<NewEvent, 'actor_type' | 'actor_user_id' | 'actor_api_client_id'> =>
    p.kind === 'user'
      ? { actor_type: 'user', actor_user_id: p.userId, actor_api_client_id: null }
      : { actor_type: 'api_client', actor_user_id: null, actor_api_client_id: p.clientId };

  async function contextOf(
    row: Locked,
    categoryCode = row.category_code ?? undefined,
  ): Promise<IntakeContext> {
    const ctx = await intakeContext.get(row.ward_code, categoryCode);
    if (!ctx) throw notFound('Không tìm thấy phường/xã của phản ánh.');
    return ctx;
  }

  /** The category's SLA for the case's urgency; a case must be classified before it has one. */
  function slaOf(ctx: IntakeContext, row: Locked) {
    if (!ctx.category)
      throw badRequest('Phản ánh chưa được phân loại lĩnh vực.', [
        { path: 'categoryCode', message: 'Cần chọn lĩnh vực trước khi chuyển xử lý' },
      ]);
    return ctx.category.sla[row.urgency];
  }

  /**
   * Runs one action as one transaction: lock the case (404 outside the caller's scope), check
   * If-Match (412), the role and the status (403, 409), apply the change, bump the version, append
   * the event, replace the timers when deadlines move, and record the status-change webhook and the
   * reporter's status message.
   */
  async function run(
    caller: Principal,
    id: string,
    ifMatch: string | undefined,
    action: CaseAction,
    change: (row: Locked, trx: Trx, now: Date) => Promise<Change>,
  ) {
    const deliveries: string[] = [];
    const result = await db.transaction().execute(async (trx) => {
      const row = await findCaseForUpdate(trx, id, caseScope(caller));
      if (!row) throw notFound('Không tìm thấy phản ánh.');
      const decision = decide(action, row.status, actorOf(caller, row));
      if (!decision.ok && decision.reason === 'forbidden') throw forbidden();
      if (ifMatch !== undefined && !matchesVersion(ifMatch, row.version))
        throw preconditionFailed(`Phản ánh đã thay đổi (phiên bản hiện tại ${row.version}); hãy tải lại.`);
      if (!decision.ok)
        throw conflict(
          `Không thể ${actionLabels[action]} khi phản ánh đang ở trạng thái "${statusLabels[row.status]}" (${row.status}).`,
          'invalid-status',
        );
      const now = new Date();
      const c = await change(row, trx, now);
      const to: CaseStatus = decision.to;
      const generation = c.deadlines ? row.sla_generation + 1 : row.sla_generation;
      const updated = await trx
        .updateTable('cases')
        .set({
          ...c.patch,
          status: to,
          version: row.version + 1,
          sla_generation: generation,
          updated_at: now,
        } as never)
        .where('id', '=', row.id)
        .returning(caseColumns)
        .executeTakeFirstOrThrow();
      await insertEvent(trx, row.id, {
        type: c.event,
        ...eventActor(caller),
        from_status: row.status,
        to_status: to,
        data: c.data,
      });
      const categoryCode = c.category?.code ?? row.category_code;
      if (c.deadlines) {
        const ctx = await contextOf(row, categoryCode ?? undefined);
        await replaceTimers(trx, row.id, generation, escalationTimers(ctx.calendar, ctx.policy, c.deadlines));
      }
      if (to !== row.status) {
        deliveries.push(
          ...(await recordWebhookEvent(trx, 'case.status_changed', `status:${row.id}:${updated.version}`, {
            caseId: row.id,
            caseCode: row.code,
            wardCode: row.ward_code,
            fromStatus: row.status,
            toStatus: to,
            statusLabel: statusLabels[to],
            version: updated.version,
            at: now.toISOString(),
          })),
        );
      }
      if (c.message && deps.messagesEnabled)
        await recordCitizenMessage(trx, {
          caseId: row.id,
          kind: c.message.kind,
          key: `status:${row.id}:${updated.version}`,
          data: c.message.data,
        });
      return {
        ...updated,
        category_code: categoryCode,
        category_publication: c.category?.publication ?? row.category_publication,
      };
    });
    // After commit; the worker's sweep delivers whatever could not be enqueued here (Redis away).
    await enqueueDeliveries(deps.queues, deliveries).catch(() => {});
    return toCaseView(result, caller);
  }

  /** Deadlines while the answer clock runs, as the escalation ladder needs them. */
  const running = (dueAt: Date | null) => ({ acceptDueAt: null, dueAt });

  /**
   * Whether a closed case's answer is published, and in which words (design.md §1: a decision, not a
   * default): by default yes for a `public` case, no for a `status_only` one; never for a confidential
   * reporter; an edited public text only with a published answer. The answer as given stays.
   */
  function publicationDecision(row: Locked, publish: boolean | undefined, text: string | undefined) {
    const publication = publicationOf(row);
    const published = publish ?? publication === 'public';
    if (published && row.reporter_confidential)
      throw badRequest('Không công khai câu trả lời cho người phản ánh đề nghị giữ bí mật.', [
        { path: 'publish', message: 'Người phản ánh đề nghị giữ bí mật: câu trả lời không được công khai' },
      ]);
    if (!published && text !== undefined)
      throw badRequest('Chỉ sửa nội dung công khai khi công khai câu trả lời.', [
        { path: 'publicAnswer', message: 'Cần publish: true để có nội dung công khai' },
      ]);
    return {
      patch: { answer_published: published, public_answer: published ? (text ?? null) : null },
      data: { published, publicAnswer: published ? (text ?? null) : null, publication },
    };
  }

  return {
    assign: (caller: Principal, id: string, ifMatch: string | undefined, body: z.output<typeof assignBody>) =>
      run(caller, id, ifMatch, 'assign', async (row, trx, now) => {
        const dept = await trx
          .selectFrom('departments')
          .select(['id', 'name'])
          .where('id', '=', body.departmentId)
          .where('ward_id', '=', row.ward_id)
          .executeTakeFirst();
        if (!dept)
          throw badRequest('Đơn vị không thuộc phường/xã của phản ánh.', [
            { path: 'departmentId', message: 'Không tìm thấy đơn vị trong phường/xã' },
          ]);
        const ctx = await contextOf(row, body.categoryCode ?? row.category_code ?? undefined);
        if (body.categoryCode && !ctx.category)
          throw badRequest(`Không có lĩnh vực mã ${body.categoryCode}.`, [
            { path: 'categoryCode', message: 'Không tìm thấy lĩnh vực' },
          ]);
        const dueAt = answerDeadline(ctx.calendar, now, slaOf(ctx, row));
        return {
          patch: {
            department_id: dept.id,
            category_id: ctx.category?.id ?? row.category_id,
            assigned_at: now,
            due_at: dueAt,
            paused_at: null,
            sla_remaining_seconds: null,
          },
          event: row.status === 'received' ? 'assigned' : 'transferred',
          data: {
            departmentId: dept.id,
            departmentName: dept.name,
            fromDepartmentId: row.department_id,
            dueAt: dueAt.toISOString(),
            note: body.note ?? null,
            ...(body.categoryCode ? { categoryCode: body.categoryCode } : {}),
          },
          ...(body.categoryCode && ctx.category
            ? { category: { code: ctx.category.code, publication: ctx.category.publication } }
            : {}),
          deadlines: running(dueAt),
          message: { kind: 'assigned', data: { departmentName: dept.name, dueAt: dueAt.toISOString() } },
        };
      }),

    reject: (caller: Principal, id: string, ifMatch: string | undefined, body: z.output<typeof rejectBody>) =>
      run(caller, id, ifMatch, 'reject', async (row, trx) => {
        let original: CaseWithCategory | undefined;
        if (body.duplicateOf !== undefined) {
          const found =
            body.duplicateOf !== row.id &&
            (await findCase(trx, body.duplicateOf, { kind: 'ward', wardId: row.ward_id }));
          if (!found)
            throw badRequest('Phản ánh gốc không tồn tại trong phường/xã.', [
              { path: 'duplicateOf', message: 'Không tìm thấy phản ánh gốc' },
            ]);
          original = found;
        }
        return {
          patch: {
            reject_reason: body.reason,
            duplicate_of: body.duplicateOf ?? null,
            closed_at: new Date(),
          },
          event: 'rejected',
          data: { reason: body.reason, note: body.note ?? null, duplicateOf: body.duplicateOf ?? null },
          deadlines: { acceptDueAt: null, dueAt: null },
          message: {
            kind: 'rejected',
            data: { reason: body.reason, duplicateOfCode: original?.code ?? null },
          },
        };
      }),

    accept: (
      caller: Principal,
      id: string,
      ifMatch: string | undefined,
      body: z.output<typeof optionalNoteBody>,
    ) =>
      run(caller, id, ifMatch, 'accept', async () => ({
        patch: {},
        event: 'accepted',
        data: { note: body?.note ?? null },
      })),

    return: (caller: Principal, id: string, ifMatch: string | undefined, body: z.output<typeof noteBody>) =>
      run(caller, id, ifMatch, 'return', async (row) => ({
        // Back to the ward office, whose acceptance clock kept running (design.md §3).
        patch: {
          department_id: null,
          assigned_at: null,
          due_at: null,
          paused_at: null,
          sla_remaining_seconds: null,
        },
        event: 'returned',
        data: { departmentId: row.department_id, note: body.note },
        deadlines: { acceptDueAt: row.accept_due_at, dueAt: null },
      })),

    requestInfo: (
      caller: Principal,
      id: string,
      ifMatch: string | undefined,
      body: z.output<typeof noteBody>,
    ) =>
      run(caller, id, ifMatch, 'request_info', async (row, _trx, now) => {
        const ctx = await contextOf(row);
        const dueAt = row.due_at ?? now;
        const remaining = remainingAtPause(ctx.calendar, slaOf(ctx, row).clock, now, dueAt);
        return {
          patch: { paused_at: now, sla_remaining_seconds: remaining },
          event: 'info_requested',
          data: { note: body.note, remainingSeconds: remaining },
          // The clock stops: no timers until it resumes.
          deadlines: { acceptDueAt: null, dueAt: null },
        };
      }),

    resume: (
      caller: Principal,
      id: string,
      ifMatch: string | undefined,
      body: z.output<typeof optionalNoteBody>,
    ) =>
      run(caller, id, ifMatch, 'resume', async (row, _trx, now) => {
        const ctx = await contextOf(row);
        const dueAt = dueAfterResume(
          ctx.calendar,
          slaOf(ctx, row).clock,
          now,
          row.sla_remaining_seconds ?? 0,
        );
        return {
          patch: { paused_at: null, sla_remaining_seconds: null, due_at: dueAt },
          event: 'resumed',
          data: {
            note: body?.note ?? null,
            dueAt: dueAt.toISOString(),
            pausedAt: row.paused_at?.toISOString() ?? null,
          },
          deadlines: running(dueAt),
        };
      }),

    respond: (
      caller: Principal,
      id: string,
      ifMatch: string | undefined,
      body: z.output<typeof respondBody>,
    ) =>
      run(caller, id, ifMatch, 'respond', async (_row, _trx, now) => ({
        patch: {
          answer_text: body.answer,
          answered_at: now,
          answer_attachments: JSON.stringify(body.attachments) as never,
        },
        event: 'answered',
        // The answer as given stays on the timeline, whatever public text the ward office publishes.
        data: { answer: body.answer, attachments: body.attachments.length },
        deadlines: { acceptDueAt: null, dueAt: null },
        message: { kind: 'answered', data: {} },
      })),

    refuseAnswer: (
      caller: Principal,
      id: string,
      ifMatch: string | undefined,
      body: z.output<typeof noteBody>,
    ) =>
      run(caller, id, ifMatch, 'refuse_answer', async (row) => ({
        // The answer misses the point: back to the department with the same deadline.
        patch: { answer_text: null, answered_at: null, answer_attachments: '[]' as never },
        event: 'answer_refused',
        data: { note: body.note, refusedAnswer: row.answer_text },
        deadlines: running(row.due_at),
      })),

    close: (caller: Principal, id: string, ifMatch: string | undefined, body: z.output<typeof closeBody>) =>
      run(caller, id, ifMatch, 'close', async (row, _trx, now) => {
        const decision = publicationDecision(row, body?.publish, body?.publicAnswer);
        return {
          patch: { closed_at: now, ...decision.patch },
          event: 'closed',
          data: { note: body?.note ?? null, publication: decision.data },
          message: { kind: 'closed', data: {} },
        };
      }),

    /** The ward office changes its mind about a closed case's public answer (or its words). */
    publish: (
      caller: Principal,
      id: string,
      ifMatch: string | undefined,
      body: z.output<typeof publicationBody>,
    ) =>
      run(caller, id, ifMatch, 'publish', async (row) => {
        const decision = publicationDecision(row, body.publish, body.publicAnswer);
        return { patch: decision.patch, event: 'publication_changed', data: decision.data };
      }),

    reopen: (caller: Principal, id: string, ifMatch: string | undefined, body: z.output<typeof reopenBody>) =>
      run(caller, id, ifMatch, 'reopen', async (row, _trx, now) => {
        const closedAt = row.closed_at ?? now;
        if (now.getTime() - closedAt.getTime() > deps.reopenWindowDays * 86_400_000)
          throw conflict(
            `Chỉ mở lại được trong ${deps.reopenWindowDays} ngày sau khi hoàn thành.`,
            'reopen-window',
          );
        const ctx = await contextOf(row);
        const dueAt = answerDeadline(ctx.calendar, now, slaOf(ctx, row));
        return {
          patch: {
            closed_at: null,
            answered_at: null,
            answer_text: null,
            answer_published: null,
            public_answer: null,
            answer_attachments: '[]' as never,
            assigned_at: now,
            due_at: dueAt,
          },
          event: 'reopened',
          data: { reason: body.reason, previousAnswer: row.answer_text, dueAt: dueAt.toISOString() },
          deadlines: running(dueAt),
        };
      }),

    rate: (caller: Principal, id: string, ifMatch: string | undefined, body: z.output<typeof ratingBody>) =>
      run(caller, id, ifMatch, 'rate', async () => ({
        patch: { rating_score: body.score, rating_comment: body.comment ?? null },
        event: 'rated',
        data: { score: body.score, comment: body.comment ?? null },
      })),

    async requestExtension(caller: Principal, id: string, body: z.output<typeof extensionBody>) {
      if (caller.kind !== 'user') throw forbidden();
      let requestId = '';
      await run(caller, id, undefined, 'request_extension', async (row, trx) => {
        const ctx = await contextOf(row);
        try {
          addDuration(ctx.calendar, row.due_at ?? new Date(), body.extendBy, slaOf(ctx, row).clock);
        } catch (err) {
          throw badRequest((err as Error).message, [
            { path: 'extendBy', message: 'Không dùng được với đồng hồ của lĩnh vực' },
          ]);
        }
        const pending = await trx
          .selectFrom('extension_requests')
          .select('id')
          .where('case_id', '=', row.id)
          .where('status', '=', 'pending')
          .executeTakeFirst();
        if (pending)
          throw conflict('Phản ánh đã có một đề nghị gia hạn đang chờ duyệt.', 'extension-pending');
        const created = await trx
          .insertInto('extension_requests')
          .values({
            case_id: row.id,
            extend_by: body.extendBy,
            reason: body.reason,
            requested_by_user_id: caller.userId,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        requestId = created.id;
        return {
          patch: {},
          event: 'extension_requested',
          data: { extensionRequestId: created.id, extendBy: body.extendBy, reason: body.reason },
        };
      });
      return this.getExtension(requestId);
    },

    async decideExtension(
      caller: Principal,
      id: string,
      rid: string,
      approve: boolean,
      body: z.output<typeof optionalNoteBody>,
    ) {
      if (caller.kind !== 'user') throw forbidden();
      await run(caller, id, undefined, 'decide_extension', async (row, trx, now) => {
        const req = await trx
          .selectFrom('extension_requests')
          .selectAll()
          .where('id', '=', rid)
          .where('case_id', '=', row.id)
          .executeTakeFirst();
        if (!req) throw notFound('Không tìm thấy đề nghị gia hạn.');
        if (req.status !== 'pending')
          throw conflict('Đề nghị gia hạn đã được quyết định.', 'extension-decided');
        await trx
          .updateTable('extension_requests')
          .set({
            status: approve ? 'approved' : 'refused',
            decided_by_user_id: caller.userId,
            decided_at: now,
            decision_note: body?.note ?? null,
          })
          .where('id', '=', rid)
          .execute();
        const data = { extensionRequestId: rid, extendBy: req.extend_by, note: body?.note ?? null };
        if (!approve) return { patch: {}, event: 'extension_refused', data };
        const ctx = await contextOf(row);
        const clock = slaOf(ctx, row).clock;
        if (row.status === 'awaiting_info') {
          // Paused: the extension lengthens what is left once the clock runs again.
          const base = row.paused_at ?? now;
          const extended = addDuration(ctx.calendar, base, req.extend_by, clock);
          const added = remainingAtPause(ctx.calendar, clock, base, extended);
          const remaining = (row.sla_remaining_seconds ?? 0) + added;
          return {
            patch: { sla_remaining_seconds: remaining },
            event: 'extension_approved',
            data: { ...data, remainingSeconds: remaining },
          };
        }
        const dueAt = addDuration(ctx.calendar, row.due_at ?? now, req.extend_by, clock);
        return {
          patch: { due_at: dueAt },
          event: 'extension_approved',
          data: { ...data, previousDueAt: row.due_at?.toISOString() ?? null, dueAt: dueAt.toISOString() },
          deadlines: running(dueAt),
        };
      });
      return this.getExtension(rid);
    },

    async getExtension(rid: string) {
      const r = await db
        .selectFrom('extension_requests')
        .selectAll()
        .where('id', '=', rid)
        .executeTakeFirstOrThrow();
      return {
        id: r.id,
        caseId: r.case_id,
        status: r.status,
        extendBy: r.extend_by,
        reason: r.reason,
        createdAt: r.created_at.toISOString(),
        decidedAt: r.decided_at?.toISOString() ?? null,
        decisionNote: r.decision_note,
      };
    },
  };
}
