import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { groupCountsBody, groupImportBody } from '../../modules/campaigns/campaign-schemas.ts';
import { AppError, notFound } from '../../shared/errors.ts';
import { type ConsoleDeps, sessionOf } from '../context.ts';
import {
  described,
  type Fields,
  field,
  filled,
  type Problems,
  problemsOf,
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
  idParam,
  keepsGroups,
  sendCampaignPage,
} from './campaign-common.ts';
import { count } from './campaign-format.ts';
import { countOf, parsePastedGroups } from './campaign-paste.ts';

const t = vi.campaigns;
const g = t.groups;

/** The problems of pasted lines, one per line, beside the box they were pasted in. */
const pasteErrors = (problems: string[]): SafeHtml =>
  html`<span class="field-error" id="rows-error">${problems.length === 1 ? problems[0] : html`<span class="visually-hidden">${t.fix}</span><ul>${problems.map((p) => html`<li>${p}</li>`)}</ul>`}</span>`;

/**
 * The ward's residential groups (tổ dân phố), reached from a campaign: each group's current household
 * counts with their source, who entered them and when, and every earlier version; the chairman and the
 * coordinator record new counts for one group, or many at once by pasting cells copied from Excel.
 * The groups are the ward's, not the campaign's: every campaign of the ward measures against them.
 */
export async function campaignGroupPages(app: FastifyInstance, { container }: ConsoleDeps) {
  const { residentialGroups: groups } = container;

  async function groupsPage(
    req: FastifyRequest,
    reply: FastifyReply,
    o: {
      status?: number;
      message?: SafeHtml;
      values?: Fields;
      pasteProblems?: string[];
      problems?: Problems;
    } = {},
  ) {
    const s = sessionOf(req);
    const c = await campaignOf(container, req);
    const list = await groups.list(s.principal, c.wardId);
    const cols = g.columns;
    const base = `/console/campaigns/${c.id}/groups`;
    const table = list.length
      ? html`<table class="cases campaign groups"><caption>${g.caption}</caption>
<thead><tr><th scope="col">${cols.name}</th><th scope="col">${cols.households}</th><th scope="col">${cols.smartphone}</th><th scope="col">${cols.source}</th><th scope="col">${cols.recorded}</th><th scope="col">${cols.versions}</th></tr></thead>
<tbody>${list.map(
          (
            x,
          ) => html`<tr><th scope="row"><a href="${base}/${x.id}" aria-label="${g.historyFor(x.name)}">${x.name}</a></th>
<td>${count(x.households)}</td><td>${count(x.smartphoneHouseholds)}</td><td>${x.source ?? ''}</td>
<td>${g.recorded(x.recordedBy ?? g.unknownUser, when(x.recordedAt))}</td><td>${x.versions}</td></tr>`,
        )}</tbody></table>`
      : html`<p>${g.empty}</p>`;
    const v = o.values ?? {};
    const pasted = o.pasteProblems ?? [];
    const p = o.problems ?? {};
    const importForm = keepsGroups(req, c)
      ? html`<section aria-labelledby="import-groups"><h2 id="import-groups">${g.import}</h2>
<form method="post" action="${base}/import" class="campaign-form">
<input type="hidden" name="_csrf" value="${s.csrf}">
<p class="field${pasted.length ? ' invalid' : ''}"><label for="rows">${g.rows}</label>
<span class="meta" id="rows-hint">${g.importHint}</span>
<textarea id="rows" name="rows" rows="8" required spellcheck="false" aria-describedby="rows-hint${pasted.length ? ' rows-error' : ''}"${pasted.length ? html` aria-invalid="true"` : ''}>${v.rows ?? ''}</textarea>
${pasted.length ? pasteErrors(pasted) : ''}</p>
${textField('source', g.source, v, p, { hint: g.sourceHint })}
<p><button type="submit">${g.importSubmit}</button></p>
</form></section>`
      : html`<p>${g.readOnly}</p>`;
    const imported = /^(\d+)-(\d+)-(\d+)$/.exec((req.query as { imported?: string }).imported ?? '');
    const message =
      o.message ??
      (imported
        ? notice('info', g.imported(Number(imported[1]), Number(imported[2]), Number(imported[3])))
        : '');
    return sendCampaignPage(
      req,
      reply,
      container,
      g.title,
      html`${campaignHeading(c, g.title)}${message}${campaignTabs(c, 'groups')}${table}${importForm}`,
      o.status,
    );
  }

  async function groupPage(
    req: FastifyRequest,
    reply: FastifyReply,
    o: { status?: number; message?: SafeHtml; values?: Fields; problems?: Problems } = {},
  ) {
    const s = sessionOf(req);
    const c = await campaignOf(container, req);
    const gid = idParam(req, 'gid');
    const [list, versions] = await Promise.all([
      groups.list(s.principal, c.wardId),
      groups.versions(s.principal, c.wardId, gid),
    ]);
    const group = list.find((x) => x.id === gid);
    if (!group) throw notFound();
    const cols = g.columns;
    const v = o.values ?? {
      households: String(group.households),
      smartphoneHouseholds: String(group.smartphoneHouseholds),
    };
    const p = o.problems ?? {};
    const number = (name: string, label: string) =>
      field(
        name,
        label,
        html`<input id="${name}" name="${name}" type="number" min="0" max="1000000" required value="${v[name] ?? ''}"${described(name, p)}>`,
        p,
      );
    const edit = keepsGroups(req, c)
      ? html`<section aria-labelledby="edit-counts"><h2 id="edit-counts">${g.edit}</h2>
<form method="post" action="/console/campaigns/${c.id}/groups/${gid}" class="campaign-form">
<input type="hidden" name="_csrf" value="${s.csrf}">
${number('households', g.households)}
${number('smartphoneHouseholds', g.smartphone)}
${textField('source', g.source, v, p, { hint: g.sourceHint })}
<p><button type="submit">${g.save}</button></p>
</form></section>`
      : html`<p>${g.readOnly}</p>`;
    const title = g.versionsTitle(group.name);
    return sendCampaignPage(
      req,
      reply,
      container,
      title,
      html`${campaignHeading(c, title)}${o.message ?? doneNotice(req, { saved: g.saved })}
${campaignTabs(c, 'groups')}
<p><a href="/console/campaigns/${c.id}/groups">${g.back}</a></p>
<section aria-labelledby="versions"><h2 id="versions">${g.versions}</h2>
<table class="cases campaign versions"><caption>${g.versionsCaption(group.name)}</caption>
<thead><tr><th scope="col">${cols.recorded}</th><th scope="col">${cols.households}</th><th scope="col">${cols.smartphone}</th><th scope="col">${cols.source}</th></tr></thead>
<tbody>${versions.map(
        (x) =>
          html`<tr><th scope="row">${g.recorded(x.recordedBy ?? g.unknownUser, when(x.recordedAt))}</th><td>${count(x.households)}</td><td>${count(x.smartphoneHouseholds)}</td><td>${x.source ?? ''}</td></tr>`,
      )}</tbody></table></section>
${edit}`,
      o.status,
    );
  }

  app.get('/campaigns/:id/groups', async (req, reply) => groupsPage(req, reply));

  app.post('/campaigns/:id/groups/import', async (req, reply) => {
    const s = sessionOf(req);
    const c: CampaignView = await campaignOf(container, req);
    const f = fieldsOf(req);
    const again = (o: { pasteProblems?: string[]; problems?: Problems; text?: string }) =>
      groupsPage(req, reply, {
        status: 400,
        values: f,
        ...o,
        message: notice('error', o.text ?? t.fix, true),
      });
    const pasted = parsePastedGroups(f.rows ?? '');
    if (pasted.problems.length) return again({ pasteProblems: pasted.problems });
    const source = filled(f, 'source');
    const body = groupImportBody.safeParse({
      ...(source ? { source } : {}),
      groups: pasted.groups.map(({ line: _line, ...counts }) => counts),
    });
    if (!body.success) {
      // A field of a pasted line (a name too long): said with its line.
      const lines: string[] = [];
      const problems: Problems = {};
      for (const issue of body.error.issues) {
        const [first, index] = issue.path;
        if (first === 'groups' && typeof index === 'number')
          lines.push(g.line(pasted.groups[index]?.line ?? index + 1, issue.message));
        else Object.assign(problems, problemsOf([issue]));
      }
      return again({ pasteProblems: lines, problems });
    }
    let result: { created: number; updated: number; unchanged: number };
    try {
      result = await groups.importCounts(s.principal, staffActor(req), c.wardId, body.data);
    } catch (err) {
      if (err instanceof AppError && (err.statusCode === 400 || err.statusCode === 409))
        return again({ pasteProblems: [err.message], text: err.message });
      throw err;
    }
    return reply.redirect(
      `/console/campaigns/${c.id}/groups?imported=${result.created}-${result.updated}-${result.unchanged}`,
      303,
    );
  });

  app.get('/campaigns/:id/groups/:gid', async (req, reply) => groupPage(req, reply));

  app.post('/campaigns/:id/groups/:gid', async (req, reply) => {
    const s = sessionOf(req);
    const c = await campaignOf(container, req);
    const gid = idParam(req, 'gid');
    const f = fieldsOf(req);
    const again = (problems: Problems, text = t.fix) =>
      groupPage(req, reply, { status: 400, values: f, problems, message: notice('error', text, true) });
    const problems: Problems = {};
    const households = countOf(f.households ?? '');
    const smartphoneHouseholds = countOf(f.smartphoneHouseholds ?? '');
    if (households === null) problems.households = t.badCount;
    if (smartphoneHouseholds === null) problems.smartphoneHouseholds = t.badCount;
    if (Object.keys(problems).length) return again(problems);
    const source = filled(f, 'source');
    const body = groupCountsBody.safeParse({
      households,
      smartphoneHouseholds,
      ...(source ? { source } : {}),
    });
    if (!body.success) return again(problemsOf(body.error.issues));
    try {
      await groups.updateCounts(s.principal, staffActor(req), c.wardId, gid, body.data);
    } catch (err) {
      const named = serviceProblems(err);
      if (named) return again(named, (err as AppError).message);
      throw err;
    }
    return reply.redirect(`/console/campaigns/${c.id}/groups/${gid}?done=saved`, 303);
  });
}
