import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { idParams, problems } from '../../shared/http.ts';
import { ifMatchHeaders } from '../../shared/versions.ts';
import { principalOf } from '../auth/auth-plugin.ts';
import type { Principal } from '../auth/principal.ts';
import { answerProposalSchema, type CaseView, caseSchema, extensionSchema } from '../cases/case-schemas.ts';
import {
  assignBody,
  closeBody,
  extensionBody,
  extensionParams,
  noteBody,
  optionalNoteBody,
  proposalParams,
  publicationBody,
  ratingBody,
  rejectBody,
  reopenBody,
  respondBody,
  sendBackBody,
} from './action-schemas.ts';
import { type CaseAction, rules } from './state-machine.ts';
import type { WorkflowActions } from './workflow-service.ts';

/** Who may call an action's route: exactly who the state machine lets take it (one source of truth). */
const accessOf = (action: CaseAction) => ({
  roles: rules[action].roles,
  apiClient: rules[action].owningClient === true,
});

type ActionSpec = {
  path: string;
  operationId: string;
  summary: string;
  action: CaseAction;
  body: z.ZodType;
  call: (caller: Principal, id: string, ifMatch: string | undefined, body: never) => Promise<CaseView>;
};

export const actionRoutes: FastifyPluginAsyncZod<{ actions: WorkflowActions }> = async (app, { actions }) => {
  const tags = ['workflow'];
  const specs: ActionSpec[] = [
    {
      path: 'assign',
      operationId: 'assignCase',
      summary: 'Dispatch (or transfer) to a department; starts the answer deadline',
      action: 'assign',
      body: assignBody,
      call: actions.assign,
    },
    {
      path: 'reject',
      operationId: 'rejectCase',
      summary: 'Refuse the case with a reason',
      action: 'reject',
      body: rejectBody,
      call: actions.reject,
    },
    {
      path: 'accept',
      operationId: 'acceptCase',
      summary: 'The department takes the case',
      action: 'accept',
      body: optionalNoteBody,
      call: actions.accept,
    },
    {
      path: 'return',
      operationId: 'returnCase',
      summary: 'Not our remit: back to the ward office',
      action: 'return',
      body: noteBody,
      call: actions.return,
    },
    {
      path: 'request-info',
      operationId: 'requestCaseInfo',
      summary: 'Ask for more information; the clock pauses',
      action: 'request_info',
      body: noteBody,
      call: actions.requestInfo,
    },
    {
      path: 'resume',
      operationId: 'resumeCase',
      summary: 'The clock runs again with the time that was left',
      action: 'resume',
      body: optionalNoteBody,
      call: actions.resume,
    },
    {
      path: 'refuse-answer',
      operationId: 'refuseCaseAnswer',
      summary: 'The answer misses the point: back to the department, same deadline',
      action: 'refuse_answer',
      body: noteBody,
      call: actions.refuseAnswer,
    },
    {
      path: 'close',
      operationId: 'closeCase',
      summary: 'Close an answered case, deciding whether its answer is published and in which words',
      action: 'close',
      body: closeBody,
      call: actions.close,
    },
    {
      path: 'publication',
      operationId: 'setCasePublication',
      summary: "Change whether a closed case's answer is published, or its public text",
      action: 'publish',
      body: publicationBody,
      call: actions.publish,
    },
    {
      path: 'reopen',
      operationId: 'reopenCase',
      summary: 'Reopen a closed case within the window; new deadline',
      action: 'reopen',
      body: reopenBody,
      call: actions.reopen,
    },
    {
      path: 'rating',
      operationId: 'rateCase',
      summary: "The citizen's rating of the answer",
      action: 'rate',
      body: ratingBody,
      call: actions.rate,
    },
  ];

  const send = (reply: FastifyReply, view: CaseView) => reply.header('etag', `"${view.version}"`).send(view);

  for (const spec of specs) {
    app.post(
      `/api/v1/cases/:id/${spec.path}`,
      {
        config: { access: accessOf(spec.action) },
        schema: {
          operationId: spec.operationId,
          summary: spec.summary,
          description:
            'Send `If-Match: "<version>"` to act only on the version you saw (412 otherwise). 409 names the current status when the action is not allowed in it.',
          tags,
          params: idParams,
          headers: ifMatchHeaders,
          body: spec.body,
          response: { 200: caseSchema, ...problems(400, 401, 403, 404, 409, 412) },
        },
      },
      async (req, reply) =>
        send(
          reply,
          await spec.call(principalOf(req), req.params.id, req.headers['if-match'], req.body as never),
        ),
    );
  }

  app.post(
    '/api/v1/cases/:id/respond',
    {
      config: { access: accessOf('respond') },
      schema: {
        operationId: 'respondToCase',
        summary:
          "The department's answer: the head's, or an officer's (a proposal where the ward wants approval)",
        description:
          "A department head's answer answers the case (200, the case). A department officer's answer does too where the ward lets officers answer without approval (`officerAnswersNeedApproval: false`); otherwise it is a proposal (201, the proposal with `status: proposed`): the case keeps its status, its answer deadline keeps running and its escalations stay armed, and the department's heads are told in their inbox (`answer_proposal`). One proposal per case waits at a time: another while one waits is 409 (`urn:pakn:problem:proposal-pending`) — the head approves or sends it back first. Send `If-Match: \"<version>\"` to act only on the version you saw (412 otherwise). 409 names the current status when the case cannot be answered in it.",
        tags,
        params: idParams,
        headers: ifMatchHeaders,
        body: respondBody,
        response: {
          200: caseSchema,
          201: answerProposalSchema,
          ...problems(400, 401, 403, 404, 409, 412),
        },
      },
    },
    async (req, reply) => {
      const outcome = await actions.respond(
        principalOf(req),
        req.params.id,
        req.headers['if-match'],
        req.body,
      );
      if (outcome.kind === 'proposed') return reply.code(201).send(outcome.proposal);
      return send(reply, outcome.case);
    },
  );

  app.post(
    '/api/v1/cases/:id/answer-proposals/:pid/approve',
    {
      config: { access: accessOf('approve_answer') },
      schema: {
        operationId: 'approveCaseAnswerProposal',
        summary: "The department head approves an officer's answer proposal: it becomes the case's answer",
        description:
          'Exactly as if the head had answered now: the case becomes `answered` (the event `answer_approved`, by the head), on time or late as of this moment, its escalations end, and the reporter is told. Only the head of the case\'s department; a proposal of another case is 404, one already decided 409. Send `If-Match: "<version>"` to act only on the version you saw (412 otherwise).',
        tags,
        params: proposalParams,
        headers: ifMatchHeaders,
        body: optionalNoteBody,
        response: { 200: caseSchema, ...problems(400, 401, 403, 404, 409, 412) },
      },
    },
    async (req, reply) =>
      send(
        reply,
        await actions.approveProposal(
          principalOf(req),
          req.params.id,
          req.params.pid,
          req.headers['if-match'],
          req.body,
        ),
      ),
  );

  app.post(
    '/api/v1/cases/:id/answer-proposals/:pid/send-back',
    {
      config: { access: accessOf('send_back_answer') },
      schema: {
        operationId: 'sendBackCaseAnswerProposal',
        summary: "The department head sends an officer's answer proposal back with a note",
        description:
          'The case stays as it was (its deadline keeps running); the event `answer_sent_back` goes on its timeline and the officer is told in their inbox (`answer_sent_back`). `note` is required. A proposal of another case is 404, one already decided 409. Send `If-Match: "<version>"` to act only on the version you saw (412 otherwise).',
        tags,
        params: proposalParams,
        headers: ifMatchHeaders,
        body: sendBackBody,
        response: { 200: answerProposalSchema, ...problems(400, 401, 403, 404, 409, 412) },
      },
    },
    async (req) =>
      actions.sendBackProposal(
        principalOf(req),
        req.params.id,
        req.params.pid,
        req.headers['if-match'],
        req.body,
      ),
  );

  app.post(
    '/api/v1/cases/:id/extension-requests',
    {
      config: { access: accessOf('request_extension') },
      schema: {
        operationId: 'requestCaseExtension',
        summary: 'Ask the ward office for more time',
        tags,
        params: idParams,
        body: extensionBody,
        response: { 201: extensionSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await actions.requestExtension(principalOf(req), req.params.id, req.body)),
  );

  for (const [verb, approve] of [
    ['approve', true],
    ['refuse', false],
  ] as const) {
    app.post(
      `/api/v1/cases/:id/extension-requests/:rid/${verb}`,
      {
        config: { access: accessOf('decide_extension') },
        schema: {
          operationId: approve ? 'approveCaseExtension' : 'refuseCaseExtension',
          summary: approve ? 'Approve: the answer deadline moves' : 'Refuse: the deadline stays',
          tags,
          params: extensionParams,
          body: optionalNoteBody,
          response: { 200: extensionSchema, ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (req) =>
        actions.decideExtension(principalOf(req), req.params.id, req.params.rid, approve, req.body),
    );
  }
};
