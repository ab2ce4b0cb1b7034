import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import { notFound } from '../../shared/errors.ts';
import { checkIfMatch } from '../../shared/versions.ts';
import type { AuditActor, AuditObjectType, AuditState } from '../audit/audit-entry.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { UserPrincipal } from '../auth/principal.ts';

export type ListArgs = { limit: number; cursor?: string | undefined; active?: boolean | undefined };

/** The ward a staff member may read, or null for admins (every ward). */
export const wardScope = (p: UserPrincipal) => (p.role === 'admin' ? null : p.wardId);

/** The columns every change to a directory object sets besides its own: the next version, the time. */
export const bumped = () => ({ version: sql<number>`version + 1`, updated_at: new Date() });

/** Only the fields a partial update names (undefined: leave as it is; null: clear). */
export const named = <T extends Record<string, unknown>>(fields: T) =>
  Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };

/** The audit action of a deactivation or reactivation. */
export const activeAction = (active: boolean) => (active ? 'reactivate' : 'deactivate');

/** A directory object as `changeObject` changes it: its table, the columns of its view, its names. */
export type Versioned<Row extends { version: number }, View extends AuditState> = {
  table: 'wards' | 'departments' | 'categories' | 'api_clients';
  columns: readonly string[];
  /** How it is called in messages: `Phường/xã`, `Đơn vị`… */
  noun: string;
  objectType: Exclude<
    AuditObjectType,
    'user' | 'calendar' | 'calendar_year' | 'escalation_policy' | 'webhook'
  >;
  view: (row: Row) => View;
  /** The ward the audit entry belongs to (null: city-wide). */
  wardIdOf: (row: Row) => string | null;
};

/**
 * One change to a directory object, in one transaction: its row locked, `If-Match` checked (412), the
 * fields set with the next version, the audit entry written with the object before and after.
 */
export async function changeObject<Row extends { version: number }, View extends AuditState>(
  db: Db,
  o: Versioned<Row, View>,
  change: {
    actor: AuditActor;
    action: string;
    id: string;
    ifMatch: string | undefined;
    set: Record<string, unknown>;
  },
): Promise<View> {
  return db.transaction().execute(async (trx) => {
    // The table is one of four, chosen by the caller; Kysely cannot type a table given at run time.
    const t = trx as unknown as Transaction<Record<string, Row & { id: string }>>;
    const row = (await t
      .selectFrom(o.table)
      .select(o.columns as never)
      .where('id', '=', change.id as never)
      .forUpdate()
      .executeTakeFirst()) as Row | undefined;
    if (!row) throw notFound(`Không tìm thấy ${o.noun.toLowerCase()}.`);
    checkIfMatch(change.ifMatch, row.version, o.noun);
    const next = (await t
      .updateTable(o.table)
      .set({ ...change.set, ...bumped() } as never)
      .where('id', '=', change.id as never)
      .returning(o.columns as never)
      .executeTakeFirstOrThrow()) as unknown as Row;
    await recordAudit(trx, change.actor, {
      action: `${o.objectType}.${change.action}`,
      objectType: o.objectType,
      objectId: change.id,
      wardId: o.wardIdOf(next),
      before: o.view(row),
      after: o.view(next),
    });
    return o.view(next);
  });
}
