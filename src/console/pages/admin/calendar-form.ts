import type { WardCalendar } from '../../../modules/sla/calendar.ts';
import { validateCalendar } from '../../../modules/sla/calendar.ts';
import { dayNumberOf } from '../../../modules/sla/local-day.ts';
import { many, one, type Problems } from '../../fields.ts';
import { vi } from '../../vi.ts';

/** Business-hour slots per weekday on the form (the default calendar uses two: morning, afternoon). */
export const SLOTS = 3;
/** Blank date inputs under each list of days, to add days without JavaScript. */
export const ADDS = 3;

const t = vi.adminOps.calendar;

/** The calendar form's state: its single fields by name, and the two lists of dates kept. */
export type CalendarForm = { fields: Record<string, string>; daysOff: string[]; workingDays: string[] };

export const slotName = (weekday: number, slot: number, end: 'start' | 'end') => `h${weekday}_${slot}_${end}`;
export const addName = (list: 'daysOff' | 'workingDays', i: number) =>
  `${list === 'daysOff' ? 'addOff' : 'addWork'}${i}`;

/** The form as the stored calendar fills it. */
export function formOfCalendar(
  cal: Pick<WardCalendar, 'timezone' | 'businessHours' | 'daysOff' | 'workingDays'>,
): CalendarForm {
  const fields: Record<string, string> = { timezone: cal.timezone };
  const used = new Map<number, number>();
  const hours = [...cal.businessHours].sort(
    (a, b) => a.weekday - b.weekday || a.start.localeCompare(b.start),
  );
  for (const bh of hours) {
    const slot = used.get(bh.weekday) ?? 0;
    if (slot >= SLOTS) continue;
    used.set(bh.weekday, slot + 1);
    fields[slotName(bh.weekday, slot, 'start')] = bh.start;
    fields[slotName(bh.weekday, slot, 'end')] = bh.end;
  }
  return { fields, daysOff: [...cal.daysOff], workingDays: [...cal.workingDays] };
}

/** A date as typed: ISO `YYYY-MM-DD` (a date picker) or `dd/mm/yyyy` (a plain text box); null if neither. */
export function isoDateOf(text: string): string | null {
  const dmy = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
  const iso = dmy ? `${dmy[3]}-${dmy[2]?.padStart(2, '0')}-${dmy[1]?.padStart(2, '0')}` : text;
  return /^\d{4}-\d{2}-\d{2}$/.test(iso) && dayNumberOf(iso) !== null ? iso : null;
}

/**
 * The calendar a submitted form describes, with a Vietnamese message beside each field that is wrong:
 * the form's own checks (a slot half filled, a date that is none), then the calendar's validation —
 * the one the service runs (calendar.ts), its paths mapped back onto the form's fields.
 */
export function calendarOfForm(body: Record<string, unknown>): {
  form: CalendarForm;
  calendar: WardCalendar;
  problems: Problems;
} {
  const problems: Problems = {};
  const fields: Record<string, string> = { timezone: one(body, 'timezone') };
  const businessHours: WardCalendar['businessHours'] = [];
  /** For each business-hours entry, the form slot it came from (`h<weekday>_<slot>`). */
  const slotOf: string[] = [];
  for (let weekday = 1; weekday <= 7; weekday++)
    for (let slot = 0; slot < SLOTS; slot++) {
      const [s, e] = [slotName(weekday, slot, 'start'), slotName(weekday, slot, 'end')];
      const start = one(body, s);
      const end = one(body, e);
      fields[s] = start;
      fields[e] = end;
      if (start === '' && end === '') continue;
      if (start === '') problems[s] = t.slotIncomplete;
      if (end === '') problems[e] = t.slotIncomplete;
      if (start === '' || end === '') continue;
      businessHours.push({ weekday, start, end });
      slotOf.push(`h${weekday}_${slot}`);
    }
  const lists = { daysOff: [] as string[], workingDays: [] as string[] };
  /** For each date of each list, the field to show its message beside. */
  const sourceOf = { daysOff: [] as string[], workingDays: [] as string[] };
  for (const list of ['daysOff', 'workingDays'] as const) {
    for (const d of many(body, list)) {
      const iso = isoDateOf(d);
      if (iso === null) problems[list] ??= t.badDate;
      else {
        lists[list].push(iso);
        sourceOf[list].push(list);
      }
    }
    for (let i = 0; i < ADDS; i++) {
      const name = addName(list, i);
      const typed = one(body, name);
      fields[name] = typed;
      if (typed === '') continue;
      const iso = isoDateOf(typed);
      if (iso === null) problems[name] = t.badDate;
      else {
        lists[list].push(iso);
        sourceOf[list].push(name);
      }
    }
  }
  const calendar: WardCalendar = { timezone: fields.timezone ?? '', businessHours, ...lists };
  for (const p of validateCalendar(calendar)) {
    const name = fieldOfPath(p.path, slotOf, sourceOf);
    problems[name] ??= p.message;
  }
  return { form: { fields, daysOff: lists.daysOff, workingDays: lists.workingDays }, calendar, problems };
}

/** The form field a calendar problem's path (`businessHours[2].end`, `daysOff[0]`…) is about. */
export function fieldOfPath(
  path: string,
  slotOf: string[],
  sourceOf: { daysOff: string[]; workingDays: string[] },
): string {
  const hours = /^businessHours\[(\d+)\](?:\.(start|end|weekday))?$/.exec(path);
  if (hours) {
    const base = slotOf[Number(hours[1])];
    if (!base) return 'hours';
    return `${base}_${hours[2] === 'start' ? 'start' : 'end'}`;
  }
  const day = /^(daysOff|workingDays)\[(\d+)\]$/.exec(path);
  if (day) {
    const list = day[1] as 'daysOff' | 'workingDays';
    return sourceOf[list][Number(day[2])] ?? list;
  }
  if (path === 'businessHours') return 'hours';
  return path;
}
