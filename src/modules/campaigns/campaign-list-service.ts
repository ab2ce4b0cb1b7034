import { sql } from 'kysely';
import type { z } from 'zod';
import type { Db } from '../../db/database.ts';
import { conflict, forbidden, notFound } from '../../shared/errors.ts';
import { decodeCursor, encodeCursor } from '../../shared/http.ts';
import type { AuditActor } from '../audit/audit-entry.ts';
import type { UserPrincipal } from '../auth/principal.ts';
import { maskPhone } from './campaign-access.ts';
import { auditCampaign } from './campaign-audit.ts';
import {
  accessCampaign,
  accessUnit,
  type CampaignAccess,
  requireCoordinator,
} from './campaign-repository.ts';
import type { conflictSchema, listResultSchema, listRowSchema } from './campaign-schemas.ts';
import { lockCampaign, retally } from './campaign-tally.ts';
import { consolidatedListXlsx } from './campaign-xlsx.ts';
import { parseListFile } from './list-file.ts';
import { groupMatcher } from './residential-address.ts';

export type CampaignListService = ReturnType<typeof createCampaignListService>;
type ListResult = z.output<typeof listResultSchema>;

const rowsGone = () =>
  conflict(
    'Chiến dịch đã kết thúc và danh sách (họ tên, số điện thoại) đã được xoá theo thời hạn lưu; chỉ còn số liệu tổng hợp.',
    'rows-deleted',
  );

/**
 * A unit's list: read from the uploaded file, reported row by row (a dry run stores nothing), and on
 * confirm stored as the unit's current list — the previous one replaced, its rows deleted — and the
 * campaign's crediting recomputed in the same transaction. Phone numbers leave masked (…678) but to
 * the coordinator, who sees them on request; every such reveal and every export is audited.
 */
export function createCampaignListService(deps: { db: Db; maxRows: number }) {
  const { db } = deps;

  const show = (access: CampaignAccess, reveal: boolean) => (phone: string) =>
    reveal && access.role.kind === 'coordinator' ? phone : maskPhone(phone);

  /** The numbers on the other units' current lists: who is counted already. */
  async function phonesElsewhere(campaignId: string, unitId: string): Promise<Set<string>> {
    const rows = await sql<{ phone: string }>`
      SELECT DISTINCT unnest(r.phones) AS phone
      FROM campaign_list_rows r JOIN campaign_lists l ON l.id = r.list_id
      WHERE l.campaign_id = ${campaignId} AND l.replaced_at IS NULL AND l.unit_id <> ${unitId}`.execute(db);
    return new Set(rows.rows.map((r) => r.phone));
  }

  return {
    async upload(
      caller: UserPrincipal,
      actor: AuditActor,
      campaignId: string,
      unitId: string,
      file: { bytes: Buffer; fileName: string },
      dryRun: boolean,
    ): Promise<ListResult> {
      const access = await accessCampaign(db, caller, campaignId);
      const unit = await accessUnit(db, access, unitId);
      if (access.role.kind === 'reader')
        throw forbidden('Danh sách do người gửi của đơn vị hoặc phòng điều phối chiến dịch tải lên.');
      const c = access.campaign;
      if (c.rows_deleted_at) throw rowsGone();
      const { sheet, parsed } = await parseListFile(file.bytes, file.fileName, { maxRows: deps.maxRows });

      const groups = await db
        .selectFrom('residential_groups')
        .select(['id', 'name'])
        .where('ward_id', '=', c.ward_id)
        .execute();
      const groupName = new Map(groups.map((g) => [g.id, g.name]));
      const matcher = groupMatcher(groups);
      const groupOf = (e: (typeof parsed.entries)[number]) => {
        if (unit.residential_group_id) return groupName.get(unit.residential_group_id) ?? null;
        const id = (e.address && matcher(e.address)) || (e.household && matcher(e.household)) || null;
        return id ? (groupName.get(id) ?? null) : null;
      };
      const elsewhere = await phonesElsewhere(campaignId, unitId);
      const phone = show(access, true);
      const result: ListResult = {
        listId: null,
        fileName: file.fileName,
        sheet,
        headerRow: parsed.headerRow,
        rows: parsed.rows,
        accepted: parsed.entries.length,
        duplicates: parsed.duplicates,
        alsoListedElsewhere: parsed.entries.filter((e) => e.phones.some((p) => elsewhere.has(p))).length,
        problems: parsed.problems,
        notes: parsed.notes,
        understood: parsed.entries.map((e) => ({
          row: e.row,
          name: e.name,
          phones: e.phones.map(phone),
          organisation: e.organisation,
          address: e.address,
          household: e.household,
          group: groupOf(e),
        })),
      };
      if (dryRun) return result;

      const listId = await db.transaction().execute(async (trx) => {
        await lockCampaign(trx, campaignId);
        const previous = await trx
          .updateTable('campaign_lists')
          .set({ replaced_at: new Date() })
          .where('unit_id', '=', unitId)
          .where('replaced_at', 'is', null)
          .returning('id')
          .executeTakeFirst();
        if (previous) await trx.deleteFrom('campaign_list_rows').where('list_id', '=', previous.id).execute();
        const list = await trx
          .insertInto('campaign_lists')
          .values({
            campaign_id: campaignId,
            unit_id: unitId,
            file_name: file.fileName,
            rows: parsed.rows,
            accepted: parsed.entries.length,
            duplicates: parsed.duplicates,
            problems: JSON.stringify(parsed.problems),
            uploaded_by_user_id: caller.userId,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const e = parsed.entries;
        if (e.length > 0)
          // One statement however long the list: arrays unnested, the phones joined and split again.
          await sql`
            INSERT INTO campaign_list_rows (list_id, row, name, phones, organisation, address, household)
            SELECT ${list.id}, t.row, t.name, string_to_array(t.phones, ','), t.organisation, t.address, t.household
            FROM unnest(${e.map((x) => x.row)}::int[], ${e.map((x) => x.name)}::text[],
                        ${e.map((x) => x.phones.join(','))}::text[], ${e.map((x) => x.organisation)}::text[],
                        ${e.map((x) => x.address)}::text[], ${e.map((x) => x.household)}::text[])
              AS t(row, name, phones, organisation, address, household)`.execute(trx);
        await retally(trx, { id: campaignId, wardId: c.ward_id });
        await auditCampaign(trx, actor, c, 'list_upload', {
          unitId,
          listId: list.id,
          fileName: file.fileName,
          rows: parsed.rows,
          accepted: parsed.entries.length,
          replaced: previous?.id ?? null,
        });
        return list.id;
      });
      return { ...result, listId };
    },

    /** A unit's current list, page by page in row order. */
    async rows(
      caller: UserPrincipal,
      actor: AuditActor,
      campaignId: string,
      unitId: string,
      query: { reveal: boolean; limit: number; cursor?: string | undefined },
    ): Promise<{ items: z.output<typeof listRowSchema>[]; nextCursor: string | null }> {
      const access = await accessCampaign(db, caller, campaignId);
      await accessUnit(db, access, unitId);
      if (access.role.kind === 'reader' && !access.role.chairman)
        throw forbidden('Danh sách của đơn vị chỉ do đơn vị, phòng điều phối và Chủ tịch xem.');
      if (query.reveal) requireCoordinator(access);
      const after = Number(decodeCursor(query.cursor) ?? 0);
      const rows = await db
        .selectFrom('campaign_list_rows as r')
        .innerJoin('campaign_lists as l', 'l.id', 'r.list_id')
        .select(['r.row', 'r.name', 'r.phones', 'r.organisation', 'r.address', 'r.household'])
        .where('l.unit_id', '=', unitId)
        .where('l.replaced_at', 'is', null)
        .where('r.row', '>', after)
        .orderBy('r.row')
        .limit(query.limit + 1)
        .execute();
      const more = rows.length > query.limit;
      const items = rows.slice(0, query.limit);
      if (query.reveal && items.length > 0)
        await db.transaction().execute((trx) =>
          auditCampaign(trx, actor, access.campaign, 'reveal', {
            unitId,
            rows: items.length,
            fromRow: items[0]?.row,
            toRow: items.at(-1)?.row,
          }),
        );
      const phone = show(access, query.reveal);
      return {
        items: items.map((r) => ({ ...r, phones: r.phones.map(phone) })),
        nextCursor: more ? encodeCursor(String(items.at(-1)?.row)) : null,
      };
    },

    async conflicts(
      caller: UserPrincipal,
      actor: AuditActor,
      campaignId: string,
      reveal: boolean,
    ): Promise<z.output<typeof conflictSchema>[]> {
      const access = await accessCampaign(db, caller, campaignId);
      requireCoordinator(access);
      const rows = await db
        .selectFrom('campaign_conflicts as c')
        .leftJoin('users as u', 'u.id', 'c.resolved_by_user_id')
        .select(['c.id', 'c.kind', 'c.phone', 'c.listings', 'c.note', 'c.resolved_at', 'u.full_name'])
        .where('c.campaign_id', '=', campaignId)
        .orderBy(sql`c.resolved_at IS NOT NULL`)
        .orderBy('c.id')
        .execute();
      const units = new Map(
        (
          await db
            .selectFrom('campaign_units')
            .select(['id', 'name'])
            .where('campaign_id', '=', campaignId)
            .execute()
        ).map((u) => [u.id, u.name]),
      );
      if (reveal && rows.length > 0)
        await db
          .transaction()
          .execute((trx) => auditCampaign(trx, actor, access.campaign, 'reveal', { conflicts: rows.length }));
      const phone = show(access, reveal);
      return rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        phone: phone(r.phone),
        listings: r.listings.map((l) => ({ ...l, unitName: units.get(l.unitId) ?? '' })),
        resolution:
          r.note && r.resolved_at
            ? { note: r.note, resolvedAt: r.resolved_at.toISOString(), resolvedBy: r.full_name }
            : null,
      }));
    },

    async resolve(
      caller: UserPrincipal,
      actor: AuditActor,
      campaignId: string,
      conflictId: string,
      note: string,
    ) {
      const access = await accessCampaign(db, caller, campaignId);
      requireCoordinator(access);
      await db.transaction().execute(async (trx) => {
        const row = await trx
          .updateTable('campaign_conflicts')
          .set({ note, resolved_by_user_id: caller.userId, resolved_at: new Date() })
          .where('id', '=', conflictId)
          .where('campaign_id', '=', campaignId)
          .returning(['id', 'kind'])
          .executeTakeFirst();
        if (!row) throw notFound('Không tìm thấy trùng lặp cần xử lý (có thể danh sách đã được sửa).');
        await auditCampaign(trx, actor, access.campaign, 'resolve', { conflictId, kind: row.kind, note });
      });
    },

    /**
     * The consolidated list in the official template, one row per person (numbers as text cells):
     * the coordinator's, audited.
     */
    async exportList(caller: UserPrincipal, actor: AuditActor, campaignId: string): Promise<Buffer> {
      const access = await accessCampaign(db, caller, campaignId);
      requireCoordinator(access);
      const c = access.campaign;
      if (c.rows_deleted_at) throw rowsGone();
      const rows = await db
        .selectFrom('campaign_list_rows as r')
        .innerJoin('campaign_lists as l', 'l.id', 'r.list_id')
        .innerJoin('campaign_units as u', 'u.id', 'l.unit_id')
        .select(['r.name', 'r.phones', 'r.organisation', 'r.address', 'u.name as unit_name'])
        .where('l.campaign_id', '=', campaignId)
        .where('l.replaced_at', 'is', null)
        .orderBy('u.id')
        .orderBy('r.row')
        .execute();
      const people = new Map<
        string,
        {
          name: string;
          phones: string[];
          organisation: string | null;
          address: string | null;
          units: string[];
        }
      >();
      const byPhone = new Map<string, string>();
      for (const r of rows) {
        const key =
          r.phones.map((p) => byPhone.get(p)).find((k) => k !== undefined) ?? (r.phones[0] as string);
        const person = people.get(key);
        if (person) {
          if (!person.units.includes(r.unit_name)) person.units.push(r.unit_name);
          for (const p of r.phones) if (!person.phones.includes(p)) person.phones.push(p);
          person.address ??= r.address;
          person.organisation ??= r.organisation;
        } else
          people.set(key, {
            name: r.name,
            phones: [...r.phones],
            organisation: r.organisation,
            address: r.address,
            units: [r.unit_name],
          });
        for (const p of r.phones) byPhone.set(p, key);
      }
      const ward = await db
        .selectFrom('wards')
        .select('name')
        .where('id', '=', c.ward_id)
        .executeTakeFirstOrThrow();
      await db
        .transaction()
        .execute((trx) => auditCampaign(trx, actor, c, 'export', { people: people.size, rows: rows.length }));
      return consolidatedListXlsx({
        wardName: ward.name,
        campaignName: c.name,
        generatedAt: new Date().toISOString(),
        rows: [...people.values()].map((p) => ({
          name: p.name,
          phone: p.phones.join(' / '),
          organisation: p.organisation,
          address: p.address,
          unitName: p.units.join('; '),
        })),
      });
    },
  };
}
