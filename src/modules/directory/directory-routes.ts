import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { idParams, listOf, listQuery, problems } from '../../shared/http.ts';
import { userOf } from '../auth/auth-plugin.ts';
import { staffRoles } from '../auth/principal.ts';
import {
  apiClientBody,
  apiClientCreatedSchema,
  apiClientSchema,
  categoryBody,
  categoryPatchBody,
  categorySchema,
  departmentBody,
  departmentQuery,
  departmentSchema,
  userBody,
  userPatchBody,
  userSchema,
  wardBody,
  wardSchema,
} from './directory-schemas.ts';
import type { DirectoryService } from './directory-service.ts';

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
    async (req, reply) => reply.code(201).send(await directory.createWard(req.body)),
  );

  app.get(
    '/api/v1/wards',
    {
      config: staff,
      schema: {
        operationId: 'listWards',
        summary: 'List wards (staff see their own)',
        tags,
        querystring: listQuery,
        response: { 200: listOf(wardSchema), ...problems(400, 401, 403) },
      },
    },
    async (req) => directory.listWards(userOf(req), req.query),
  );

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
    async (req, reply) => reply.code(201).send(await directory.createDepartment(req.body)),
  );

  app.get(
    '/api/v1/departments',
    {
      config: staff,
      schema: {
        operationId: 'listDepartments',
        summary: "List departments (of a ward; staff see their own ward's)",
        tags,
        querystring: listQuery.extend(departmentQuery.shape),
        response: { 200: listOf(departmentSchema), ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => directory.listDepartments(userOf(req), req.query.wardId, req.query),
  );

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
    async (req, reply) => reply.code(201).send(await directory.createCategory(req.body)),
  );

  app.patch(
    '/api/v1/categories/:id',
    {
      config: admin,
      schema: {
        operationId: 'updateCategory',
        summary: "Change a category's publication (what the public may read of its cases)",
        description:
          'Applies at once to every case of the category on public tracking and Open311, except where the ward office already decided about an answer when closing a case.',
        tags,
        params: idParams,
        body: categoryPatchBody,
        response: { 200: categorySchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => directory.updateCategory(req.params.id, req.body),
  );

  app.get(
    '/api/v1/categories',
    {
      config: { access: { ...staff.access, apiClient: true } },
      schema: {
        operationId: 'listCategories',
        summary: 'List categories',
        tags,
        querystring: listQuery,
        response: { 200: listOf(categorySchema), ...problems(400, 401, 403) },
      },
    },
    async (req) => directory.listCategories(req.query),
  );

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
    async (req, reply) => reply.code(201).send(await directory.createUser(req.body)),
  );

  app.patch(
    '/api/v1/users/:id',
    {
      config: admin,
      schema: {
        operationId: 'updateUser',
        summary: "Change a staff user's full name or e-mail address",
        tags,
        params: idParams,
        body: userPatchBody,
        response: { 200: userSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => directory.updateUser(req.params.id, req.body),
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
    async (req, reply) => reply.code(201).send(await directory.createApiClient(req.body)),
  );

  app.get(
    '/api/v1/api-clients',
    {
      config: admin,
      schema: {
        operationId: 'listApiClients',
        summary: 'List active API clients (keys are never shown again)',
        tags,
        querystring: listQuery,
        response: { 200: listOf(apiClientSchema), ...problems(400, 401, 403) },
      },
    },
    async (req) => directory.listApiClients(req.query),
  );
};
