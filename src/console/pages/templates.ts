import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import {
  type AnswerTemplateView,
  answerTemplateBody,
  answerTemplatePatchBody,
} from '../../modules/answer-templates/answer-template-schemas.ts';
import { isDepartmentRole } from '../../modules/auth/principal.ts';
import { AppError, forbidden, notFound } from '../../shared/errors.ts';
import { activeCategories, type ConsoleDeps, sendPage, sessionOf } from '../context.ts';
import { when } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { notice } from '../layout.ts';
import { vi } from '../vi.ts';

type Fields = { categoryCode: string; title: string; body: string };
type Problems = Partial<Record<keyof Fields, string>>;
type Category = { code: string; name: string };
const t = vi.answerTemplates;

const templateId = (params: unknown) => {
  const id = (params as { id?: string }).id ?? '';
  if (!/^\d{1,18}$/.test(id)) throw notFound();
  return id;
};

const fieldsOf = (body: unknown): Fields => {
  const b = (body ?? {}) as Record<string, unknown>;
  const s = (k: string) => (typeof b[k] === 'string' ? (b[k] as string) : '');
  return { categoryCode: s('categoryCode'), title: s('title'), body: s('body') };
};

/** The form's fields through the API's own schema; a field left empty is said so plainly. */
function parsed<S extends typeof answerTemplateBody | typeof answerTemplatePatchBody>(
  schema: S,
  f: Fields,
): { data: z.output<S> } | { problems: Problems } {
  const r = schema.safeParse({ categoryCode: f.categoryCode || null, title: f.title, body: f.body });
  if (r.success) return { data: r.data as z.output<S> };
  const problems: Problems = {};
  for (const issue of r.error.issues) {
    const name = String(issue.path[0] ?? '') as keyof Fields;
    if (!(name in f)) continue;
    problems[name] ??= f[name].trim() === '' ? t.required : issue.message;
  }
  return { problems };
}

/** A service's 400 naming fields (an unknown category), as the form's problems. */
const problemsOf = (err: AppError): Problems =>
  Object.fromEntries((err.errors ?? []).map((e) => [e.path, e.message])) as Problems;

const described = (name: keyof Fields, problems: Problems) =>
  problems[name] ? html` aria-invalid="true" aria-describedby="tpl-${name}-error"` : '';
const field = (name: keyof Fields, label: string, control: SafeHtml, problems: Problems) =>
  html`<p class="field${problems[name] ? ' invalid' : ''}"><label for="tpl-${name}">${label}</label>
${control}${problems[name] ? html`<span class="field-error" id="tpl-${name}-error">${problems[name]}</span>` : ''}</p>`;

/** The create and edit form: category (or any), title, text; the version it changes, when editing. */
function templateForm(o: {
  action: string;
  csrf: string;
  values: Fields;
  problems: Problems;
  categories: Category[];
  submit: string;
  version?: number;
}): SafeHtml {
  const { values: v, problems } = o;
  return html`<form method="post" action="${o.action}" class="template-form">
<input type="hidden" name="_csrf" value="${o.csrf}">
${o.version !== undefined ? html`<input type="hidden" name="version" value="${o.version}">` : ''}
${field(
  'categoryCode',
  t.category,
  html`<select id="tpl-categoryCode" name="categoryCode"${described('categoryCode', problems)}><option value="">${t.anyCategory}</option>${o.categories.map(
    (c) =>
      html`<option value="${c.code}"${v.categoryCode === c.code ? html` selected` : ''}>${c.name}</option>`,
  )}</select>`,
  problems,
)}
${field('title', t.titleField, html`<input id="tpl-title" name="title" required maxlength="200" value="${v.title}"${described('title', problems)}>`, problems)}
${field('body', t.body, html`<textarea id="tpl-body" name="body" rows="8" required maxlength="10000"${described('body', problems)}>${v.body}</textarea>`, problems)}
<p><button type="submit">${o.submit}</button></p>
</form>`;
}

const placeholderHelp = html`<p>${t.placeholdersTitle}</p><ul class="placeholders">${t.placeholders.map(
  ([code, what]) => html`<li><code>${code}</code>: ${what}</li>`,
)}</ul>`;

/**
 * "Mẫu trả lời": the department's answer templates by category, for its head to add, change and stop
 * using, and for its officers to read. Every change goes through the API's service (the head's own
 * department only; If-Match from the form's version, so a change made meanwhile answers 412).
 */
export async function templatePages(app: FastifyInstance, { container }: ConsoleDeps) {
  const { answerTemplates } = container;

  const departmentStaff = (req: FastifyRequest) => {
    const s = sessionOf(req);
    if (!isDepartmentRole(s.principal.role)) throw forbidden();
    return s;
  };

  /** All of the caller's department's templates (tens, not thousands). */
  async function allTemplates(req: FastifyRequest) {
    const all: AnswerTemplateView[] = [];
    let cursor: string | undefined;
    do {
      const page = await answerTemplates.list(sessionOf(req).principal, {
        limit: 200,
        ...(cursor ? { cursor } : {}),
      });
      all.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return all;
  }

  async function listPage(
    req: FastifyRequest,
    reply: FastifyReply,
    o: { status?: number; message?: SafeHtml; values?: Fields; problems?: Problems } = {},
  ) {
    const s = departmentStaff(req);
    const head = s.principal.role === 'department_head';
    const [templates, categories] = await Promise.all([allTemplates(req), activeCategories(container)]);
    const nameOf = (code: string | null) =>
      code === null ? t.anyCategory : (categories.find((c) => c.code === code)?.name ?? code);
    // "Any category" first, then the categories by name.
    const groups = [...new Set(templates.map((x) => x.categoryCode))].sort((a, b) =>
      a === null ? -1 : b === null ? 1 : nameOf(a).localeCompare(nameOf(b), 'vi'),
    );
    const item = (x: AnswerTemplateView) => html`<li class="template${x.active ? '' : ' inactive'}">
<h3 id="tpl-${x.id}">${x.title} <span class="flag">(${x.active ? t.active : t.inactive})</span></h3>
<p class="template-body">${x.body}</p>
<p class="meta">${t.updated(x.updatedBy?.name ?? vi.case.system, when(x.updatedAt))}</p>
${
  head
    ? html`<p class="buttons"><a href="/console/templates/${x.id}/edit" aria-describedby="tpl-${x.id}">${t.edit}</a></p>
<form method="post" action="/console/templates/${x.id}/${x.active ? 'deactivate' : 'reactivate'}">
<input type="hidden" name="_csrf" value="${s.csrf}"><input type="hidden" name="version" value="${x.version}">
<button type="submit" aria-describedby="tpl-${x.id}">${x.active ? t.deactivate : t.reactivate}</button>
</form>`
    : ''
}
</li>`;
    const list = templates.length
      ? groups.map((code) => {
          const key = code ?? 'any';
          return html`<section aria-labelledby="group-${key}"><h2 id="group-${key}">${nameOf(code)}</h2>
<ul class="templates">${templates.filter((x) => x.categoryCode === code).map(item)}</ul></section>`;
        })
      : html`<p>${t.empty}</p>`;
    const create = head
      ? html`<section aria-labelledby="add-template"><h2 id="add-template">${t.add}</h2>
${templateForm({
  action: '/console/templates',
  csrf: s.csrf,
  values: o.values ?? { categoryCode: '', title: '', body: '' },
  problems: o.problems ?? {},
  categories,
  submit: t.create,
})}</section>`
      : html`<p>${t.readOnly}</p>`;
    return sendPage(
      req,
      reply,
      container,
      { title: t.title, current: 'templates', status: o.status ?? 200 },
      html`<h1>${t.title}</h1>${o.message ?? ''}<p>${t.intro}</p>${placeholderHelp}${list}${create}`,
    );
  }

  async function editPage(
    req: FastifyRequest,
    reply: FastifyReply,
    current: AnswerTemplateView,
    o: { status?: number; values?: Fields; problems?: Problems; stale?: boolean } = {},
  ) {
    const s = sessionOf(req);
    const categories = await activeCategories(container);
    const problems = o.problems ?? {};
    const message = o.stale
      ? notice('error', t.stale(current.version), true)
      : Object.keys(problems).length
        ? notice('error', t.fix, true)
        : '';
    return sendPage(
      req,
      reply,
      container,
      { title: t.editTitle(current.title), current: 'templates', status: o.status ?? 200 },
      html`<h1>${t.editTitle(current.title)}</h1>${message}
${o.stale ? html`<section aria-labelledby="stored"><h2 id="stored">${t.current}</h2><p class="template-body">${current.body}</p></section>` : ''}
${templateForm({
  action: `/console/templates/${current.id}`,
  csrf: s.csrf,
  values: o.values ?? {
    categoryCode: current.categoryCode ?? '',
    title: current.title,
    body: current.body,
  },
  problems,
  categories,
  submit: t.save,
  version: current.version,
})}
${placeholderHelp}
<p><a href="/console/templates">${t.cancel}</a></p>`,
    );
  }

  const done: Record<string, string> = {
    created: t.created,
    saved: t.saved,
    deactivated: t.deactivated,
    reactivated: t.reactivated,
  };

  app.get('/templates', async (req, reply) => {
    const d = (req.query as { done?: string }).done;
    const text = d !== undefined ? done[d] : undefined;
    return listPage(req, reply, text ? { message: notice('info', text) } : {});
  });

  app.post('/templates', async (req, reply) => {
    const s = departmentStaff(req);
    const f = fieldsOf(req.body);
    const p = parsed(answerTemplateBody, f);
    if ('problems' in p)
      return listPage(req, reply, {
        status: 400,
        values: f,
        problems: p.problems,
        message: notice('error', t.fix, true),
      });
    try {
      await answerTemplates.create(s.principal, p.data);
    } catch (err) {
      if (err instanceof AppError && err.statusCode === 400)
        return listPage(req, reply, {
          status: 400,
          values: f,
          problems: problemsOf(err),
          message: notice('error', t.fix, true),
        });
      throw err;
    }
    return reply.redirect('/console/templates?done=created', 303);
  });

  /** The edit page: the head's own department's template (404 for another's, 403 for officers). */
  app.get('/templates/:id/edit', async (req, reply) => {
    const s = departmentStaff(req);
    if (s.principal.role !== 'department_head') throw forbidden();
    return editPage(req, reply, await answerTemplates.get(s.principal, templateId(req.params)));
  });

  const versionOf = (body: unknown) => {
    const v = (body as { version?: unknown } | undefined)?.version;
    return `"${typeof v === 'string' && /^\d{1,9}$/.test(v) ? v : '0'}"`;
  };

  app.post('/templates/:id', async (req, reply) => {
    const s = departmentStaff(req);
    const id = templateId(req.params);
    const f = fieldsOf(req.body);
    const p = parsed(answerTemplatePatchBody, f);
    if ('problems' in p) {
      const current = await answerTemplates.get(s.principal, id);
      return editPage(req, reply, current, { status: 400, values: f, problems: p.problems });
    }
    try {
      await answerTemplates.update(s.principal, id, versionOf(req.body), p.data);
    } catch (err) {
      if (!(err instanceof AppError) || ![400, 412].includes(err.statusCode)) throw err;
      const current = await answerTemplates.get(s.principal, id);
      return err.statusCode === 412
        ? editPage(req, reply, current, { status: 412, values: f, stale: true })
        : editPage(req, reply, current, { status: 400, values: f, problems: problemsOf(err) });
    }
    return reply.redirect('/console/templates?done=saved', 303);
  });

  for (const [action, active] of [
    ['deactivate', false],
    ['reactivate', true],
  ] as const) {
    app.post(`/templates/:id/${action}`, async (req, reply) => {
      const s = departmentStaff(req);
      try {
        await answerTemplates.setActive(s.principal, templateId(req.params), versionOf(req.body), active);
      } catch (err) {
        if (err instanceof AppError && err.statusCode === 412)
          return listPage(req, reply, { status: 412, message: notice('error', t.staleList, true) });
        throw err;
      }
      return reply.redirect(`/console/templates?done=${active ? 'reactivated' : 'deactivated'}`, 303);
    });
  }
}
