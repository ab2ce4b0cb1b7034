import type { z } from 'zod';
import type { Conn, Db } from '../../db/database.ts';
import { conflict, forbidden, notFound } from '../../shared/errors.ts';
import type { AuditActor } from '../audit/audit-entry.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { isDepartmentRole, type UserPrincipal } from '../auth/principal.ts';
import type {
  groupBody,
  groupCountsBody,
  groupImportBody,
  groupSchema,
  groupVersionSchema,
} from './campaign-schemas.ts';
import { defaultCoordinator, retallyWard } from './campaign-service.ts';
import { snapshot } from './campaign-tally.ts';

export type ResidentialGroupService = ReturnType<typeof createResidentialGroupService>;
type GroupView = z.output<typeof groupSchema>;

const missingWard = () => notFound('Không tìm thấy phường/xã.');
const missingGroup = () => notFound('Không tìm thấy tổ dân phố.');

/**
 * A ward's residential groups (tổ dân phố) and their household counts. Each group declares its
 * households and those owning a smartphone; every declaration is kept as a version with its source,
 * date and who entered it, and the latest is what progress is measured against. Kept by the ward's
 * chairman, an admin, and the staff of the departments that coordinate campaigns (the culture-and-
 * society office by default); read by the ward's staff.
 */
export function createResidentialGroupService(deps: { db: Db }) {
  const { db } = deps;

  function readScope(caller: UserPrincipal, wardId: string) {
    if (caller.role !== 'admin' && caller.wardId !== wardId) throw missingWard();
  }

  async function requireKeeper(caller: UserPrincipal, wardId: string) {
    readScope(caller, wardId);
    const ward = await db.selectFrom('wards').select('id').where('id', '=', wardId).executeTakeFirst();
    if (!ward) throw missingWard();
    if (caller.role === 'admin' || caller.role === 'chairman') return;
    if (isDepartmentRole(caller.role) && caller.departmentId) {
      if (caller.departmentId === (await defaultCoordinator(db, wardId))) return;
      const coordinates = await db
        .selectFrom('campaigns')
        .select('id')
        .where('ward_id', '=', wardId)
        .where('coordinating_department_id', '=', caller.departmentId)
        .executeTakeFirst();
      if (coordinates) return;
    }
    throw forbidden('Số hộ của tổ dân phố do Chủ tịch hoặc phòng điều phối chiến dịch khai báo.');
  }

  async function views(wardId: string, only?: string): Promise<GroupView[]> {
    const rows = await db
      .selectFrom('residential_groups as g')
      .innerJoin(
        (eb) =>
          eb
            .selectFrom('residential_group_counts as c')
            .leftJoin('users as u', 'u.id', 'c.recorded_by_user_id')
            .distinctOn('c.group_id')
            .select([
              'c.group_id',
              'c.households',
              'c.smartphone_households',
              'c.source',
              'c.recorded_at',
              'u.full_name',
              (eb) =>
                eb.fn
                  .count<string>('c.id')
                  .over((o) => o.partitionBy('c.group_id'))
                  .as('versions'),
            ])
            .orderBy('c.group_id')
            .orderBy('c.id', 'desc')
            .as('c'),
        (j) => j.onRef('c.group_id', '=', 'g.id'),
      )
      .select([
        'g.id',
        'g.name',
        'c.households',
        'c.smartphone_households',
        'c.source',
        'c.recorded_at',
        'c.full_name',
        'c.versions',
      ])
      .where('g.ward_id', '=', wardId)
      .$if(only !== undefined, (q) => q.where('g.id', '=', only as string))
      .execute();
    const byName = new Intl.Collator('vi', { numeric: true });
    return rows
      .map((r) => ({
        id: r.id,
        name: r.name,
        households: r.households,
        smartphoneHouseholds: r.smartphone_households,
        source: r.source,
        recordedAt: r.recorded_at.toISOString(),
        recordedBy: r.full_name,
        versions: Number(r.versions),
      }))
      .sort((a, b) => byName.compare(a.name, b.name));
  }

  const recordCounts = (
    trx: Conn,
    caller: UserPrincipal,
    groupId: string,
    c: { households: number; smartphoneHouseholds: number; source?: string | undefined },
  ) =>
    trx
      .insertInto('residential_group_counts')
      .values({
        group_id: groupId,
        households: c.households,
        smartphone_households: c.smartphoneHouseholds,
        source: c.source ?? null,
        recorded_by_user_id: caller.userId,
      })
      .execute();

  const audit = (
    trx: Conn,
    actor: AuditActor,
    wardId: string,
    groupId: string,
    verb: string,
    after: object,
  ) =>
    recordAudit(trx as Parameters<typeof recordAudit>[0], actor, {
      action: `residential_group.${verb}`,
      objectType: 'residential_group',
      objectId: groupId,
      wardId,
      before: null,
      after: { ...after },
    });

  /** Today's snapshots follow a change of counts (the rates move); the crediting does not. */
  async function resnapshot(trx: Conn, wardId: string) {
    const campaigns = await trx
      .selectFrom('campaigns')
      .select('id')
      .where('ward_id', '=', wardId)
      .where('rows_deleted_at', 'is', null)
      .execute();
    for (const c of campaigns) await snapshot(trx, { id: c.id, wardId });
  }

  const duplicateName = (name: string) => conflict(`Phường đã có tổ dân phố tên «${name}».`, 'duplicate');
  const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === '23505';

  return {
    async list(caller: UserPrincipal, wardId: string): Promise<GroupView[]> {
      readScope(caller, wardId);
      return views(wardId);
    },

    async versions(
      caller: UserPrincipal,
      wardId: string,
      groupId: string,
    ): Promise<z.output<typeof groupVersionSchema>[]> {
      readScope(caller, wardId);
      const rows = await db
        .selectFrom('residential_group_counts as c')
        .innerJoin('residential_groups as g', 'g.id', 'c.group_id')
        .leftJoin('users as u', 'u.id', 'c.recorded_by_user_id')
        .select(['c.households', 'c.smartphone_households', 'c.source', 'c.recorded_at', 'u.full_name'])
        .where('g.id', '=', groupId)
        .where('g.ward_id', '=', wardId)
        .orderBy('c.id', 'desc')
        .execute();
      if (rows.length === 0) throw missingGroup();
      return rows.map((r) => ({
        households: r.households,
        smartphoneHouseholds: r.smartphone_households,
        source: r.source,
        recordedAt: r.recorded_at.toISOString(),
        recordedBy: r.full_name,
      }));
    },

    async create(
      caller: UserPrincipal,
      actor: AuditActor,
      wardId: string,
      input: z.output<typeof groupBody>,
    ) {
      await requireKeeper(caller, wardId);
      try {
        const id = await db.transaction().execute(async (trx) => {
          const g = await trx
            .insertInto('residential_groups')
            .values({ ward_id: wardId, name: input.name })
            .returning('id')
            .executeTakeFirstOrThrow();
          await recordCounts(trx, caller, g.id, input);
          await audit(trx, actor, wardId, g.id, 'create', input);
          // A new group may be where addresses already listed point ("Tổ 12"): credit them now.
          await retallyWard(trx, wardId);
          return g.id;
        });
        return (await views(wardId, id))[0] as GroupView;
      } catch (err) {
        if (isUniqueViolation(err)) throw duplicateName(input.name);
        throw err;
      }
    },

    async updateCounts(
      caller: UserPrincipal,
      actor: AuditActor,
      wardId: string,
      groupId: string,
      input: z.output<typeof groupCountsBody>,
    ) {
      await requireKeeper(caller, wardId);
      await db.transaction().execute(async (trx) => {
        const g = await trx
          .selectFrom('residential_groups')
          .select('id')
          .where('id', '=', groupId)
          .where('ward_id', '=', wardId)
          .forUpdate()
          .executeTakeFirst();
        if (!g) throw missingGroup();
        await recordCounts(trx, caller, groupId, input);
        await audit(trx, actor, wardId, groupId, 'counts', input);
        await resnapshot(trx, wardId);
      });
      return (await views(wardId, groupId))[0] as GroupView;
    },

    /**
     * Many groups' counts at once (as the culture office collects them, a sheet pasted): a group named
     * anew is created, a known one (same name, any case) gets a new version when its counts changed.
     * All or nothing.
     */
    async importCounts(
      caller: UserPrincipal,
      actor: AuditActor,
      wardId: string,
      input: z.output<typeof groupImportBody>,
    ) {
      await requireKeeper(caller, wardId);
      const names = new Set<string>();
      for (const g of input.groups) {
        const key = g.name.toLocaleLowerCase('vi');
        if (names.has(key)) throw conflict(`Tổ dân phố «${g.name}» có hai lần trong danh sách.`, 'duplicate');
        names.add(key);
      }
      const summary = await db
        .transaction()
        .execute(async (trx) => {
          const existing = new Map(
            (await views(wardId)).map((g) => [g.name.toLocaleLowerCase('vi'), g] as const),
          );
          let created = 0;
          let updated = 0;
          for (const g of input.groups) {
            const known = existing.get(g.name.toLocaleLowerCase('vi'));
            const counts = { ...g, source: input.source };
            if (!known) {
              const row = await trx
                .insertInto('residential_groups')
                .values({ ward_id: wardId, name: g.name })
                .returning('id')
                .executeTakeFirstOrThrow();
              await recordCounts(trx, caller, row.id, counts);
              await audit(trx, actor, wardId, row.id, 'create', counts);
              created++;
            } else if (
              known.households !== g.households ||
              known.smartphoneHouseholds !== g.smartphoneHouseholds
            ) {
              await recordCounts(trx, caller, known.id, counts);
              await audit(trx, actor, wardId, known.id, 'counts', counts);
              updated++;
            }
          }
          if (created > 0) await retallyWard(trx, wardId);
          else if (updated > 0) await resnapshot(trx, wardId);
          return { created, updated, unchanged: input.groups.length - created - updated };
        })
        .catch((err: unknown) => {
          // Another import created one of these names meanwhile: nothing of this one was kept.
          if (isUniqueViolation(err))
            throw conflict('Danh sách tổ dân phố vừa được người khác cập nhật; hãy thử lại.', 'duplicate');
          throw err;
        });
      return { ...summary, groups: await views(wardId) };
    },
  };
}
