import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { unitKindLabels } from '../../modules/campaigns/unit-kinds.ts';
import type { AppError } from '../../shared/errors.ts';
import { vietnamDayOf } from '../../shared/vietnam-day.ts';
import { type ConsoleDeps, sessionOf } from '../context.ts';
import { described, fieldError, many, one, type Problems, serviceProblems } from '../fields.ts';
import { when } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { notice } from '../layout.ts';
import { vi } from '../vi.ts';
import { staffActor } from './admin/guards.ts';
import { barChart, lineChart } from './campaign-charts.ts';
import {
  type CampaignView,
  campaignHeading,
  campaignOf,
  campaignTabs,
  cell,
  doneNotice,
  idParam,
  sendCampaignPage,
  submitters,
} from './campaign-common.ts';
import { count, day, percent } from './campaign-format.ts';

const t = vi.campaigns;
const d = t.dashboard;

type Progress = Awaited<ReturnType<ConsoleDeps['container']['campaignProgress']['progress']>>;
type Timeline = Awaited<ReturnType<ConsoleDeps['container']['campaignProgress']['timeline']>>;
type Ranking = Awaited<ReturnType<ConsoleDeps['container']['campaignProgress']['ranking']>>;

const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The workbook as a download that no cache keeps (the list holds personal data). */
const sendWorkbook = (reply: FastifyReply, name: string, bytes: Buffer) =>
  reply
    .headers({
      'content-type': xlsxType,
      'content-disposition': `attachment; filename="${name}"`,
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
    })
    .send(bytes);

function totalsSection(p: Progress): SafeHtml {
  const x = p.totals;
  return html`<section aria-labelledby="totals"><h2 id="totals">${d.totals}</h2>
<dl class="figures">
<div><dt>${d.people}</dt><dd>${count(x.people)}</dd></div>
<div><dt>${d.households}</dt><dd>${d.householdsValue(count(x.coveredHouseholds), count(x.smartphoneHouseholds))}</dd></div>
<div><dt>${d.rate}</dt><dd>${percent(x.rate)}</dd></div>
<div><dt>${d.unplaced}</dt><dd>${count(x.unplaced)}</dd></div>
</dl>
<p class="meta">${p.computedAt ? d.computedAt(when(p.computedAt)) : d.notComputed}</p></section>`;
}

function groupsSection(c: CampaignView, p: Progress): SafeHtml {
  const cols = d.groupColumns;
  if (p.groups.length === 0)
    return html`<section aria-labelledby="groups"><h2 id="groups">${d.groups}</h2><p>${d.noGroups}</p></section>`;
  const chart = barChart({
    id: 'groups-chart',
    title: d.groupsChart,
    desc: d.groupsDesc(
      p.groups.length,
      p.groups.filter((g) => g.reachedTarget).length,
      percent(c.targets.householdCoverage),
    ),
    target: c.targets.householdCoverage,
    bars: p.groups.map((g) => ({
      label: g.name,
      share: g.rate,
      detail: d.groupsDetail(count(g.coveredHouseholds), count(g.smartphoneHouseholds)),
      reached: g.reachedTarget,
    })),
  });
  return html`<section aria-labelledby="groups"><h2 id="groups">${d.groups}</h2>
<figure class="chart">${chart}</figure>
<details class="as-table"><summary>${d.asTable}</summary>
<table class="cases campaign figures-table"><caption>${d.groups}</caption>
<thead><tr><th scope="col">${cols.name}</th><th scope="col">${cols.covered}</th><th scope="col">${cols.smartphone}</th><th scope="col">${cols.households}</th><th scope="col">${cols.rate}</th><th scope="col">${cols.reached}</th></tr></thead>
<tbody>${p.groups.map(
    (g) =>
      html`<tr><th scope="row">${g.name}</th>${cell(cols.covered, count(g.coveredHouseholds))}${cell(cols.smartphone, count(g.smartphoneHouseholds))}${cell(cols.households, count(g.households))}${cell(cols.rate, percent(g.rate))}${cell(cols.reached, g.reachedTarget ? html`<span class="flag done">✓ ${d.reached}</span>` : d.notReached)}</tr>`,
  )}</tbody></table></details></section>`;
}

function timelineSection(c: CampaignView, tl: Timeline): SafeHtml {
  const cols = d.timelineColumns;
  const [first, last] = [tl.days[0], tl.days.at(-1)];
  if (!first || !last)
    return html`<section aria-labelledby="timeline"><h2 id="timeline">${d.timeline}</h2><p>${d.noTimeline}</p></section>`;
  const chart = lineChart({
    id: 'timeline-chart',
    title: d.timelineChart,
    desc: d.timelineDesc(
      day(first.day),
      percent(first.rate),
      day(last.day),
      percent(last.rate),
      percent(c.targets.householdCoverage),
    ),
    target: c.targets.householdCoverage,
    points: tl.days.map((x) => ({ day: x.day, share: x.rate })),
  });
  return html`<section aria-labelledby="timeline"><h2 id="timeline">${d.timeline}</h2>
<figure class="chart">${chart}</figure>
<details class="as-table"><summary>${d.asTable}</summary>
<table class="cases campaign figures-table"><caption>${d.timeline}</caption>
<thead><tr><th scope="col">${cols.day}</th><th scope="col">${cols.people}</th><th scope="col">${cols.covered}</th><th scope="col">${cols.rate}</th></tr></thead>
<tbody>${tl.days.map(
    (x) =>
      html`<tr><th scope="row">${day(x.day)}</th>${cell(cols.people, count(x.people))}${cell(cols.covered, `${count(x.coveredHouseholds)}/${count(x.smartphoneHouseholds)}`)}${cell(cols.rate, percent(x.rate))}</tr>`,
  )}</tbody></table></details></section>`;
}

function rankingSection(c: CampaignView, r: Ranking, live: boolean): SafeHtml {
  const cols = d.rankingColumns;
  const frozen = r.frozenOn !== null;
  const base = `/console/campaigns/${c.id}`;
  // A published ranking is what everyone reads; the live one a click away (and back).
  const other = frozen
    ? html`<a href="${base}?live=true#ranking">${d.seeLive}</a>`
    : live
      ? html`<a href="${base}#ranking">${d.seeFrozen}</a>`
      : '';
  const table = r.groups.length
    ? html`<table class="cases campaign ranking"><caption>${d.rankingCaption(frozen)}</caption>
<thead><tr><th scope="col">${cols.rank}</th><th scope="col">${cols.name}</th><th scope="col">${cols.rate}</th><th scope="col">${cols.reachedOn}</th><th scope="col">${cols.covered}</th><th scope="col">${cols.smartphone}</th></tr></thead>
<tbody>${r.groups.map(
        (g) =>
          html`<tr>${cell(cols.rank, g.rank)}<th scope="row">${g.name}</th>${cell(cols.rate, percent(g.rate))}${cell(cols.reachedOn, g.reachedOn ? day(g.reachedOn) : '—')}${cell(cols.covered, count(g.coveredHouseholds))}${cell(cols.smartphone, count(g.smartphoneHouseholds))}</tr>`,
      )}</tbody></table>`
    : html`<p>${d.noRanking}</p>`;
  return html`<section aria-labelledby="ranking"><h2 id="ranking">${d.ranking}</h2>
<p class="ranking-state">${frozen ? d.frozen(day(r.frozenOn as string), when(r.frozenAt)) : d.live} ${other}</p>
${table}
<p class="meta"><strong>${d.rules}</strong> ${r.rules}</p></section>`;
}

function unitsSections(p: Progress, submitter: boolean): SafeHtml {
  const cols = d.unitColumns;
  const byId = new Map(p.units.map((u) => [u.id, u]));
  const missing = p.missing.map((id) => byId.get(id)).filter((u) => u !== undefined);
  const below = p.units.filter((u) => u.belowTarget);
  const unitRow = (u: Progress['units'][number]) =>
    html`<tr><th scope="row">${u.name}</th>${cell(cols.kind, unitKindLabels[u.kind])}${cell(cols.listed, count(u.listed))}${cell(cols.headcount, u.headcount === null ? '—' : count(u.headcount))}${cell(cols.rate, u.rate === null ? '—' : percent(u.rate))}</tr>`;
  const unitTable = (caption: string, units: Progress['units']) =>
    // The caption repeats the section's heading: for screen readers' table lists only.
    html`<table class="cases campaign"><caption class="visually-hidden">${caption}</caption>
<thead><tr><th scope="col">${cols.name}</th><th scope="col">${cols.kind}</th><th scope="col">${cols.listed}</th><th scope="col">${cols.headcount}</th><th scope="col">${cols.rate}</th></tr></thead>
<tbody>${units.map(unitRow)}</tbody></table>`;
  // A submitter sees their own unit's figures; the ward's staff, who has not sent and who is behind.
  if (submitter)
    return html`<section aria-labelledby="my-unit"><h2 id="my-unit">${d.yourUnit}</h2>${unitTable(d.yourUnit, p.units)}</section>`;
  return html`<section aria-labelledby="missing"><h2 id="missing">${d.missing} (${missing.length})</h2>
${missing.length ? html`<ul class="units-missing">${missing.map((u) => html`<li>${u.name} <span class="meta">(${unitKindLabels[u.kind]})</span></li>`)}</ul>` : html`<p>${d.noneMissing}</p>`}</section>
<section aria-labelledby="below"><h2 id="below">${d.below} (${below.length})</h2>
${below.length ? unitTable(d.below, below) : html`<p>${d.noneBelow}</p>`}</section>`;
}

function downloadsSection(c: CampaignView): SafeHtml {
  const base = `/console/campaigns/${c.id}`;
  return html`<section aria-labelledby="downloads"><h2 id="downloads">${d.downloads}</h2>
<ul class="downloads">
<li><a href="${base}/report.xlsx" download aria-describedby="report-hint">${d.report}</a> <span class="meta" id="report-hint">${d.reportHint}</span></li>
${c.access === 'coordinator' && !c.rowsDeletedAt ? html`<li><a href="${base}/list.xlsx" download aria-describedby="list-hint">${d.list}</a> <span class="meta" id="list-hint">${d.listHint}</span></li>` : ''}
</ul></section>`;
}

type Forms = { problems?: Problems; values?: Record<string, unknown> };

function freezeSection(c: CampaignView, csrf: string, o: Forms): SafeHtml {
  const p = o.problems ?? {};
  const value = typeof o.values?.frozenOn === 'string' ? o.values.frozenOn : vietnamDayOf(new Date());
  return html`<section aria-labelledby="freeze"><h2 id="freeze">${d.freeze}</h2>
<form method="post" action="/console/campaigns/${c.id}/ranking/freeze" class="campaign-form">
<input type="hidden" name="_csrf" value="${csrf}">
<p class="field${p.frozenOn ? ' invalid' : ''}"><label for="frozenOn">${d.frozenOn}</label>
<span class="meta" id="frozenOn-hint">${d.freezeHint}</span>
<input id="frozenOn" name="frozenOn" type="date" required value="${value}"${described('frozenOn', p, true)}>${fieldError('frozenOn', p)}</p>
<p><button type="submit">${d.freezeSubmit}</button></p>
</form></section>`;
}

function chaseSection(c: CampaignView, csrf: string, o: Forms): SafeHtml {
  const p = o.problems ?? {};
  const chase = c.chase;
  const now = chase
    ? d.chaseNow(chase.weekdays.map((w) => d.weekdays[w - 1]).join(', '), d.hour(chase.hour))
    : d.chaseOff;
  const hour = chase?.hour ?? 8;
  return html`<section aria-labelledby="chase"><h2 id="chase">${d.chase}</h2>
<p>${now}</p>
<form method="post" action="/console/campaigns/${c.id}/chase" class="chase-form">
<input type="hidden" name="_csrf" value="${csrf}">
<p class="meta" id="chase-hint">${d.chaseHint}</p>
<fieldset aria-describedby="chase-hint${p.chase ? ' chase-error' : ''}"><legend>${d.chaseDays}</legend>
<ul class="weekdays">${d.weekdays.map(
    (name, i) =>
      html`<li><input type="checkbox" id="weekday-${i + 1}" name="weekday" value="${i + 1}"${chase?.weekdays.includes(i + 1) ? html` checked` : ''}> <label for="weekday-${i + 1}">${name}</label></li>`,
  )}</ul></fieldset>
${fieldError('chase', p)}
<p><label for="chase-hour">${d.chaseHour}</label> <select id="chase-hour" name="hour">${Array.from(
    { length: 24 },
    (_, h) => html`<option value="${h}"${h === hour ? html` selected` : ''}>${d.hour(h)}</option>`,
  )}</select></p>
<p><button type="submit">${d.chaseSubmit}</button></p>
</form></section>`;
}

/**
 * The campaign's dashboard: the ward's totals, progress per residential group (bars) and over time
 * (a line from the daily snapshots), the ranking (published or live, its rules and date), who has not
 * sent a list and who is below target, the downloads; the coordinator's freeze and chase forms. A
 * unit's submitter sees the ward's totals, the ranking, their group and unit (the service's cut).
 */
export async function campaignDashboardPages(app: FastifyInstance, { container }: ConsoleDeps) {
  const { campaignProgress: progress } = container;

  async function dashboard(
    req: FastifyRequest,
    reply: FastifyReply,
    o: Forms & { status?: number; message?: SafeHtml } = {},
  ) {
    const s = sessionOf(req);
    const c = await campaignOf(container, req);
    const live = (req.query as { live?: string }).live === 'true';
    const [p, tl, r, units] = await Promise.all([
      progress.progress(s.principal, c.id),
      progress.timeline(s.principal, c.id),
      progress.ranking(s.principal, c.id, live),
      c.access === 'submitter' ? container.campaigns.units(s.principal, c.id) : Promise.resolve([]),
    ]);
    const coordinator = c.access === 'coordinator';
    const targets = d.targetsText(
      percent(c.targets.householdCoverage),
      percent(c.targets.staffShare),
      c.targets.householdsPerYouthMember,
    );
    const body = html`${campaignHeading(c, c.name)}
${o.message ?? doneNotice(req, { created: t.create.created, frozen: d.frozenDone, chase: d.chaseSaved })}
${campaignTabs(c, 'overview', units[0]?.id)}
<p class="meta">${t.yourPart(t.access[c.access] ?? '')}</p>
${c.rowsDeletedAt ? notice('info', t.rowsDeleted) : ''}
<dl class="facts"><dt>${d.document}</dt><dd>${t.document(c.documentNumber, c.documentDate && day(c.documentDate))}</dd>
<dt>${d.period}</dt><dd>${t.period(day(c.startsOn), day(c.endsOn))}</dd>
<dt>${d.coordinator}</dt><dd>${c.coordinatingDepartment}</dd>
<dt>${d.targets}</dt><dd>${targets}</dd></dl>
${totalsSection(p)}
${groupsSection(c, p)}
${timelineSection(c, tl)}
${rankingSection(c, r, live)}
${unitsSections(p, c.access === 'submitter')}
${c.access === 'submitter' ? '' : downloadsSection(c)}
${coordinator ? freezeSection(c, s.csrf, o) : ''}
${coordinator ? chaseSection(c, s.csrf, o) : ''}`;
    return sendCampaignPage(req, reply, container, c.name, body, o.status);
  }

  app.get('/campaigns/:id', submitters, async (req, reply) => dashboard(req, reply));

  app.post('/campaigns/:id/ranking/freeze', async (req, reply) => {
    const s = sessionOf(req);
    const id = idParam(req, 'id');
    const fields = (req.body ?? {}) as Record<string, unknown>;
    const frozenOn = one(fields, 'frozenOn');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(frozenOn))
      return dashboard(req, reply, {
        status: 400,
        problems: { frozenOn: t.required },
        values: fields,
        message: notice('error', t.fix, true),
      });
    try {
      await progress.freeze(s.principal, staffActor(req), id, frozenOn);
    } catch (err) {
      const problems = serviceProblems(err);
      if (!problems) throw err;
      return dashboard(req, reply, {
        status: 400,
        problems,
        values: fields,
        message: notice('error', (err as AppError).message, true),
      });
    }
    return reply.redirect(`/console/campaigns/${id}?done=frozen#ranking`, 303);
  });

  app.post('/campaigns/:id/chase', async (req, reply) => {
    const s = sessionOf(req);
    const id = idParam(req, 'id');
    const fields = (req.body ?? {}) as Record<string, unknown>;
    const weekdays = [...new Set(many(fields, 'weekday').map(Number))]
      .filter((w) => Number.isInteger(w) && w >= 1 && w <= 7)
      .sort((a, b) => a - b);
    const hour = Number(one(fields, 'hour'));
    if (!Number.isInteger(hour) || hour < 0 || hour > 23)
      return dashboard(req, reply, {
        status: 400,
        problems: { chase: t.required },
        message: notice('error', t.fix, true),
      });
    // No day ticked: the chasing stops.
    await container.campaigns.update(s.principal, staffActor(req), id, {
      chase: weekdays.length ? { weekdays, hour } : null,
    });
    return reply.redirect(`/console/campaigns/${id}?done=chase#chase`, 303);
  });

  app.get('/campaigns/:id/report.xlsx', async (req, reply) => {
    const { name, bytes } = await progress.report(sessionOf(req).principal, idParam(req, 'id'));
    return sendWorkbook(reply, name, bytes);
  });

  app.get('/campaigns/:id/list.xlsx', async (req, reply) => {
    const id = idParam(req, 'id');
    const bytes = await container.campaignLists.exportList(sessionOf(req).principal, staffActor(req), id);
    return sendWorkbook(reply, `danh-sach-cai-dat-smart-hai-phong-${id}.xlsx`, bytes);
  });
}
