import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { wardBody, wardPatchBody } from '../../../modules/directory/directory-schemas.ts';
import { type ConsoleDeps, sendPage } from '../../context.ts';
import { type Fields, problemsOf, textField } from '../../fields.ts';
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

const t = vi.adminDirectory;
const base = '/admin/wards';

/** Wards (phường): the list, a new one, and one ward's page (rename, answers' approval, lifecycle). */
export async function wardPages(app: FastifyInstance, { container }: ConsoleDeps) {
  const { directory } = container;

  app.get(base, async (req, reply) => {
    const s = adminOnly(req);
    const raw = req.query as Record<string, string | undefined>;
    const { items, nextCursor } = await directory.listWards(s.principal, listArgs(raw));
    const rows = items.map(
      (w) =>
        html`<tr><td><a href="/console${base}/${w.id}">${w.name}</a></td><td>${w.code}</td><td>${activeCell(w.active)}</td></tr>`,
    );
    const body = listBody(base, {
      title: t.wards.title,
      newLabel: t.wards.new,
      filters: activeSelect(raw),
      headers: [t.name, t.code, t.status],
      rows,
      raw,
      nextCursor,
    });
    return sendPage(req, reply, container, { title: t.wards.title, current: 'admin' }, body);
  });

  const createForm: CreateForm = (req, reply, values, problems, status, top = '') => {
    const s = adminOnly(req);
    const body = html`<h1>${t.wards.new}</h1>
<p><a href="/console${base}">${t.back}</a></p>
${top}
<form method="post" action="/console${base}">${hiddenFields(s.csrf)}
${textField('code', t.code, values, problems, { required: true, hint: t.wards.codeHint })}
${textField('name', t.name, values, problems, { required: true })}
<p class="buttons"><button type="submit">${t.create}</button></p>
</form>`;
    return sendPage(req, reply, container, { title: t.wards.new, current: 'admin', status }, body);
  };

  app.get(`${base}/new`, async (req, reply) => createForm(req, reply, {}, {}, 200));

  app.post(base, async (req, reply) => {
    adminOnly(req);
    const f = fieldsOf(req);
    const parsed = wardBody.safeParse({ code: f.code ?? '', name: f.name ?? '' });
    if (!parsed.success) return createForm(req, reply, f, problemsOf(parsed.error.issues), 400, fixNotice());
    try {
      const ward = await directory.createWard(staffActor(req), parsed.data);
      return reply.redirect(`/console${base}/${ward.id}?done=created`, 303);
    } catch (err) {
      if (isDuplicate(err))
        return createForm(req, reply, f, { code: (err as Error).message }, 409, fixNotice());
      throw err;
    }
  });

  /** One ward: what it is, the form that changes it (with the version shown), its lifecycle. */
  async function render(req: FastifyRequest, reply: FastifyReply, id: string, shown: Shown) {
    const s = adminOnly(req);
    const ward = await directory.getWard(s.principal, id);
    const values: Fields = shown.values ?? {
      name: ward.name,
      officerAnswersNeedApproval: String(ward.officerAnswersNeedApproval),
    };
    const problems = shown.problems ?? {};
    const raw = req.query as Record<string, string | undefined>;
    const body = html`<h1>${t.wards.edit(ward.name)}</h1>
<p><a href="/console${base}">${t.back}</a></p>
${shown.notice ?? doneNotice(raw)}
<dl class="facts"><dt>${t.code}</dt><dd>${ward.code}</dd><dt>${t.status}</dt><dd>${activeWords(ward.active)}</dd>
<dt>${t.wards.approval}</dt><dd>${ward.officerAnswersNeedApproval ? t.wards.approvalYes : t.wards.approvalNo}</dd></dl>
<form method="post" action="/console${base}/${id}">${hiddenFields(s.csrf, versionShown(shown.values, ward))}
<p class="meta">${t.codeFixed}</p>
${textField('name', t.name, values, problems, { required: true })}
<p><input type="checkbox" id="officerAnswersNeedApproval" name="officerAnswersNeedApproval" value="true"${values.officerAnswersNeedApproval === 'true' ? html` checked` : ''}> <label for="officerAnswersNeedApproval">${t.wards.approval}</label></p>
<p class="buttons"><button type="submit">${t.save}</button></p>
</form>
${lifecycleForms(`/console${base}/${id}`, ward, ward.name, s.csrf)}`;
    return sendPage(
      req,
      reply,
      container,
      { title: t.wards.edit(ward.name), current: 'admin', status: shown.status ?? 200 },
      body,
    );
  }

  recordPageRoute(app, base, render);

  app.post(`${base}/:id`, async (req, reply) => {
    adminOnly(req);
    const id = idOf(req);
    const f = fieldsOf(req);
    const sent = {
      name: f.name ?? '',
      officerAnswersNeedApproval: String(f.officerAnswersNeedApproval === 'true'),
      version: f.version ?? '',
    };
    const parsed = wardPatchBody.safeParse({
      name: sent.name,
      officerAnswersNeedApproval: sent.officerAnswersNeedApproval === 'true',
    });
    if (!parsed.success) return render(req, reply, id, withProblems(problemsOf(parsed.error.issues), sent));
    return applyChange(req, reply, { base, id, render, sent }, 'saved', () =>
      directory.updateWard(staffActor(req), id, ifMatchOf(f), parsed.data),
    );
  });

  lifecycleRoutes(app, base, directory.setWardActive, render);
}
