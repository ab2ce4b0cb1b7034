import type { z } from 'zod';
import type { Conn, Db } from '../../db/database.ts';
import type { CampaignTargets } from '../../db/types.ts';
import { badRequest, conflict, forbidden, notFound } from '../../shared/errors.ts';
import type { AuditActor } from '../audit/audit-entry.ts';
import { isDepartmentRole, type UserPrincipal } from '../auth/principal.ts';
import { foldForSearch } from '../cases/personal-data.ts';
import type { DirectoryService } from '../directory/directory-service.ts';
import { auditCampaign } from './campaign-audit.ts';
import {
  accessCampaign,
  accessUnit,
  type CampaignAccess,
  type CampaignRow,
  requireCoordinator,
} from './campaign-repository.ts';
import type {
  campaignBody,
  campaignPatchBody,
  campaignSchema,
  submitterBody,
  unitBody,
  unitPatchBody,
  unitSchema,
} from './campaign-schemas.ts';
import { retally } from './campaign-tally.ts';

export type CampaignService = ReturnType<typeof createCampaignService>;
type CampaignView = z.output<typeof campaignSchema>;
type UnitView = z.output<typeof unitSchema>;

export const defaultTargets: CampaignTargets = {
  householdCoverage: 1,
  staffShare: 1,
  householdsPerYouthMember: 10,
};

export function campaignView(c: CampaignRow, access: CampaignAccess['role']['kind']): CampaignView {
  return {
    id: c.id,
    wardId: c.ward_id,
    name: c.name,
    documentNumber: c.document_number,
    documentDate: c.document_date,
    startsOn: c.starts_on,
    endsOn: c.ends_on,
    coordinatingDepartmentId: c.coordinating_department_id,
    coordinatingDepartment: c.coordinating_department,
    targets: { ...defaultTargets, ...c.targets },
    chase: c.chase,
    rowsDeletedAt: c.rows_deleted_at?.toISOString() ?? null,
    access,
  };
}

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === '23505';

/**
 * The ward's culture-and-society office, which coordinates a campaign unless another department is
 * named: the department coded `vhxh`, else the one whose name reads "Văn hoá – Xã hội".
 */
export async function defaultCoordinator(db: Conn, wardId: string): Promise<string | undefined> {
  const departments = await db
    .selectFrom('departments')
    .select(['id', 'code', 'name'])
    .where('ward_id', '=', wardId)
    .where('active', '=', true)
    .orderBy('id')
    .execute();
  const named = (d: { name: string }) => {
    const f = foldForSearch(d.name).text;
    return f.includes('van hoa') && f.includes('xa hoi');
  };
  return (departments.find((d) => d.code === 'vhxh') ?? departments.find(named))?.id;
}

/**
 * Campaigns, their units and the units' submitters (issue 18). The coordinator manages them; the
 * ward's chairman and staff read; a unit's submitter reads their campaign and unit. Creating a
 * submitter's account goes through the directory (its only writer of users), then binds it.
 */
export function createCampaignService(deps: { db: Db; createUser: DirectoryService['createUser'] }) {
  const { db } = deps;

  async function unitViews(campaignId: string, only?: string): Promise<UnitView[]> {
    const units = await db
      .selectFrom('campaign_units as u')
      .leftJoin('campaign_lists as l', (j) =>
        j.onRef('l.unit_id', '=', 'u.id').on('l.replaced_at', 'is', null),
      )
      .select([
        'u.id',
        'u.kind',
        'u.name',
        'u.residential_group_id',
        'u.headcount',
        'l.id as list_id',
        'l.file_name',
        'l.rows',
        'l.accepted',
        'l.duplicates',
        'l.uploaded_at',
      ])
      .where('u.campaign_id', '=', campaignId)
      .$if(only !== undefined, (q) => q.where('u.id', '=', only as string))
      .orderBy('u.kind')
      .orderBy('u.name')
      .execute();
    const submitters = await db
      .selectFrom('campaign_unit_submitters as s')
      .innerJoin('users as us', 'us.id', 's.user_id')
      .innerJoin('campaign_units as u', 'u.id', 's.unit_id')
      .select(['s.unit_id', 'us.id', 'us.username', 'us.full_name'])
      .where('u.campaign_id', '=', campaignId)
      .where('us.active', '=', true)
      .orderBy('us.id')
      .execute();
    const byName = new Intl.Collator('vi', { numeric: true });
    return units
      .map((u) => ({
        id: u.id,
        campaignId,
        kind: u.kind,
        name: u.name,
        residentialGroupId: u.residential_group_id,
        headcount: u.headcount,
        submitters: submitters
          .filter((s) => s.unit_id === u.id)
          .map((s) => ({ id: s.id, username: s.username, fullName: s.full_name })),
        list:
          u.list_id && u.uploaded_at
            ? {
                id: u.list_id,
                fileName: u.file_name ?? '',
                rows: u.rows ?? 0,
                accepted: u.accepted ?? 0,
                duplicates: u.duplicates ?? 0,
                uploadedAt: u.uploaded_at.toISOString(),
              }
            : null,
      }))
      .sort((a, b) => (a.kind === b.kind ? byName.compare(a.name, b.name) : a.kind < b.kind ? -1 : 1));
  }

  return {
    access: (caller: UserPrincipal, id: string) => accessCampaign(db, caller, id),

    async create(
      caller: UserPrincipal,
      actor: AuditActor,
      input: z.output<typeof campaignBody>,
    ): Promise<CampaignView> {
      if (caller.role !== 'admin' && caller.wardId !== input.wardId)
        throw notFound('Không tìm thấy phường/xã.');
      if (caller.role === 'unit_submitter') throw forbidden();
      const ward = await db
        .selectFrom('wards')
        .select('id')
        .where('id', '=', input.wardId)
        .executeTakeFirst();
      if (!ward) throw notFound('Không tìm thấy phường/xã.');
      const departmentId = input.coordinatingDepartmentId ?? (await defaultCoordinator(db, input.wardId));
      if (!departmentId)
        throw badRequest('Phường chưa có Phòng Văn hoá – Xã hội; hãy chọn phòng điều phối.', [
          { path: 'coordinatingDepartmentId', message: 'Bắt buộc' },
        ]);
      const department = await db
        .selectFrom('departments')
        .select('id')
        .where('id', '=', departmentId)
        .where('ward_id', '=', input.wardId)
        .executeTakeFirst();
      if (!department)
        throw badRequest('Phòng điều phối không thuộc phường này.', [
          { path: 'coordinatingDepartmentId', message: 'Không tìm thấy' },
        ]);
      const allowed =
        caller.role === 'admin' ||
        caller.role === 'chairman' ||
        (isDepartmentRole(caller.role) && caller.departmentId === departmentId);
      if (!allowed)
        throw forbidden('Chiến dịch do Chủ tịch hoặc phòng điều phối (Phòng Văn hoá – Xã hội) tạo.');
      const id = await db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('campaigns')
          .values({
            ward_id: input.wardId,
            name: input.name,
            document_number: input.documentNumber ?? null,
            document_date: input.documentDate ?? null,
            starts_on: input.startsOn,
            ends_on: input.endsOn,
            coordinating_department_id: departmentId,
            targets: JSON.stringify(input.targets ?? defaultTargets),
            chase: input.chase ? JSON.stringify(input.chase) : null,
            created_by_user_id: caller.userId,
          })
          .returning(['id', 'ward_id'])
          .executeTakeFirstOrThrow();
        await auditCampaign(trx, actor, row, 'create', {
          name: input.name,
          startsOn: input.startsOn,
          endsOn: input.endsOn,
        });
        return row.id;
      });
      return (await this.get(caller, id)) as CampaignView;
    },

    async list(caller: UserPrincipal, query: { wardId?: string | undefined }): Promise<CampaignView[]> {
      let q = db
        .selectFrom('campaigns as c')
        .innerJoin('departments as d', 'd.id', 'c.coordinating_department_id')
        .selectAll('c')
        .select('d.name as coordinating_department')
        .orderBy('c.starts_on', 'desc')
        .orderBy('c.id', 'desc')
        .limit(200);
      if (caller.role === 'admin') {
        if (query.wardId) q = q.where('c.ward_id', '=', query.wardId);
      } else if (caller.role === 'unit_submitter') {
        q = q.where('c.id', 'in', (eb) =>
          eb
            .selectFrom('campaign_unit_submitters as s')
            .innerJoin('campaign_units as u', 'u.id', 's.unit_id')
            .select('u.campaign_id')
            .where('s.user_id', '=', caller.userId),
        );
      } else {
        if (query.wardId && query.wardId !== caller.wardId) throw notFound('Không tìm thấy phường/xã.');
        q = q.where('c.ward_id', '=', caller.wardId ?? '0');
      }
      const rows = await q.execute();
      return rows.map((c) =>
        campaignView(
          c,
          caller.role === 'unit_submitter'
            ? 'submitter'
            : caller.role === 'admin' || caller.departmentId === c.coordinating_department_id
              ? 'coordinator'
              : 'reader',
        ),
      );
    },

    async get(caller: UserPrincipal, id: string): Promise<CampaignView> {
      const access = await accessCampaign(db, caller, id);
      return campaignView(access.campaign, access.role.kind);
    },

    async update(
      caller: UserPrincipal,
      actor: AuditActor,
      id: string,
      input: z.output<typeof campaignPatchBody>,
    ) {
      const access = await accessCampaign(db, caller, id);
      requireCoordinator(access);
      const c = access.campaign;
      const startsOn = input.startsOn ?? c.starts_on;
      const endsOn = input.endsOn ?? c.ends_on;
      if (endsOn < startsOn)
        throw badRequest('Ngày kết thúc trước ngày bắt đầu.', [
          { path: 'endsOn', message: 'Trước ngày bắt đầu' },
        ]);
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('campaigns')
          .set({
            ...(input.name !== undefined && { name: input.name }),
            ...(input.documentNumber !== undefined && { document_number: input.documentNumber }),
            ...(input.documentDate !== undefined && { document_date: input.documentDate }),
            starts_on: startsOn,
            ends_on: endsOn,
            ...(input.targets !== undefined && { targets: JSON.stringify(input.targets) }),
            ...(input.chase !== undefined && { chase: input.chase ? JSON.stringify(input.chase) : null }),
          })
          .where('id', '=', id)
          .execute();
        await auditCampaign(trx, actor, c, 'update', input);
      });
      return this.get(caller, id);
    },

    async units(caller: UserPrincipal, id: string): Promise<UnitView[]> {
      const access = await accessCampaign(db, caller, id);
      return unitViews(id, access.role.kind === 'submitter' ? access.role.unitId : undefined);
    },

    async unit(caller: UserPrincipal, id: string, unitId: string): Promise<UnitView> {
      const access = await accessCampaign(db, caller, id);
      await accessUnit(db, access, unitId);
      return (await unitViews(id, unitId))[0] as UnitView;
    },

    async addUnit(caller: UserPrincipal, actor: AuditActor, id: string, input: z.output<typeof unitBody>) {
      const access = await accessCampaign(db, caller, id);
      requireCoordinator(access);
      const c = access.campaign;
      if (input.residentialGroupId) {
        const group = await db
          .selectFrom('residential_groups')
          .select('id')
          .where('id', '=', input.residentialGroupId)
          .where('ward_id', '=', c.ward_id)
          .executeTakeFirst();
        if (!group)
          throw badRequest('Tổ dân phố không thuộc phường của chiến dịch.', [
            { path: 'residentialGroupId', message: 'Không tìm thấy' },
          ]);
      }
      try {
        const unitId = await db.transaction().execute(async (trx) => {
          const row = await trx
            .insertInto('campaign_units')
            .values({
              campaign_id: id,
              kind: input.kind,
              name: input.name,
              residential_group_id: input.residentialGroupId ?? null,
              headcount: input.headcount ?? null,
            })
            .returning('id')
            .executeTakeFirstOrThrow();
          await auditCampaign(trx, actor, c, 'unit_create', {
            unitId: row.id,
            kind: input.kind,
            name: input.name,
          });
          return row.id;
        });
        return (await unitViews(id, unitId))[0] as UnitView;
      } catch (err) {
        if (isUniqueViolation(err))
          throw conflict(
            input.residentialGroupId
              ? 'Tổ dân phố này đã là một đơn vị của chiến dịch.'
              : `Chiến dịch đã có đơn vị tên «${input.name}».`,
            'duplicate',
          );
        throw err;
      }
    },

    async updateUnit(
      caller: UserPrincipal,
      actor: AuditActor,
      id: string,
      unitId: string,
      input: z.output<typeof unitPatchBody>,
    ) {
      const access = await accessCampaign(db, caller, id);
      requireCoordinator(access);
      await accessUnit(db, access, unitId);
      try {
        await db.transaction().execute(async (trx) => {
          await trx
            .updateTable('campaign_units')
            .set({
              ...(input.name !== undefined && { name: input.name }),
              ...(input.headcount !== undefined && { headcount: input.headcount }),
            })
            .where('id', '=', unitId)
            .execute();
          await auditCampaign(trx, actor, access.campaign, 'unit_update', { unitId, ...input });
        });
      } catch (err) {
        if (isUniqueViolation(err))
          throw conflict(`Chiến dịch đã có đơn vị tên «${input.name}».`, 'duplicate');
        throw err;
      }
      return (await unitViews(id, unitId))[0] as UnitView;
    },

    /** Binds a unit_submitter of the ward to the unit, creating the account first when asked to. */
    async addSubmitter(
      caller: UserPrincipal,
      actor: AuditActor,
      id: string,
      unitId: string,
      input: z.output<typeof submitterBody>,
    ) {
      const access = await accessCampaign(db, caller, id);
      requireCoordinator(access);
      await accessUnit(db, access, unitId);
      const wardId = access.campaign.ward_id;
      const userId =
        'userId' in input
          ? input.userId
          : (await deps.createUser(actor, { ...input, role: 'unit_submitter', wardId })).id;
      const user = await db
        .selectFrom('users')
        .select(['id', 'role', 'ward_id', 'active'])
        .where('id', '=', userId)
        .executeTakeFirst();
      if (!user || user.ward_id !== wardId || !user.active)
        throw badRequest('Không tìm thấy tài khoản trong phường.', [
          { path: 'userId', message: 'Không tìm thấy' },
        ]);
      if (user.role !== 'unit_submitter')
        throw badRequest('Chỉ gán tài khoản vai trò «Người gửi danh sách của đơn vị» (unit_submitter).', [
          { path: 'userId', message: 'Sai vai trò' },
        ]);
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('campaign_unit_submitters')
          .values({ user_id: userId, unit_id: unitId })
          .onConflict((oc) => oc.column('user_id').doUpdateSet({ unit_id: unitId }))
          .execute();
        await auditCampaign(trx, actor, access.campaign, 'submitter_bind', { unitId, userId });
      });
      return (await unitViews(id, unitId))[0] as UnitView;
    },
  };
}

/** Every campaign of a ward whose rows are still kept, recomputed: a new group may now match addresses. */
export async function retallyWard(trx: Conn, wardId: string): Promise<void> {
  const campaigns = await trx
    .selectFrom('campaigns')
    .select('id')
    .where('ward_id', '=', wardId)
    .where('rows_deleted_at', 'is', null)
    .execute();
  for (const c of campaigns) await retally(trx, { id: c.id, wardId });
}
