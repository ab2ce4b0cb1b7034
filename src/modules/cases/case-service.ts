import { tz } from '@date-fns/tz';
import { format } from 'date-fns/format';
import { sql } from 'kysely';
import type { Db, Pool } from '../../db/database.ts';
import { badRequest, forbidden, notFound, serviceUnavailable } from '../../shared/errors.ts';
import { decodeCursor, page } from '../../shared/http.ts';
import type { Queues } from '../../shared/queues.ts';
import { vietnamDayStart } from '../../shared/vietnam-day.ts';
import type { Principal } from '../auth/principal.ts';
import { enqueueDeliveries } from '../notifications/delivery-queue.ts';
import { acceptDeadline, answerDeadline, escalationTimers } from '../sla/deadlines.ts';
import { businessSecondsBetween } from '../sla/working-time.ts';
import { latestReturns, overdueGroups, type QueueKind, queueCounts, queueQuery } from './case-queues.ts';
import {
  type CaseWithCategory,
  caseColumns,
  findCase,
  findIdempotent,
  listEvents,
  type NewEvent,
  pendingAnswerProposal,
  scoped,
  selectCases,
  sharedIdChannels,
} from './case-repository.ts';
import type { CreateCaseInput, ListCasesQuery } from './case-schemas.ts';
import { caseScope } from './case-scope.ts';
import { parseSearch, phoneSearchKey, windowable } from './case-search.ts';
import { toCaseView } from './case-view.ts';
import { eventActorOf } from './event-actor.ts';
import { type IntakeContext, type IntakeContextLoader, refuseRetired } from './intake-context.ts';
import { type DuplicateCheck, insertIntake } from './intake-statement.ts';
import { type DuplicateProbe, matchDuplicate, probeWorthLooking } from './likely-duplicates.ts';
import { phoneKey } from './personal-data.ts';
import { selectPublicCases, toPublicCase } from './public-view.ts';
import { answerClockRunning, statusLabels } from './status-labels.ts';
import type { TrackingTokens } from './tracking-link.ts';

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** A calendar day given without a time means that day in Vietnam (`nextDay`: the day after it). */
const dayStart = (v: string, nextDay = false) => {
  if (v.length > 10) return new Date(v);
  const d = vietnamDayStart(v);
  return nextDay ? new Date(d.getTime() + 86_400_000) : d;
};

export type CaseService = ReturnType<typeof createCaseService>;

/**
 * Who may look cases up by the reporter's phone: the ward office, which takes the calls (department
 * staff see a reporter's phone on a case, but not all of a caller's cases through it).
 */
const looksUpCallers = (p: Principal) => p.kind === 'user' && p.role === 'intake';

/** A case's reporter's phone in its one form (pakn_phone_key, the index cases_ward_phone_idx). */
const phoneKeyOf = sql<string>`pakn_phone_key(cases.reporter_phone)`;

/** Open cases: those a new call could repeat. */
const openStatuses = ['received', 'assigned', 'in_progress', 'awaiting_info'] as const;

/** What one call's rows share while working out their time left (see leftOf). */
type LeftMemo = {
  wards: Map<string, Promise<string>>;
  contexts: Map<string, Promise<IntakeContext | null>>;
};
const newLeftMemo = (): LeftMemo => ({ wards: new Map(), contexts: new Map() });

/** The ward-local `yyMMdd` of case codes, worked out once a minute per time zone (intake is hot). */
function codeDayOf() {
  const last = new Map<string, { minute: number; day: string }>();
  return (now: Date, timeZone: string): string => {
    const minute = Math.floor(now.getTime() / 60_000);
    const hit = last.get(timeZone);
    if (hit?.minute === minute) return hit.day;
    const day = format(now, 'yyMMdd', { in: tz(timeZone) });
    last.set(timeZone, { minute, day });
    return day;
  };
}

export function createCaseService(deps: {
  db: Db;
  pool: Pool;
  /** Where intake hands its `case.created` webhook deliveries once committed. */
  queues: Pick<Queues, 'deliveries'>;
  intakeContext: IntakeContextLoader;
  /** How many of a ward's newest cases a search reads before it turns to the trigram index (see list). */
  searchWindow: number;
  /** Whether reporters are sent status messages (SMS_PROVIDER is not `none`). */
  messagesEnabled: boolean;
  /** How intake looks for likely duplicates; null: it does not. */
  duplicates: DuplicateCheck | null;
  /** Checks the reporter's own tracking link. */
  tracking: Pick<TrackingTokens, 'matches'>;
}) {
  const { db, pool, intakeContext, searchWindow } = deps;
  const codeDay = codeDayOf();

  /**
   * Time left to a case's running deadline, or how late it is, as the SLA engine counts it: working
   * seconds of the ward's calendar where the deadline's clock is working time, plain seconds where it
   * is continuous. The accept deadline while the case waits for the ward office, the answer deadline
   * while the department's clock runs; null otherwise (answered, closed, paused for information).
   * `memo` remembers ward codes and SLA contexts across the rows of one call: a queue's 200 rows share
   * a few, and when the context cache has just expired each row asking for itself sent its own reads
   * (hundreds of statements queued for the pool: a queue page's p95 of 300 ms at a million cases).
   */
  async function leftOf(row: CaseWithCategory, now: Date, memo: LeftMemo) {
    let code = memo.wards.get(row.ward_id);
    if (!code) {
      code = db
        .selectFrom('wards')
        .select('code')
        .where('id', '=', row.ward_id)
        .executeTakeFirstOrThrow()
        .then((w) => w.code);
      memo.wards.set(row.ward_id, code);
    }
    const key = `${row.ward_id}\u0000${row.category_code ?? ''}`;
    let context = memo.contexts.get(key);
    if (!context) {
      context = code.then((c) => intakeContext.get(c, row.category_code ?? undefined));
      memo.contexts.set(key, context);
    }
    const ctx = await context;
    if (!ctx) return null;
    const left = (due: Date, working: boolean) => ({
      dueAt: due.toISOString(),
      working,
      // Past its deadline by the clock, even where no working time has passed since (a deadline that
      // fell at 11:45, read during the lunch break: 0 working seconds late, yet late).
      overdue: due < now,
      seconds: !working
        ? (due.getTime() - now.getTime()) / 1000
        : due > now
          ? businessSecondsBetween(ctx.calendar, now, due)
          : -businessSecondsBetween(ctx.calendar, due, now),
    });
    if (row.status === 'received' && row.accept_due_at)
      return {
        deadline: 'accept' as const,
        ...left(row.accept_due_at, ctx.policy.acceptWithin.clock === 'working'),
      };
    if (answerClockRunning.includes(row.status) && row.due_at && !row.paused_at)
      return {
        deadline: 'answer' as const,
        ...left(row.due_at, ctx.category?.sla[row.urgency].clock !== 'continuous'),
      };
    return null;
  }

  /** A case as its caller sees it; staff also see an officer's draft answer waiting for the head, a channel's app does not. */
  async function fullView(caller: Principal, row: CaseWithCategory) {
    const view = toCaseView(row, caller);
    const pending = caller.kind === 'user' ? await pendingAnswerProposal(db, row.id) : null;
    return pending ? { ...view, pendingProposal: pending } : view;
  }

  /**
   * A work queue (case-queues.ts): the cases of one queue in the caller's scope, first things first,
   * with the time left to each (as timeLeft) and, for cases waiting for classification, the latest
   * return by a department if there was one. At most `limit`: a queue is worked from its top.
   */
  async function queue(caller: Principal, kind: QueueKind, limit: number, now = new Date()) {
    const rows = await queueQuery(db, caseScope(caller), kind, now)
      .orderBy('cases.id')
      .limit(limit)
      .execute();
    const returns =
      kind === 'triage' || kind === 'returned'
        ? await latestReturns(
            db,
            rows.map((r) => r.id),
          )
        : new Map<string, never>();
    const memo = newLeftMemo();
    return Promise.all(
      rows.map(async (row) => {
        const r = returns.get(row.id);
        return {
          ...toCaseView(row, caller, now),
          left: await leftOf(row, now, memo),
          returned: r ? { at: r.at.toISOString(), departmentName: r.departmentName, note: r.note } : null,
        };
      }),
    );
  }

  return {
    /** Logs a case; `created` is false when the channel's externalId was already used (idempotent retry). */
    async intake(caller: Principal, input: CreateCaseInput) {
      if (caller.kind === 'api_client' && input.channel !== caller.channel)
        throw forbidden(`API key này chỉ được gửi phản ánh qua kênh ${caller.channel}.`);

      const ctx = await intakeContext.get(input.wardCode, input.categoryCode);
      if (!ctx)
        throw badRequest(`Không có phường/xã mã ${input.wardCode}.`, [
          { path: 'wardCode', message: 'Không tìm thấy phường/xã' },
        ]);
      if (caller.kind === 'user' && caller.wardId !== ctx.ward.id)
        throw forbidden('Bạn chỉ tiếp nhận phản ánh cho phường/xã của mình.');
      if (input.categoryCode !== undefined && !ctx.category)
        throw badRequest(`Không có lĩnh vực mã ${input.categoryCode}.`, [
          { path: 'categoryCode', message: 'Không tìm thấy lĩnh vực' },
        ]);
      refuseRetired(ctx);

      const now = new Date();
      const departmentId = ctx.category?.defaultDepartmentId ?? null;
      const acceptDueAt = acceptDeadline(ctx.calendar, now, ctx.policy);
      const dueAt =
        departmentId && ctx.category
          ? answerDeadline(ctx.calendar, now, ctx.category.sla[input.urgency])
          : null;
      const status = departmentId ? 'assigned' : 'received';
      const timers = escalationTimers(ctx.calendar, ctx.policy, {
        acceptDueAt: status === 'received' ? acceptDueAt : null,
        dueAt,
      });
      const events: NewEvent[] = [
        {
          type: 'received',
          ...eventActorOf(caller),
          from_status: null,
          to_status: 'received',
          data: { channel: input.channel, externalId: input.externalId ?? null },
        },
      ];
      if (departmentId)
        events.push({
          type: 'assigned',
          actor_type: 'system',
          actor_user_id: null,
          actor_api_client_id: null,
          from_status: 'received',
          to_status: 'assigned',
          data: { departmentId, auto: true, dueAt: dueAt?.toISOString() ?? null },
        });

      const day = codeDay(now, ctx.calendar.timezone);
      const written = await insertIntake(pool, {
        row: {
          codePrefix: `${ctx.ward.code}-${day}-`,
          ward_id: ctx.ward.id,
          channel: input.channel,
          external_id: input.externalId ?? null,
          api_client_id: caller.kind === 'api_client' ? caller.clientId : null,
          created_by_user_id: caller.kind === 'user' ? caller.userId : null,
          status,
          urgency: input.urgency,
          category_id: ctx.category?.id ?? null,
          department_id: departmentId,
          title: input.title ?? null,
          description: input.description,
          reporter_name: input.reporter.name ?? null,
          reporter_phone: input.reporter.phone ?? null,
          reporter_email: input.reporter.email ?? null,
          reporter_confidential: input.reporter.confidential,
          location_address: input.location?.address ?? null,
          location_residential_group: input.location?.residentialGroup ?? null,
          location_lat: input.location?.lat ?? null,
          location_lng: input.location?.lng ?? null,
          attachments: input.attachments,
          received_at: now,
          accept_due_at: acceptDueAt,
          assigned_at: departmentId ? now : null,
          due_at: dueAt,
        },
        events,
        timers,
        // Status messages go by SMS: a reporter who left an e-mail address only gets none.
        message:
          deps.messagesEnabled && input.reporter.phone !== undefined
            ? {
                departmentName: departmentId ? ctx.category?.defaultDepartmentName : null,
                dueAt: dueAt?.toISOString() ?? null,
              }
            : null,
        // Duplicates are looked for among cases of the same category, near the same map point.
        duplicates: ctx.category && input.location?.lat !== undefined ? deps.duplicates : null,
        sharedIdChannels,
        // Like case.status_changed, it names the case and never the reporter.
        created: {
          wardCode: ctx.ward.code,
          channel: input.channel,
          status,
          statusLabel: statusLabels[status],
          categoryCode: ctx.category?.code ?? null,
          urgency: input.urgency,
          at: now.toISOString(),
        },
      });
      if (written) {
        // After the statement; the worker's sweep delivers whatever could not be enqueued (Redis away).
        await enqueueDeliveries(deps.queues, written.deliveryIds).catch(() => {});
        const row = written.case;
        return {
          created: true,
          case: toCaseView(
            {
              ...row,
              category_code: ctx.category?.code ?? null,
              category_publication: ctx.category?.publication ?? null,
            },
            caller,
          ),
        };
      }

      // The externalId was used before by this caller (or, for staff, in their ward): that case.
      const visible = await findIdempotent(db, {
        wardId: ctx.ward.id,
        channel: input.channel,
        externalId: input.externalId as string,
        apiClientId: caller.kind === 'api_client' ? caller.clientId : null,
      });
      // Only a filing racing another filer's at the same instant gets here without one: try again.
      if (!visible)
        throw serviceUnavailable('Phản ánh đang được ghi cùng lúc từ nơi khác; vui lòng gửi lại.');
      return { created: false, case: toCaseView(visible, caller) };
    },

    /**
     * A case as anyone holding its code may see it (404 for a code that names no case); with the
     * reporter's token (`t` of the link in their messages), as the reporter sees it. A token that is
     * not this case's is 404 too: it shows nothing a stranger could not see without it.
     */
    async publicStatus(code: string, token?: string) {
      const row = await selectPublicCases(db).where('cases.code', '=', code).executeTakeFirst();
      if (!row) throw notFound(`Không có phản ánh mã ${code}.`);
      if (token === undefined) return toPublicCase(row);
      if (!(await deps.tracking.matches(row.tracking_nonce, token)))
        throw notFound(`Không có phản ánh mã ${code} với đường dẫn theo dõi này.`);
      return toPublicCase(row, 'reporter');
    },

    /** 404 unless the caller may see the case (for the modules that answer about a case: its escalations, its messages). */
    async requireVisible(caller: Principal, id: string): Promise<void> {
      if (!(await findCase(db, id, caseScope(caller)))) throw notFound('Không tìm thấy phản ánh.');
    },

    async get(caller: Principal, id: string) {
      const row = await findCase(db, id, caseScope(caller));
      if (!row) throw notFound('Không tìm thấy phản ánh.');
      return fullView(caller, row);
    },

    /** The case (as `get`) and the time left to its running deadline (as `timeLeft`), from one read. */
    async getWithTimeLeft(caller: Principal, id: string, now = new Date()) {
      const row = await findCase(db, id, caseScope(caller));
      if (!row) throw notFound('Không tìm thấy phản ánh.');
      const [view, left] = await Promise.all([fullView(caller, row), leftOf(row, now, newLeftMemo())]);
      return { case: view, left };
    },

    /**
     * Time left to a case's running deadline, or how late it is, as the SLA engine counts it: working
     * seconds of the ward's calendar where the deadline's clock is working time, plain seconds where it
     * is continuous. The accept deadline while the case waits for the ward office, the answer deadline
     * while the department's clock runs; null otherwise (answered, closed, paused for information).
     */
    async timeLeft(caller: Principal, id: string, now = new Date()) {
      const row = await findCase(db, id, caseScope(caller));
      if (!row) throw notFound('Không tìm thấy phản ánh.');
      return leftOf(row, now, newLeftMemo());
    },

    queue,

    /** How many cases each work queue holds for the caller (the console's tab labels). */
    queueCounts: (caller: Principal, now = new Date()) => queueCounts(db, caseScope(caller), now),

    /**
     * The caller's overdue cases per department, largest group first: its count, its heads' names,
     * and its cases, the latest first (at most `limit` cases in all).
     */
    async overdueByDepartment(caller: Principal, limit: number, now = new Date()) {
      const [groups, cases] = await Promise.all([
        overdueGroups(db, caseScope(caller), now),
        queue(caller, 'overdue', limit, now),
      ]);
      return groups.map((g) => ({ ...g, cases: cases.filter((c) => c.departmentId === g.departmentId) }));
    },

    async list(caller: Principal, query: ListCasesQuery) {
      const after = decodeCursor(query.cursor);
      const scope = caseScope(caller);
      let q = scoped(selectCases(db), scope).orderBy('cases.id', 'desc');
      if (after) q = q.where('cases.id', '<', after);
      if (query.status) q = q.where('cases.status', 'in', query.status);
      if (query.departmentId) q = q.where('cases.department_id', '=', query.departmentId);
      if (query.categoryCode) q = q.where('categories.code', '=', query.categoryCode);
      if (query.channel) q = q.where('cases.channel', '=', query.channel);
      if (query.receivedFrom) q = q.where('cases.received_at', '>=', dayStart(query.receivedFrom));
      if (query.receivedTo)
        q =
          query.receivedTo.length > 10
            ? q.where('cases.received_at', '<=', new Date(query.receivedTo))
            : q.where('cases.received_at', '<', dayStart(query.receivedTo, true));
      if (query.overdue !== undefined) {
        // Open and past the deadline that is running (isOverdue in case-view.ts). Written as one status
        // list and one comparison, so that the planner can walk cases_ward_open_idx; the former
        // coalesce((…) OR (…)) hid the status from it and it walked the ward's whole history.
        const overdue = sql<boolean>`(cases.status IN ('received', 'assigned', 'in_progress')
          AND (CASE WHEN cases.status = 'received' THEN cases.accept_due_at ELSE cases.due_at END) < now())`;
        q = q.where(query.overdue ? overdue : sql<boolean>`NOT coalesce(${overdue}, false)`);
      }
      const now = new Date();
      const toPage = (rows: CaseWithCategory[]) => page(rows, query.limit, (r) => toCaseView(r, caller, now));
      // A whole phone number, for the ward office: the cases of that reporter (cases_ward_phone_idx).
      const phone = looksUpCallers(caller) ? phoneSearchKey(query.q) : undefined;
      if (phone !== undefined)
        return toPage(
          await q
            .where('cases.reporter_phone', 'is not', null)
            .where(phoneKeyOf, '=', phone)
            .limit(query.limit + 1)
            .execute(),
        );
      const { codes, words } = parseSearch(query.q);
      // A whole case code is a probe of the code's unique index. (Through the trigram index a code
      // cost 60-130 ms at a million cases: its trigrams, the ward's name and a date, are common.)
      for (const code of codes) q = q.where('cases.code', '=', code);

      // Words staff type in a ward (a street, "den duong") usually fill a page from its newest cases.
      // So, in a ward's or a department's list, first look for them in the newest `searchWindow` cases
      // (strpos: no index, an index walk newest first that stops at a full page). Only when that does
      // not fill the page do the words go to the trigram index (LIKE, below), which is the better plan
      // for rare words but, at a million cases, slow for common ones: the planner multiplies the words'
      // frequencies as if they were unrelated, expects a handful of matches, and reads long posting
      // lists. Words with digits go to the index at once. Either way the page is the same: the window
      // is a prefix of the list in its order.
      if (
        searchWindow > 0 &&
        codes.length === 0 &&
        windowable(words) &&
        (scope.kind === 'ward' || scope.kind === 'department')
      ) {
        // The window carries search_text for the filter; the page does not.
        let recent = db
          .selectFrom(q.select('cases.search_text').limit(searchWindow).as('cases'))
          .select([
            ...caseColumns.map((c) => `cases.${c}` as const),
            'cases.category_code',
            'cases.category_publication',
          ]);
        for (const word of words)
          recent = recent.where(sql<boolean>`strpos(cases.search_text, pakn_search_normalize(${word})) > 0`);
        const rows = await recent
          .orderBy('cases.id', 'desc')
          .limit(query.limit + 1)
          .execute();
        if (rows.length > query.limit) return toPage(rows);
      }
      for (const word of words) {
        q = q.where(
          sql<boolean>`cases.search_text LIKE '%' || pakn_search_normalize(${likeEscape(word)}) || '%'`,
        );
      }
      return toPage(await q.limit(query.limit + 1).execute());
    },

    /**
     * A caller's earlier cases in the caller's scope, newest first (at most `limit`), and how many
     * there are: what the 1022 call form shows as the phone is typed. For the ward office only; a
     * phone that is not yet a whole number finds nothing.
     */
    async byCaller(caller: Principal, phone: string, limit: number) {
      if (!looksUpCallers(caller)) throw forbidden('Chỉ cán bộ tiếp nhận tra cứu theo số điện thoại.');
      const key = phoneKey(phone);
      if (!/^84\d{9}$/.test(key)) return { total: 0, items: [] };
      const rows = await scoped(selectCases(db), caseScope(caller))
        .where('cases.reporter_phone', 'is not', null)
        .where(phoneKeyOf, '=', key)
        .select(sql<string>`count(*) OVER ()`.as('total'))
        .orderBy('cases.id', 'desc')
        .limit(limit)
        .execute();
      const now = new Date();
      return {
        total: Number(rows[0]?.total ?? 0),
        items: rows.map((r) => toCaseView(r, caller, now)),
      };
    },

    /**
     * Open cases in the caller's scope that look like the call being typed (likely-duplicates.ts),
     * most alike first, at most `limit`: of the category chosen (or any, without one), the newest
     * few hundred open ones are compared. The text must be as alike as DUPLICATE_SIMILARITY asks of
     * intake's own lookup.
     */
    async likelyDuplicates(caller: Principal, probe: DuplicateProbe, limit: number) {
      if (!probeWorthLooking(probe)) return [];
      let q = scoped(selectCases(db), caseScope(caller))
        .where('cases.status', 'in', openStatuses)
        .orderBy('cases.id', 'desc')
        .limit(300);
      if (probe.categoryCode !== null) q = q.where('categories.code', '=', probe.categoryCode);
      const rows = await q.execute();
      const min = deps.duplicates?.similarity ?? 0.3;
      const now = new Date();
      return rows
        .map((r) => ({
          row: r,
          match: matchDuplicate(
            probe,
            {
              categoryCode: r.category_code,
              text: `${r.title ?? ''} ${r.description}`,
              address: r.location_address,
              residentialGroup: r.location_residential_group,
            },
            min,
          ),
        }))
        .filter((m) => m.match !== null)
        .sort((a, b) => (b.match?.score ?? 0) - (a.match?.score ?? 0))
        .slice(0, limit)
        .map(({ row, match }) => ({ case: toCaseView(row, caller, now), reasons: match?.reasons ?? [] }));
    },

    async events(caller: Principal, id: string, query: { limit: number; cursor?: string | undefined }) {
      const row = await findCase(db, id, caseScope(caller));
      if (!row) throw notFound('Không tìm thấy phản ánh.');
      const events = await listEvents(db, id, decodeCursor(query.cursor), query.limit + 1);
      return page(events, query.limit, (e) => ({
        id: e.id,
        type: e.type,
        at: e.at.toISOString(),
        actor: {
          type: e.actor_type,
          id: e.actor_user_id ?? e.actor_api_client_id,
          name: e.user_name ?? e.client_name ?? null,
        },
        fromStatus: e.from_status,
        toStatus: e.to_status,
        data: e.data,
      }));
    },
  };
}
