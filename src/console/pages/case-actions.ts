import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { CaseStatus, Role } from '../../db/types.ts';
import type { UserPrincipal } from '../../modules/auth/principal.ts';
import { rejectReasons } from '../../modules/cases/status-labels.ts';
import {
  assignBody,
  extensionBody,
  noteBody,
  optionalNoteBody,
  rejectBody,
  respondBody,
  sendBackBody,
} from '../../modules/workflow/action-schemas.ts';
import { type CaseAction, decide } from '../../modules/workflow/state-machine.ts';
import { AppError, badRequest, notFound } from '../../shared/errors.ts';
import { type ConsoleDeps, issuesText } from '../context.ts';
import { html, type SafeHtml } from '../html.ts';
import { vi } from '../vi.ts';
import { answerField, type TemplateChoice, templatePicker } from './answer-template-picker.ts';

export type CaseForActions = {
  id: string;
  wardId: string;
  status: CaseStatus;
  version: number;
  categoryCode: string | null;
  pendingProposal?: { id: string } | undefined;
};

/** An extension request waiting for the ward office's decision. */
export type PendingExtension = { id: string; extendBy: string; reason: string } | null;

const may = (action: CaseAction, status: CaseStatus, role: Role) =>
  decide(action, status, { kind: 'user', role }).ok;

/**
 * The actions the caller's role may take on the case now (the state machine decides, as for the API),
 * each a plain form that works without JavaScript. Every form carries the version the person saw: a
 * change made meanwhile by someone else answers 412, and the page says so.
 */
export function actionForms(
  kase: CaseForActions,
  who: UserPrincipal,
  csrf: string,
  departments: { id: string; name: string; active: boolean }[],
  categories: { code: string; name: string; active: boolean }[],
  extension: PendingExtension,
  answer: { templates: TemplateChoice[]; draft: string } = { templates: [], draft: '' },
): SafeHtml {
  const role = who.role;
  const hidden = html`<input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="version" value="${kase.version}">`;
  const formFor = (action: string, body: SafeHtml) =>
    html`<form method="post" action="/console/cases/${kase.id}/${action}" class="action">${hidden}${body}</form>`;
  const forms: (SafeHtml | '')[] = [];
  if (may('assign', kase.status, role))
    forms.push(
      formFor(
        'assign',
        html`<p><label for="departmentId">${vi.actions.assignDepartment}</label>
<select id="departmentId" name="departmentId" required>${departments
          .filter((d) => d.active)
          .map((d) => html`<option value="${d.id}">${d.name}</option>`)}</select></p>
${
  kase.categoryCode === null
    ? html`<p><label for="categoryCode">${vi.actions.category}</label>
<select id="categoryCode" name="categoryCode" required>${categories
        .filter((c) => c.active)
        .map((c) => html`<option value="${c.code}">${c.name}</option>`)}</select></p>`
    : ''
}
<p><label for="assign-note">${vi.actions.note}</label> <input id="assign-note" name="note" maxlength="2000"></p>
<p><button type="submit">${vi.actions.assign}</button></p>`,
      ),
    );
  if (may('accept', kase.status, role))
    forms.push(formFor('accept', html`<p><button type="submit">${vi.actions.accept}</button></p>`));
  if (may('respond', kase.status, role) && !(role === 'department_officer' && kase.pendingProposal))
    forms.push(
      templatePicker(kase.id, answer.templates),
      formFor(
        'respond',
        html`<p><label for="answer">${vi.actions.answer}</label><br>${answerField(answer.draft)}</p>
<p><button type="submit">${role === 'department_officer' ? vi.actions.propose : vi.actions.respond}</button></p>`,
      ),
    );
  if (kase.pendingProposal && may('approve_answer', kase.status, role))
    forms.push(
      formFor(
        `answer-proposals/${kase.pendingProposal.id}/approve`,
        html`<p><button type="submit">${vi.actions.approve}</button></p>`,
      ),
      formFor(
        `answer-proposals/${kase.pendingProposal.id}/send-back`,
        html`<p><label for="send-back-note">${vi.actions.sendBackNote}</label> <input id="send-back-note" name="note" required maxlength="2000"></p>
<p><button type="submit">${vi.actions.sendBack}</button></p>`,
      ),
    );
  const withNote = (action: string, id: string, label: string, button: string) =>
    formFor(
      action,
      html`<p><label for="${id}">${label}</label> <input id="${id}" name="note" required maxlength="2000"></p>
<p><button type="submit">${button}</button></p>`,
    );
  if (may('request_info', kase.status, role))
    forms.push(withNote('request-info', 'info-note', vi.actions.requestInfoNote, vi.actions.requestInfo));
  if (may('resume', kase.status, role))
    forms.push(formFor('resume', html`<p><button type="submit">${vi.actions.resume}</button></p>`));
  if (may('request_extension', kase.status, role) && extension === null)
    forms.push(
      formFor(
        'extension',
        html`<p><label for="extendBy">${vi.actions.extendBy}</label> <select id="extendBy" name="extendBy">${Object.entries(
          vi.extendBy,
        ).map(([value, label]) => html`<option value="${value}">${label}</option>`)}</select></p>
<p><label for="extend-reason">${vi.actions.extendReason}</label> <input id="extend-reason" name="reason" required maxlength="2000"></p>
<p><button type="submit">${vi.actions.extension}</button></p>`,
      ),
    );
  if (extension && may('decide_extension', kase.status, role))
    forms.push(
      formFor(
        `extension/${extension.id}/decide`,
        html`<p>${vi.actions.extensionPending(vi.extendBy[extension.extendBy] ?? extension.extendBy, extension.reason)}</p>
<p><label for="decision-note">${vi.actions.decisionNote}</label> <input id="decision-note" name="note" maxlength="2000"></p>
<p><button type="submit" name="decision" value="approve">${vi.actions.approveExtension}</button>
<button type="submit" name="decision" value="refuse">${vi.actions.refuseExtension}</button></p>`,
      ),
    );
  if (may('return', kase.status, role))
    forms.push(withNote('return', 'return-note', vi.actions.returnNote, vi.actions.returnCase));
  if (may('refuse_answer', kase.status, role))
    forms.push(withNote('refuse-answer', 'refuse-note', vi.actions.refuseNote, vi.actions.refuseAnswer));
  if (may('close', kase.status, role))
    forms.push(formFor('close', html`<p><button type="submit">${vi.actions.close}</button></p>`));
  if (may('reject', kase.status, role))
    forms.push(
      formFor(
        'reject',
        html`<p><label for="reason">${vi.actions.rejectReason}</label>
<select id="reason" name="reason" required>${rejectReasons.map((r) => html`<option value="${r}">${vi.rejectReasons[r] ?? r}</option>`)}</select></p>
<p><label for="duplicateOf">${vi.actions.duplicateOf}</label> <input id="duplicateOf" name="duplicateOf" inputmode="numeric" pattern="[0-9]+"></p>
<p><button type="submit">${vi.actions.reject}</button></p>`,
      ),
    );
  return html`<section aria-labelledby="actions"><h2 id="actions">${vi.actions.title}</h2>${
    forms.length ? forms : html`<p>${vi.actions.none}</p>`
  }</section>`;
}

const version = z.object({ version: z.string().regex(/^\d{1,9}$/) });
const optional = (s: unknown) => (typeof s === 'string' && s.trim() !== '' ? s.trim() : undefined);

/**
 * The forms' targets: each calls the workflow action the API calls, with `If-Match` from the form's
 * version; then back to the case page (Post/Redirect/Get), or the page again with what went wrong.
 */
export async function caseActionRoutes(
  app: FastifyInstance,
  {
    container,
    rerender,
  }: ConsoleDeps & {
    rerender: (
      req: FastifyRequest,
      reply: FastifyReply,
      id: string,
      problem: { status: number; text: string },
    ) => Promise<unknown>;
  },
) {
  const { actions } = container;
  /** A form's fields through the API's own schema: a mistake is a 400 naming the field, in Vietnamese. */
  const parsed = <S extends z.ZodType>(schema: S, fields: Record<string, unknown>): z.output<S> => {
    const r = schema.safeParse(fields);
    if (r.success) return r.data;
    throw badRequest(
      issuesText(r.error),
      r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  };
  type Body = Record<string, unknown>;
  const route = (
    path: string,
    run: (
      who: UserPrincipal,
      id: string,
      ifMatch: string,
      body: Body,
      params: Record<string, string>,
    ) => Promise<unknown>,
  ) =>
    app.post(`/cases/:id/${path}`, async (req, reply) => {
      const params = req.params as Record<string, string>;
      const id = params.id ?? '';
      if (!/^\d{1,18}$/.test(id)) throw notFound();
      const body = (req.body ?? {}) as Body;
      const v = version.safeParse(body);
      const session = req.consoleSession;
      if (!session) throw notFound();
      try {
        await run(session.principal, id, `"${v.success ? v.data.version : '0'}"`, body, params);
      } catch (err) {
        if (err instanceof AppError && err.statusCode === 412)
          return rerender(req, reply, id, { status: 412, text: vi.errors.stale });
        if (err instanceof AppError && [400, 409].includes(err.statusCode))
          return rerender(req, reply, id, { status: err.statusCode, text: err.message });
        throw err;
      }
      return reply.redirect(`/console/cases/${id}`, 303);
    });

  route('assign', (who, id, ifMatch, b) =>
    actions.assign(
      who,
      id,
      ifMatch,
      parsed(assignBody, {
        departmentId: b.departmentId,
        note: optional(b.note),
        categoryCode: optional(b.categoryCode),
      }),
    ),
  );
  route('accept', (who, id, ifMatch) => actions.accept(who, id, ifMatch, null));
  route('respond', (who, id, ifMatch, b) =>
    actions.respond(who, id, ifMatch, parsed(respondBody, { answer: b.answer })),
  );
  route('answer-proposals/:pid/approve', (who, id, ifMatch, _b, p) =>
    actions.approveProposal(who, id, p.pid ?? '', ifMatch, null),
  );
  route('answer-proposals/:pid/send-back', (who, id, ifMatch, b, p) =>
    actions.sendBackProposal(who, id, p.pid ?? '', ifMatch, parsed(sendBackBody, { note: optional(b.note) })),
  );
  route('close', (who, id, ifMatch) => actions.close(who, id, ifMatch, null));
  route('request-info', (who, id, ifMatch, b) =>
    actions.requestInfo(who, id, ifMatch, parsed(noteBody, { note: optional(b.note) })),
  );
  route('resume', (who, id, ifMatch) => actions.resume(who, id, ifMatch, null));
  route('return', (who, id, ifMatch, b) =>
    actions.return(who, id, ifMatch, parsed(noteBody, { note: optional(b.note) })),
  );
  route('refuse-answer', (who, id, ifMatch, b) =>
    actions.refuseAnswer(who, id, ifMatch, parsed(noteBody, { note: optional(b.note) })),
  );
  // Extensions are requests of their own (the API takes no If-Match for them either).
  route('extension', (who, id, _ifMatch, b) =>
    actions.requestExtension(
      who,
      id,
      parsed(extensionBody, { extendBy: b.extendBy, reason: optional(b.reason) }),
    ),
  );
  route('extension/:rid/decide', (who, id, _ifMatch, b, p) =>
    actions.decideExtension(
      who,
      id,
      p.rid ?? '',
      b.decision === 'approve',
      parsed(optionalNoteBody, { note: optional(b.note) }),
    ),
  );
  route('reject', (who, id, ifMatch, b) =>
    actions.reject(
      who,
      id,
      ifMatch,
      parsed(rejectBody, { reason: b.reason, note: optional(b.note), duplicateOf: optional(b.duplicateOf) }),
    ),
  );
}
