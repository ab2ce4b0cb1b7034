import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AnswerTemplateView } from '../../modules/answer-templates/answer-template-schemas.ts';
import { fillPlaceholders } from '../../modules/answer-templates/placeholders.ts';
import { isDepartmentRole, type UserPrincipal } from '../../modules/auth/principal.ts';
import { AppError, forbidden, notFound } from '../../shared/errors.ts';
import { type ConsoleDeps, sendFragment, sessionOf } from '../context.ts';
import { html, type SafeHtml } from '../html.ts';
import { vi } from '../vi.ts';

type Container = ConsoleDeps['container'];
export type TemplateChoice = Pick<AnswerTemplateView, 'id' | 'title'>;

/**
 * The answer's text box, in a span the picker swaps (htmx): the text, and a notice when the chosen
 * template could not be inserted. A span, since it sits in the answer form's paragraph.
 */
export const answerField = (text: string, problem?: string): SafeHtml =>
  html`<span id="answer-field">${problem ? html`<span class="notice error" role="alert">${problem}</span><br>` : ''}<textarea id="answer" name="answer" rows="6" cols="60" required maxlength="10000">${text}</textarea></span>`;

/**
 * "Chèn mẫu trả lời": a form of its own before the answer form (forms do not nest). Without
 * JavaScript it reloads the case page with the template in the answer box (a GET); with htmx it adds
 * the template to what is typed already and swaps the box alone — a POST, since what is typed (up to
 * 10 000 characters) would not fit in a URL.
 */
export function templatePicker(caseId: string, templates: TemplateChoice[]): SafeHtml | '' {
  if (templates.length === 0) return '';
  const url = `/console/cases/${caseId}/answer-template`;
  return html`<form method="get" action="${url}" class="template-picker" hx-post="${url}" hx-include="textarea#answer" hx-target="#answer-field" hx-swap="outerHTML">
<p><label for="templateId">${vi.answerTemplates.pick}</label>
<select id="templateId" name="templateId" required>${templates.map((x) => html`<option value="${x.id}">${x.title}</option>`)}</select>
<button type="submit">${vi.answerTemplates.insert}</button></p>
</form>`;
}

/** The templates a case's answer may start from: the department's active ones for its category or any. */
export async function templatesForCase(
  container: Container,
  who: UserPrincipal,
  kase: { categoryCode: string | null },
): Promise<AnswerTemplateView[]> {
  if (!isDepartmentRole(who.role)) return [];
  const { items } = await container.answerTemplates.list(who, {
    limit: 200,
    active: true,
    ...(kase.categoryCode ? { categoryCode: kase.categoryCode } : {}),
  });
  return kase.categoryCode ? items : items.filter((x) => x.categoryCode === null);
}

/**
 * `/console/cases/:id/answer-template` — a template for the case's answer, its placeholders filled
 * from the case as the caller sees it (cases.get: scope and personal-data rules). htmx posts the text
 * typed so far and gets the answer box back (that text, then the template); a plain GET gets the case
 * page with the template in the box. A template of another department or category, or no longer
 * used, is 404.
 */
export async function answerTemplatePickerRoutes(
  app: FastifyInstance,
  {
    container,
    rerender,
  }: ConsoleDeps & {
    rerender: (
      req: FastifyRequest,
      reply: FastifyReply,
      id: string,
      problem?: { status: number; text: string },
      draft?: string,
    ) => Promise<unknown>;
  },
) {
  async function insert(req: FastifyRequest, reply: FastifyReply) {
    const s = sessionOf(req);
    const id = (req.params as { id?: string }).id ?? '';
    if (!/^\d{1,18}$/.test(id)) throw notFound();
    if (!isDepartmentRole(s.principal.role)) throw forbidden();
    const q = ((req.method === 'POST' ? req.body : req.query) ?? {}) as {
      templateId?: unknown;
      answer?: unknown;
    };
    const typed = typeof q.answer === 'string' ? q.answer.trimEnd() : '';
    const kase = await container.cases.get(s.principal, id);
    let body: string;
    try {
      const templateId = typeof q.templateId === 'string' ? q.templateId : '';
      if (!/^\d{1,18}$/.test(templateId)) throw notFound();
      const template = await container.answerTemplates.get(s.principal, templateId);
      const fits = template.categoryCode === null || template.categoryCode === kase.categoryCode;
      if (!template.active || !fits) throw notFound();
      body = template.body;
    } catch (err) {
      if (!(err instanceof AppError) || err.statusCode !== 404) throw err;
      // The box stays as it was, with a word on why nothing was inserted.
      if (req.headers['hx-request'])
        return sendFragment(reply, answerField(typed, vi.answerTemplates.gone), 404);
      throw err;
    }
    const filled = fillPlaceholders(body, kase);
    const text = typed === '' ? filled : `${typed}\n\n${filled}`;
    if (req.headers['hx-request']) return sendFragment(reply, answerField(text));
    return rerender(req, reply, id, undefined, text);
  }
  app.get('/cases/:id/answer-template', insert);
  app.post('/cases/:id/answer-template', insert);
}
