import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createCaseBody } from '../../modules/cases/case-schemas.ts';
import { forbidden } from '../../shared/errors.ts';
import { activeCategories, type ConsoleDeps, sendPage, sessionOf } from '../context.ts';
import { html } from '../html.ts';
import { notice } from '../layout.ts';
import { vi } from '../vi.ts';

type Fields = Record<string, string>;
type Problems = Record<string, string>;

const field = (name: string, label: string, control: ReturnType<typeof html>, problems: Problems) =>
  html`<p class="field${problems[name] ? ' invalid' : ''}"><label for="${name}">${label}</label>
${control}${problems[name] ? html`<span class="field-error" id="${name}-error">${problems[name]}</span>` : ''}</p>`;

const described = (name: string, problems: Problems) =>
  problems[name] ? html` aria-invalid="true" aria-describedby="${name}-error"` : '';

/**
 * Logging a 1022 call: a form in the order of the call (the caller's phone first), for the keyboard
 * alone (Ctrl+Enter saves, "Lưu & nhập tiếp" opens the next one). The case is filed by intake's own
 * service as the API files it; the form's hidden call id makes a resent form the same case.
 */
export async function intakePages(app: FastifyInstance, { container }: ConsoleDeps) {
  const intakeOnly = (req: FastifyRequest) => {
    const s = sessionOf(req);
    if (s.principal.role !== 'intake') throw forbidden();
    return s;
  };

  async function form(
    req: FastifyRequest,
    reply: FastifyReply,
    values: Fields,
    problems: Problems,
    status: number,
    saved?: string,
  ) {
    const categories = await activeCategories(container);
    const v = (k: string) => values[k] ?? '';
    const body = html`<h1>${vi.intake.title}</h1>
${saved ? notice('info', vi.intake.saved(saved)) : ''}
${Object.keys(problems).length ? notice('error', vi.intake.fix, true) : ''}
<form method="post" action="/console/intake" class="intake" data-submit-shortcut>
<input type="hidden" name="_csrf" value="${sessionOf(req).csrf}">
<input type="hidden" name="callId" value="${v('callId') || randomUUID()}">
${field('phone', vi.intake.phone, html`<input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="off" required${Object.keys(problems).length ? '' : html` autofocus`} value="${v('phone')}"${described('phone', problems)}>`, problems)}
${field('name', vi.intake.name, html`<input id="name" name="name" autocomplete="off" value="${v('name')}"${described('name', problems)}>`, problems)}
${field('description', vi.intake.description, html`<textarea id="description" name="description" rows="5" required${described('description', problems)}>${v('description')}</textarea>`, problems)}
${field('title', vi.intake.titleField, html`<input id="title" name="title" value="${v('title')}"${described('title', problems)}>`, problems)}
${field(
  'categoryCode',
  vi.intake.category,
  html`<select id="categoryCode" name="categoryCode"${described('categoryCode', problems)}><option value="">${vi.intake.noCategory}</option>${categories.map(
    (c) =>
      html`<option value="${c.code}"${v('categoryCode') === c.code ? html` selected` : ''}>${c.name}</option>`,
  )}</select>`,
  problems,
)}
${field('address', vi.intake.address, html`<input id="address" name="address" value="${v('address')}"${described('address', problems)}>`, problems)}
${field('residentialGroup', vi.intake.group, html`<input id="residentialGroup" name="residentialGroup" value="${v('residentialGroup')}"${described('residentialGroup', problems)}>`, problems)}
<fieldset><legend>${vi.intake.urgency}</legend>
<label><input type="radio" name="urgency" value="normal"${v('urgency') !== 'urgent' ? html` checked` : ''}> ${vi.urgency.normal}</label>
<label><input type="radio" name="urgency" value="urgent"${v('urgency') === 'urgent' ? html` checked` : ''}> ${vi.urgency.urgent}</label>
</fieldset>
<p><label><input type="checkbox" name="confidential" value="true"${v('confidential') === 'true' ? html` checked` : ''}> ${vi.intake.confidential}</label></p>
<p class="buttons"><button type="submit" name="after" value="open">${vi.intake.save}</button>
<button type="submit" name="after" value="next">${vi.intake.saveNext}</button> <span class="meta">${vi.intake.shortcutHint}</span></p>
</form>`;
    return sendPage(req, reply, container, { title: vi.intake.title, current: 'intake', status }, body);
  }

  app.get('/intake/new', async (req, reply) => {
    intakeOnly(req);
    const saved = (req.query as { saved?: string }).saved;
    return form(req, reply, {}, {}, 200, saved && /^[A-Z0-9_-]{5,40}$/.test(saved) ? saved : undefined);
  });

  app.post('/intake', async (req, reply) => {
    const s = intakeOnly(req);
    const f = (req.body ?? {}) as Fields;
    const text = (k: string) => (typeof f[k] === 'string' && f[k].trim() !== '' ? f[k] : undefined);
    const ward = await container.directory.getWard(s.principal, s.principal.wardId ?? '');
    const parsed = createCaseBody.safeParse({
      wardCode: ward.code,
      channel: 'hotline_1022',
      externalId: `console-${/^[0-9a-f-]{36}$/.test(f.callId ?? '') ? f.callId : randomUUID()}`,
      categoryCode: text('categoryCode'),
      urgency: f.urgency === 'urgent' ? 'urgent' : 'normal',
      title: text('title'),
      description: f.description ?? '',
      reporter: { name: text('name'), phone: f.phone ?? '', confidential: f.confidential === 'true' },
      location:
        text('address') || text('residentialGroup')
          ? { address: text('address'), residentialGroup: text('residentialGroup') }
          : undefined,
    });
    if (!parsed.success) {
      const problems: Problems = {};
      for (const issue of parsed.error.issues) {
        problems[String(issue.path.at(-1) ?? '')] ??= issue.message;
      }
      return form(req, reply, f, problems, 400);
    }
    const { case: view } = await container.cases.intake(s.principal, parsed.data);
    if (f.after === 'next')
      return reply.redirect(`/console/intake/new?saved=${encodeURIComponent(view.code)}`, 303);
    return reply.redirect(`/console/cases/${view.id}`, 303);
  });
}
