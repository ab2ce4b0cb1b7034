import type { Transaction } from 'kysely';
import { type Selectable, sql } from 'kysely';
import type { z } from 'zod';
import type { Conn, Db } from '../../db/database.ts';
import type { Database, Role, UsersTable } from '../../db/types.ts';
import { AppError, badRequest, conflict, notFound } from '../../shared/errors.ts';
import { decodeCursor, page } from '../../shared/http.ts';
import { isUniqueViolation } from '../../shared/pg-errors.ts';
import { checkIfMatch } from '../../shared/versions.ts';
import type { StaffActor } from '../audit/audit-actor.ts';
import type { AuditActor } from '../audit/audit-entry.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { AuthService } from '../auth/auth-service.ts';
import { hashPassword } from '../auth/passwords.ts';
import { isDepartmentRole, type UserPrincipal } from '../auth/principal.ts';
import type { SessionStore } from '../auth/sessions.ts';
import type { userBody, userListQuery, userPatchBody } from './directory-schemas.ts';
import { activeAction, bumped, type ListArgs, named, wardScope } from './lifecycle.ts';

const userColumns = [
  'id',
  'username',
  'full_name',
  'role',
  'ward_id',
  'department_id',
  'email',
  'active',
  'version',
] as const;
type UserRow = Pick<Selectable<UsersTable>, (typeof userColumns)[number]>;

export const toUserView = (u: UserRow) => ({
  id: u.id,
  username: u.username,
  fullName: u.full_name,
  role: u.role,
  wardId: u.ward_id,
  departmentId: u.department_id,
  email: u.email,
  active: u.active,
  version: u.version,
});

/**
 * Where a role puts its user (the users_role_binding constraint): an admin nowhere, intake and the
 * chairman in a ward, department roles in a department (its ward implied). 400 naming the field
 * otherwise; 409 for a deactivated department.
 */
async function bindingOf(
  db: Conn,
  role: Role,
  wardId: string | null | undefined,
  departmentId: string | null | undefined,
): Promise<{ wardId: string | null; departmentId: string | null }> {
  if (role === 'admin') {
    if (wardId || departmentId)
      throw badRequest('Quản trị viên không gắn với phường/xã hay đơn vị.', [
        { path: 'role', message: 'admin không có wardId/departmentId' },
      ]);
    return { wardId: null, departmentId: null };
  }
  if (isDepartmentRole(role)) {
    if (!departmentId)
      throw badRequest('Cán bộ đơn vị cần departmentId.', [{ path: 'departmentId', message: 'Bắt buộc' }]);
    const d = await db
      .selectFrom('departments')
      .select(['id', 'ward_id', 'active', 'name'])
      .where('id', '=', departmentId)
      .executeTakeFirst();
    if (!d) throw badRequest('Đơn vị không tồn tại.', [{ path: 'departmentId', message: 'Không tìm thấy' }]);
    if (wardId && wardId !== d.ward_id)
      throw badRequest('Đơn vị không thuộc phường/xã đã chọn.', [
        { path: 'wardId', message: 'Không khớp với đơn vị' },
      ]);
    if (!d.active) throw conflict(`Đơn vị ${d.name} đã ngừng hoạt động; hãy chọn đơn vị khác.`, 'inactive');
    return { wardId: d.ward_id, departmentId: d.id };
  }
  if (!wardId) throw badRequest('Cần wardId cho vai trò này.', [{ path: 'wardId', message: 'Bắt buộc' }]);
  if (departmentId)
    throw badRequest('Vai trò này không gắn với đơn vị.', [
      { path: 'departmentId', message: 'Không dùng cho vai trò này' },
    ]);
  const w = await db.selectFrom('wards').select('id').where('id', '=', wardId).executeTakeFirst();
  if (!w) throw badRequest('Phường/xã không tồn tại.', [{ path: 'wardId', message: 'Không tìm thấy' }]);
  return { wardId: w.id, departmentId: null };
}

/**
 * Staff accounts. A change of role, ward or department, a password reset or change, and deactivation
 * end the user's sessions (their tokens stop working on every API process within AUTH_CACHE_TTL_MS).
 */
export function createUserService(deps: {
  db: Db;
  sessions: Pick<SessionStore, 'endAllFor'>;
  auth: Pick<AuthService, 'authenticate'>;
}) {
  const { db, sessions } = deps;

  async function lock(trx: Conn, id: string, ifMatch: string | undefined) {
    const row = await trx
      .selectFrom('users')
      .select(userColumns)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw notFound('Không tìm thấy người dùng.');
    checkIfMatch(ifMatch, row.version, 'Người dùng');
    return row;
  }

  const write = (trx: Conn, id: string, set: Record<string, unknown>) =>
    trx
      .updateTable('users')
      .set({ ...set, ...bumped() })
      .where('id', '=', id)
      .returning(userColumns)
      .executeTakeFirstOrThrow();

  /** The entry of a change to a user: the user's ward (after the change, else before) is its scope. */
  const audit = (
    trx: Transaction<Database>,
    actor: AuditActor,
    action: string,
    before: UserRow | null,
    after: UserRow,
  ) =>
    recordAudit(trx, actor, {
      action: `user.${action}`,
      objectType: 'user',
      objectId: after.id,
      wardId: after.ward_id ?? before?.ward_id ?? null,
      before: before && toUserView(before),
      after: toUserView(after),
    });

  return {
    async createUser(actor: AuditActor, input: z.output<typeof userBody>) {
      const binding = await bindingOf(db, input.role, input.wardId, input.departmentId);
      const passwordHash = await hashPassword(input.password);
      try {
        const u = await db.transaction().execute(async (trx) => {
          const u = await trx
            .insertInto('users')
            .values({
              username: input.username,
              password_hash: passwordHash,
              full_name: input.fullName,
              role: input.role,
              ward_id: binding.wardId,
              department_id: binding.departmentId,
              email: input.email ?? null,
            })
            .returning(userColumns)
            .executeTakeFirstOrThrow();
          await audit(trx, actor, 'create', null, u);
          return u;
        });
        return toUserView(u);
      } catch (err) {
        if (isUniqueViolation(err))
          throw conflict(`Tên đăng nhập ${input.username} đã được dùng.`, 'duplicate');
        throw err;
      }
    },

    /** Users, filtered; admins see every ward's, a chairman their ward's. */
    async listUsers(caller: UserPrincipal, query: z.output<typeof userListQuery> & ListArgs) {
      const scope = wardScope(caller);
      if (scope !== null && query.wardId !== undefined && query.wardId !== scope)
        throw notFound('Không tìm thấy phường/xã.');
      const after = decodeCursor(query.cursor);
      let q = db
        .selectFrom('users')
        .select(userColumns)
        .orderBy('id')
        .limit(query.limit + 1);
      const ward = scope ?? query.wardId;
      if (ward) q = q.where('ward_id', '=', ward);
      if (query.departmentId) q = q.where('department_id', '=', query.departmentId);
      if (query.role) q = q.where('role', '=', query.role);
      if (query.active !== undefined) q = q.where('active', '=', query.active);
      if (after) q = q.where('id', '>', after);
      return page(await q.execute(), query.limit, toUserView);
    },

    async getUser(caller: UserPrincipal, id: string) {
      const scope = wardScope(caller);
      let q = db.selectFrom('users').select(userColumns).where('id', '=', id);
      if (scope !== null) q = q.where('ward_id', '=', scope ?? '0');
      const u = await q.executeTakeFirst();
      if (!u) throw notFound('Không tìm thấy người dùng.');
      return toUserView(u);
    },

    /** The caller's own account: what it is, and what its role may do. */
    async me(caller: UserPrincipal, actions: string[]) {
      const u = await db
        .selectFrom('users')
        .select(userColumns)
        .where('id', '=', caller.userId)
        .executeTakeFirst();
      if (!u) throw notFound('Không tìm thấy người dùng.');
      const { active: _a, version: _v, ...view } = toUserView(u);
      return { ...view, actions };
    },

    async updateUser(
      actor: AuditActor,
      id: string,
      ifMatch: string | undefined,
      input: z.output<typeof userPatchBody>,
    ) {
      return db.transaction().execute(async (trx) => {
        const row = await lock(trx, id, ifMatch);
        const role = input.role ?? row.role;
        const moves =
          input.role !== undefined || input.wardId !== undefined || input.departmentId !== undefined;
        const binding = moves
          ? await bindingOf(
              trx,
              role,
              input.wardId !== undefined ? input.wardId : role === 'admin' ? null : row.ward_id,
              input.departmentId !== undefined
                ? input.departmentId
                : isDepartmentRole(role)
                  ? row.department_id
                  : null,
            )
          : { wardId: row.ward_id, departmentId: row.department_id };
        if (row.role === 'admin' && role !== 'admin') await keepAnAdmin(trx, id);
        const u = await write(trx, id, {
          ...named({ full_name: input.fullName, email: input.email }),
          role,
          ward_id: binding.wardId,
          department_id: binding.departmentId,
        });
        if (u.role !== row.role || u.ward_id !== row.ward_id || u.department_id !== row.department_id)
          await sessions.endAllFor(trx, id, 'reassigned');
        await audit(trx, actor, 'update', row, u);
        return toUserView(u);
      });
    },

    /** Deactivation ends the user's sessions and refuses their sign-in; nobody deactivates themselves. */
    async setUserActive(actor: AuditActor, id: string, ifMatch: string | undefined, active: boolean) {
      return db.transaction().execute(async (trx) => {
        const row = await lock(trx, id, ifMatch);
        if (!active && id === actor.userId) throw conflict('Không thể tự khoá tài khoản của chính mình.');
        if (!active && row.role === 'admin') await keepAnAdmin(trx, id);
        const u = await write(trx, id, { active });
        if (!active) await sessions.endAllFor(trx, id, 'deactivated');
        await audit(trx, actor, activeAction(active), row, u);
        return toUserView(u);
      });
    },

    /** An admin sets a new password: every session of the user ends. */
    async resetPassword(actor: AuditActor, id: string, newPassword: string) {
      const hash = await hashPassword(newPassword);
      await db.transaction().execute(async (trx) => {
        const row = await lock(trx, id, undefined);
        const u = await write(trx, id, { password_hash: hash });
        await sessions.endAllFor(trx, id, 'password_reset');
        await audit(trx, actor, 'password_reset', row, u);
      });
    },

    /**
     * A user changes their own password with the current one (checked like a sign-in, under the same
     * lockout); their other sessions end, the one they are using stays.
     */
    async changeOwnPassword(caller: StaffActor, sessionId: string | null, current: string, next: string) {
      try {
        await deps.auth.authenticate(caller.username, current);
      } catch (err) {
        if (err instanceof AppError && err.statusCode === 401)
          throw badRequest('Mật khẩu hiện tại không đúng.', [
            { path: 'currentPassword', message: 'Mật khẩu hiện tại không đúng' },
          ]);
        throw err;
      }
      if (current === next)
        throw badRequest('Mật khẩu mới phải khác mật khẩu hiện tại.', [
          { path: 'newPassword', message: 'Trùng mật khẩu hiện tại' },
        ]);
      const hash = await hashPassword(next);
      await db.transaction().execute(async (trx) => {
        const row = await lock(trx, caller.userId, undefined);
        const u = await write(trx, caller.userId, { password_hash: hash });
        await sessions.endAllFor(trx, caller.userId, 'password_changed', sessionId ?? undefined);
        await audit(trx, caller, 'password_change', row, u);
      });
    },
  };
}

/** 409 when `id` is the last active admin: someone must be able to administer the city. */
async function keepAnAdmin(trx: Conn, id: string) {
  // One such check at a time, so two admins deactivating each other cannot both pass it.
  await sql`SELECT pg_advisory_xact_lock(hashtext('pakn:last-admin'))`.execute(trx);
  const others = await trx
    .selectFrom('users')
    .select('id')
    .where('role', '=', 'admin')
    .where('active', '=', true)
    .where('id', '<>', id)
    .limit(1)
    .executeTakeFirst();
  if (!others)
    throw conflict('Đây là quản trị viên cuối cùng còn hoạt động; hãy tạo quản trị viên khác trước.');
}
