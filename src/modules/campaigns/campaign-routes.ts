import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { type FastifyPluginAsyncZod, validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, badRequest, problemType } from '../../shared/errors.ts';
import { idParams, listOf, listQuery, problems } from '../../shared/http.ts';
import { actorOf } from '../audit/audit-actor.ts';
import { userOf } from '../auth/auth-plugin.ts';
import { signedInRoles, staffRoles } from '../auth/principal.ts';
import { multipartProblem } from '../files/file-routes.ts';
import type { CampaignListService } from './campaign-list-service.ts';
import type { CampaignProgressService } from './campaign-progress-service.ts';
import {
  campaignBody,
  campaignPatchBody,
  campaignSchema,
  conflictParams,
  conflictSchema,
  freezeBody,
  groupBody,
  groupCountsBody,
  groupImportBody,
  groupParams,
  groupSchema,
  groupVersionSchema,
  listResultSchema,
  listRowSchema,
  progressSchema,
  rankingQuery,
  rankingSchema,
  resolveBody,
  revealQuery,
  submitterBody,
  timelineSchema,
  unitBody,
  unitParams,
  unitPatchBody,
  unitSchema,
  listQuery as uploadQuery,
} from './campaign-schemas.ts';
import type { CampaignService } from './campaign-service.ts';
import { listTemplateXlsx } from './campaign-xlsx.ts';
import type { ResidentialGroupService } from './residential-group-service.ts';

const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const everyone = { access: { roles: signedInRoles } };
const staff = { access: { roles: staffRoles } };
const binary = (description: string) => z.string().meta({ format: 'binary', description });

const listTooLarge = (maxBytes: number) =>
  new AppError(
    413,
    problemType('payload-too-large'),
    'Dữ liệu gửi lên quá lớn',
    `Tệp danh sách tối đa ${Math.round(maxBytes / 1024 / 1024)} MB; hãy chia danh sách thành nhiều tệp hoặc xoá các trang tính không cần.`,
  );

/** The one list file of an upload, in memory (busboy stops it at the size limit). */
async function listFile(req: FastifyRequest, maxBytes: number): Promise<{ bytes: Buffer; fileName: string }> {
  if (!req.isMultipart()) throw multipartProblem({ code: 'FST_INVALID_MULTIPART_CONTENT_TYPE' });
  let file: { bytes: Buffer; fileName: string } | null = null;
  try {
    for await (const part of req.parts()) {
      if (part.type !== 'file') continue;
      if (file) throw multipartProblem({ code: 'FST_FILES_LIMIT' });
      file = {
        fileName: (part.filename || 'danh-sach').normalize('NFC').slice(0, 255),
        bytes: await part.toBuffer(),
      };
    }
  } catch (err) {
    if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw listTooLarge(maxBytes);
    throw multipartProblem(err);
  }
  if (!file) throw badRequest('Cần gửi một tệp danh sách .xlsx hoặc .csv (trường "file"). No file was sent.');
  if (file.bytes.length === 0) throw badRequest(`Tệp ${file.fileName} rỗng.`);
  return file;
}

const download = (name: string) => ({
  'content-type': xlsxType,
  'content-disposition': `attachment; filename="${name}"`,
  'cache-control': 'private, no-store',
  'x-content-type-options': 'nosniff',
});

/**
 * Installation campaigns (issue 18, api.md "Installation campaigns"): residential groups and their
 * counts, campaigns, units and their submitters, lists uploaded (dry run, then confirm), progress,
 * ranking, the report and the consolidated list.
 */
export const campaignRoutes: FastifyPluginAsyncZod<{
  groups: ResidentialGroupService;
  campaigns: CampaignService;
  lists: CampaignListService;
  progress: CampaignProgressService;
  maxListBytes: number;
}> = async (app, { groups, campaigns, lists, progress, maxListBytes }) => {
  await app.register(multipart, {
    limits: { fileSize: maxListBytes, files: 1, fields: 5, fieldSize: 1024, parts: 8, headerPairs: 50 },
  });
  const tags = ['campaigns'];

  // Residential groups -----------------------------------------------------------------------------

  app.get(
    '/api/v1/wards/:id/residential-groups',
    {
      config: staff,
      schema: {
        operationId: 'listResidentialGroups',
        summary: "A ward's residential groups (tổ dân phố) with their current household counts",
        tags,
        params: idParams,
        response: { 200: z.object({ items: z.array(groupSchema) }), ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => ({ items: await groups.list(userOf(req), req.params.id) }),
  );

  app.post(
    '/api/v1/wards/:id/residential-groups',
    {
      config: staff,
      schema: {
        operationId: 'createResidentialGroup',
        summary: 'Add a residential group with its declared household counts',
        description:
          "By the ward's chairman, an admin, or staff of a department coordinating campaigns (Phòng Văn hoá – Xã hội). The counts are the group's first recorded version.",
        tags,
        params: idParams,
        body: groupBody,
        response: { 201: groupSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await groups.create(userOf(req), actorOf(req), req.params.id, req.body)),
  );

  app.post(
    '/api/v1/wards/:id/residential-group-imports',
    {
      config: staff,
      schema: {
        operationId: 'importResidentialGroups',
        summary:
          "Many groups' counts at once: new names are created, changed counts recorded as new versions",
        description: 'All or nothing. A name is matched without regard to case.',
        tags,
        params: idParams,
        body: groupImportBody,
        response: {
          200: z.object({
            created: z.number().int(),
            updated: z.number().int(),
            unchanged: z.number().int(),
            groups: z.array(groupSchema),
          }),
          ...problems(400, 401, 403, 404, 409),
        },
      },
    },
    async (req) => groups.importCounts(userOf(req), actorOf(req), req.params.id, req.body),
  );

  app.patch(
    '/api/v1/wards/:id/residential-groups/:gid',
    {
      config: staff,
      schema: {
        operationId: 'updateResidentialGroupCounts',
        summary: "Record a new version of a group's counts (the previous ones are kept)",
        tags,
        params: groupParams,
        body: groupCountsBody,
        response: { 200: groupSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => groups.updateCounts(userOf(req), actorOf(req), req.params.id, req.params.gid, req.body),
  );

  app.get(
    '/api/v1/wards/:id/residential-groups/:gid/versions',
    {
      config: staff,
      schema: {
        operationId: 'listResidentialGroupVersions',
        summary:
          "Every declared version of a group's counts, newest first, with source, date and who entered it",
        tags,
        params: groupParams,
        response: { 200: z.object({ items: z.array(groupVersionSchema) }), ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => ({ items: await groups.versions(userOf(req), req.params.id, req.params.gid) }),
  );

  // Campaigns --------------------------------------------------------------------------------------

  app.post(
    '/api/v1/campaigns',
    {
      config: staff,
      schema: {
        operationId: 'createCampaign',
        summary: 'Start an installation campaign in a ward',
        description:
          "By the ward's chairman, an admin, or staff of the coordinating department (the ward's Phòng Văn hoá – Xã hội unless another is named). Targets default to every smartphone household, every unit's staff, ten households per youth-union member.",
        tags,
        body: campaignBody,
        response: { 201: campaignSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (req, reply) => reply.code(201).send(await campaigns.create(userOf(req), actorOf(req), req.body)),
  );

  app.get(
    '/api/v1/campaigns',
    {
      config: everyone,
      schema: {
        operationId: 'listCampaigns',
        summary:
          "The caller's ward's campaigns (a unit's submitter: the campaigns of their unit), newest first",
        tags,
        querystring: z.object({
          wardId: z
            .string()
            .regex(/^[1-9]\d{0,17}$/)
            .optional(),
        }),
        response: { 200: z.object({ items: z.array(campaignSchema) }), ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => ({ items: await campaigns.list(userOf(req), req.query) }),
  );

  app.get(
    '/api/v1/campaigns/:id',
    {
      config: everyone,
      schema: {
        operationId: 'getCampaign',
        summary: "One campaign, with the caller's part in it",
        tags,
        params: idParams,
        response: { 200: campaignSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => campaigns.get(userOf(req), req.params.id),
  );

  app.patch(
    '/api/v1/campaigns/:id',
    {
      config: staff,
      schema: {
        operationId: 'updateCampaign',
        summary: 'Change a campaign: dates, document, targets, the chasing schedule (coordinator)',
        tags,
        params: idParams,
        body: campaignPatchBody,
        response: { 200: campaignSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => campaigns.update(userOf(req), actorOf(req), req.params.id, req.body),
  );

  // Units -------------------------------------------------------------------------------------------

  app.get(
    '/api/v1/campaigns/:id/units',
    {
      config: everyone,
      schema: {
        operationId: 'listCampaignUnits',
        summary: "The campaign's submitting units with their current list (a submitter: their own)",
        tags,
        params: idParams,
        response: { 200: z.object({ items: z.array(unitSchema) }), ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => ({ items: await campaigns.units(userOf(req), req.params.id) }),
  );

  app.post(
    '/api/v1/campaigns/:id/units',
    {
      config: staff,
      schema: {
        operationId: 'createCampaignUnit',
        summary:
          'Add a submitting unit: a residential group, department, the police, a school, an association…',
        tags,
        params: idParams,
        body: unitBody,
        response: { 201: unitSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await campaigns.addUnit(userOf(req), actorOf(req), req.params.id, req.body)),
  );

  app.get(
    '/api/v1/campaigns/:id/units/:uid',
    {
      config: everyone,
      schema: {
        operationId: 'getCampaignUnit',
        summary: 'One unit and its current list',
        tags,
        params: unitParams,
        response: { 200: unitSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => campaigns.unit(userOf(req), req.params.id, req.params.uid),
  );

  app.patch(
    '/api/v1/campaigns/:id/units/:uid',
    {
      config: staff,
      schema: {
        operationId: 'updateCampaignUnit',
        summary: 'Rename a unit or change its headcount (coordinator)',
        tags,
        params: unitParams,
        body: unitPatchBody,
        response: { 200: unitSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (req) => campaigns.updateUnit(userOf(req), actorOf(req), req.params.id, req.params.uid, req.body),
  );

  app.post(
    '/api/v1/campaigns/:id/units/:uid/submitters',
    {
      config: staff,
      schema: {
        operationId: 'addCampaignUnitSubmitter',
        summary:
          'Give a unit its submitter: an existing unit_submitter of the ward, or a new account (coordinator)',
        description:
          "A submitter is bound to one unit: binding them to another moves them. They sign in to the console or the API, upload their unit's list and follow its progress; they see no case.",
        tags,
        params: unitParams,
        body: submitterBody,
        response: { 201: unitSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(
          await campaigns.addSubmitter(userOf(req), actorOf(req), req.params.id, req.params.uid, req.body),
        ),
  );

  // Lists -------------------------------------------------------------------------------------------

  app.post(
    '/api/v1/campaigns/:id/units/:uid/lists',
    {
      config: everyone,
      schema: {
        operationId: 'uploadCampaignList',
        summary:
          "Upload a unit's list (.xlsx or .csv in the official template); ?dryRun=true reports and stores nothing",
        description:
          "`multipart/form-data` with one file part. The header is found below title rows; phone numbers are read as lists write them (the leading zero lost, dots, spaces, +84, two in a cell, the old eleven-digit prefixes). Every problem comes with its spreadsheet row. Without `dryRun` the list replaces the unit's previous one and the campaign's progress is recomputed (201). By the unit's submitter or the coordinator.",
        tags,
        params: unitParams,
        querystring: uploadQuery,
        consumes: ['multipart/form-data'],
        body: z.object({ file: binary('The list, .xlsx or .csv') }),
        response: {
          200: listResultSchema,
          201: listResultSchema,
          ...problems(400, 401, 403, 404, 409, 413, 415),
        },
      },
      validatorCompiler: (route) =>
        route.httpPart === 'body' ? () => ({ value: undefined }) : validatorCompiler(route as never),
    },
    async (req, reply) => {
      const file = await listFile(req, maxListBytes);
      const result = await lists.upload(
        userOf(req),
        actorOf(req),
        req.params.id,
        req.params.uid,
        file,
        req.query.dryRun,
      );
      return reply.code(req.query.dryRun ? 200 : 201).send(result);
    },
  );

  app.get(
    '/api/v1/campaigns/:id/units/:uid/template.xlsx',
    {
      config: everyone,
      schema: {
        operationId: 'getCampaignListTemplate',
        summary:
          'The blank official template for this unit, with its guidance (what to list, and what never)',
        tags,
        params: unitParams,
        response: { 200: binary('XLSX workbook'), ...problems(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const unit = await campaigns.unit(userOf(req), req.params.id, req.params.uid);
      const bytes = await listTemplateXlsx({ name: unit.name, kind: unit.kind });
      return reply.headers(download(`mau-danh-sach-cai-dat-${unit.id}.xlsx`)).send(bytes as never);
    },
  );

  app.get(
    '/api/v1/campaigns/:id/units/:uid/rows',
    {
      config: everyone,
      schema: {
        operationId: 'listCampaignListRows',
        summary: "A unit's current list, row by row; phone numbers masked (…678)",
        description:
          "To the unit's submitter, the coordinator and the chairman. `reveal=true` (coordinator only) gives the full numbers and is recorded in the audit trail.",
        tags,
        params: unitParams,
        querystring: listQuery.extend(revealQuery.shape),
        response: { 200: listOf(listRowSchema), ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => lists.rows(userOf(req), actorOf(req), req.params.id, req.params.uid, req.query),
  );

  app.get(
    '/api/v1/campaigns/:id/conflicts',
    {
      config: staff,
      schema: {
        operationId: 'listCampaignConflicts',
        summary:
          "One number under different names, or one person on two groups' lists: for the coordinator to resolve",
        description:
          'Counted once either way, never merged silently. `reveal=true` shows the numbers (audited).',
        tags,
        params: idParams,
        querystring: revealQuery,
        response: { 200: z.object({ items: z.array(conflictSchema) }), ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => ({
      items: await lists.conflicts(userOf(req), actorOf(req), req.params.id, req.query.reveal),
    }),
  );

  app.post(
    '/api/v1/campaigns/:id/conflicts/:cid/resolve',
    {
      config: staff,
      schema: {
        operationId: 'resolveCampaignConflict',
        summary: 'Record what the coordinator decided about a conflict',
        tags,
        params: conflictParams,
        body: resolveBody,
        response: { 204: z.null(), ...problems(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      await lists.resolve(userOf(req), actorOf(req), req.params.id, req.params.cid, req.body.note);
      return reply.code(204).send(null);
    },
  );

  // Progress, ranking, reports ----------------------------------------------------------------------

  app.get(
    '/api/v1/campaigns/:id/progress',
    {
      config: everyone,
      schema: {
        operationId: 'getCampaignProgress',
        summary: "Covered households per group, listed staff per unit, the ward's totals, units with no list",
        description:
          "Each person counted once (by phone number). A unit's submitter sees the totals and their own unit.",
        tags,
        params: idParams,
        response: { 200: progressSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => progress.progress(userOf(req), req.params.id),
  );

  app.get(
    '/api/v1/campaigns/:id/timeline',
    {
      config: everyone,
      schema: {
        operationId: 'getCampaignTimeline',
        summary: "The ward's figures day by day (daily snapshots), for drawing progress over time",
        tags,
        params: idParams,
        response: { 200: timelineSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => progress.timeline(userOf(req), req.params.id),
  );

  app.get(
    '/api/v1/campaigns/:id/ranking',
    {
      config: everyone,
      schema: {
        operationId: 'getCampaignRanking',
        summary: 'Residential groups in emulation order: the published (frozen) ranking if there is one',
        tags,
        params: idParams,
        querystring: rankingQuery,
        response: { 200: rankingSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => progress.ranking(userOf(req), req.params.id, req.query.live),
  );

  app.post(
    '/api/v1/campaigns/:id/ranking/freeze',
    {
      config: staff,
      schema: {
        operationId: 'freezeCampaignRanking',
        summary: 'Publish the ranking as it stands with a date; later uploads do not change it (coordinator)',
        tags,
        params: idParams,
        body: freezeBody.optional(),
        response: { 201: rankingSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(await progress.freeze(userOf(req), actorOf(req), req.params.id, req.body?.frozenOn)),
  );

  app.get(
    '/api/v1/campaigns/:id/report.xlsx',
    {
      config: staff,
      schema: {
        operationId: 'getCampaignReport',
        summary: "The chairman's and the city's report: totals, per-group and per-unit progress, the ranking",
        description: 'Aggregates only: no name, no number.',
        tags,
        params: idParams,
        response: { 200: binary('XLSX workbook'), ...problems(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const { name, bytes } = await progress.report(userOf(req), req.params.id);
      return reply.headers(download(name)).send(bytes as never);
    },
  );

  app.get(
    '/api/v1/campaigns/:id/list.xlsx',
    {
      config: staff,
      schema: {
        operationId: 'getCampaignList',
        summary: 'The consolidated list in the official template, one row per person (coordinator; audited)',
        description: 'Phone numbers are text cells. Every export is recorded in the audit trail.',
        tags,
        params: idParams,
        response: { 200: binary('XLSX workbook'), ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const bytes = await lists.exportList(userOf(req), actorOf(req), req.params.id);
      return reply
        .headers(download(`danh-sach-cai-dat-smart-hai-phong-${req.params.id}.xlsx`))
        .send(bytes as never);
    },
  );
};
