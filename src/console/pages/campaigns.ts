import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { UserPrincipal } from '../../modules/auth/principal.ts';
import { isDepartmentRole } from '../../modules/auth/principal.ts';
import { campaignBody } from '../../modules/campaigns/campaign-schemas.ts';
import { foldForSearch } from '../../modules/cases/personal-data.ts';
import type { AppError } from '../../shared/errors.ts';
import { type ConsoleDeps, sessionOf } from '../context.ts';
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
} from '../fields.ts';
import { when } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { notice } from '../layout.ts';
import { vi } from '../vi.ts';
import { fieldsOf } from './admin/common.ts';
import { staffActor } from './admin/guards.ts';
import { type CampaignView, sendCampaignPage, submitters } from './campaign-common.ts';
import { campaignConflictPages } from './campaign-conflicts.ts';
import { campaignDashboardPages } from './campaign-dashboard.ts';
import { count, day } from './campaign-format.ts';
import { campaignGroupPages } from './campaign-groups.ts';
import { campaignUnitPages } from './campaign-units.ts';
import { campaignUploadPages } from './campaign-upload.ts';
import { inboxList } from './inbox.ts';

const t = vi.campaigns;
const c = t.create;

const createDefaults: Fields = {
  householdCoverage: '100',
  staffShare: '100',
  householdsPerYouthMember: '10',
};

/** "95", "95,5", "95.5" → 0.955; anything else (or outside 0–100) → null. */
function shareOf(text: string | undefined): number | null {
  const s = (text ?? '').trim().replace(',', '.');
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(s)) return null;
  const n = Number(s);
  return n <= 100 ? Math.round(n * 100) / 10_000 : null;
}

/** The create form through the API's own schema: blanks and percentages said beside their fields. */
function createInput(
  f: Fields,
  wardId: string,
): { data: z.output<typeof campaignBody> } | { problems: Problems } {
  const problems: Problems = {};
  for (const name of ['name', 'startsOn', 'endsOn'] as const)
    if (!filled(f, name)) problems[name] = t.required;
  const householdCoverage = shareOf(f.householdCoverage);
  const staffShare = shareOf(f.staffShare);
  const perYouth = f.householdsPerYouthMember?.trim() ?? '';
  if (householdCoverage === null) problems.householdCoverage = t.badPercent;
  if (staffShare === null) problems.staffShare = t.badPercent;
  if (!/^\d{1,4}$/.test(perYouth)) problems.householdsPerYouthMember = t.badCount;
  const parsed = campaignBody.safeParse({
    wardId,
    name: f.name ?? '',
    documentNumber: filled(f, 'documentNumber') ?? null,
    documentDate: filled(f, 'documentDate') ?? null,
    startsOn: f.startsOn ?? '',
    endsOn: f.endsOn ?? '',
    targets: {
      householdCoverage: householdCoverage ?? 1,
      staffShare: staffShare ?? 1,
      householdsPerYouthMember: Number(perYouth) || 0,
    },
  });
  const all = { ...(parsed.success ? {} : problemsOf(parsed.error.issues)), ...problems };
  if (Object.keys(all).length > 0 || !parsed.success) return { problems: all };
  return { data: parsed.data };
}

/** The ward's culture-and-society office, as the campaign service picks it by default (code vhxh, or its name). */
const isCultureOffice = (d: { code: string; name: string }) => {
  const folded = foldForSearch(d.name).text;
  return d.code === 'vhxh' || (folded.includes('van hoa') && folded.includes('xa hoi'));
};

/**
 * Who is offered the create form: the chairman and an admin, and the staff of the ward's culture
 * office (the default coordinator). The service decides all the same.
 */
async function mayCreate(deps: ConsoleDeps, caller: UserPrincipal): Promise<boolean> {
  if (caller.role === 'admin' || caller.role === 'chairman') return true;
  if (!isDepartmentRole(caller.role) || !caller.wardId || !caller.departmentId) return false;
  const departments = await deps.container.directory.listDepartments(caller, caller.wardId, {
    limit: 100,
    active: true,
  });
  const own = departments.items.find((d) => d.id === caller.departmentId);
  return own !== undefined && isCultureOffice(own);
}

function createForm(o: {
  csrf: string;
  values: Fields;
  problems: Problems;
  wards: { id: string; name: string }[] | null;
}): SafeHtml {
  const { values: v, problems: p } = o;
  const percentField = (name: string, label: string) =>
    field(
      name,
      label,
      html`<input id="${name}" name="${name}" inputmode="decimal" required value="${v[name] ?? ''}"${described(name, p)}>`,
      p,
    );
  return html`<section aria-labelledby="create-campaign"><h2 id="create-campaign">${c.heading}</h2>
<form method="post" action="/console/campaigns" class="campaign-form">
<input type="hidden" name="_csrf" value="${o.csrf}">
${
  o.wards
    ? selectField(
        'wardId',
        t.list.ward,
        o.wards.map((w) => [w.id, w.name]),
        v,
        p,
      )
    : ''
}
${textField('name', c.name, v, p, { required: true, hint: c.nameHint })}
${textField('documentNumber', c.documentNumber, v, p, { hint: c.documentNumberHint })}
${textField('documentDate', c.documentDate, v, p, { type: 'date' })}
${textField('startsOn', c.startsOn, v, p, { type: 'date', required: true })}
${textField('endsOn', c.endsOn, v, p, { type: 'date', required: true })}
<fieldset><legend>${c.targets}</legend>
${percentField('householdCoverage', c.householdCoverage)}
${percentField('staffShare', c.staffShare)}
${field('householdsPerYouthMember', c.householdsPerYouthMember, html`<input id="householdsPerYouthMember" name="householdsPerYouthMember" type="number" min="0" max="1000" required value="${v.householdsPerYouthMember ?? ''}"${described('householdsPerYouthMember', p)}>`, p)}
</fieldset>
<p class="meta">${c.coordinator}</p>
<p><button type="submit">${c.submit}</button></p>
</form></section>`;
}

/**
 * "Chiến dịch": the caller's campaigns — the ward's for its staff, every ward's for an admin — with the
 * form that starts one; for a unit's submitter, their campaign and unit (where sign-in lands them),
 * with the reminders they were sent. Registers the campaign's other pages.
 */
export async function campaignPages(app: FastifyInstance, deps: ConsoleDeps) {
  const { container } = deps;

  async function submitterHome(req: FastifyRequest, reply: FastifyReply) {
    const s = sessionOf(req);
    const [campaigns, inbox] = await Promise.all([
      container.campaigns.list(s.principal, {}),
      container.notifications.inbox(s.principal, { limit: 30 }),
    ]);
    const cards = await Promise.all(
      campaigns.map(async (campaign) => {
        const [unit] = await container.campaigns.units(s.principal, campaign.id);
        if (!unit) return '';
        return html`<section class="card" aria-labelledby="campaign-${campaign.id}">
<h2 id="campaign-${campaign.id}">${campaign.name}</h2>
<p>${t.home.yourUnit(unit.name)} · ${t.period(day(campaign.startsOn), day(campaign.endsOn))}</p>
<p>${unit.list ? t.home.listSent(count(unit.list.accepted), when(unit.list.uploadedAt)) : t.home.noList}</p>
<p class="buttons"><a class="button" href="/console/campaigns/${campaign.id}/units/${unit.id}/list">${t.home.sendList}</a> <a href="/console/campaigns/${campaign.id}">${t.home.progress}</a></p>
</section>`;
      }),
    );
    const mine = cards.filter((x) => x !== '');
    return sendCampaignPage(
      req,
      reply,
      container,
      t.title,
      html`<h1>${t.title}</h1>${mine.length ? mine : html`<p>${t.home.none}</p>`}
<section aria-labelledby="reminders"><h2 id="reminders">${t.home.notifications}</h2>${inboxList(inbox.items)}</section>`,
    );
  }

  async function listPage(
    req: FastifyRequest,
    reply: FastifyReply,
    o: { status?: number; values?: Fields; problems?: Problems; message?: SafeHtml } = {},
  ) {
    const s = sessionOf(req);
    const [campaigns, creates] = await Promise.all([
      container.campaigns.list(s.principal, {}),
      mayCreate(deps, s.principal),
    ]);
    const wards =
      creates && s.principal.role === 'admin'
        ? (await container.directory.listWards(s.principal, { limit: 200, active: true })).items
        : null;
    const cols = t.list.columns;
    const table = campaigns.length
      ? html`<table class="cases campaign campaigns"><caption>${t.list.caption}</caption>
<thead><tr><th scope="col">${cols.name}</th><th scope="col">${cols.document}</th><th scope="col">${cols.period}</th><th scope="col">${cols.coordinator}</th><th scope="col">${cols.part}</th></tr></thead>
<tbody>${campaigns.map(
          (
            x: CampaignView,
          ) => html`<tr><th scope="row"><a href="/console/campaigns/${x.id}">${x.name}</a></th>
<td>${t.document(x.documentNumber, x.documentDate && day(x.documentDate))}</td>
<td>${t.period(day(x.startsOn), day(x.endsOn))}</td><td>${x.coordinatingDepartment}</td><td>${t.access[x.access]}</td></tr>`,
        )}</tbody></table>`
      : html`<p>${t.list.empty}</p>`;
    const form = creates
      ? createForm({
          csrf: s.csrf,
          values: o.values ?? createDefaults,
          problems: o.problems ?? {},
          wards,
        })
      : '';
    return sendCampaignPage(
      req,
      reply,
      container,
      t.title,
      html`<h1>${t.title}</h1>${o.message ?? ''}${table}${form}`,
      o.status,
    );
  }

  app.get('/campaigns', submitters, async (req, reply) =>
    sessionOf(req).principal.role === 'unit_submitter' ? submitterHome(req, reply) : listPage(req, reply),
  );

  app.post('/campaigns', async (req, reply) => {
    const s = sessionOf(req);
    const f = fieldsOf(req);
    const wardId = s.principal.role === 'admin' ? (f.wardId ?? '') : (s.principal.wardId ?? '');
    const again = (problems: Problems, text = t.fix) =>
      listPage(req, reply, { status: 400, values: f, problems, message: notice('error', text, true) });
    const input = createInput(f, wardId);
    if ('problems' in input) return again(input.problems);
    let created: CampaignView;
    try {
      created = await container.campaigns.create(s.principal, staffActor(req), input.data);
    } catch (err) {
      const problems = serviceProblems(err);
      if (problems) return again(problems, (err as AppError).message);
      throw err;
    }
    return reply.redirect(`/console/campaigns/${created.id}?done=created`, 303);
  });

  await app.register(campaignDashboardPages, deps);
  await app.register(campaignUnitPages, deps);
  await app.register(campaignUploadPages, deps);
  await app.register(campaignGroupPages, deps);
  await app.register(campaignConflictPages, deps);
}
