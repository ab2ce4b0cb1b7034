import { type Selectable, sql } from 'kysely';
import type { z } from 'zod';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/types.ts';
import { notFound } from '../../shared/errors.ts';
import { decodeCursor, page } from '../../shared/http.ts';
import type { AuditActor } from '../audit/audit-entry.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { generateApiKey } from '../auth/api-keys.ts';
import type { AuthService } from '../auth/auth-service.ts';
import type { apiClientBody, apiClientPatchBody } from './directory-schemas.ts';
import { activeAction, bumped, changeObject, type ListArgs, type Versioned } from './lifecycle.ts';

const clientColumns = ['id', 'name', 'channel', 'key_prefix', 'created_at', 'revoked_at', 'version'] as const;
type ClientRow = Pick<Selectable<Database['api_clients']>, (typeof clientColumns)[number]>;
export const clientView = (c: ClientRow) => ({
  id: c.id,
  name: c.name,
  channel: c.channel,
  keyPrefix: c.key_prefix,
  createdAt: c.created_at.toISOString(),
  active: c.revoked_at === null,
  version: c.version,
});

/**
 * Channel integrations (the app, the switchboard). A client is its row: a rotated key keeps it (its
 * cases, its externalIds). Deactivating a client refuses its key at once on this process and within
 * AUTH_CACHE_TTL_MS on every other; a rotation shows the new key once and lets the old one work for
 * the grace the admin chose (none by default, at most a day).
 */
export function createApiClientService(deps: { db: Db; auth: Pick<AuthService, 'forgetApiKeys'> }) {
  const { db } = deps;

  const clients: Versioned<ClientRow, ReturnType<typeof clientView>> = {
    table: 'api_clients',
    columns: clientColumns,
    noun: 'Ứng dụng tích hợp',
    objectType: 'api_client',
    view: clientView,
    wardIdOf: () => null,
  };
  async function change(
    actor: AuditActor,
    action: string,
    id: string,
    ifMatch: string | undefined,
    set: Record<string, unknown>,
  ) {
    const view = await changeObject(db, clients, { actor, action, id, ifMatch, set });
    deps.auth.forgetApiKeys();
    return view;
  }

  return {
    async createApiClient(actor: AuditActor, input: z.output<typeof apiClientBody>) {
      const key = generateApiKey();
      const c = await db.transaction().execute(async (trx) => {
        const c = await trx
          .insertInto('api_clients')
          .values({ name: input.name, channel: input.channel, key_prefix: key.prefix, key_hash: key.hash })
          .returning(clientColumns)
          .executeTakeFirstOrThrow();
        await recordAudit(trx, actor, {
          action: 'api_client.create',
          objectType: 'api_client',
          objectId: c.id,
          wardId: null,
          before: null,
          after: clientView(c),
        });
        return c;
      });
      return { id: c.id, name: c.name, channel: c.channel, apiKey: key.key };
    },

    /** Active clients unless `active` says otherwise (the list showed only active ones before). */
    async listApiClients({ limit, cursor, active = true }: ListArgs) {
      const after = decodeCursor(cursor);
      let q = db
        .selectFrom('api_clients')
        .select(clientColumns)
        .where('revoked_at', active ? 'is' : 'is not', null)
        .orderBy('id')
        .limit(limit + 1);
      if (after) q = q.where('id', '>', after);
      return page(await q.execute(), limit, clientView);
    },

    async getApiClient(id: string) {
      const c = await db
        .selectFrom('api_clients')
        .select(clientColumns)
        .where('id', '=', id)
        .executeTakeFirst();
      if (!c) throw notFound('Không tìm thấy ứng dụng tích hợp.');
      return clientView(c);
    },

    updateApiClient: (
      actor: AuditActor,
      id: string,
      ifMatch: string | undefined,
      input: z.output<typeof apiClientPatchBody>,
    ) => change(actor, 'update', id, ifMatch, input.name === undefined ? {} : { name: input.name }),

    setApiClientActive: (actor: AuditActor, id: string, ifMatch: string | undefined, active: boolean) =>
      change(
        actor,
        activeAction(active),
        id,
        ifMatch,
        active ? { revoked_at: null } : { revoked_at: sql`coalesce(revoked_at, now())` },
      ),

    /** A new key, shown only now; the old one works `graceSeconds` more (0: it stops at once). */
    async rotateApiKey(actor: AuditActor, id: string, graceSeconds: number) {
      const key = generateApiKey();
      const row = await db.transaction().execute(async (trx) => {
        const before = await trx
          .selectFrom('api_clients')
          .select(clientColumns)
          .where('id', '=', id)
          .forUpdate()
          .executeTakeFirst();
        if (!before) throw notFound('Không tìm thấy ứng dụng tích hợp.');
        const row = await trx
          .updateTable('api_clients')
          .set({
            key_hash: key.hash,
            key_prefix: key.prefix,
            previous_key_hash: graceSeconds > 0 ? sql<string>`key_hash` : null,
            previous_key_expires_at:
              graceSeconds > 0 ? sql<Date>`now() + make_interval(secs => ${graceSeconds})` : null,
            ...bumped(),
          })
          .where('id', '=', id)
          .returning([...clientColumns, sql<Date>`coalesce(previous_key_expires_at, now())`.as('stops')])
          .executeTakeFirstOrThrow();
        await recordAudit(trx, actor, {
          action: 'api_client.rotate',
          objectType: 'api_client',
          objectId: id,
          wardId: null,
          before: clientView(before),
          after: { ...clientView(row), previousKeyExpiresAt: row.stops.toISOString() },
        });
        return row;
      });
      deps.auth.forgetApiKeys();
      return {
        id: row.id,
        apiKey: key.key,
        keyPrefix: row.key_prefix,
        previousKeyExpiresAt: row.stops.toISOString(),
      };
    },
  };
}
