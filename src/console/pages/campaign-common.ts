import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Container } from '../../container.ts';
import type { campaignSchema } from '../../modules/campaigns/campaign-schemas.ts';
import { AppError, notFound } from '../../shared/errors.ts';
import { sendPage, sessionOf } from '../context.ts';
import { html, type SafeHtml } from '../html.ts';
import { notice } from '../layout.ts';
import { vi } from '../vi.ts';

export type CampaignView = z.output<typeof campaignSchema>;
const t = vi.campaigns;

/** Routes a campaign unit's submitter may open (plugin.ts refuses them every other console page). */
export const submitters = { config: { consoleSubmitter: true } };

/** An id in the path: digits only; anything else is a page that does not exist (404, as in the API). */
export function idParam(req: FastifyRequest, name: 'id' | 'uid' | 'gid' | 'cid'): string {
  const id = (req.params as Record<string, string | undefined>)[name] ?? '';
  if (!/^[1-9]\d{0,17}$/.test(id)) throw notFound();
  return id;
}

/** The campaign of the path, as the caller may see it (another ward's, or not the submitter's: 404). */
export const campaignOf = (container: Container, req: FastifyRequest): Promise<CampaignView> =>
  container.campaigns.get(sessionOf(req).principal, idParam(req, 'id'));

/** Whether the caller keeps the ward's household counts: the coordinator, the chairman (the service decides). */
export const keepsGroups = (req: FastifyRequest, c: CampaignView) =>
  c.access === 'coordinator' || sessionOf(req).principal.role === 'chairman';

type Tab = 'overview' | 'units' | 'groups' | 'conflicts' | 'myList';

/**
 * The campaign's pages as tabs (links, each a bookmark), the current one marked by more than colour:
 * the coordinator's all of them, the ward's readers the overview, units and groups, a submitter the
 * overview and their unit's list.
 */
export function campaignTabs(c: CampaignView, current: Tab, myUnitId?: string): SafeHtml {
  const base = `/console/campaigns/${c.id}`;
  const tabs: [Tab, string][] = [['overview', base]];
  if (c.access !== 'submitter') tabs.push(['units', `${base}/units`], ['groups', `${base}/groups`]);
  if (c.access === 'coordinator') tabs.push(['conflicts', `${base}/conflicts`]);
  if (c.access === 'submitter' && myUnitId) tabs.push(['myList', `${base}/units/${myUnitId}/list`]);
  return html`<nav class="tabs" aria-label="${t.tabsLabel}"><ul>${tabs.map(
    ([key, href]) =>
      html`<li><a href="${href}"${key === current ? html` aria-current="page"` : ''}>${t.tabs[key]}</a></li>`,
  )}</ul></nav>`;
}

/** A table cell that keeps its column's name when the table is stacked on a phone (console.css). */
export const cell = (label: string, content: unknown) => html`<td data-label="${label}">${content}</td>`;

/** The page's heading: what it is, the campaign's name above it as the way back. */
export const campaignHeading = (c: CampaignView, title: string) =>
  html`<p class="crumbs"><a href="/console/campaigns">${t.nav}</a> › <a href="/console/campaigns/${c.id}">${c.name}</a></p>
<h1>${title}</h1>`;

/** A campaign page in the console's shell ("Chiến dịch" current in the navigation). */
export const sendCampaignPage = (
  req: FastifyRequest,
  reply: FastifyReply,
  container: Container,
  title: string,
  body: SafeHtml,
  status = 200,
) => sendPage(req, reply, container, { title, current: 'campaigns', status }, body);

/** The notice for `?done=<key>` after a redirect (post, redirect, get), if the key is one of `texts`. */
export function doneNotice(req: FastifyRequest, texts: Record<string, string>): SafeHtml | '' {
  const done = (req.query as { done?: string }).done;
  const text = done !== undefined && Object.hasOwn(texts, done) ? texts[done] : undefined;
  return text ? notice('info', text) : '';
}

/** A service's refusal that a person can act on (400, 409), as its Vietnamese message; others rethrown. */
export function refusalText(err: unknown): string {
  if (err instanceof AppError && (err.statusCode === 400 || err.statusCode === 409)) return err.message;
  throw err;
}
