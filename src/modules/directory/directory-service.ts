import type { Selectable } from 'kysely';
import type { z } from 'zod';
import type { Db } from '../../db/database.ts';
import type { CategoriesTable, UsersTable } from '../../db/types.ts';
import { badRequest, conflict, notFound } from '../../shared/errors.ts';
import { decodeCursor, page } from '../../shared/http.ts';
import { isUniqueViolation } from '../../shared/pg-errors.ts';
import { generateApiKey } from '../auth/api-keys.ts';
import { hashPassword } from '../auth/passwords.ts';
import { isDepartmentRole, type UserPrincipal } from '../auth/principal.ts';
import type {
  apiClientBody,
  categoryBody,
  categoryPatchBody,
  departmentBody,
  userBody,
  userPatchBody,
  wardBody,
} from './directory-schemas.ts';
import { defaultPublication } from './publication.ts';

type ListArgs = { limit: number; cursor?: string | undefined };

const categoryView = (c: Selectable<CategoriesTable>) => ({
  id: c.id,
  code: c.code,
  name: c.name,
  defaultDepartmentCode: c.default_department_code,
  sla: {
    normal: { duration: c.sla_normal_duration, clock: c.sla_normal_clock },
    urgent: { duration: c.sla_urgent_duration, clock: c.sla_urgent_clock },
  },
  description: c.description,
  keywords: c.keywords,
  group: c.group_name,
  publication: c.publication,
});

const userColumns = ['id', 'username', 'full_name', 'role', 'ward_id', 'department_id', 'email'] as const;

const toUserView = (u: Pick<Selectable<UsersTable>, (typeof userColumns)[number]>) => ({
  id: u.id,
  username: u.username,
  fullName: u.full_name,
  role: u.role,
  wardId: u.ward_id,
  departmentId: u.department_id,
  email: u.email,
});

/** The ward a staff member may read, or null for admins (every ward). */
const wardScope = (p: UserPrincipal) => (p.role === 'admin' ? null : p.wardId);

export type DirectoryService = ReturnType<typeof createDirectoryService>;

export function createDirectoryService(deps: { db: Db }) {
  const { db } = deps;

  return {
    async createWard(input: z.output<typeof wardBody>) {
      try {
        return await db
          .insertInto('wards')
          .values({ code: input.code, name: input.name })
          .returning(['id', 'code', 'name'])
          .executeTakeFirstOrThrow();
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict(`Mã phường/xã ${input.code} đã tồn tại.`, 'duplicate');
        throw err;
      }
    },

    async listWards(caller: UserPrincipal, { limit, cursor }: ListArgs) {
      const after = decodeCursor(cursor);
      const scope = wardScope(caller);
      let q = db
        .selectFrom('wards')
        .select(['id', 'code', 'name'])
        .orderBy('id')
        .limit(limit + 1);
      if (after) q = q.where('id', '>', after);
      if (scope !== null) q = q.where('id', '=', scope ?? '0');
      return page(await q.execute(), limit, (w) => w);
    },

    async createDepartment(input: z.output<typeof departmentBody>) {
      const ward = await db
        .selectFrom('wards')
        .select('id')
        .where('id', '=', input.wardId)
        .executeTakeFirst();
      if (!ward)
        throw badRequest('Phường/xã không tồn tại.', [{ path: 'wardId', message: 'Không tìm thấy' }]);
      try {
        const d = await db
          .insertInto('departments')
          .values({ ward_id: input.wardId, code: input.code, name: input.name })
          .returning(['id', 'ward_id', 'code', 'name'])
          .executeTakeFirstOrThrow();
        return { id: d.id, wardId: d.ward_id, code: d.code, name: d.name };
      } catch (err) {
        if (isUniqueViolation(err))
          throw conflict(`Mã đơn vị ${input.code} đã có trong phường/xã này.`, 'duplicate');
        throw err;
      }
    },

    async listDepartments(caller: UserPrincipal, wardId: string | undefined, { limit, cursor }: ListArgs) {
      const scope = wardScope(caller);
      if (scope !== null && wardId !== undefined && wardId !== scope)
        throw notFound('Không tìm thấy phường/xã.');
      const after = decodeCursor(cursor);
      let q = db
        .selectFrom('departments')
        .select(['id', 'ward_id', 'code', 'name'])
        .orderBy('id')
        .limit(limit + 1);
      const ward = scope ?? wardId;
      if (ward) q = q.where('ward_id', '=', ward);
      if (after) q = q.where('id', '>', after);
      return page(await q.execute(), limit, (d) => ({
        id: d.id,
        wardId: d.ward_id,
        code: d.code,
        name: d.name,
      }));
    },

    async createCategory(input: z.output<typeof categoryBody>) {
      try {
        const c = await db
          .insertInto('categories')
          .values({
            code: input.code,
            name: input.name,
            default_department_code: input.defaultDepartmentCode ?? null,
            sla_normal_duration: input.sla.normal.duration,
            sla_normal_clock: input.sla.normal.clock,
            sla_urgent_duration: input.sla.urgent.duration,
            sla_urgent_clock: input.sla.urgent.clock,
            description: input.description ?? null,
            keywords: input.keywords,
            group_name: input.group ?? null,
            publication: input.publication ?? defaultPublication(input.code, input.name),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return categoryView(c);
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict(`Mã lĩnh vực ${input.code} đã tồn tại.`, 'duplicate');
        throw err;
      }
    },

    async updateCategory(id: string, input: z.output<typeof categoryPatchBody>) {
      const c = await db
        .updateTable('categories')
        .set({ publication: input.publication })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      if (!c) throw notFound('Không tìm thấy lĩnh vực.');
      return categoryView(c);
    },

    async listCategories({ limit, cursor }: ListArgs) {
      const after = decodeCursor(cursor);
      let q = db
        .selectFrom('categories')
        .selectAll()
        .orderBy('id')
        .limit(limit + 1);
      if (after) q = q.where('id', '>', after);
      return page(await q.execute(), limit, categoryView);
    },

    async createUser(input: z.output<typeof userBody>) {
      let wardId: string | null = null;
      let departmentId: string | null = null;
      if (input.role === 'admin') {
        if (input.wardId || input.departmentId)
          throw badRequest('Quản trị viên không gắn với phường/xã hay đơn vị.', [
            { path: 'role', message: 'admin không có wardId/departmentId' },
          ]);
      } else if (isDepartmentRole(input.role)) {
        if (!input.departmentId)
          throw badRequest('Cán bộ đơn vị cần departmentId.', [
            { path: 'departmentId', message: 'Bắt buộc' },
          ]);
        const d = await db
          .selectFrom('departments')
          .select(['id', 'ward_id'])
          .where('id', '=', input.departmentId)
          .executeTakeFirst();
        if (!d)
          throw badRequest('Đơn vị không tồn tại.', [{ path: 'departmentId', message: 'Không tìm thấy' }]);
        if (input.wardId && input.wardId !== d.ward_id)
          throw badRequest('Đơn vị không thuộc phường/xã đã chọn.', [
            { path: 'wardId', message: 'Không khớp với đơn vị' },
          ]);
        wardId = d.ward_id;
        departmentId = d.id;
      } else {
        if (!input.wardId)
          throw badRequest('Cần wardId cho vai trò này.', [{ path: 'wardId', message: 'Bắt buộc' }]);
        if (input.departmentId)
          throw badRequest('Vai trò này không gắn với đơn vị.', [
            { path: 'departmentId', message: 'Không dùng cho vai trò này' },
          ]);
        const w = await db.selectFrom('wards').select('id').where('id', '=', input.wardId).executeTakeFirst();
        if (!w) throw badRequest('Phường/xã không tồn tại.', [{ path: 'wardId', message: 'Không tìm thấy' }]);
        wardId = w.id;
      }
      try {
        const u = await db
          .insertInto('users')
          .values({
            username: input.username,
            password_hash: await hashPassword(input.password),
            full_name: input.fullName,
            role: input.role,
            ward_id: wardId,
            department_id: departmentId,
            email: input.email ?? null,
          })
          .returning(userColumns)
          .executeTakeFirstOrThrow();
        return toUserView(u);
      } catch (err) {
        if (isUniqueViolation(err))
          throw conflict(`Tên đăng nhập ${input.username} đã được dùng.`, 'duplicate');
        throw err;
      }
    },

    /** Changes a user's name or e-mail address; the role and the ward stay. */
    async updateUser(id: string, input: z.output<typeof userPatchBody>) {
      const u = await db
        .updateTable('users')
        .set({
          ...(input.fullName !== undefined ? { full_name: input.fullName } : {}),
          ...(input.email !== undefined ? { email: input.email } : {}),
        })
        .where('id', '=', id)
        .returning(userColumns)
        .executeTakeFirst();
      if (!u) throw notFound('Không tìm thấy người dùng.');
      return toUserView(u);
    },

    async createApiClient(input: z.output<typeof apiClientBody>) {
      const key = generateApiKey();
      const c = await db
        .insertInto('api_clients')
        .values({ name: input.name, channel: input.channel, key_prefix: key.prefix, key_hash: key.hash })
        .returning(['id', 'name', 'channel'])
        .executeTakeFirstOrThrow();
      return { id: c.id, name: c.name, channel: c.channel, apiKey: key.key };
    },

    async listApiClients({ limit, cursor }: ListArgs) {
      const after = decodeCursor(cursor);
      let q = db
        .selectFrom('api_clients')
        .select(['id', 'name', 'channel', 'key_prefix', 'created_at'])
        .where('revoked_at', 'is', null)
        .orderBy('id')
        .limit(limit + 1);
      if (after) q = q.where('id', '>', after);
      return page(await q.execute(), limit, (c) => ({
        id: c.id,
        name: c.name,
        channel: c.channel,
        keyPrefix: c.key_prefix,
        createdAt: c.created_at.toISOString(),
      }));
    },
  };
}
