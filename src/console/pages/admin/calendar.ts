import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { UserPrincipal } from '../../../modules/auth/principal.ts';
import { officialSchedules } from '../../../modules/sla/calendar.ts';
import { dayNumberOf, isoWeekdayOf } from '../../../modules/sla/local-day.ts';
import { AppError } from '../../../shared/errors.ts';
import { type ConsoleDeps, sendFragment, sendPage, sessionOf } from '../../context.ts';
import { described, field, fieldError, labelWithHint, type Problems } from '../../fields.ts';
import { html } from '../../html.ts';
import { notice } from '../../layout.ts';
import { vi } from '../../vi.ts';
import {
  ADDS,
  addName,
  type CalendarForm,
  calendarOfForm,
  fieldOfPath,
  formOfCalendar,
  SLOTS,
  slotName,
} from './calendar-form.ts';
import { checkDeadline, type DeadlineCheck, deadlineForm, freshCheck } from './deadline-tool.ts';
import { adminOnly, staffActor } from './guards.ts';
import { sendWardPicker, wardIdOf } from './ward-picker.ts';

const t = vi.adminOps.calendar;
const dmy = (iso: string) => iso.split('-').reverse().join('/');
const weekdayOf = (iso: string) => vi.adminOps.weekdays[isoWeekdayOf(dayNumberOf(iso) ?? 0)] ?? '';

/**
 * A ward's working calendar (api.md `GET/PUT /api/v1/wards/{id}/calendar`), admin only: business hours
 * per weekday, days off and make-up days as lists of dates (uncheck to remove, blank boxes to add), the
 * source of each year's days off, the official 2026 schedule, and "kiểm tra thời hạn" — the deadline
 * the engine would give. The calendar service validates and saves; it has no version to compare
 * (PUT replaces the calendar), so the last save wins, as in the API.
 */
export async function calendarPages(app: FastifyInstance, { container }: ConsoleDeps) {
  const { calendars } = container;

  async function render(
    req: FastifyRequest,
    reply: FastifyReply,
    wardId: string,
    state: {
      form?: CalendarForm;
      problems?: Problems;
      status?: number;
      saved?: number;
      check?: DeadlineCheck;
      error?: string;
    },
  ) {
    const s = sessionOf(req);
    const ward = await container.directory.getWard(s.principal, wardId);
    const cal = await calendars.getCalendar(s.principal, ward.id);
    const stored = formOfCalendar(cal);
    const form = state.form ?? stored;
    const problems = state.problems ?? {};
    const names = new Map<string, string>();
    for (const y of cal.years) {
      const year = await calendars.getYear(s.principal, ward.id, y.year);
      for (const d of [...year.daysOff, ...year.workingDays]) names.set(d.date, d.name);
    }
    const v = (name: string) => form.fields[name] ?? '';
    const invalid = Object.keys(problems).length > 0;
    const hours = html`<fieldset${described('hours', problems)}><legend>${t.hours}</legend>
<p class="meta">${t.hoursHint}</p>${fieldError('hours', problems)}
<table class="cases hours"><thead><tr><th scope="col">${t.weekday}</th>${Array.from({ length: SLOTS }, (_, i) => html`<th scope="col">${t.slotHead(i + 1)}</th>`)}</tr></thead><tbody>
${[1, 2, 3, 4, 5, 6, 7].map(
  (wd) =>
    html`<tr><th scope="row">${vi.adminOps.weekdays[wd]}</th>${Array.from({ length: SLOTS }, (_, slot) => {
      const cell = (end: 'start' | 'end') => {
        const name = slotName(wd, slot, end);
        const label = `${t.slot(vi.adminOps.weekdays[wd] ?? '', slot + 1)} — ${end === 'start' ? t.start : t.end}`;
        return html`<label for="${name}" class="visually-hidden">${label}</label><input id="${name}" name="${name}" class="time${problems[name] ? ' invalid' : ''}" inputmode="numeric" size="5" maxlength="5" placeholder="HH:MM" autocomplete="off" value="${v(name)}"${described(name, problems)}>`;
      };
      const start = slotName(wd, slot, 'start');
      const end = slotName(wd, slot, 'end');
      return html`<td>${cell('start')} – ${cell('end')}${fieldError(start, problems)}${fieldError(end, problems)}</td>`;
    })}</tr>`,
)}</tbody></table></fieldset>`;
    const dayList = (list: 'daysOff' | 'workingDays', legend: string) => {
      const chosen = new Set(form[list]);
      const all = [...new Set([...stored[list], ...form[list]])].sort();
      return html`<fieldset${described(list, problems)}><legend>${legend}</legend>
<p class="meta">${t.keepHint}</p>${fieldError(list, problems)}
${
  all.length
    ? html`<ul class="days">${all.map(
        (d) =>
          html`<li><label><input type="checkbox" name="${list}" value="${d}"${chosen.has(d) ? html` checked` : ''}> ${dmy(d)} (${weekdayOf(d)})${names.get(d) ? html` — ${names.get(d)}` : ''}</label></li>`,
      )}</ul>`
    : html`<p>${t.none}</p>`
}
<div class="adds">${Array.from({ length: ADDS }, (_, i) => {
        const name = addName(list, i);
        return field(
          name,
          `${t.add} ${i + 1}`,
          html`<input id="${name}" name="${name}" type="date" value="${v(name)}"${described(name, problems)}>`,
          problems,
        );
      })}</div></fieldset>`;
    };
    const years = html`<h2>${t.years}</h2><ul>${cal.years.map(
      (y) => html`<li>${y.year}: ${t.yearStatus[y.status]}, ${t.yearSource[y.source]}</li>`,
    )}</ul>`;
    const official = officialSchedules()[0];
    const officialTable = official
      ? html`<h2>${t.official}</h2><p class="meta">${t.officialHint}</p>
<table class="cases"><thead><tr><th scope="col">${t.date}</th><th scope="col">${t.dayName}</th></tr></thead><tbody>
${official.daysOff.map((d) => html`<tr><td>${dmy(d.date)} (${weekdayOf(d.date)})</td><td>${d.name}</td></tr>`)}
${official.workingDays.map((d) => html`<tr><td>${dmy(d.date)} (${weekdayOf(d.date)})</td><td>${t.officialWorking}: ${d.name}</td></tr>`)}
</tbody></table>`
      : '';
    const check = state.check ?? freshCheck(cal.timezone);
    const body = html`<p><a href="/console/admin">${vi.adminOps.back}</a></p>
<h1>${t.titleOf(ward.name)}</h1>
${state.saved !== undefined ? notice('info', t.savedMoved(state.saved)) : ''}
${state.error ? notice('error', state.error, true) : invalid ? notice('error', vi.adminOps.fix, true) : ''}
<form method="post" action="/console/admin/calendar?wardId=${ward.id}" class="calendar">
<input type="hidden" name="_csrf" value="${s.csrf}">
${field('timezone', labelWithHint(t.timezone, t.timezoneHint), html`<input id="timezone" name="timezone" value="${v('timezone')}" autocomplete="off" spellcheck="false"${described('timezone', problems)}>`, problems)}
${hours}
${dayList('daysOff', t.daysOff)}
${dayList('workingDays', t.workingDays)}
<p><button type="submit">${t.save}</button></p>
</form>
${years}
<h2>${t.tool}</h2><p class="meta">${t.toolHint}</p>
${deadlineForm(ward.id, check, cal.timezone)}
${officialTable}`;
    return sendPage(
      req,
      reply,
      container,
      { title: t.titleOf(ward.name), status: state.status ?? 200 },
      body,
    );
  }

  /** No ward chosen (or a malformed one): the page that asks which. */
  const pickWard = (req: FastifyRequest, reply: FastifyReply, caller: UserPrincipal) =>
    sendWardPicker(req, reply, { container }, caller, { title: t.title, action: '/console/admin/calendar' });

  app.get('/admin/calendar', async (req, reply) => {
    const s = adminOnly(req);
    const wardId = wardIdOf(req);
    if (!wardId) return pickWard(req, reply, s.principal);
    const saved = Number((req.query as { saved?: string }).saved);
    return render(req, reply, wardId, Number.isInteger(saved) && saved >= 0 ? { saved } : {});
  });

  app.post('/admin/calendar', async (req, reply) => {
    const s = adminOnly(req);
    const wardId = wardIdOf(req);
    if (!wardId) return pickWard(req, reply, s.principal);
    const { form, calendar, problems } = calendarOfForm((req.body ?? {}) as Record<string, unknown>);
    if (Object.keys(problems).length) return render(req, reply, wardId, { form, problems, status: 400 });
    try {
      const saved = await calendars.putCalendar(staffActor(req), wardId, calendar);
      return reply.redirect(`/console/admin/calendar?wardId=${wardId}&saved=${saved.recalculatedCases}`, 303);
    } catch (err) {
      if (!(err instanceof AppError) || err.statusCode !== 400) throw err;
      const mapped: Problems = {};
      for (const p of err.errors ?? [])
        mapped[fieldOfPath(p.path, [], { daysOff: [], workingDays: [] })] ??= p.message;
      return render(req, reply, wardId, { form, problems: mapped, status: 400, error: err.message });
    }
  });

  /** The deadline tool: its fragment for htmx, the whole page with the result otherwise. */
  app.get('/admin/calendar/deadline', async (req, reply) => {
    const s = adminOnly(req);
    const wardId = wardIdOf(req);
    if (!wardId) return pickWard(req, reply, s.principal);
    const cal = await calendars.getCalendar(s.principal, wardId);
    const check = await checkDeadline(
      calendars,
      s.principal,
      { id: wardId, timezone: cal.timezone },
      req.query as Record<string, unknown>,
    );
    const status = Object.keys(check.problems).length ? 400 : 200;
    if (req.headers['hx-request'])
      return sendFragment(reply, deadlineForm(wardId, check, cal.timezone), status);
    return render(req, reply, wardId, { check, status });
  });
}
