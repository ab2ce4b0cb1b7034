import type { FastifyInstance } from 'fastify';
import { type ConsoleDeps, sendPage } from '../../context.ts';
import { html } from '../../html.ts';
import { vi } from '../../vi.ts';
import { apiClientPages } from './api-clients.ts';
import { categoryPages } from './categories.ts';
import { departmentPages } from './departments.ts';
import { adminOnly } from './guards.ts';
import { userPages } from './users.ts';
import { wardPages } from './wards.ts';

const t = vi.adminDirectory;

/** Every admin section, in the order an installation is set up (the last four are the settings pages). */
const sections = [
  ['/console/admin/wards', 'wards'],
  ['/console/admin/departments', 'departments'],
  ['/console/admin/categories', 'categories'],
  ['/console/admin/users', 'users'],
  ['/console/admin/api-clients', 'apiClients'],
  ['/console/admin/calendar', 'calendar'],
  ['/console/admin/escalation-policy', 'escalationPolicy'],
  ['/console/admin/webhooks', 'webhooks'],
  ['/console/admin/audit', 'audit'],
] as const;

/**
 * The admin's console (issue 17): the directory — wards, departments, categories with their SLAs,
 * users, API clients — on the directory's own services, as /api/v1 serves them to admins; and the index
 * page that links every admin section, the settings pages included.
 */
export async function adminDirectoryPages(app: FastifyInstance, deps: ConsoleDeps) {
  app.get('/admin', async (req, reply) => {
    adminOnly(req);
    const body = html`<h1>${t.title}</h1>
<p>${t.intro}</p>
<ul class="admin-sections">${sections.map(
      ([href, key]) =>
        html`<li><a href="${href}">${t.sections[key]}</a><br><span class="meta">${t.sectionHints[key]}</span></li>`,
    )}</ul>`;
    return sendPage(req, reply, deps.container, { title: t.title, current: 'admin' }, body);
  });
  await app.register(wardPages, deps);
  await app.register(departmentPages, deps);
  await app.register(categoryPages, deps);
  await app.register(userPages, deps);
  await app.register(apiClientPages, deps);
}
