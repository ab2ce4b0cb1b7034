import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { CaseRow, CaseStatus, CitizenMessageKind, Database } from '../../db/types.ts';
import { badRequest, conflict, forbidden, notFound, preconditionFailed } from '../../shared/errors.ts';
import type { Queues } from '../../shared/queues.ts';
import { matchesVersion } from '../../shared/versions.ts';
import type { Principal } from '../auth/principal.ts';
import {
  type CaseWithCategory,
  caseColumns,
  findCaseForUpdate,
  insertEvent,
} from '../cases/case-repository.ts';
import { caseScope } from '../cases/case-scope.ts';
import { toCaseView } from '../cases/case-view.ts';
import { eventActorOf } from '../cases/event-actor.ts';
import type { IntakeContext, IntakeContextLoader } from '../cases/intake-context.ts';
import { statusLabels } from '../cases/status-labels.ts';
import type { Publication } from '../directory/publication.ts';
import type { CitizenMessageData } from '../messages/citizen-templates.ts';
import { recordCitizenMessage } from '../messages/message-outbox.ts';
import { enqueueDeliveries } from '../notifications/delivery-queue.ts';
import { recordWebhookEvent } from '../notifications/webhook-outbox.ts';
import { escalationTimers, type RunningDeadlines } from '../sla/deadlines.ts';
import { replaceTimers } from '../sla/timer-repository.ts';
import { supersedePending } from './answer-proposal-repository.ts';
import { supersedesPendingProposal } from './answer-proposals.ts';
import { type Actor, type CaseAction, decide } from './state-machine.ts';

type Trx = Transaction<Database>;
/** The case an action works on, locked for its transaction, with its ward's code for the SLA context. */
export type Locked = CaseWithCategory & { ward_code: string };
type Patch = Partial<{
  [K in keyof CaseRow]: CaseRow[K] extends Date | null ? Date | null : CaseRow[K];
}>;

/** What an action changes: the case columns, the event's type and data, and the SLA's new timers. */
export type Change = {
  patch: Patch;
  event: string;
  data: Record<string, unknown>;
  /** The category the action classified the case into, when it did (assign may). */
  category?: { code: string; publication: Publication };
  /** New deadlines: the case's timers are replaced under a new SLA generation. */
  deadlines?: RunningDeadlines;
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
  propose_answer: 'đề xuất trả lời',
  approve_answer: 'duyệt đề xuất trả lời',
  send_back_answer: 'trả lại đề xuất trả lời',
  refuse_answer: 'trả lại câu trả lời',
  close: 'kết thúc',
  reopen: 'mở lại',
  rate: 'đánh giá',
  publish: 'công khai câu trả lời',
};

/** Who acts, as the state machine judges it: a staff role, or the channel client that owns the case. */
const deciderOf = (p: Principal, row: Pick<CaseRow, 'api_client_id'>): Actor =>
  p.kind === 'user'
    ? { kind: 'user', role: p.role }
    : { kind: 'api_client', owns: row.api_client_id === p.clientId };

/** Deadlines while the answer clock runs, as the escalation ladder needs them. */
export const running = (dueAt: Date | null): RunningDeadlines => ({ acceptDueAt: null, dueAt });

export type WorkflowEngine = ReturnType<typeof createWorkflowEngine>;
export type WorkflowEngineDeps = {
  db: Db;
  queues: Pick<Queues, 'deliveries'>;
  intakeContext: IntakeContextLoader;
  /** Whether reporters are sent status messages (SMS_PROVIDER is not `none`). */
  messagesEnabled: boolean;
};

/**
 * The transaction every workflow action runs in (design.md §3). `run` locks the case (404 outside
 * the caller's scope), checks If-Match (412), the role and the status against the state machine (403,
 * 409), applies the action's change, bumps the version, appends the event, replaces the escalation
 * timers when deadlines move, and records the status-change webhook and the reporter's status
 * message — all in one commit; webhook deliveries are handed to the queue after it.
 */
export function createWorkflowEngine(deps: WorkflowEngineDeps) {
  const { db, intakeContext } = deps;

  /** The ward's calendar and ladder and the case's category, as intake reads them. */
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
      const decision = decide(action, row.status, deciderOf(caller, row));
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
      // An officer's draft still waiting for the head no longer applies once the case has left the
      // department's hands (answered, returned, transferred, rejected).
      const superseded = supersedesPendingProposal(row, updated)
        ? await supersedePending(trx, row.id, now)
        : undefined;
      await insertEvent(trx, row.id, {
        type: c.event,
        ...eventActorOf(caller),
        from_status: row.status,
        to_status: to,
        data: superseded ? { ...c.data, supersededAnswerProposalId: superseded } : c.data,
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
      if (c.message && deps.messagesEnabled && row.reporter_phone !== null)
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

  return { run, contextOf, slaOf };
}
