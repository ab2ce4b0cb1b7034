import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams, listOf, listQuery, problems } from '../../shared/http.ts';
import { actorOf } from '../audit/audit-actor.ts';
import { userOf } from '../auth/auth-plugin.ts';
import { staffRoles } from '../auth/principal.ts';
import {
  activeQuery,
  apiClientBody,
  apiClientCreatedSchema,
  apiClientPatchBody,
  apiClientQuery,
  apiClientSchema,
  categoryBody,
  categoryPatchBody,
  categorySchema,
  departmentBody,
  departmentPatchBody,
  departmentQuery,
  departmentSchema,
  passwordResetBody,
  rotateBody,
  rotatedKeySchema,
  userBody,
  userListQuery,
  userPatchBody,
  userSchema,
  wardBody,
  wardPatchBody,
  wardSchema,
} from './directory-schemas.ts';
import type { DirectoryService } from './directory-service.ts';
import { lifecycleRoutes } from './lifecycle-routes.ts';

const admin = { access: { roles: ['admin'] as const } };
const staff = {
  access: { roles: staffRoles },
};

export const directoryRoutes: FastifyPluginAsyncZod<{ directory: DirectoryService }> = async (
  app,
  { directory },
) => {
  const tags = ['directory'];

  app.post(
    '/api/v1/wards',
    {
      config: admin,
      schema: {
        operationId: 'createWard',
        summary: 'Create a ward (phường/xã)',
        tags,
        body: wardBody,
        response: { 201: wardSchema, ...problems(400, 401, 403, 409) },
      },
    },
    async (req, reply) => reply.code(201).send(await directory.createWard(actorOf(req), req.body)),
  );

  app.get(
    '/api/v1/wards',
    {
      config: staff,
      schema: {
        operationId: 'listWards',
        summary: 'List wards (staff see their own)',
        tags,
        querystring: listQuery.extend(activeQuery.shape),
        response: { 200: listOf(wardSchema), ...problems(400, 401, 403) },
      },
    },
    async (req) => directory.listWards(userOf(req), req.query),
  );

  lifecycleRoutes(app, {
    path: '/api/v1/wards',
    noun: 'Ward',
    label: 'a ward',
    schema: wardSchema,
    patchBody: wardPatchBody,
    read: staff.access,
    patchDescription: 'Admins rename a ward; other staff read their own ward only.',
    deactivateDescription: 'A deactivated ward takes no new case (intake answers 409); its cases go on.',
    get: (caller, id) => directory.getWard(caller, id),
    update: directory.updateWard,
    setActive: directory.setWardActive,
  });

  app.post(
    '/api/v1/departments',
    {
      config: admin,
      schema: {
        operationId: 'createDepartment',
        summary: 'Create a department in a ward',
        tags,
        body: departmentBody,
        response: { 201: departmentSchema, ...problems(400, 401, 403, 409) },
      },
    },
    async (req, reply) => reply.code(201).send(await directory.createDepartment(actorOf(req), req.body)),
  );

  app.get(
    '/api/v1/departments',
    {
      config: staff,
      schema: {
        operationId: 'listDepartments',
        summary: "List departments (of a ward; staff see their own ward's)",
        tags,
        querystring: listQuery.extend(departmentQuery.shape).extend(activeQuery.shape),
        response: { 200: listOf(departmentSchema), ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => directory.listDepartments(userOf(req), req.query.wardId, req.query),
  );

  lifecycleRoutes(app, {
    path: '/api/v1/departments',
    noun: 'Department',
    label: 'a department',
    schema: departmentSchema,
    patchBody: departmentPatchBody,
    read: staff.access,
    patchDescription: "Admins rename a department; other staff read their own ward's.",
    deactivateDescription:
      'A deactivated department receives no new case: dispatching to it answers 409, and so does intake for a category whose default department it is in that ward, until an admin points the category elsewhere. The cases it has stay with it.',
    get: (caller, id) => directory.getDepartment(caller, id),
    update: directory.updateDepartment,
    setActive: directory.setDepartmentActive,
  });

  app.post(
    '/api/v1/categories',
    {
      config: admin,
      schema: {
        operationId: 'createCategory',
        summary: 'Create a category (lĩnh vực) with its SLA per urgency',
        tags,
        body: categoryBody,
        response: { 201: categorySchema, ...problems(400, 401, 403, 409) },
      },
    },
    async (req, reply) => reply.code(201).send(await directory.createCategory(actorOf(req), req.body)),
  );

  app.get(
    '/api/v1/categories',
    {
      config: { access: { ...staff.access, apiClient: true } },
      schema: {
        operationId: 'listCategories',
        summary: 'List categories',
        tags,
        querystring: listQuery.extend(activeQuery.shape),
        response: { 200: listOf(categorySchema), ...problems(400, 401, 403) },
      },
    },
    async (req) => directory.listCategories(req.query),
  );

  lifecycleRoutes(app, {
    path: '/api/v1/categories',
    noun: 'Category',
    label: 'a category',
    schema: categorySchema,
    patchBody: categoryPatchBody,
    read: staff.access,
    patchDescription:
      'Admins change any field but the code. A changed SLA applies to deadlines set from now on (dispatch, reopening, re-assignment): cases already running keep theirs. A changed publication applies at once to every case of the category on public tracking and Open311, except where the ward office already decided about an answer when closing a case.',
    deactivateDescription:
      'A deactivated category refuses new cases (intake answers 409 naming it); its existing cases keep it.',
    get: (_caller, id) => directory.getCategory(id),
    update: directory.updateCategory,
    setActive: directory.setCategoryActive,
  });

  app.post(
    '/api/v1/users',
    {
      config: admin,
      schema: {
        operationId: 'createUser',
        summary: 'Create a staff user',
        tags,
        body: userBody,
        response: { 201: userSchema, ...problems(400, 401, 403, 409) },
      },
    },
    async (req, reply) => reply.code(201).send(await directory.createUser(actorOf(req), req.body)),
  );

  app.get(
    '/api/v1/users',
    {
      config: { access: { roles: ['admin', 'chairman'] as const } },
      schema: {
        operationId: 'listUsers',
        summary: 'List staff users (a chairman: those of their ward)',
        tags,
        querystring: listQuery.extend(userListQuery.shape),
        response: { 200: listOf(userSchema), ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => directory.listUsers(userOf(req), req.query),
  );

  lifecycleRoutes(app, {
    path: '/api/v1/users',
    noun: 'User',
    label: 'a staff user',
    schema: userSchema,
    patchBody: userPatchBody,
    read: { roles: ['admin', 'chairman'] },
    patchDescription:
      "Admins change a user's name, e-mail, role, ward or department; a change of role, ward or department ends the user's sessions (their tokens stop working on every API process within AUTH_CACHE_TTL_MS). A chairman reads the users of their ward.",
    deactivateDescription:
      'A deactivated user cannot sign in and their sessions end at once. Nobody deactivates themselves, and the last active admin stays (409).',
    get: (caller, id) => directory.getUser(caller, id),
    update: directory.updateUser,
    setActive: directory.setUserActive,
  });

  app.post(
    '/api/v1/users/:id/password',
    {
      config: admin,
      schema: {
        operationId: 'resetUserPassword',
        summary: "Set a new password for a user (who forgot theirs); all the user's sessions end",
        tags,
        params: idParams,
        body: passwordResetBody,
        response: { 204: z.null(), ...problems(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      await directory.resetPassword(actorOf(req), req.params.id, req.body.newPassword);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/api-clients',
    {
      config: admin,
      schema: {
        operationId: 'createApiClient',
        summary: 'Register a channel integration; the API key is shown once',
        tags,
        body: apiClientBody,
        response: { 201: apiClientCreatedSchema, ...problems(400, 401, 403) },
      },
    },
    async (req, reply) => reply.code(201).send(await directory.createApiClient(actorOf(req), req.body)),
  );

  app.get(
    '/api/v1/api-clients',
    {
      config: admin,
      schema: {
        operationId: 'listApiClients',
        summary: 'List active API clients (keys are never shown again)',
        tags,
        querystring: listQuery.extend(apiClientQuery.shape),
        response: { 200: listOf(apiClientSchema), ...problems(400, 401, 403) },
      },
    },
    async (req) => directory.listApiClients(req.query),
  );

  lifecycleRoutes(app, {
    path: '/api/v1/api-clients',
    noun: 'ApiClient',
    label: 'an API client',
    schema: apiClientSchema,
    patchBody: apiClientPatchBody,
    read: admin.access,
    patchDescription: 'Admins rename a client; its key and channel stay (rotate the key with …/rotate).',
    deactivateDescription:
      'Its key is refused at once on this API process and within AUTH_CACHE_TTL_MS on every other; its cases stay its own.',
    get: (_caller, id) => directory.getApiClient(id),
    update: directory.updateApiClient,
    setActive: directory.setApiClientActive,
  });

  app.post(
    '/api/v1/api-clients/:id/rotate',
    {
      config: admin,
      schema: {
        operationId: 'rotateApiClientKey',
        summary: 'Give a client a new API key (shown once); the old one stops at once or after a grace',
        description:
          'The client stays the same row: its cases and externalIds stay its own. `graceSeconds` (0–86400, default 0) lets the old key work that much longer, for the integration to switch over.',
        tags,
        params: idParams,
        body: rotateBody,
        response: { 200: rotatedKeySchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => directory.rotateApiKey(actorOf(req), req.params.id, req.body?.graceSeconds ?? 0),
  );
};
