import { tz } from '@date-fns/tz';
import { format } from 'date-fns/format';
import type { UserPrincipal } from '../../../modules/auth/principal.ts';
import type { CalendarService } from '../../../modules/sla/calendar-service.ts';
import { durationSchema } from '../../../modules/sla/duration-schema.ts';
import { dayNumberOf, isoWeekdayOf, localDayOf, localToInstant } from '../../../modules/sla/local-day.ts';
import { AppError } from '../../../shared/errors.ts';
import { described, field, labelWithHint, one, type Problems } from '../../fields.ts';
import { html } from '../../html.ts';
import { vi } from '../../vi.ts';

const t = vi.adminOps.calendar;

export type DeadlineCheck = {
  values: { from: string; duration: string; clock: string };
  problems: Problems;
  result?: { dueAt: string; provisionalYears: number[] };
};

/** A moment as people read it in the ward: "Thứ Hai, 15/06/2026 17:00" (its own time zone). */
export function wardTime(iso: string, timezone: string): string {
  const at = new Date(iso);
  const weekday = vi.adminOps.weekdays[isoWeekdayOf(localDayOf(timezone, at.getTime()))];
  return `${weekday}, ${format(at, 'dd/MM/yyyy HH:mm', { in: tz(timezone) })}`;
}

/** The tool's empty state: received now (in the ward), five working days. */
export const freshCheck = (timezone: string, now = new Date()): DeadlineCheck => ({
  values: {
    from: format(now, "yyyy-MM-dd'T'HH:mm", { in: tz(timezone) }),
    duration: 'P5D',
    clock: 'working',
  },
  problems: {},
});

/**
 * "Kiểm tra thời hạn": the deadline the SLA engine gives a case received at a local date-time — the
 * calendar service's own arithmetic (GET /api/v1/wards/{id}/calendar/deadline).
 */
export async function checkDeadline(
  calendars: CalendarService,
  caller: UserPrincipal,
  ward: { id: string; timezone: string },
  query: Record<string, unknown>,
): Promise<DeadlineCheck> {
  const values = {
    from: one(query, 'from'),
    duration: one(query, 'duration').toUpperCase(),
    clock: one(query, 'clock') === 'continuous' ? 'continuous' : 'working',
  };
  const problems: Problems = {};
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::\d{2})?$/.exec(values.from);
  const day = m?.[1] ? dayNumberOf(m[1]) : null;
  const minutes = m ? Number(m[2]) * 60 + Number(m[3]) : Number.NaN;
  let from: Date | null = null;
  if (day === null || !(minutes >= 0 && minutes < 1440)) problems.from = t.badFrom;
  else from = new Date(localToInstant(ward.timezone, day, minutes));
  const duration = durationSchema.safeParse(values.duration);
  if (!duration.success) problems.duration = duration.error.issues[0]?.message ?? t.durationHint;
  if (!from || !duration.success) return { values, problems };
  try {
    const r = await calendars.deadline(caller, ward.id, from, duration.data, values.clock as 'working');
    return { values, problems, result: { dueAt: r.dueAt, provisionalYears: r.provisionalYears } };
  } catch (err) {
    if (err instanceof AppError && err.statusCode === 400) {
      problems.duration = err.message;
      return { values, problems };
    }
    throw err;
  }
}

/** The result of a check (also the fragment htmx swaps in). */
export const deadlineResult = (check: DeadlineCheck, timezone: string) =>
  html`<div id="deadline-result" aria-live="polite">${
    check.result
      ? html`<p class="notice info"><strong>${t.dueAt(wardTime(check.result.dueAt, timezone))}</strong>${
          check.result.provisionalYears.length
            ? html`<br>${t.provisional(check.result.provisionalYears.join(', '))}`
            : ''
        }</p>`
      : ''
  }</div>`;

/** The tool's form: a GET (works without JavaScript), enhanced by htmx to swap the result alone. */
export const deadlineForm = (wardId: string, check: DeadlineCheck, timezone: string) => {
  const { values: v, problems } = check;
  return html`<form method="get" action="/console/admin/calendar/deadline" hx-get="/console/admin/calendar/deadline" hx-target="#deadline-tool" hx-swap="outerHTML" id="deadline-tool" class="deadline-tool">
<input type="hidden" name="wardId" value="${wardId}">
${field('from', t.from, html`<input id="from" name="from" type="datetime-local" value="${v.from}"${described('from', problems)}>`, problems)}
${field('duration', labelWithHint(t.duration, t.durationHint), html`<input id="duration" name="duration" value="${v.duration}" autocomplete="off" spellcheck="false"${described('duration', problems)}>`, problems)}
${field(
  'clock',
  t.clock,
  html`<select id="clock" name="clock">${['working', 'continuous'].map(
    (c) =>
      html`<option value="${c}"${v.clock === c ? html` selected` : ''}>${vi.adminOps.clocks[c]}</option>`,
  )}</select>`,
  problems,
)}
<p><button type="submit">${t.check}</button></p>
${deadlineResult(check, timezone)}
</form>`;
};
