import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Role, roles } from '../../../db/types.ts';
import { isDepartmentRole } from '../../../modules/auth/principal.ts';
import { passwordResetBody, userBody, userPatchBody } from '../../../modules/directory/directory-schemas.ts';
import { AppError } from '../../../shared/errors.ts';
import { type ConsoleDeps, sendPage } from '../../context.ts';
import {
  described,
  type Fields,
  field,
  filled,
  type Problems,
  problemsOf,
  selectField,
  serviceProblems,
  textField,
} from '../../fields.ts';
import { html } from '../../html.ts';
import { notice } from '../../layout.ts';
import { vi } from '../../vi.ts';
import {
  activeCell,
  activeSelect,
  activeWords,
  allDepartments,
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
const u = t.users;
const base = '/admin/users';

type Ward = Awaited<ReturnType<typeof allWards>>[number];
type Department = Awaited<ReturnType<typeof allDepartments>>[number];

const roleOf = (v: string | undefined): Role | undefined => roles.find((r) => r === v);
const roleOptions = roles.map((r): [string, string] => [r, vi.roles[r]]);

/**
 * Where the form's role puts the user, as the service binds it: an admin nowhere, intake and the
 * chairman in the chosen ward, department roles in the chosen department (its ward implied, so a ward
 * left chosen from before does not contradict it).
 */
function binding(f: Fields, role: Role | undefined) {
  if (role === 'admin') return { wardId: null, departmentId: null };
  if (role && isDepartmentRole(role))
    return { wardId: null, departmentId: filled(f, 'departmentId') ?? null };
  return { wardId: filled(f, 'wardId') ?? null, departmentId: filled(f, 'departmentId') ?? null };
}

/**
 * The ward and department selects (departments grouped by their ward): the active ones, and the one
 * already chosen even if it no longer is.
 */
function placeFields(values: Fields, problems: Problems, everyWard: Ward[], departments: Department[]) {
  const wards = everyWard.filter((w) => w.active || w.id === values.wardId);
  const byWard = wards
    .map((w) => ({
      w,
      ds: departments.filter((d) => d.wardId === w.id && (d.active || d.id === values.departmentId)),
    }))
    .filter((g) => g.ds.length);
  return html`<p class="meta" id="binding-hint">${u.bindingHint}</p>
${selectField('wardId', t.ward, [['', u.noWard], ...wards.map((w): [string, string] => [w.id, w.name])], values, problems)}
${field(
  'departmentId',
  u.department,
  html`<select id="departmentId" name="departmentId"${described('departmentId', problems)}><option value="">${u.noDepartment}</option>${byWard.map(
    (g) =>
      html`<optgroup label="${g.w.name}">${g.ds.map(
        (d) =>
          html`<option value="${d.id}"${values.departmentId === d.id ? html` selected` : ''}>${d.name}</option>`,
      )}</optgroup>`,
  )}</select>`,
  problems,
)}`;
}

/** Staff accounts: the list by ward, role and status; a new account; one account's page. */
export async function userPages(app: FastifyInstance, { container }: ConsoleDeps) {
  const { directory } = container;

  app.get(base, async (req, reply) => {
    const s = adminOnly(req);
    const raw = req.query as Record<string, string | undefined>;
    const wardId = wardIdOf(raw.wardId);
    const role = roleOf(raw.role);
    const [wards, departments, { items, nextCursor }] = await Promise.all([
      allWards(container, s.principal),
      allDepartments(container, s.principal),
      directory.listUsers(s.principal, {
        ...listArgs(raw),
        ...(wardId ? { wardId } : {}),
        ...(role ? { role } : {}),
      }),
    ]);
    const wardName = new Map(wards.map((w) => [w.id, w.name]));
    const departmentName = new Map(departments.map((d) => [d.id, d.name]));
    const rows = items.map(
      (
        x,
      ) => html`<tr><td><a href="/console${base}/${x.id}">${x.fullName}</a></td><td>${x.username}</td><td>${vi.roles[x.role]}</td>
<td>${x.wardId ? wardName.get(x.wardId) : ''}</td><td>${x.departmentId ? departmentName.get(x.departmentId) : ''}</td><td>${activeCell(x.active)}</td></tr>`,
    );
    const body = listBody(base, {
      title: u.title,
      newLabel: u.new,
      filters: html`${wardSelect(wards, wardId)}
<p><label for="role">${u.role}</label> <select id="role" name="role"><option value="">${u.anyRole}</option>${roleOptions.map(
        ([value, label]) =>
          html`<option value="${value}"${role === value ? html` selected` : ''}>${label}</option>`,
      )}</select></p>
${activeSelect(raw)}`,
      headers: [u.fullName, u.username, u.role, t.ward, u.department, t.status],
      rows,
      raw,
      nextCursor,
    });
    return sendPage(req, reply, container, { title: u.title, current: 'admin' }, body);
  });

  const createForm: CreateForm = async (req, reply, values, problems, status, top = '') => {
    const s = adminOnly(req);
    const [wards, departments] = await Promise.all([
      allWards(container, s.principal),
      allDepartments(container, s.principal),
    ]);
    const body = html`<h1>${u.new}</h1>
<p><a href="/console${base}">${t.back}</a></p>
${top}
<form method="post" action="/console${base}">${hiddenFields(s.csrf)}
${textField('username', u.username, values, problems, { required: true, hint: u.usernameHint })}
${textField('fullName', u.fullName, values, problems, { required: true })}
${selectField('role', u.role, roleOptions, values, problems)}
${placeFields(values, problems, wards, departments)}
${textField('email', u.email, values, problems, { type: 'email' })}
${textField('password', u.password, values, problems, { type: 'password', required: true, hint: u.passwordHint, autocomplete: 'new-password' })}
<p class="buttons"><button type="submit">${t.create}</button></p>
</form>`;
    return sendPage(req, reply, container, { title: u.new, current: 'admin', status }, body);
  };

  app.get(`${base}/new`, async (req, reply) => createForm(req, reply, { role: 'intake' }, {}, 200));

  app.post(base, async (req, reply) => {
    adminOnly(req);
    const f = fieldsOf(req);
    // The password is never sent back in a page, even to the admin who typed it.
    const shown = { ...f, password: '' };
    const role = roleOf(f.role);
    const place = binding(f, role);
    const parsed = userBody.safeParse({
      username: f.username ?? '',
      password: f.password ?? '',
      fullName: f.fullName ?? '',
      role: f.role ?? '',
      wardId: place.wardId ?? undefined,
      departmentId: place.departmentId ?? undefined,
      email: filled(f, 'email'),
    });
    if (!parsed.success)
      return createForm(req, reply, shown, problemsOf(parsed.error.issues), 400, fixNotice());
    try {
      const x = await directory.createUser(staffActor(req), parsed.data);
      return reply.redirect(`/console${base}/${x.id}?done=created`, 303);
    } catch (err) {
      if (isDuplicate(err))
        return createForm(req, reply, shown, { username: (err as Error).message }, 409, fixNotice());
      const problems = serviceProblems(err);
      if (problems) return createForm(req, reply, shown, problems, 400, fixNotice());
      if (err instanceof AppError && err.statusCode === 409)
        return createForm(req, reply, shown, {}, 409, notice('error', err.message, true));
      throw err;
    }
  });

  async function render(req: FastifyRequest, reply: FastifyReply, id: string, shown: Shown) {
    const s = adminOnly(req);
    const [x, wards, departments] = await Promise.all([
      directory.getUser(s.principal, id),
      allWards(container, s.principal),
      allDepartments(container, s.principal),
    ]);
    const values: Fields = shown.values ?? {
      fullName: x.fullName,
      email: x.email ?? '',
      role: x.role,
      wardId: x.wardId ?? '',
      departmentId: x.departmentId ?? '',
    };
    const problems = shown.problems ?? {};
    const raw = req.query as Record<string, string | undefined>;
    const wardName = wards.find((w) => w.id === x.wardId)?.name ?? '';
    const departmentName = departments.find((d) => d.id === x.departmentId)?.name ?? '';
    const body = html`<h1>${u.edit(x.fullName)}</h1>
<p><a href="/console${base}">${t.back}</a></p>
${shown.notice ?? doneNotice(raw, { password: u.passwordSet })}
<dl class="facts"><dt>${u.username}</dt><dd>${x.username}</dd><dt>${u.role}</dt><dd>${vi.roles[x.role]}</dd>
<dt>${t.ward}</dt><dd>${wardName}</dd><dt>${u.department}</dt><dd>${departmentName}</dd>
<dt>${t.status}</dt><dd>${activeWords(x.active)}</dd></dl>
<form method="post" action="/console${base}/${id}">${hiddenFields(s.csrf, versionShown(shown.values, x))}
${textField('fullName', u.fullName, values, problems, { required: true })}
${textField('email', u.email, values, problems, { type: 'email' })}
${selectField('role', u.role, roleOptions, values, problems)}
${placeFields(values, problems, wards, departments)}
<p class="meta">${u.sessionsEnd}</p>
<p class="buttons"><button type="submit">${t.save}</button></p>
</form>
<details class="confirm"${problems.newPassword ? html` open` : ''}><summary>${u.setPassword}</summary>
<form method="post" action="/console${base}/${id}/password">${hiddenFields(s.csrf)}
<p class="meta">${u.setPasswordHint}</p>
${textField('newPassword', u.newPassword, {}, problems, { type: 'password', required: true, hint: u.passwordHint, autocomplete: 'new-password' })}
<p><button type="submit">${u.setPassword}</button></p>
</form></details>
${lifecycleForms(`/console${base}/${id}`, x, x.fullName, s.csrf)}`;
    return sendPage(
      req,
      reply,
      container,
      { title: u.edit(x.fullName), current: 'admin', status: shown.status ?? 200 },
      body,
    );
  }

  recordPageRoute(app, base, render);

  app.post(`${base}/:id`, async (req, reply) => {
    adminOnly(req);
    const id = idOf(req);
    const f = fieldsOf(req);
    const role = roleOf(f.role);
    const parsed = userPatchBody.safeParse({
      fullName: f.fullName ?? '',
      email: filled(f, 'email') ?? null,
      role: f.role ?? '',
      ...binding(f, role),
    });
    if (!parsed.success) return render(req, reply, id, withProblems(problemsOf(parsed.error.issues), f));
    return applyChange(req, reply, { base, id, render, sent: f }, 'saved', () =>
      directory.updateUser(staffActor(req), id, ifMatchOf(f), parsed.data),
    );
  });

  app.post(`${base}/:id/password`, async (req, reply) => {
    adminOnly(req);
    const id = idOf(req);
    const f = fieldsOf(req);
    const parsed = passwordResetBody.safeParse({ newPassword: f.newPassword ?? '' });
    if (!parsed.success) return render(req, reply, id, withProblems(problemsOf(parsed.error.issues)));
    await directory.resetPassword(staffActor(req), id, parsed.data.newPassword);
    return reply.redirect(`/console${base}/${id}?done=password`, 303);
  });

  lifecycleRoutes(app, base, directory.setUserActive, render);
}
