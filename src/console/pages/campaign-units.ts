import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { unitBody } from '../../modules/campaigns/campaign-schemas.ts';
import { unitKinds } from '../../modules/campaigns/crediting.ts';
import { unitKindLabels } from '../../modules/campaigns/unit-kinds.ts';
import { userBody } from '../../modules/directory/directory-schemas.ts';
import { AppError } from '../../shared/errors.ts';
import { type ConsoleDeps, sessionOf } from '../context.ts';
import {
  type Fields,
  filled,
  type Problems,
  problemsOf,
  selectField,
  serviceProblems,
  textField,
} from '../fields.ts';
import { when } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { notice } from '../layout.ts';
import { vi } from '../vi.ts';
import { fieldsOf } from './admin/common.ts';
import { staffActor } from './admin/guards.ts';
import {
  type CampaignView,
  campaignHeading,
  campaignOf,
  campaignTabs,
  doneNotice,
  sendCampaignPage,
} from './campaign-common.ts';
import { count } from './campaign-format.ts';

const t = vi.campaigns;
const u = t.units;

type FormState = { values: Fields; problems: Problems };
/** A new submitter's account: the API's own fields for it (its role and ward are the campaign's). */
const accountBody = userBody.pick({ username: true, password: true, fullName: true, email: true });
type UnitView = Awaited<ReturnType<ConsoleDeps['container']['campaigns']['units']>>[number];

/** The add-unit form through the API's schema; a group unit left unnamed takes its group's name. */
export function unitInput(
  f: Fields,
  groups: { id: string; name: string }[],
): { data: z.output<typeof unitBody> } | { problems: Problems } {
  const problems: Problems = {};
  const kind = f.kind ?? '';
  const groupId = filled(f, 'residentialGroupId');
  const isGroup = kind === 'residential_group';
  if (isGroup && !groupId) problems.residentialGroupId = u.groupNeeded;
  if (!isGroup && groupId) problems.residentialGroupId = u.groupNotAllowed;
  const headcount = filled(f, 'headcount');
  if (headcount !== undefined && !/^\d{1,7}$/.test(headcount)) problems.headcount = t.badCount;
  const name = filled(f, 'name') ?? (isGroup ? groups.find((g) => g.id === groupId)?.name : undefined);
  if (!name && !problems.residentialGroupId) problems.name = t.required;
  if (Object.keys(problems).length) return { problems };
  const parsed = unitBody.safeParse({
    kind,
    name,
    ...(isGroup ? { residentialGroupId: groupId } : {}),
    ...(headcount !== undefined ? { headcount: Number(headcount) } : {}),
  });
  return parsed.success ? { data: parsed.data } : { problems: problemsOf(parsed.error.issues) };
}

function listStatus(x: UnitView): string {
  return x.list
    ? u.listStatus(count(x.list.accepted), count(x.list.rows), when(x.list.uploadedAt))
    : u.noList;
}

/**
 * The campaign's submitting units (the coordinator's page; the ward's readers see it too): each
 * unit's kind, headcount, submitters and the state of its list, linked to the list where the caller
 * may read it; the coordinator adds units and creates a unit's submitter account.
 */
export async function campaignUnitPages(app: FastifyInstance, { container }: ConsoleDeps) {
  async function unitsPage(
    req: FastifyRequest,
    reply: FastifyReply,
    o: { status?: number; message?: SafeHtml; unit?: FormState; submitter?: FormState } = {},
  ) {
    const s = sessionOf(req);
    const c = await campaignOf(container, req);
    const coordinator = c.access === 'coordinator';
    const [units, groups] = await Promise.all([
      container.campaigns.units(s.principal, c.id),
      coordinator ? container.residentialGroups.list(s.principal, c.wardId) : Promise.resolve([]),
    ]);
    // The rows are the coordinator's, the chairman's and the unit's own (the service says so too).
    const readsRows = coordinator || s.principal.role === 'chairman';
    const cols = u.columns;
    const table = units.length
      ? html`<table class="cases campaign units"><caption>${u.caption}</caption>
<thead><tr><th scope="col">${cols.name}</th><th scope="col">${cols.kind}</th><th scope="col">${cols.headcount}</th><th scope="col">${cols.submitters}</th><th scope="col">${cols.list}</th></tr></thead>
<tbody>${units.map(
          (
            x,
          ) => html`<tr${x.list ? '' : html` class="no-list"`}><th scope="row">${x.name}</th><td>${unitKindLabels[x.kind]}</td>
<td>${x.headcount === null ? '—' : count(x.headcount)}</td>
<td>${x.submitters.length ? x.submitters.map((p) => `${p.fullName} (${p.username})`).join(', ') : u.noSubmitter}</td>
<td>${x.list ? '' : html`<span aria-hidden="true">⚠ </span>`}${listStatus(x)}${readsRows ? html` · <a href="/console/campaigns/${c.id}/units/${x.id}/list" aria-label="${u.openFor(x.name)}">${u.open}</a>` : ''}</td></tr>`,
        )}</tbody></table>`
      : html`<p>${u.empty}</p>`;
    const forms = coordinator ? coordinatorForms(c, s.csrf, units, groups, o) : html`<p>${u.readOnly}</p>`;
    return sendCampaignPage(
      req,
      reply,
      container,
      u.title(c.name),
      html`${campaignHeading(c, u.title(c.name))}
${o.message ?? doneNotice(req, { added: u.added, submitter: u.submitterAdded })}
${campaignTabs(c, 'units')}${table}${forms}`,
      o.status,
    );
  }

  function coordinatorForms(
    c: CampaignView,
    csrf: string,
    units: UnitView[],
    groups: { id: string; name: string }[],
    o: { unit?: FormState; submitter?: FormState },
  ): SafeHtml {
    const a = o.unit ?? { values: {}, problems: {} };
    const b = o.submitter ?? { values: {}, problems: {} };
    const hidden = html`<input type="hidden" name="_csrf" value="${csrf}">`;
    const addUnit = html`<section aria-labelledby="add-unit"><h2 id="add-unit">${u.add}</h2>
<form method="post" action="/console/campaigns/${c.id}/units" class="campaign-form">${hidden}
${selectField(
  'kind',
  u.kind,
  unitKinds.map((k) => [k, unitKindLabels[k]]),
  a.values,
  a.problems,
)}
${selectField(
  'residentialGroupId',
  u.group,
  [['', u.noGroup], ...groups.map((g): [string, string] => [g.id, g.name])],
  a.values,
  a.problems,
)}
${textField('name', u.name, a.values, a.problems, { hint: u.nameHint })}
${textField('headcount', u.headcount, a.values, a.problems, { type: 'number' })}
<p><button type="submit">${u.addSubmit}</button></p>
</form></section>`;
    const addSubmitter = units.length
      ? html`<section aria-labelledby="add-submitter"><h2 id="add-submitter">${u.submitter}</h2>
<p class="meta">${u.submitterHint}</p>
<form method="post" action="/console/campaigns/${c.id}/submitters" class="campaign-form">${hidden}
${selectField(
  'unitId',
  u.unit,
  units.map((x): [string, string] => [x.id, `${x.name} (${unitKindLabels[x.kind]})`]),
  b.values,
  b.problems,
)}
${textField('username', u.username, b.values, b.problems, { required: true, hint: u.usernameHint })}
${textField('fullName', u.fullName, b.values, b.problems, { required: true })}
${textField('password', u.password, {}, b.problems, { type: 'password', required: true, hint: u.passwordHint, autocomplete: 'new-password' })}
${textField('email', u.email, b.values, b.problems, { type: 'email' })}
<p><button type="submit">${u.submitterSubmit}</button></p>
</form></section>`
      : '';
    return html`${addUnit}${addSubmitter}`;
  }

  app.get('/campaigns/:id/units', async (req, reply) => unitsPage(req, reply));

  app.post('/campaigns/:id/units', async (req, reply) => {
    const s = sessionOf(req);
    const c = await campaignOf(container, req);
    const f = fieldsOf(req);
    const groups = await container.residentialGroups.list(s.principal, c.wardId);
    const again = (problems: Problems, text: string) =>
      unitsPage(req, reply, {
        status: 400,
        unit: { values: f, problems },
        message: notice('error', text, true),
      });
    const input = unitInput(f, groups);
    if ('problems' in input) return again(input.problems, t.fix);
    try {
      await container.campaigns.addUnit(s.principal, staffActor(req), c.id, input.data);
    } catch (err) {
      const problems = serviceProblems(err);
      if (problems) return again(problems, (err as AppError).message);
      if (err instanceof AppError && err.statusCode === 409) return again({}, err.message);
      throw err;
    }
    return reply.redirect(`/console/campaigns/${c.id}/units?done=added`, 303);
  });

  app.post('/campaigns/:id/submitters', async (req, reply) => {
    const s = sessionOf(req);
    const c = await campaignOf(container, req);
    const f = fieldsOf(req);
    const again = (problems: Problems, text: string) =>
      unitsPage(req, reply, {
        status: 400,
        submitter: { values: f, problems },
        message: notice('error', text, true),
      });
    const unitId = f.unitId ?? '';
    if (!/^[1-9]\d{0,17}$/.test(unitId)) return again({ unitId: t.required }, t.fix);
    const parsed = accountBody.safeParse({
      username: f.username ?? '',
      fullName: f.fullName ?? '',
      password: f.password ?? '',
      ...(filled(f, 'email') ? { email: filled(f, 'email') } : {}),
    });
    if (!parsed.success) return again(problemsOf(parsed.error.issues), t.fix);
    try {
      await container.campaigns.addSubmitter(s.principal, staffActor(req), c.id, unitId, parsed.data);
    } catch (err) {
      const problems = serviceProblems(err);
      if (problems) return again(problems, (err as AppError).message);
      if (err instanceof AppError && (err.statusCode === 409 || err.statusCode === 404))
        return again({}, err.message);
      throw err;
    }
    return reply.redirect(`/console/campaigns/${c.id}/units?done=submitter`, 303);
  });
}
