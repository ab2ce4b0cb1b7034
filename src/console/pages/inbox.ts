import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { NotificationView } from '../../modules/notifications/notification-schemas.ts';
import { type ConsoleDeps, sendFragment, sendPage, sessionOf, unreadCount } from '../context.ts';
import { when } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { unreadBadge } from '../layout.ts';
import { vi } from '../vi.ts';

const idParams = z.object({ id: z.string().regex(/^\d{1,18}$/) });
/** A campaign unit's submitter reads their reminders here too (the campaign page shows them). */
const submitters = { config: { consoleSubmitter: true } };

/** Notifications as a list, newest first, each unread one with its "mark read" button. */
export const inboxList = (items: NotificationView[]): SafeHtml =>
  items.length
    ? html`<ul class="inbox">${items.map(
        (n) => html`<li class="${n.readAt ? 'read' : 'unread'}">
<p class="meta"><span class="state">${n.readAt ? vi.inbox.read : vi.inbox.unread}</span> · <time datetime="${n.createdAt}">${when(n.createdAt)}</time></p>
<p class="title">${n.caseId ? html`<a href="/console/cases/${n.caseId}">${n.title}</a>` : n.title}</p>
<p class="body">${n.body}</p>
${n.readAt ? '' : html`<button type="button" hx-post="/console/inbox/${n.id}/read" hx-target="closest li" hx-swap="outerHTML">${vi.inbox.markRead}</button>`}
</li>`,
      )}</ul>`
    : html`<p>${vi.inbox.empty}</p>`;

/**
 * The inbox: the caller's notifications, newest first, each linking to its case; unread kept current.
 * A campaign unit's submitter has no case to be told about: their home is their campaign, whose page
 * shows their reminders (the chase notifications), so /console — where sign-in lands — sends them there.
 */
export async function inboxPages(app: FastifyInstance, { container }: ConsoleDeps) {
  app.get('/', submitters, async (req, reply) => {
    const s = sessionOf(req);
    if (s.principal.role === 'unit_submitter') return reply.redirect('/console/campaigns', 303);
    const { items } = await container.notifications.inbox(s.principal, { limit: 50 });
    return sendPage(
      req,
      reply,
      container,
      { title: vi.inbox.title, current: 'inbox' },
      html`<h1>${vi.inbox.title}</h1>${inboxList(items)}`,
    );
  });

  app.get('/inbox/unread', submitters, async (req, reply) =>
    sendFragment(reply, unreadBadge(await unreadCount(container, sessionOf(req)))),
  );

  app.post('/inbox/:id/read', submitters, async (req, reply) => {
    const { id } = idParams.parse(req.params);
    const n = await container.notifications.markRead(sessionOf(req).principal, id);
    return sendFragment(
      reply,
      html`<li class="read"><p class="meta"><span class="state">${vi.inbox.read}</span> · <time datetime="${n.createdAt}">${when(n.createdAt)}</time></p>
<p class="title">${n.caseId ? html`<a href="/console/cases/${n.caseId}">${n.title}</a>` : n.title}</p><p class="body">${n.body}</p></li>`,
    );
  });
}
