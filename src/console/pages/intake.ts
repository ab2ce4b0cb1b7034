import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../modules/auth/principal.ts';
import { createCaseBody } from '../../modules/cases/case-schemas.ts';
import { phoneSearchKey } from '../../modules/cases/case-search.ts';
import type { DuplicateProbe } from '../../modules/cases/likely-duplicates.ts';
import { forbidden } from '../../shared/errors.ts';
import { type CategoryChoice, matchCategory } from '../category-match.ts';
import { activeCategories, type ConsoleDeps, sendFragment, sendPage, sessionOf } from '../context.ts';
import { described, type Fields, field, type Problems } from '../fields.ts';
import { html } from '../html.ts';
import { notice } from '../layout.ts';
import { vi } from '../vi.ts';
import { callerHistory, likelyDuplicates } from './intake-fragments.ts';

type Categories = Awaited<ReturnType<typeof activeCategories>>;

/** What the category field says about what was typed, beside it (none: nothing to say). */
const categoryProblem = (typed: string, choice: CategoryChoice) =>
  choice.kind === 'unknown'
    ? vi.callForm.categoryUnknown(typed.trim())
    : choice.kind === 'ambiguous'
      ? vi.callForm.categoryAmbiguous(choice.names)
      : undefined;

/** The category typed (a name, its first letters, or a code; `categoryCode` as the API names it). */
const typedCategory = (f: Fields) => (typeof f.category === 'string' ? f.category : (f.categoryCode ?? ''));

/** Every helper request re-reads the form: these are the fields the duplicates are looked for by. */
function probeOf(f: Fields, categories: Categories): DuplicateProbe {
  const choice = matchCategory(typedCategory(f), categories);
  const text = (k: string) => (typeof f[k] === 'string' ? f[k].slice(0, 2000) : '');
  return {
    categoryCode: choice.kind === 'found' ? choice.code : null,
    text: `${text('title')} ${text('description')}`.trim(),
    address: text('address').slice(0, 500) || null,
    residentialGroup: text('residentialGroup').slice(0, 100) || null,
  };
}

/**
 * Logging a 1022 call: a form in the order of the call (the caller's phone first), for the keyboard
 * alone (Ctrl+Enter saves, "Lưu & nhập tiếp" opens the next one). The case is filed by intake's own
 * service as the API files it; the form's hidden call id makes a resent form the same case. As the
 * call is typed, htmx asks for the caller's earlier cases (under the phone) and for open cases the
 * call may repeat (before the buttons); the category is typed, with the names as suggestions.
 */
export async function intakePages(app: FastifyInstance, { container }: ConsoleDeps) {
  const intakeOnly = (req: FastifyRequest) => {
    const s = sessionOf(req);
    if (s.principal.role !== 'intake') throw forbidden();
    return s;
  };

  /** The caller's earlier cases; null while the phone is not yet a whole number. */
  const history = (principal: Principal, phone: string) =>
    phoneSearchKey(phone) === undefined
      ? Promise.resolve(null)
      : container.cases.byCaller(principal, phone, 10);

  async function form(
    req: FastifyRequest,
    reply: FastifyReply,
    values: Fields,
    problems: Problems,
    status: number,
    saved?: string,
  ) {
    const s = sessionOf(req);
    const categories = await activeCategories(container);
    const v = (k: string) => values[k] ?? '';
    // A form that comes back with errors shows what the helpers showed while it was typed.
    const [earlier, duplicates] = v('phone')
      ? await Promise.all([
          history(s.principal, v('phone')),
          container.cases.likelyDuplicates(s.principal, probeOf(values, categories), 5),
        ])
      : [null, []];
    const categoryDescribed = html` aria-describedby="category-hint${problems.category ? ' category-error' : ''}"${problems.category ? html` aria-invalid="true"` : ''}`;
    // The helpers ask by POST (the form with its anti-forgery header): a phone number never sits in a
    // URL, which a proxy's access log would keep.
    const helper = (trigger: string) =>
      html` hx-post="/console/intake/duplicates" hx-trigger="${trigger}" hx-target="#duplicates" hx-swap="innerHTML" hx-sync="#duplicates:replace"`;
    const typing = 'input changed delay:600ms';
    const body = html`<h1>${vi.intake.title}</h1>
${saved ? notice('info', vi.intake.saved(saved)) : ''}
${Object.keys(problems).length ? notice('error', vi.intake.fix, true) : ''}
<form method="post" action="/console/intake" class="intake" data-submit-shortcut>
<input type="hidden" name="_csrf" value="${s.csrf}">
<input type="hidden" name="callId" value="${v('callId') || randomUUID()}">
${field('phone', vi.intake.phone, html`<input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="off" required${Object.keys(problems).length ? '' : html` autofocus`} value="${v('phone')}"${described('phone', problems)} hx-post="/console/intake/caller" hx-trigger="input changed delay:400ms" hx-target="#caller-history" hx-swap="innerHTML" hx-sync="this:replace">`, problems)}
<div id="caller-history" class="caller-history" aria-live="polite">${callerHistory(earlier)}</div>
${field('name', vi.intake.name, html`<input id="name" name="name" autocomplete="off" value="${v('name')}"${described('name', problems)}>`, problems)}
${field('description', vi.intake.description, html`<textarea id="description" name="description" rows="5" required${described('description', problems)}${helper(typing)}>${v('description')}</textarea>`, problems)}
${field('title', vi.intake.titleField, html`<input id="title" name="title" value="${v('title')}"${described('title', problems)}${helper(typing)}>`, problems)}
${field(
  'category',
  vi.intake.category,
  html`<input id="category" name="category" list="categories" autocomplete="off" value="${typedCategory(values)}"${categoryDescribed}${helper(`${typing}, change`)}>
<span class="hint" id="category-hint">${vi.callForm.categoryHint}</span>
<datalist id="categories">${categories.map((c) => html`<option value="${c.name}"></option>`)}</datalist>`,
  problems,
)}
${field('address', vi.intake.address, html`<input id="address" name="address" value="${v('address')}"${described('address', problems)}${helper(typing)}>`, problems)}
${field('residentialGroup', vi.intake.group, html`<input id="residentialGroup" name="residentialGroup" value="${v('residentialGroup')}"${described('residentialGroup', problems)}${helper(typing)}>`, problems)}
<fieldset><legend>${vi.intake.urgency}</legend>
<label><input type="radio" name="urgency" value="normal"${v('urgency') !== 'urgent' ? html` checked` : ''}> ${vi.urgency.normal}</label>
<label><input type="radio" name="urgency" value="urgent"${v('urgency') === 'urgent' ? html` checked` : ''}> ${vi.urgency.urgent}</label>
</fieldset>
<p><label><input type="checkbox" name="confidential" value="true"${v('confidential') === 'true' ? html` checked` : ''}> ${vi.intake.confidential}</label></p>
<div id="duplicates" aria-live="polite">${likelyDuplicates(duplicates)}</div>
<p class="buttons"><button type="submit" name="after" value="open">${vi.intake.save}</button>
<button type="submit" name="after" value="next">${vi.intake.saveNext}</button> <span class="meta">${vi.intake.shortcutHint}</span></p>
</form>`;
    return sendPage(req, reply, container, { title: vi.intake.title, current: 'intake', status }, body);
  }

  /** The caller's earlier cases in the ward, as the phone is typed. */
  app.post('/intake/caller', async (req, reply) => {
    const s = intakeOnly(req);
    const phone = (req.body as Fields | undefined)?.phone;
    return sendFragment(
      reply,
      callerHistory(typeof phone === 'string' ? await history(s.principal, phone) : null),
    );
  });

  /** Open cases like the call being typed, before it is saved. */
  app.post('/intake/duplicates', async (req, reply) => {
    const s = intakeOnly(req);
    const probe = probeOf((req.body ?? {}) as Fields, await activeCategories(container));
    return sendFragment(
      reply,
      likelyDuplicates(await container.cases.likelyDuplicates(s.principal, probe, 5)),
    );
  });

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
    const category = matchCategory(typedCategory(f), await activeCategories(container));
    const parsed = createCaseBody.safeParse({
      wardCode: ward.code,
      channel: 'hotline_1022',
      externalId: `console-${/^[0-9a-f-]{36}$/.test(f.callId ?? '') ? f.callId : randomUUID()}`,
      categoryCode: category.kind === 'found' ? category.code : undefined,
      urgency: f.urgency === 'urgent' ? 'urgent' : 'normal',
      title: text('title'),
      description: f.description ?? '',
      // A number as it is said and typed (0903 555 111, 0903.555.111): stored as its digits.
      reporter: {
        name: text('name'),
        phone: (f.phone ?? '').replace(/[\s.-]/g, ''),
        confidential: f.confidential === 'true',
      },
      location:
        text('address') || text('residentialGroup')
          ? { address: text('address'), residentialGroup: text('residentialGroup') }
          : undefined,
    });
    const problems: Problems = {};
    const unclear = categoryProblem(typedCategory(f), category);
    if (unclear) problems.category = unclear;
    if (!parsed.success)
      for (const issue of parsed.error.issues) {
        const key = String(issue.path.at(-1) ?? '');
        problems[key === 'categoryCode' ? 'category' : key] ??= issue.message;
      }
    if (!parsed.success || Object.keys(problems).length) return form(req, reply, f, problems, 400);
    const { case: view } = await container.cases.intake(s.principal, parsed.data);
    if (f.after === 'next')
      return reply.redirect(`/console/intake/new?saved=${encodeURIComponent(view.code)}`, 303);
    return reply.redirect(`/console/cases/${view.id}`, 303);
  });
}
