/**
 * The soak's mixed workload, as data and small pure functions: the directory it sets up (categories
 * with working-day SLAs and with short continuous ones), the intake bodies, what happens to each case
 * after it is logged (its "fate": a chain of workflow actions, or nothing so its escalations fire),
 * and the mix of reads. Seeded, so two runs send the same sequence.
 */

import { bodyFactory, departments, categories as slowCategories } from '../intake/bodies.ts';
import { mulberry32 } from '../lib/prng.ts';

export { departments };

/** The soak's seeded PRNG (mulberry32). */
export const prng = mulberry32;
export type Rnd = ReturnType<typeof prng>;
export const pick = <T>(rnd: Rnd, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;

type Sla = { duration: string; clock: 'working' | 'continuous' };
export type SoakCategory = {
  code: string;
  name: string;
  departmentCode: string;
  sla: { normal: Sla; urgent: Sla };
  /** Short continuous SLA: its escalation steps fall due (and fire) during the run. */
  fast: boolean;
  topics: string[];
};

const working = (duration: string): Sla => ({ duration, clock: 'working' });
const continuous = (duration: string): Sla => ({ duration, clock: 'continuous' });

/**
 * The five everyday categories of bench/intake (five working days; urgent two), whose steps fall due
 * days later, and three with answer deadlines of 20 to 50 s on the continuous clock, whose reminder,
 * overdue and chairman steps fall due while the soak runs. The longest, 50 s + the chairman's 10 s,
 * fits in the one-minute warm-up window of a full run: after it every step fires at its steady rate.
 */
export const categories: SoakCategory[] = [
  ...slowCategories.map((c) => ({
    code: c.code,
    name: c.name,
    departmentCode: c.departmentCode,
    sla: { normal: working('P5D'), urgent: working('P2D') },
    fast: false,
    topics: c.topics,
  })),
  {
    code: 'ngap_ung',
    name: 'Ngập úng, thoát nước',
    departmentCode: 'ktht',
    sla: { normal: continuous('PT45S'), urgent: continuous('PT20S') },
    fast: true,
    topics: [
      'Mưa lớn từ chiều, nước ngập sâu trên đường trước ngõ {n}, xe máy chết máy hàng loạt.',
      'Hố ga trước cửa số {n} bị mất nắp, nước cuốn rác tràn vào nhà dân.',
    ],
  },
  {
    code: 'cay_xanh',
    name: 'Cây xanh gãy đổ',
    departmentCode: 'ktht',
    sla: { normal: continuous('PT50S'), urgent: continuous('PT30S') },
    fast: true,
    topics: [
      'Cây xà cừ trước số {n} bị gãy cành lớn sau cơn giông, đè lên dây điện.',
      'Cây bật gốc nằm chắn ngang lòng đường, các phương tiện không qua lại được.',
    ],
  },
  {
    code: 'tieng_on',
    name: 'Tiếng ồn ban đêm',
    departmentCode: 'cap',
    sla: { normal: continuous('PT30S'), urgent: continuous('PT20S') },
    fast: true,
    topics: [
      'Xưởng cơ khí ở ngõ {n} cắt sắt đến {h} giờ đêm, cả khu không ngủ được.',
      'Loa kẹo kéo mở hết cỡ ở khu vui chơi đến {h} giờ sáng.',
    ],
  },
];
export const categoryByCode = new Map(categories.map((c) => [c.code, c]));

/**
 * The ward's escalation ladder for the soak: the default steps (accept_overdue, reminder, overdue,
 * chairman, notifying the same roles), all on the continuous clock and seconds apart, so a case in a
 * fast category has all three answer-deadline steps due within its SLA + 10 s, and a case left in
 * `received` gets accept_overdue 30 s after it arrived. Five-working-day cases keep theirs days away.
 */
export const soakEscalationPolicy = {
  acceptWithin: { duration: 'PT30S', clock: 'continuous' },
  steps: [
    { key: 'accept_overdue', anchor: 'acceptDueAt', offset: 'PT0S', clock: 'continuous', notify: ['intake'] },
    { key: 'reminder', anchor: 'dueAt', offset: '-PT10S', clock: 'continuous', notify: ['department_head'] },
    {
      key: 'overdue',
      anchor: 'dueAt',
      offset: 'PT0S',
      clock: 'continuous',
      notify: ['intake', 'department_head'],
    },
    { key: 'chairman', anchor: 'dueAt', offset: 'PT10S', clock: 'continuous', notify: ['chairman'] },
  ],
};

const fastCategories = categories.filter((c) => c.fast);

/** At most this share of cases is logged in a fast category (their escalation steps fall due during the run). */
export const FAST_SHARE = 0.25;
/** Intake's share of all requests, and escalation steps falling due per fast case (measured: 500 req/s, 67 steps/s). */
const INTAKE_SHARE_OF_REQUESTS = 0.16;
const STEPS_PER_FAST_CASE = 3.35;

/**
 * The fast share that makes about `stepsPerS` escalation steps fall due each second at `rate`
 * requests/s (capped at FAST_SHARE). With a fixed share, steps would grow with the rate: at 1,200 req/s
 * a quarter of cases in 20-50 s categories makes 160 steps due a second, most of what this machine's
 * engine can fire (bench/escalation: 256-289 a second with both cores), where a city sees a few hundred
 * a day.
 */
export const fastShareFor = (rate: number, stepsPerS: number) =>
  Math.min(FAST_SHARE, stepsPerS / (rate * INTAKE_SHARE_OF_REQUESTS * STEPS_PER_FAST_CASE));
/** Share of intake requests sent by intake staff (bearer token) rather than the app's API key. */
export const STAFF_SHARE = 0.35;
/** Share of staff-logged cases without a category: they wait in `received` for intake to assign them. */
export const UNCLASSIFIED_SHARE = 0.3;

export type IntakeBody = Record<string, unknown> & { categoryCode?: string };

/**
 * Intake bodies: bench/intake's 1,000 realistic reports, `fastShare` of them moved to a fast category
 * (with a description of that category), channel and externalId set per request.
 */
export function intakeBodies(wardCode: string, fastShare: number, seed = 20261122) {
  const rnd = prng(seed);
  const source = bodyFactory(wardCode, { count: 1_000, seed });
  const templates: IntakeBody[] = [];
  for (let i = 0; i < source.templates; i++) {
    const body = JSON.parse(source.next('x')) as IntakeBody & { description: string; title: string };
    if (rnd() < fastShare) {
      const c = pick(rnd, fastCategories);
      const street = String(body.title).split(': ')[1] ?? 'Lạch Tray';
      const fill = (s: string) =>
        s
          .replaceAll('{n}', String(1 + Math.floor(rnd() * 250)))
          .replaceAll('{h}', String(1 + Math.floor(rnd() * 11)));
      body.categoryCode = c.code;
      body.title = `${c.name}: ${street}`;
      body.description = `${fill(pick(rnd, c.topics))} ${body.description.split('. ').slice(-2).join('. ')}`;
    }
    templates.push(body);
  }
  let n = 0;
  return {
    count: templates.length,
    /** The app (X-API-Key, channel smart_haiphong) logs a report, with the app's own id. */
    fromApp(externalId: string): IntakeBody {
      const t = templates[n++ % templates.length] as IntakeBody;
      return { ...t, channel: 'smart_haiphong', externalId };
    },
    /**
     * Intake staff log a hotline call (with the switchboard's id) or a walk-in (no id); some without a
     * category, to be classified and dispatched later.
     */
    fromStaff(externalId: string, r: Rnd): IntakeBody {
      const t = templates[n++ % templates.length] as IntakeBody;
      const hotline = r() < 0.5;
      const body: IntakeBody = { ...t, channel: hotline ? 'hotline_1022' : 'walk_in' };
      if (hotline) body.externalId = externalId.replace(/^s/, '1022-');
      else delete body.externalId;
      if (r() < UNCLASSIFIED_SHARE) delete body.categoryCode;
      return body;
    },
  };
}

/** A workflow action the soak takes on a case, by the role that may take it. */
export type Action = 'assign' | 'accept' | 'respond' | 'close';

/**
 * What happens to a case after it is logged: the actions taken on it, one after the other (each
 * only after the previous one's answer came back, so no two requests on a case ever race: no 409 or
 * 412 is expected). An empty chain leaves the case alone, so every escalation step of it that falls
 * due during the run must fire, exactly once. A case still `received` is assigned first (with a
 * category, fast or not) or left alone (its accept_overdue step fires).
 */
export function fateOf(r: Rnd, received: boolean): { actions: Action[]; assignCategory?: string } {
  if (received) {
    if (r() < 0.3) return { actions: [] };
    const assignCategory =
      r() < 0.5
        ? pick(r, fastCategories).code
        : pick(
            r,
            categories.filter((c) => !c.fast),
          ).code;
    return { actions: ['assign', ...fateOf(r, false).actions], assignCategory };
  }
  const x = r();
  if (x < 0.4) return { actions: [] };
  if (x < 0.55) return { actions: ['accept'] };
  return { actions: ['accept', 'respond', 'close'] };
}

/** Seconds between an action's answer and the next action on the same case: 1-12 s. */
export const actionDelayMs = (r: Rnd) => 1_000 + Math.floor(r() * 11_000);

/** The read requests of the mix, with their weights among reads. */
export const readKinds = ['list', 'list_overdue', 'search', 'case', 'events', 'notifications'] as const;
export type ReadKind = (typeof readKinds)[number];
export const readWeights: Record<ReadKind, number> = {
  list: 18,
  list_overdue: 10,
  search: 14,
  case: 28,
  events: 14,
  notifications: 16,
};

/** Share of intake among the requests not taken by due workflow actions (the rest are reads). */
export const INTAKE_SHARE_OF_FREE_SLOTS = 0.2;

/** What staff type into the search box (accent-free, as they do), common to rare. */
export const searchTerms = [
  'den duong',
  'rac thai',
  'via he',
  'karaoke',
  'ngap',
  'cay do',
  'le loi',
  'van cao',
  'xe cuu thuong',
  'ho ngheo',
];

export const answerText =
  'Phòng đã cử cán bộ kiểm tra hiện trường, phối hợp với tổ dân phố xử lý xong trong ngày. ' +
  'Cảm ơn ông/bà đã phản ánh.';
