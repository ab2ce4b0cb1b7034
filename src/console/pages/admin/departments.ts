import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { departmentBody, departmentPatchBody } from '../../../modules/directory/directory-schemas.ts';
import { type ConsoleDeps, sendPage } from '../../context.ts';
import { type Fields, problemsOf, selectField, serviceProblems, textField } from '../../fields.ts';
import { html } from '../../html.ts';
import { vi } from '../../vi.ts';
import {
  activeCell,
  activeSelect,
  activeWords,
  allWards,
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
  wardIdOf,
  wardSelect,
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

const t = vi.adminDirectory;
const base = '/admin/departments';

/** Departments (phòng ban) of every ward: the list by ward, a new one, one department's page. */
export async function departmentPages(app: FastifyInstance, { container }: ConsoleDeps) {
  const { directory } = container;

  app.get(base, async (req, reply) => {
    const s = adminOnly(req);
    const raw = req.query as Record<string, string | undefined>;
    const wardId = wardIdOf(raw.wardId);
    const [wards, { items, nextCursor }] = await Promise.all([
      allWards(container, s.principal),
      directory.listDepartments(s.principal, wardId, listArgs(raw)),
    ]);
    const wardName = new Map(wards.map((w) => [w.id, w.name]));
    const rows = items.map(
      (d) =>
        html`<tr><td><a href="/console${base}/${d.id}">${d.name}</a></td><td>${d.code}</td><td>${wardName.get(d.wardId) ?? ''}</td><td>${activeCell(d.active)}</td></tr>`,
    );
    const body = listBody(base, {
      title: t.departments.title,
      newLabel: t.departments.new,
      newQuery: wardId ? `?wardId=${wardId}` : '',
      filters: html`${wardSelect(wards, wardId)}${activeSelect(raw)}`,
      headers: [t.name, t.code, t.ward, t.status],
      rows,
      raw,
      nextCursor,
    });
    return sendPage(req, reply, container, { title: t.departments.title, current: 'admin' }, body);
  });

  const createForm: CreateForm = async (req, reply, values, problems, status, top = '') => {
    const s = adminOnly(req);
    const wards = (await allWards(container, s.principal)).filter((w) => w.active || w.id === values.wardId);
    const body = html`<h1>${t.departments.new}</h1>
<p><a href="/console${base}">${t.back}</a></p>
${top}
<form method="post" action="/console${base}">${hiddenFields(s.csrf)}
${selectField(
  'wardId',
  t.ward,
  [['', t.departments.chooseWard], ...wards.map((w): [string, string] => [w.id, w.name])],
  values,
  problems,
)}
${textField('code', t.code, values, problems, { required: true, hint: t.departments.codeHint })}
${textField('name', t.name, values, problems, { required: true })}
<p class="buttons"><button type="submit">${t.create}</button></p>
</form>`;
    return sendPage(req, reply, container, { title: t.departments.new, current: 'admin', status }, body);
  };

  app.get(`${base}/new`, async (req, reply) => {
    const wardId = wardIdOf((req.query as { wardId?: string }).wardId);
    return createForm(req, reply, wardId ? { wardId } : {}, {}, 200);
  });

  app.post(base, async (req, reply) => {
    adminOnly(req);
    const f = fieldsOf(req);
    const parsed = departmentBody.safeParse({
      wardId: f.wardId ?? '',
      code: f.code ?? '',
      name: f.name ?? '',
    });
    if (!parsed.success) return createForm(req, reply, f, problemsOf(parsed.error.issues), 400, fixNotice());
    try {
      const d = await directory.createDepartment(staffActor(req), parsed.data);
      return reply.redirect(`/console${base}/${d.id}?done=created`, 303);
    } catch (err) {
      if (isDuplicate(err))
        return createForm(req, reply, f, { code: (err as Error).message }, 409, fixNotice());
      const problems = serviceProblems(err);
      if (problems) return createForm(req, reply, f, problems, 400, fixNotice());
      throw err;
    }
  });

  async function render(req: FastifyRequest, reply: FastifyReply, id: string, shown: Shown) {
    const s = adminOnly(req);
    const d = await directory.getDepartment(s.principal, id);
    const ward = await directory.getWard(s.principal, d.wardId);
    const values: Fields = shown.values ?? { name: d.name };
    const problems = shown.problems ?? {};
    const raw = req.query as Record<string, string | undefined>;
    const body = html`<h1>${t.departments.edit(d.name)}</h1>
<p><a href="/console${base}?wardId=${d.wardId}">${t.back}</a></p>
${shown.notice ?? doneNotice(raw)}
<dl class="facts"><dt>${t.code}</dt><dd>${d.code}</dd><dt>${t.ward}</dt><dd><a href="/console/admin/wards/${ward.id}">${ward.name}</a></dd>
<dt>${t.status}</dt><dd>${activeWords(d.active)}</dd></dl>
<form method="post" action="/console${base}/${id}">${hiddenFields(s.csrf, versionShown(shown.values, d))}
<p class="meta">${t.codeFixed}</p>
${textField('name', t.name, values, problems, { required: true })}
<p class="buttons"><button type="submit">${t.save}</button></p>
</form>
${lifecycleForms(`/console${base}/${id}`, d, d.name, s.csrf)}`;
    return sendPage(
      req,
      reply,
      container,
      { title: t.departments.edit(d.name), current: 'admin', status: shown.status ?? 200 },
      body,
    );
  }

  recordPageRoute(app, base, render);

  app.post(`${base}/:id`, async (req, reply) => {
    adminOnly(req);
    const id = idOf(req);
    const f = fieldsOf(req);
    const sent = { name: f.name ?? '', version: f.version ?? '' };
    const parsed = departmentPatchBody.safeParse({ name: sent.name });
    if (!parsed.success) return render(req, reply, id, withProblems(problemsOf(parsed.error.issues), sent));
    return applyChange(req, reply, { base, id, render, sent }, 'saved', () =>
      directory.updateDepartment(staffActor(req), id, ifMatchOf(f), parsed.data),
    );
  });

  lifecycleRoutes(app, base, directory.setDepartmentActive, render);
}
