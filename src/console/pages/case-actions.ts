import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { CaseStatus, Role } from '../../db/types.ts';
import type { UserPrincipal } from '../../modules/auth/principal.ts';
import { rejectReasons } from '../../modules/cases/status-labels.ts';
import { maxFileBytes } from '../../modules/files/file-schemas.ts';
import type { CheckedUpload } from '../../modules/files/file-service.ts';
import { acceptedTypes } from '../../modules/files/file-sniff.ts';
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
import { AppError, badRequest, notFound, problemType } from '../../shared/errors.ts';
import { type ConsoleDeps, issuesText } from '../context.ts';
import { html, type SafeHtml } from '../html.ts';
import { readConsoleForm } from '../multipart-form.ts';
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

/** The answer form as it was sent, when it comes back with a problem: the text, and the files' error. */
/** What the answer form shows: the templates to insert, the text typed so far, what was wrong with a file. */
export type RespondState = {
  templates?: TemplateChoice[];
  draft?: string | undefined;
  fileError?: string | undefined;
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
  answer: RespondState = {},
): SafeHtml {
  const role = who.role;
  // `_csrf` first: a multipart form's parts arrive in this order, and its token is read before any file.
  const hidden = html`<input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="version" value="${kase.version}">`;
  const formFor = (action: string, body: SafeHtml, multipart = false) =>
    html`<form method="post" action="/console/cases/${kase.id}/${action}" class="action"${multipart ? html` enctype="multipart/form-data"` : ''}>${hidden}${body}</form>`;
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
      templatePicker(kase.id, answer.templates ?? []),
      formFor(
        'respond',
        html`<p><label for="answer">${vi.actions.answer}</label><br>${answerField(answer.draft ?? '')}</p>
<p class="field${answer.fileError ? ' invalid' : ''}"><label for="answer-files">${vi.files.label}</label><br>
<input type="file" id="answer-files" name="files" multiple accept="${acceptedTypes.join(',')}" aria-describedby="answer-files-hint${answer.fileError ? ' answer-files-error' : ''}"${answer.fileError ? html` aria-invalid="true"` : ''}>
<span class="meta" id="answer-files-hint">${vi.files.hint}</span>${answer.fileError ? html`<span class="field-error" id="answer-files-error">${answer.fileError}</span>` : ''}</p>
<p><button type="submit">${role === 'department_officer' ? vi.actions.propose : vi.actions.respond}</button></p>`,
        true,
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

/** At most this many files with one answer (each up to 10 MB, read into memory before any is stored). */
const maxAnswerFiles = 5;

/** A file problem as the person reads it, beside the file field. */
function fileMessage(err: AppError, name?: string): string {
  if (err.statusCode === 413) return vi.files.tooLarge(name);
  if (err.statusCode === 415) return vi.files.unsupported(name ?? '');
  if (err.type === problemType('empty-file')) return vi.files.empty(name ?? '');
  if (err.type === problemType('too-many-files')) return vi.files.tooMany(maxAnswerFiles);
  return vi.files.broken;
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
      problem: { status: number; text: string; respond?: RespondState },
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
      const session = req.consoleSession;
      if (!session) throw notFound();
      return perform(req, reply, id, () => run(session.principal, id, ifMatchOf(body), body, params));
    });
  const ifMatchOf = (body: Body) => {
    const v = version.safeParse(body);
    return `"${v.success ? v.data.version : '0'}"`;
  };
  /** Runs an action; back to the case page, or the page again saying what went wrong (412, 400, 409). */
  async function perform(
    req: FastifyRequest,
    reply: FastifyReply,
    id: string,
    act: () => Promise<unknown>,
    respond?: RespondState,
  ) {
    try {
      await act();
    } catch (err) {
      if (err instanceof AppError && err.statusCode === 412)
        return rerender(req, reply, id, { status: 412, text: vi.errors.stale });
      if (err instanceof AppError && [400, 409].includes(err.statusCode))
        return rerender(req, reply, id, { status: err.statusCode, text: err.message, respond });
      throw err;
    }
    return reply.redirect(`/console/cases/${id}`, 303);
  }

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
  // The answer, with the signed reply's files (the head's answer, an officer's proposal): a multipart
  // form, parsed in this scope only; a plain form (no file input sent) is read as before.
  await app.register(async (scope) => {
    await scope.register(multipart, {
      limits: { fileSize: maxFileBytes, files: maxAnswerFiles, fields: 10, fieldSize: 64 * 1024, parts: 20 },
    });
    scope.post('/cases/:id/respond', { config: { consoleMultipart: true } }, async (req, reply) => {
      const id = (req.params as { id?: string }).id ?? '';
      if (!/^\d{1,18}$/.test(id)) throw notFound();
      const session = req.consoleSession;
      if (!session) throw notFound();
      const form = req.isMultipart()
        ? await readConsoleForm(req, session)
        : { fields: (req.body ?? {}) as Record<string, string>, files: [], fileProblem: null };
      const answer = form.fields.answer;
      // A file that will not do: said beside the field, with the answer kept; nothing is stored.
      const badFile = (fileError: string) =>
        rerender(req, reply, id, { status: 400, text: vi.files.fix, respond: { draft: answer, fileError } });
      if (form.fileProblem) return badFile(fileMessage(form.fileProblem));
      const checked: CheckedUpload[] = [];
      for (const f of form.files) {
        try {
          checked.push(container.files.check(f));
        } catch (err) {
          if (err instanceof AppError) return badFile(fileMessage(err, f.name));
          throw err;
        }
      }
      return perform(
        req,
        reply,
        id,
        async () => {
          const body = parsed(respondBody, { answer });
          const stored = await container.files.storeChecked(session.principal, checked);
          const attachments = stored.map((f) => ({ url: f.url, mediaType: f.mediaType, name: f.name }));
          try {
            await actions.respond(session.principal, id, ifMatchOf(form.fields), { ...body, attachments });
          } catch (err) {
            // Not answered (stale, refused): the files uploaded for it go too — no half-written answer.
            await container.files.discard(
              session.principal,
              stored.map((f) => f.id),
            );
            throw err;
          }
        },
        { draft: answer },
      );
    });
  });
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
