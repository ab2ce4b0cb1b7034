/**
 * Cases as the application would have left them after two years: each case is played through the
 * workflow (design.md §3) with the app's own rules — the state machine's transitions, the working-time
 * deadlines, the escalation ladder's timers and their firing (design.md §5) — and stopped at "now".
 * What it did becomes the case row, its events, its timers (pending, fired or cancelled), its
 * escalations and the notifications they sent. Times are epoch milliseconds.
 */
import type { CaseStatus, Channel, CaseRow as DbCaseRow, Urgency } from '../../src/db/types.ts';
import type { WardCalendar } from '../../src/modules/sla/calendar.ts';
import {
  acceptDeadline,
  answerDeadline,
  type CategorySla,
  dueAfterResume,
  escalationTimers,
  remainingAtPause,
} from '../../src/modules/sla/deadlines.ts';
import { escalationMessage } from '../../src/modules/sla/escalation-messages.ts';
import type { EscalationPolicy, EscalationStep } from '../../src/modules/sla/escalation-policy.ts';
import { rules } from '../../src/modules/workflow/state-machine.ts';
import type { CityWard } from './city.ts';
import { personName } from './city.ts';
import { type Rng, weightedPick } from './random.ts';
import {
  answerText,
  caseText,
  infoRequests,
  ratingComments,
  refuseNotes,
  rejectNotes,
  reopenReasons,
  returnNotes,
} from './texts.ts';

const H = 3_600_000;
const D = 24 * H;
/** The engine hands a timer to Redis this long before it is due (ESCALATION_HORIZON_MS). */
const HORIZON = 600_000;

export type SeedDepartment = { id: string; code: string; name: string; head: string; officer: string };
export type SeedWard = {
  id: string;
  city: CityWard;
  intake: [string, string];
  chairman: string;
  departments: Map<string, SeedDepartment>;
};
export type SeedCategory = {
  id: string;
  code: string;
  defaultDepartmentCode: string | null;
  sla: CategorySla;
};
export type Directory = {
  wards: SeedWard[];
  categories: Map<string, SeedCategory>;
  clients: Map<Channel, string>;
  calendar: WardCalendar;
  policy: EscalationPolicy;
};

/** The columns the seed writes: all of the table's but those Postgres fills or the seed leaves empty. */
type SeededColumns = Omit<
  DbCaseRow,
  | 'id'
  | 'search_text'
  | 'duplicate_of'
  | 'possible_duplicates'
  | 'answer_attachments'
  | 'attachments'
  | 'answer_published'
  | 'public_answer'
  | 'tracking_nonce'
  // Left empty (every seeded reporter has a phone), and absent from schemas before 20261210130000:
  // bench/sessions seeds a database of the code before sessions.
  | 'reporter_email'
>;

/**
 * A case row as the seed sends it to json_to_recordset: the table's own columns (src/db/types.ts),
 * instants as epoch milliseconds, attachments as JSON text.
 */
export type CaseRow = {
  [K in keyof SeededColumns]: SeededColumns[K] extends Date
    ? number
    : SeededColumns[K] extends Date | null
      ? number | null
      : SeededColumns[K];
} & { attachments: string };

/** Rows that reference a case: by its global index (its id is known once the case row is in). */
export type EventRow = {
  caseIndex: number;
  seq: number;
  type: string;
  at: number;
  actor_type: 'user' | 'api_client' | 'system';
  actor_user_id: string | null;
  actor_api_client_id: string | null;
  from_status: CaseStatus | null;
  to_status: CaseStatus | null;
  data: string;
};
export type TimerRow = {
  caseIndex: number;
  step: string;
  generation: number;
  status: 'pending' | 'fired' | 'cancelled';
  due: number;
  enqueued: number | null;
  fired: number | null;
  created: number;
};
export type EscalationRow = {
  caseIndex: number;
  step: string;
  generation: number;
  due: number;
  fired: number;
};
export type NotificationRow = {
  caseIndex: number;
  step: string;
  generation: number;
  userId: string;
  title: string;
  body: string;
  created: number;
  read: number | null;
};

export type GeneratedCase = {
  row: CaseRow;
  events: EventRow[];
  timers: TimerRow[];
  escalations: EscalationRow[];
  notifications: NotificationRow[];
};

type Actor = Pick<EventRow, 'actor_type' | 'actor_user_id' | 'actor_api_client_id'>;
const system: Actor = { actor_type: 'system', actor_user_id: null, actor_api_client_id: null };
const user = (id: string): Actor => ({ actor_type: 'user', actor_user_id: id, actor_api_client_id: null });
const client = (id: string): Actor => ({
  actor_type: 'api_client',
  actor_user_id: null,
  actor_api_client_id: id,
});

const baseCategoryWeights: [string | null, number][] = [
  ['street_lighting', 11],
  ['sanitation', 16],
  ['urban_order', 15],
  ['traffic', 11],
  ['public_security', 6],
  ['drainage', 9],
  ['administrative_procedure', 11],
  ['social_policy', 7],
  ['noise', 8],
  ['other', 6],
  [null, 3],
];
/** The rainy season (June–September) floods streets: drainage reports triple. */
const drawCategoryDry = weightedPick(baseCategoryWeights);
const drawCategoryWet = weightedPick(
  baseCategoryWeights.map(([c, w]): [string | null, number] => [c, c === 'drainage' ? w * 3 : w]),
);
const drawChannel = weightedPick<Channel>([
  ['smart_haiphong', 46],
  ['hotline_1022', 34],
  ['walk_in', 10],
  ['web', 6],
  ['email', 4],
]);
const drawScore = weightedPick([
  [5, 45],
  [4, 30],
  [3, 12],
  [2, 7],
  [1, 6],
]);
const rejectReasons = weightedPick([
  ['duplicate', 30],
  ['out_of_scope', 25],
  ['unclear', 20],
  ['missing_contact', 10],
  ['complaint_procedure', 10],
  ['offensive', 5],
]);
const externalPrefix: Partial<Record<Channel, string>> = {
  smart_haiphong: 'shp',
  hotline_1022: 'tdd',
  web: 'dvc',
};

/** Local (UTC+7, no DST) calendar fields of an instant. */
const local = (ms: number) => new Date(ms + 7 * H);
const pad2 = (n: number) => String(n).padStart(2, '0');
/** `yyMMdd` of the ward-local day, as case codes carry it. */
export const codeDay = (ms: number) => {
  const d = local(ms);
  return `${pad2(d.getUTCFullYear() % 100)}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}`;
};
/** Monday to Friday, 07:30–17:00 local: when the ward office receives walk-ins. */
export const officeHours = (ms: number) => {
  const d = local(ms);
  const minutes = d.getUTCHours() * 60 + d.getUTCMinutes();
  const weekday = d.getUTCDay();
  return weekday >= 1 && weekday <= 5 && minutes >= 450 && minutes < 1020;
};

/**
 * escalationMessage, memoised on what varies little (step, deadline, department): formatting the
 * deadline in the ward's time zone is the costly part, and many cases share a close-of-business time.
 */
const messages = new Map<string, { title: string; body: string }>();
const CODE = '\u0001';
function messageOf(
  step: EscalationStep,
  code: string,
  department: string | null,
  deadline: number,
  timezone: string,
) {
  const key = `${step.key}|${deadline}|${department ?? ''}`;
  let m = messages.get(key);
  if (!m) {
    if (messages.size > 50_000) messages.clear();
    m = escalationMessage({
      step,
      caseCode: CODE,
      departmentName: department,
      deadline: new Date(deadline),
      timezone,
    });
    messages.set(key, m);
  }
  return { title: m.title.replaceAll(CODE, code), body: m.body.replaceAll(CODE, code) };
}

type State = {
  status: CaseStatus;
  departmentCode: string | null;
  categoryCode: string | null;
  version: number;
  generation: number;
  t: number;
};

type LiveTimer = { step: string; due: number; generation: number; created: number; anchor: number };

/**
 * Plays one case. `index` is its place in time order (global), `number` its case-code number.
 * Returns everything the case left behind at `now`.
 */
export function generateCase(
  dir: Directory,
  rng: Rng,
  ward: SeedWard,
  index: number,
  number: number,
  receivedAt: number,
  now: number,
): GeneratedCase {
  const { calendar, policy } = dir;
  const city = ward.city;
  const month = local(receivedAt).getUTCMonth() + 1;
  let categoryCode = (month >= 6 && month <= 9 ? drawCategoryWet : drawCategoryDry)(rng);
  let channel = drawChannel(rng);
  if (channel === 'walk_in' && !officeHours(receivedAt)) channel = 'hotline_1022';
  const urgent = rng.chance(
    categoryCode === 'drainage' || categoryCode === 'traffic' || categoryCode === 'public_security'
      ? 0.15
      : 0.05,
  );
  const urgency: Urgency = urgent ? 'urgent' : 'normal';
  const confidential = rng.chance(
    categoryCode === 'public_security' ? 0.3 : categoryCode === 'noise' ? 0.1 : 0.02,
  );
  const text = caseText({ ward: city, rng }, categoryCode ?? 'other');
  const code = `${city.code}-${codeDay(receivedAt)}-${number < 10_000 ? String(number).padStart(4, '0') : number}`;
  const clientId = dir.clients.get(channel) ?? null;
  const intakeUser = () => rng.pick(ward.intake);
  const creator: Actor = clientId ? client(clientId) : user(intakeUser());
  const prefix = externalPrefix[channel];
  const externalId = prefix ? `${prefix}-${String(index + 1).padStart(8, '0')}` : null;
  const photos =
    channel === 'smart_haiphong' && rng.chance(0.55)
      ? Array.from({ length: rng.int(1, 3) }, (_, k) => ({
          url: `https://example.org/pakn-scale/${code}-${k + 1}.jpg`,
          mediaType: 'image/jpeg',
          name: `anh-${k + 1}.jpg`,
        }))
      : [];
  const withPoint = channel === 'smart_haiphong' && rng.chance(0.85);

  const category = () => (categoryCode ? dir.categories.get(categoryCode) : undefined);
  const slaOf = () => {
    const c = category();
    if (!c) throw new Error(`case ${code} has no category`);
    return c.sla[urgency];
  };
  const department = (c: string | null) => (c ? ward.departments.get(c) : undefined);
  const deptUser = (c: string | null, headOnly = false) => {
    const d = department(c);
    if (!d) throw new Error(`case ${code}: no department ${c}`);
    return user(headOnly || rng.chance(0.5) ? d.head : d.officer);
  };

  const acceptDueAt = acceptDeadline(calendar, new Date(receivedAt), policy).getTime();
  const row: CaseRow = {
    code,
    ward_id: ward.id,
    channel,
    external_id: externalId,
    api_client_id: clientId,
    created_by_user_id: clientId ? null : creator.actor_user_id,
    status: 'received',
    urgency,
    category_id: category()?.id ?? null,
    department_id: null,
    title: text.title,
    description: text.description,
    reporter_name: rng.chance(0.94) ? personName(rng) : null,
    reporter_phone: `0900${String(rng.int(0, 999_999)).padStart(6, '0')}`,
    reporter_confidential: confidential,
    location_address: text.address,
    location_residential_group: text.address ? text.group : null,
    location_lat: withPoint ? Math.round((city.lat + rng.between(-0.015, 0.015)) * 1e6) / 1e6 : null,
    location_lng: withPoint ? Math.round((city.lng + rng.between(-0.015, 0.015)) * 1e6) / 1e6 : null,
    attachments: JSON.stringify(photos),
    received_at: receivedAt,
    accept_due_at: acceptDueAt,
    assigned_at: null,
    due_at: null,
    paused_at: null,
    answered_at: null,
    closed_at: null,
    answer_text: null,
    rating_score: null,
    rating_comment: null,
    reject_reason: null,
    version: 1,
    sla_generation: 1,
    sla_remaining_seconds: null,
    updated_at: receivedAt,
  };
  const out: GeneratedCase = { row, events: [], timers: [], escalations: [], notifications: [] };
  const s: State = {
    status: 'received',
    departmentCode: null,
    categoryCode,
    version: 1,
    generation: 1,
    t: receivedAt,
  };
  let live: LiveTimer[] = [];

  const event = (type: string, at: number, actor: Actor, to: CaseStatus | null, data: object) => {
    out.events.push({
      caseIndex: index,
      seq: out.events.length,
      type,
      at,
      ...actor,
      from_status: type === 'received' ? null : s.status,
      to_status: to,
      data: JSON.stringify(data),
    });
    row.updated_at = at;
  };

  /** The engine's view of the live timers up to `until`: due ones fired, the rest pending. */
  const settle = (until: number, cancel: boolean) => {
    for (const tm of live) {
      const fired = tm.due + rng.between(200, 2_500);
      const firedAt = Math.max(fired, tm.created + rng.between(500, 2_500));
      if (firedAt <= until) {
        out.timers.push({
          caseIndex: index,
          step: tm.step,
          generation: tm.generation,
          due: tm.due,
          status: 'fired',
          enqueued: Math.max(tm.created, tm.due - HORIZON),
          fired: firedAt,
          created: tm.created,
        });
        fire(tm, firedAt);
      } else {
        const enqueued = tm.due - HORIZON < until ? Math.max(tm.created, tm.due - HORIZON) : null;
        out.timers.push({
          caseIndex: index,
          step: tm.step,
          generation: tm.generation,
          due: tm.due,
          status: cancel ? 'cancelled' : 'pending',
          enqueued,
          fired: null,
          created: tm.created,
        });
      }
    }
    live = [];
  };

  const fire = (tm: LiveTimer, at: number) => {
    out.escalations.push({
      caseIndex: index,
      step: tm.step,
      generation: tm.generation,
      due: tm.due,
      fired: at,
    });
    const step = policy.steps.find((p) => p.key === tm.step);
    if (!step) return;
    const dept = department(s.departmentCode);
    const message = messageOf(step, code, dept?.name ?? null, tm.anchor, calendar.timezone);
    const recipients: string[] = [];
    for (const role of step.notify) {
      if (role === 'intake') recipients.push(...ward.intake);
      else if (role === 'chairman') recipients.push(ward.chairman);
      else if (role === 'department_head' && dept) recipients.push(dept.head);
      else if (role === 'department_officer' && dept) recipients.push(dept.officer);
    }
    for (const userId of recipients) {
      const readAfter = rng.between(0.2 * H, 2 * D);
      const read = rng.chance(now - at > 3 * D ? 0.85 : 0.4) && at + readAfter < now ? at + readAfter : null;
      out.notifications.push({
        caseIndex: index,
        step: tm.step,
        generation: tm.generation,
        userId,
        title: message.title,
        body: message.body,
        created: at,
        read,
      });
    }
  };

  /** A change that moves deadlines: a new SLA generation, old timers settled, new ones armed. */
  const rearm = (at: number, anchors: { acceptDueAt: number | null; dueAt: number | null }) => {
    settle(at, true);
    s.generation += 1;
    arm(at, anchors);
  };
  const arm = (at: number, anchors: { acceptDueAt: number | null; dueAt: number | null }) => {
    const timers = escalationTimers(calendar, policy, {
      acceptDueAt: anchors.acceptDueAt === null ? null : new Date(anchors.acceptDueAt),
      dueAt: anchors.dueAt === null ? null : new Date(anchors.dueAt),
    });
    for (const tm of timers) {
      const due = tm.dueAt.getTime();
      // replaceTimers: a step that already fired for the same due time is not armed twice.
      if (out.escalations.some((e) => e.step === tm.step && e.due === due)) continue;
      const anchorStep = policy.steps.find((p) => p.key === tm.step);
      const anchor = anchorStep?.anchor === 'acceptDueAt' ? anchors.acceptDueAt : anchors.dueAt;
      live.push({ step: tm.step, due, generation: s.generation, created: at, anchor: anchor ?? due });
    }
  };

  /** One workflow action: checked against the app's state machine, then applied. */
  const act = (action: keyof typeof rules, at: number) => {
    const rule = rules[action];
    if (!rule.from.includes(s.status)) throw new Error(`case ${code}: ${action} from ${s.status}`);
    s.version += 1;
    s.t = at;
    return rule.to ?? s.status;
  };
  const answerDue = (from: number) => answerDeadline(calendar, new Date(from), slaOf()).getTime();

  // Intake: received, and assigned at once when the category names a default department.
  event('received', receivedAt, creator, 'received', { channel, externalId });
  const auto = category()?.defaultDepartmentCode ?? null;
  if (auto) {
    const dueAt = answerDue(receivedAt);
    const dept = department(auto) as SeedDepartment;
    event('assigned', receivedAt, system, 'assigned', {
      departmentId: dept.id,
      auto: true,
      dueAt: new Date(dueAt).toISOString(),
    });
    s.status = 'assigned';
    s.departmentCode = auto;
    row.department_id = dept.id;
    row.assigned_at = receivedAt;
    row.due_at = dueAt;
    arm(receivedAt, { acceptDueAt: null, dueAt });
  } else {
    arm(receivedAt, { acceptDueAt, dueAt: null });
  }

  // Fates: a few cases get stuck somewhere and stay open (and overdue) for good.
  const stuckAt = weightedPick<CaseStatus | null>([
    [null, 95.8],
    ['received', 0.3],
    ['assigned', 0.8],
    ['in_progress', 1.3],
    ['awaiting_info', 0.8],
    ['answered', 1.0],
  ])(rng);
  let returned = false;
  let returnedFrom: string | null = null;
  let reopened = false;
  let infoAsked = false;
  let refused = false;

  for (let guard = 0; guard < 20; guard++) {
    if (s.status === stuckAt) break;
    let at: number;
    if (s.status === 'received') {
      const late = rng.next();
      at =
        s.t +
        (late < 0.8
          ? rng.between(0.2 * H, 6 * H)
          : late < 0.95
            ? rng.between(8 * H, 48 * H)
            : rng.between(2 * D, 6 * D));
      if (at > now) break;
      const actor = user(intakeUser());
      if (rng.chance(returned ? 0.5 : categoryCode === 'other' || categoryCode === null ? 0.3 : 0.1)) {
        const reason = rejectReasons(rng);
        const to = act('reject', at);
        event('rejected', at, actor, to, {
          reason,
          note: rng.pick(rejectNotes[reason] ?? ['']),
          duplicateOf: null,
        });
        s.status = to;
        row.reject_reason = reason;
        row.closed_at = at;
        rearm(at, { acceptDueAt: null, dueAt: null });
        break;
      }
      // Dispatch: a case without a category gets one; a returned case goes to another department.
      let setCategory: string | null = null;
      if (categoryCode === null) {
        setCategory = rng.pick(['sanitation', 'urban_order', 'traffic', 'drainage', 'social_policy']);
        categoryCode = setCategory;
        row.category_id = category()?.id ?? null;
      }
      const candidates = ['vp', 'ktht', 'vhxh', 'cap', 'ttphcc'].filter((c) => c !== returnedFrom);
      const target =
        !returned && category()?.defaultDepartmentCode
          ? (category()?.defaultDepartmentCode as string)
          : rng.pick(candidates);
      const dept = department(target) as SeedDepartment;
      const to = act('assign', at);
      const dueAt = answerDue(at);
      event('assigned', at, actor, to, {
        departmentId: dept.id,
        departmentName: dept.name,
        fromDepartmentId: null,
        dueAt: new Date(dueAt).toISOString(),
        note: null,
        ...(setCategory ? { categoryCode: setCategory } : {}),
      });
      s.status = to;
      s.departmentCode = target;
      row.department_id = dept.id;
      row.assigned_at = at;
      row.due_at = dueAt;
      rearm(at, { acceptDueAt: null, dueAt });
    } else if (s.status === 'assigned') {
      const roll = rng.next();
      if (!returned && roll < 0.04) {
        at = s.t + rng.between(2 * H, 48 * H);
        if (at > now) break;
        const from = department(s.departmentCode) as SeedDepartment;
        const to = act('return', at);
        event('returned', at, deptUser(s.departmentCode), to, {
          departmentId: from.id,
          note: rng.pick(returnNotes),
        });
        s.status = to;
        returned = true;
        returnedFrom = s.departmentCode;
        row.department_id = null;
        row.assigned_at = null;
        row.due_at = null;
        rearm(at, { acceptDueAt: row.accept_due_at, dueAt: null });
        s.departmentCode = null;
      } else if (!returned && roll < 0.07) {
        at = s.t + rng.between(4 * H, 3 * D);
        if (at > now) break;
        const candidates = ['vp', 'ktht', 'vhxh', 'cap', 'ttphcc'].filter((c) => c !== s.departmentCode);
        const target = rng.pick(candidates);
        const from = department(s.departmentCode) as SeedDepartment;
        const dept = department(target) as SeedDepartment;
        const to = act('assign', at);
        const dueAt = answerDue(at);
        event('transferred', at, user(intakeUser()), to, {
          departmentId: dept.id,
          departmentName: dept.name,
          fromDepartmentId: from.id,
          dueAt: new Date(dueAt).toISOString(),
          note: 'Chuyển đơn vị có thẩm quyền xử lý.',
        });
        s.status = to;
        s.departmentCode = target;
        returned = true;
        row.department_id = dept.id;
        row.assigned_at = at;
        row.due_at = dueAt;
        rearm(at, { acceptDueAt: null, dueAt });
      } else {
        at = s.t + (urgent ? rng.between(0.1 * H, 2 * H) : rng.between(0.5 * H, 30 * H));
        if (at > now) break;
        const to = act('accept', at);
        event('accepted', at, deptUser(s.departmentCode), to, { note: null });
        s.status = to;
      }
    } else if (s.status === 'in_progress') {
      const due = row.due_at as number;
      if (!infoAsked && rng.chance(0.1)) {
        at = s.t + rng.between(4 * H, 3 * D);
        if (at > now) break;
        const clock = slaOf().clock;
        const remaining = remainingAtPause(calendar, clock, new Date(at), new Date(due));
        const note = rng.pick(infoRequests);
        const to = act('request_info', at);
        event('info_requested', at, deptUser(s.departmentCode), to, { note, remainingSeconds: remaining });
        s.status = to;
        infoAsked = true;
        row.paused_at = at;
        row.sla_remaining_seconds = remaining;
        rearm(at, { acceptDueAt: null, dueAt: null });
        continue;
      }
      const onTime = rng.chance(0.85) && due > s.t + H;
      at = onTime ? rng.between(s.t + 0.5 * H, due) : Math.max(due, s.t) + rng.between(H, 10 * D);
      if (at > now) break;
      const to = act('respond', at);
      event('answered', at, deptUser(s.departmentCode, true), to, { attachments: 0 });
      s.status = to;
      row.answer_text = answerText({ ward: city, rng }, categoryCode ?? 'other', text.street);
      row.answered_at = at;
      rearm(at, { acceptDueAt: null, dueAt: null });
    } else if (s.status === 'awaiting_info') {
      at = s.t + rng.between(D, 7 * D);
      if (at > now) break;
      const dueAt = dueAfterResume(
        calendar,
        slaOf().clock,
        new Date(at),
        row.sla_remaining_seconds ?? 0,
      ).getTime();
      const actor = rng.chance(0.7) ? deptUser(s.departmentCode) : user(intakeUser());
      const to = act('resume', at);
      event('resumed', at, actor, to, {
        note: null,
        dueAt: new Date(dueAt).toISOString(),
        pausedAt: new Date(row.paused_at as number).toISOString(),
      });
      s.status = to;
      row.paused_at = null;
      row.sla_remaining_seconds = null;
      row.due_at = dueAt;
      rearm(at, { acceptDueAt: null, dueAt });
    } else if (s.status === 'answered') {
      const actor = user(intakeUser());
      if (!refused && rng.chance(0.04)) {
        at = s.t + rng.between(6 * H, 3 * D);
        if (at > now) break;
        const to = act('refuse_answer', at);
        event('answer_refused', at, actor, to, {
          note: rng.pick(refuseNotes),
          refusedAnswer: row.answer_text,
        });
        s.status = to;
        refused = true;
        row.answer_text = null;
        row.answered_at = null;
        rearm(at, { acceptDueAt: null, dueAt: row.due_at });
        continue;
      }
      at = s.t + rng.between(6 * H, 4 * D);
      if (at > now) break;
      const to = act('close', at);
      event('closed', at, actor, to, { note: null });
      s.status = to;
      row.closed_at = at;
    } else if (s.status === 'closed') {
      const owner = clientId ? client(clientId) : user(intakeUser());
      if (!reopened && rng.chance(0.015)) {
        at = s.t + rng.between(D, 20 * D);
        if (at > now) break;
        const to = act('reopen', at);
        const dueAt = answerDue(at);
        event('reopened', at, owner, to, {
          reason: rng.pick(reopenReasons),
          previousAnswer: row.answer_text,
          dueAt: new Date(dueAt).toISOString(),
        });
        s.status = to;
        reopened = true;
        row.closed_at = null;
        row.answered_at = null;
        row.answer_text = null;
        row.assigned_at = at;
        row.due_at = dueAt;
        rearm(at, { acceptDueAt: null, dueAt });
        continue;
      }
      if (row.rating_score === null && rng.chance(0.3)) {
        at = s.t + rng.between(0.5 * H, 5 * D);
        if (at > now) break;
        const score = drawScore(rng);
        const comment = rng.chance(0.4) ? rng.pick(ratingComments) : null;
        act('rate', at);
        event('rated', at, owner, 'closed', { score, comment });
        row.rating_score = score;
        row.rating_comment = comment;
      }
      break;
    } else {
      break;
    }
  }
  settle(now, false);

  row.status = s.status;
  row.version = s.version;
  row.sla_generation = s.generation;
  return out;
}
