import type { Selectable } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/types.ts';
import { badRequest } from '../../shared/errors.ts';
import { decodeCursor, page } from '../../shared/http.ts';
import type { UserPrincipal } from '../auth/principal.ts';
import type { AuditObjectType } from './audit-entry.ts';
import type { AuditEntryView, AuditQuery } from './audit-schemas.ts';

const toView = (e: Selectable<Database['audit_entries']>): AuditEntryView => ({
  id: e.id,
  at: e.at.toISOString(),
  actor: { id: e.actor_id, username: e.actor_username },
  address: e.address,
  action: e.action,
  objectType: e.object_type as AuditObjectType,
  objectId: e.object_id,
  wardId: e.ward_id,
  before: e.before,
  after: e.after,
});

export type AuditService = ReturnType<typeof createAuditService>;

/**
 * Reading the audit trail (recordAudit in audit-log.ts writes it): admins read every entry, a
 * chairman those of their own ward's objects; newest first.
 */
export function createAuditService(deps: { db: Db }) {
  const { db } = deps;
  return {
    async list(caller: UserPrincipal, query: AuditQuery) {
      if (query.from && query.to && Date.parse(query.from) > Date.parse(query.to))
        throw badRequest('Thời điểm bắt đầu phải không muộn hơn thời điểm kết thúc.', [
          { path: 'from', message: 'from phải không muộn hơn to' },
        ]);
      const before = decodeCursor(query.cursor);
      let q = db
        .selectFrom('audit_entries')
        .selectAll()
        .orderBy('id', 'desc')
        .limit(query.limit + 1);
      if (caller.role !== 'admin') q = q.where('ward_id', '=', caller.wardId ?? '0');
      if (query.objectType) q = q.where('object_type', '=', query.objectType);
      if (query.objectId) q = q.where('object_id', '=', query.objectId);
      if (query.actorId) q = q.where('actor_id', '=', query.actorId);
      if (query.from) q = q.where('at', '>=', new Date(query.from));
      // Inclusive as entries show `at`, to the millisecond (the column keeps microseconds).
      if (query.to) q = q.where('at', '<', new Date(Date.parse(query.to) + 1));
      if (before) q = q.where('id', '<', before);
      return page(await q.execute(), query.limit, toView);
    },
  };
}
