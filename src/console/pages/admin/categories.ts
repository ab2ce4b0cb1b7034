import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { categoryBody, categoryPatchBody } from '../../../modules/directory/directory-schemas.ts';
import { type ConsoleDeps, sendPage } from '../../context.ts';
import {
  described,
  type Fields,
  fieldError,
  filled,
  type Problems,
  problemsOf,
  textField,
} from '../../fields.ts';
import { html } from '../../html.ts';
import { vi } from '../../vi.ts';
import {
  activeCell,
  activeSelect,
  activeWords,
  doneNotice,
  fieldsOf,
  hiddenFields,
  idOf,
  ifMatchOf,
  isDuplicate,
  lifecycleForms,
  listArgs,
  listBody,
  versionShown,
} from './common.ts';
import { adminOnly, staffActor } from './guards.ts';
import {
  applyChange,
  type CreateForm,
  fixNotice,
  lifecycleRoutes,
  recordPageRoute,
  type Shown,
  withProblems,
} from './record-routes.ts';
import { durationUnits, durationWords, fromIsoDuration, toIsoDuration, unitLabel } from './sla-duration.ts';

const t = vi.adminDirectory;
const c = t.categories;
const base = '/admin/categories';
const urgencies = ['normal', 'urgent'] as const;
type Urgency = (typeof urgencies)[number];
type Sla = { duration: string; clock: 'working' | 'continuous' };

/** A schema issue's path as the form's field: the SLA's duration is typed as a number and a unit. */
const fieldName = (path: string) => {
  const m = /^sla\.(normal|urgent)(?:\.(duration|clock))?$/.exec(path);
  if (m) return `${m[1]}${m[2] === 'clock' ? 'Clock' : 'Amount'}`;
  return path.split('.').at(-1) ?? path;
};

/**
 * An SLA from the form's number, unit and clock. A number that is not a whole 1–9999 is the form's
 * own mistake (said beside it); the rest is the API's schema's to judge.
 */
function slaOf(f: Fields, u: Urgency, problems: Problems): Sla {
  const amount = f[`${u}Amount`] ?? '';
  const unit = durationUnits.find((x) => x === f[`${u}Unit`]) ?? 'days';
  if (!/^\d{1,4}$/.test(amount.trim()) || Number(amount) === 0) problems[`${u}Amount`] = c.amountInvalid;
  return {
    duration: toIsoDuration(Number(amount.trim()) || 1, unit),
    clock: f[`${u}Clock`] as Sla['clock'],
  };
}

/** The form's values for an SLA as stored: "P5D" working → 5, days, working. */
const slaFields = (u: Urgency, sla: Sla): Fields => {
  const d = fromIsoDuration(sla.duration);
  return {
    [`${u}Amount`]: d ? String(d.amount) : '',
    [`${u}Unit`]: d?.unit ?? 'days',
    [`${u}Clock`]: sla.clock,
  };
};

/** The number, unit and clock of one SLA, in a fieldset of their own. */
const slaFieldset = (u: Urgency, values: Fields, problems: Problems) => {
  const amount = `${u}Amount`;
  const unit = `${u}Unit`;
  const clock = `${u}Clock`;
  return html`<fieldset class="sla"><legend>${u === 'normal' ? c.normal : c.urgent}</legend>
<p class="field${problems[amount] ? ' invalid' : ''}"><label for="${amount}">${c.amount}</label>
<input id="${amount}" name="${amount}" inputmode="numeric" pattern="[0-9]*" size="5" required value="${values[amount] ?? ''}"${described(amount, problems)}>${fieldError(amount, problems)}</p>
<p class="field"><label for="${unit}">${c.unit}</label>
<select id="${unit}" name="${unit}">${durationUnits.map(
    (x) => html`<option value="${x}"${values[unit] === x ? html` selected` : ''}>${unitLabel(x)}</option>`,
  )}</select></p>
<p class="field${problems[clock] ? ' invalid' : ''}"><label for="${clock}">${c.clock}</label>
<select id="${clock}" name="${clock}"${described(clock, problems)}>${['working', 'continuous'].map(
    (x) => html`<option value="${x}"${values[clock] === x ? html` selected` : ''}>${c.clocks[x]}</option>`,
  )}</select>${fieldError(clock, problems)}</p>
</fieldset>`;
};

const slaWords = (sla: Sla) => durationWords(sla.duration, sla.clock);

/** Categories (lĩnh vực), shared by every ward: name, default department, SLA per urgency; lifecycle. */
export async function categoryPages(app: FastifyInstance, { container }: ConsoleDeps) {
  const { directory } = container;

  app.get(base, async (req, reply) => {
    adminOnly(req);
    const raw = req.query as Record<string, string | undefined>;
    const { items, nextCursor } = await directory.listCategories(listArgs(raw));
    const rows = items.map(
      (
        x,
      ) => html`<tr><td><a href="/console${base}/${x.id}">${x.name}</a></td><td>${x.code}</td><td>${x.defaultDepartmentCode ?? c.noDefault}</td>
<td>${slaWords(x.sla.normal)}</td><td>${slaWords(x.sla.urgent)}</td><td>${activeCell(x.active)}</td></tr>`,
    );
    const body = listBody(base, {
      title: c.title,
      newLabel: c.new,
      filters: activeSelect(raw),
      headers: [t.name, t.code, c.defaultDepartment, c.normal, c.urgent, t.status],
      rows,
      raw,
      nextCursor,
    });
    return sendPage(req, reply, container, { title: c.title, current: 'admin' }, body);
  });

  const createForm: CreateForm = (req, reply, values, problems, status, top = '') => {
    const s = adminOnly(req);
    const body = html`<h1>${c.new}</h1>
<p><a href="/console${base}">${t.back}</a></p>
${top}
<form method="post" action="/console${base}">${hiddenFields(s.csrf)}
${textField('code', t.code, values, problems, { required: true, hint: c.codeHint })}
${textField('name', t.name, values, problems, { required: true })}
${textField('defaultDepartmentCode', c.defaultDepartment, values, problems, { hint: c.defaultDepartmentHint })}
${urgencies.map((u) => slaFieldset(u, values, problems))}
<p class="buttons"><button type="submit">${t.create}</button></p>
</form>`;
    return sendPage(req, reply, container, { title: c.new, current: 'admin', status }, body);
  };

  app.get(`${base}/new`, async (req, reply) =>
    createForm(
      req,
      reply,
      {
        ...slaFields('normal', { duration: 'P5D', clock: 'working' }),
        ...slaFields('urgent', { duration: 'P1D', clock: 'working' }),
      },
      {},
      200,
    ),
  );

  app.post(base, async (req, reply) => {
    adminOnly(req);
    const f = fieldsOf(req);
    const own: Problems = {};
    const parsed = categoryBody.safeParse({
      code: f.code ?? '',
      name: f.name ?? '',
      defaultDepartmentCode: filled(f, 'defaultDepartmentCode'),
      sla: { normal: slaOf(f, 'normal', own), urgent: slaOf(f, 'urgent', own) },
    });
    const problems = { ...(parsed.success ? {} : problemsOf(parsed.error.issues, fieldName)), ...own };
    if (!parsed.success || Object.keys(own).length)
      return createForm(req, reply, f, problems, 400, fixNotice());
    try {
      const x = await directory.createCategory(staffActor(req), parsed.data);
      return reply.redirect(`/console${base}/${x.id}?done=created`, 303);
    } catch (err) {
      if (isDuplicate(err))
        return createForm(req, reply, f, { code: (err as Error).message }, 409, fixNotice());
      throw err;
    }
  });

  async function render(req: FastifyRequest, reply: FastifyReply, id: string, shown: Shown) {
    const s = adminOnly(req);
    const x = await directory.getCategory(id);
    const values: Fields = shown.values ?? {
      name: x.name,
      defaultDepartmentCode: x.defaultDepartmentCode ?? '',
      ...slaFields('normal', x.sla.normal),
      ...slaFields('urgent', x.sla.urgent),
    };
    const problems = shown.problems ?? {};
    const raw = req.query as Record<string, string | undefined>;
    const body = html`<h1>${c.edit(x.name)}</h1>
<p><a href="/console${base}">${t.back}</a></p>
${shown.notice ?? doneNotice(raw)}
<dl class="facts"><dt>${t.code}</dt><dd>${x.code}</dd>
<dt>${c.defaultDepartment}</dt><dd>${x.defaultDepartmentCode ?? c.noDefault}</dd>
<dt>${c.normal}</dt><dd>${slaWords(x.sla.normal)}</dd><dt>${c.urgent}</dt><dd>${slaWords(x.sla.urgent)}</dd>
<dt>${t.status}</dt><dd>${activeWords(x.active)}</dd></dl>
<form method="post" action="/console${base}/${id}">${hiddenFields(s.csrf, versionShown(shown.values, x))}
<p class="meta">${t.codeFixed}</p>
${textField('name', t.name, values, problems, { required: true })}
${textField('defaultDepartmentCode', c.defaultDepartment, values, problems, { hint: c.defaultDepartmentHint })}
${urgencies.map((u) => slaFieldset(u, values, problems))}
<p class="meta">${c.slaNote}</p>
<p class="buttons"><button type="submit">${t.save}</button></p>
</form>
${lifecycleForms(`/console${base}/${id}`, x, x.name, s.csrf)}`;
    return sendPage(
      req,
      reply,
      container,
      { title: c.edit(x.name), current: 'admin', status: shown.status ?? 200 },
      body,
    );
  }

  recordPageRoute(app, base, render);

  app.post(`${base}/:id`, async (req, reply) => {
    adminOnly(req);
    const id = idOf(req);
    const f = fieldsOf(req);
    const own: Problems = {};
    const parsed = categoryPatchBody.safeParse({
      name: f.name ?? '',
      defaultDepartmentCode: filled(f, 'defaultDepartmentCode') ?? null,
      sla: { normal: slaOf(f, 'normal', own), urgent: slaOf(f, 'urgent', own) },
    });
    if (!parsed.success || Object.keys(own).length)
      return render(
        req,
        reply,
        id,
        withProblems({ ...(parsed.success ? {} : problemsOf(parsed.error.issues, fieldName)), ...own }, f),
      );
    return applyChange(req, reply, { base, id, render, sent: f, nameOf: fieldName }, 'saved', () =>
      directory.updateCategory(staffActor(req), id, ifMatchOf(f), parsed.data),
    );
  });

  lifecycleRoutes(app, base, directory.setCategoryActive, render);
}
