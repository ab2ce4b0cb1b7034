import type { FastifyReply, FastifyRequest } from 'fastify';
import type { UserPrincipal } from '../../../modules/auth/principal.ts';
import { idSchema } from '../../../shared/http.ts';
import { type ConsoleDeps, sendPage } from '../../context.ts';
import { html, type SafeHtml } from '../../html.ts';
import { vi } from '../../vi.ts';

/** The `?wardId=` of a ward page: a well-formed id, or undefined (then the page asks for one). */
export function wardIdOf(req: FastifyRequest): string | undefined {
  const raw = (req.query as { wardId?: unknown }).wardId;
  if (typeof raw !== 'string' || raw === '') return undefined;
  return idSchema.safeParse(raw).success ? raw : undefined;
}

/**
 * A page that asks which ward (an admin's settings pages, city-wide): the active wards as a select,
 * sent back to `action` as `?wardId=`. A city has tens of wards; the first 200 are listed.
 */
export async function sendWardPicker(
  req: FastifyRequest,
  reply: FastifyReply,
  { container }: Pick<ConsoleDeps, 'container'>,
  caller: UserPrincipal,
  page: { title: string; action: string; before?: SafeHtml },
) {
  const wards = await container.directory.listWards(caller, { limit: 200, active: true });
  const body = html`<p><a href="/console/admin">${vi.adminOps.back}</a></p>
<h1>${page.title}</h1>${page.before ?? ''}
<form method="get" action="${page.action}" class="filters">
<p><label for="wardId">${vi.adminOps.chooseWard}</label> <select id="wardId" name="wardId">${wards.items.map(
    (w) => html`<option value="${w.id}">${w.name} (${w.code})</option>`,
  )}</select></p>
<p><button type="submit">${vi.adminOps.open}</button></p>
</form>`;
  return sendPage(req, reply, container, { title: page.title }, body);
}
