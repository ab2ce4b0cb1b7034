import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { channels } from '../../../db/types.ts';
import {
  apiClientBody,
  apiClientPatchBody,
  rotateBody,
} from '../../../modules/directory/directory-schemas.ts';
import { type ConsoleDeps, sendPage } from '../../context.ts';
import { type Fields, problemsOf, selectField, textField } from '../../fields.ts';
import { when } from '../../format.ts';
import { html } from '../../html.ts';
import { notice } from '../../layout.ts';
import { vi } from '../../vi.ts';
import {
  activeCell,
  activeWords,
  doneNotice,
  fieldsOf,
  hiddenFields,
  idOf,
  ifMatchOf,
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
const a = t.apiClients;
const base = '/admin/api-clients';
const channelOptions = channels.map((c): [string, string] => [c, vi.channels[c]]);

/**
 * Channel integrations (the app, the switchboard) and their keys. A key is shown once, on the page
 * that answers its creation or rotation, which no cache keeps (`no-store`); the directory stores only
 * its hash and prefix, so no later page can show it again.
 */
export async function apiClientPages(app: FastifyInstance, { container }: ConsoleDeps) {
  const { directory } = container;

  app.get(base, async (req, reply) => {
    adminOnly(req);
    const raw = req.query as Record<string, string | undefined>;
    const inactive = raw.active === 'false';
    const { items, nextCursor } = await directory.listApiClients({ ...listArgs(raw), active: !inactive });
    const rows = items.map(
      (
        x,
      ) => html`<tr><td><a href="/console${base}/${x.id}">${x.name}</a></td><td>${vi.channels[x.channel]}</td><td><code>${x.keyPrefix}…</code></td>
<td>${when(x.createdAt)}</td><td>${activeCell(x.active)}</td></tr>`,
    );
    const body = listBody(base, {
      title: a.title,
      newLabel: a.new,
      filters: html`<p><label for="active">${t.status}</label> <select id="active" name="active">
<option value="true">${a.showActive}</option><option value="false"${inactive ? html` selected` : ''}>${a.showInactive}</option>
</select></p>`,
      headers: [a.name, a.channel, a.keyPrefix, a.createdAt, t.status],
      rows,
      raw,
      nextCursor,
    });
    return sendPage(req, reply, container, { title: a.title, current: 'admin' }, body);
  });

  const createForm: CreateForm = (req, reply, values, problems, status, top = '') => {
    const s = adminOnly(req);
    const body = html`<h1>${a.new}</h1>
<p><a href="/console${base}">${t.back}</a></p>
${top}
<form method="post" action="/console${base}">${hiddenFields(s.csrf)}
${textField('name', a.name, values, problems, { required: true })}
${selectField('channel', a.channel, channelOptions, values, problems)}
<p class="buttons"><button type="submit">${t.create}</button></p>
</form>`;
    return sendPage(req, reply, container, { title: a.new, current: 'admin', status }, body);
  };

  /** The one page that shows a key: never cached, never shown again. */
  const keyPage = (
    req: FastifyRequest,
    reply: FastifyReply,
    client: { id: string; name: string },
    apiKey: string,
    oldStops?: string,
  ) => {
    reply.header('cache-control', 'no-store');
    const body = html`<h1>${a.keyFor(client.name)}</h1>
${notice('error', a.keyOnce, true)}
${oldStops ? notice('info', a.oldStops(when(oldStops))) : ''}
<p class="field"><label for="apiKey">${a.keyLabel}</label>
<input id="apiKey" class="secret" readonly value="${apiKey}" size="60" autocomplete="off" spellcheck="false"></p>
<p><a href="/console${base}/${client.id}">${a.done}</a></p>`;
    return sendPage(req, reply, container, { title: a.keyTitle, current: 'admin' }, body);
  };

  app.get(`${base}/new`, async (req, reply) =>
    createForm(req, reply, { channel: 'smart_haiphong' }, {}, 200),
  );

  app.post(base, async (req, reply) => {
    adminOnly(req);
    const f = fieldsOf(req);
    const parsed = apiClientBody.safeParse({ name: f.name ?? '', channel: f.channel ?? '' });
    if (!parsed.success) return createForm(req, reply, f, problemsOf(parsed.error.issues), 400, fixNotice());
    const created = await directory.createApiClient(staffActor(req), parsed.data);
    return keyPage(req, reply, created, created.apiKey);
  });

  async function render(req: FastifyRequest, reply: FastifyReply, id: string, shown: Shown) {
    const s = adminOnly(req);
    const x = await directory.getApiClient(id);
    const values: Fields = shown.values ?? { name: x.name };
    const problems = shown.problems ?? {};
    const raw = req.query as Record<string, string | undefined>;
    const body = html`<h1>${a.edit(x.name)}</h1>
<p><a href="/console${base}">${t.back}</a></p>
${shown.notice ?? doneNotice(raw)}
<dl class="facts"><dt>${a.channel}</dt><dd>${vi.channels[x.channel]}</dd><dt>${a.keyPrefix}</dt><dd><code>${x.keyPrefix}…</code></dd>
<dt>${a.createdAt}</dt><dd>${when(x.createdAt)}</dd><dt>${t.status}</dt><dd>${activeWords(x.active)}</dd></dl>
<form method="post" action="/console${base}/${id}">${hiddenFields(s.csrf, versionShown(shown.values, x))}
${textField('name', a.name, values, problems, { required: true })}
<p class="buttons"><button type="submit">${t.save}</button></p>
</form>
${
  x.active
    ? html`<details class="confirm"${problems.graceSeconds ? html` open` : ''}><summary>${a.rotate}</summary>
<form method="post" action="/console${base}/${id}/rotate">${hiddenFields(s.csrf)}
<p class="meta">${a.rotateHint}</p>
${selectField('graceSeconds', a.grace, a.graces, { graceSeconds: '3600' }, problems)}
<p><button type="submit">${a.rotateButton}</button></p>
</form></details>`
    : ''
}
${lifecycleForms(`/console${base}/${id}`, x, x.name, s.csrf)}`;
    return sendPage(
      req,
      reply,
      container,
      { title: a.edit(x.name), current: 'admin', status: shown.status ?? 200 },
      body,
    );
  }

  recordPageRoute(app, base, render);

  app.post(`${base}/:id`, async (req, reply) => {
    adminOnly(req);
    const id = idOf(req);
    const f = fieldsOf(req);
    const sent = { name: f.name ?? '', version: f.version ?? '' };
    const parsed = apiClientPatchBody.safeParse({ name: sent.name });
    if (!parsed.success) return render(req, reply, id, withProblems(problemsOf(parsed.error.issues), sent));
    return applyChange(req, reply, { base, id, render, sent }, 'saved', () =>
      directory.updateApiClient(staffActor(req), id, ifMatchOf(f), parsed.data),
    );
  });

  app.post(`${base}/:id/rotate`, async (req, reply) => {
    adminOnly(req);
    const id = idOf(req);
    const f = fieldsOf(req);
    const grace = f.graceSeconds ?? '';
    const parsed = rotateBody.safeParse({ graceSeconds: /^\d{1,6}$/.test(grace) ? Number(grace) : grace });
    if (!parsed.success) return render(req, reply, id, withProblems(problemsOf(parsed.error.issues)));
    const client = await directory.getApiClient(id);
    const rotated = await directory.rotateApiKey(staffActor(req), id, parsed.data?.graceSeconds ?? 0);
    return keyPage(req, reply, client, rotated.apiKey, rotated.previousKeyExpiresAt);
  });

  lifecycleRoutes(app, base, directory.setApiClientActive, render);
}
