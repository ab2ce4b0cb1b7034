import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { badRequest, forbidden, notFound } from '../../shared/errors.ts';
import { formatDeadline, vietnamTimeZone } from '../../shared/vietnam-day.ts';
import type { AuthService } from '../auth/auth-service.ts';
import type { ClientPrincipal } from '../auth/principal.ts';
import { caseCodeParams } from '../cases/case-schemas.ts';
import type { CaseService } from '../cases/case-service.ts';
import { selectPublicCases } from '../cases/public-view.ts';
import { contactNeeded, type PostRequestBody, type RequestsQuery } from './open311-schemas.ts';
import {
  type Open311Request,
  parseAttributes,
  type RequestRow,
  serviceAttributes,
  toService,
  toServiceRequest,
} from './open311-view.ts';

/** The case code an Open311 id names (upper case), or undefined when it cannot name one. */
const caseCodeOf = (id: string): string | undefined => {
  const parsed = caseCodeParams.shape.code.safeParse(id.trim());
  return parsed.success ? parsed.data : undefined;
};

/** An id as quoted back in an error: at most 60 characters, on one line. */
const clip = (id: string) => {
  const line = id.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, ' ');
  return line.length > 60 ? `${line.slice(0, 60)}…` : line;
};

/** GeoReport v2 lets a query span at most 90 days. */
const maxSpanMs = 90 * 86_400_000;

export type Open311Service = ReturnType<typeof createOpen311Service>;

/** The GeoReport v2 facade over categories and cases (design.md §6, modules/open311). */
export function createOpen311Service(deps: {
  db: Db;
  cases: Pick<CaseService, 'intake'>;
  auth: Pick<AuthService, 'resolveApiKey'>;
}) {
  const { db } = deps;

  async function wardOf(code: string) {
    const ward = await db
      .selectFrom('wards')
      .select(['id', 'code'])
      .where('code', '=', code)
      .executeTakeFirst();
    if (!ward) throw notFound(`jurisdiction_id ${code}: không có phường/xã này.`);
    return ward;
  }

  const categoryColumns = ['code', 'name', 'description', 'keywords', 'group_name'] as const;

  /** What the citizen is told once the request is in: the deadline, or that the ward office classifies it. */
  function noticeOf(c: { status: string; dueAt: string | null; code: string }): string {
    if (c.dueAt)
      return `Đã tiếp nhận phản ánh ${c.code} và chuyển đơn vị xử lý; hạn trả lời ${formatDeadline(new Date(c.dueAt), vietnamTimeZone)}.`;
    return `Đã tiếp nhận phản ánh ${c.code}; văn phòng phường/xã sẽ phân loại và chuyển xử lý.`;
  }

  return {
    /**
     * Categories are shared by every ward; a jurisdiction_id, if given, must name one. Deactivated
     * categories are not offered (a report under one answers 409).
     */
    async services(jurisdiction: string | undefined) {
      if (jurisdiction) await wardOf(jurisdiction);
      const rows = await db
        .selectFrom('categories')
        .select(categoryColumns)
        .where('active', '=', true)
        .orderBy('code')
        .execute();
      return rows.map(toService);
    },

    async definition(serviceCode: string, jurisdiction: string | undefined) {
      if (jurisdiction) await wardOf(jurisdiction);
      const c = await db
        .selectFrom('categories')
        .select('code')
        .where('code', '=', serviceCode)
        .executeTakeFirst();
      if (!c) throw notFound(`service_code ${serviceCode}: không có lĩnh vực này.`);
      return { service_code: c.code, attributes: serviceAttributes };
    },

    /**
     * GET requests. With service_request_id, those cases and nothing else; otherwise the newest
     * first of at most 90 days (by default the last 90), filtered by service codes and status.
     */
    async list(q: RequestsQuery, now = new Date()): Promise<Open311Request[]> {
      let query = selectPublicCases(db);
      if (q.jurisdiction_id) query = query.where('cases.ward_id', '=', (await wardOf(q.jurisdiction_id)).id);
      if (q.service_request_id) {
        const codes = q.service_request_id.flatMap((id) => caseCodeOf(id) ?? []);
        if (codes.length === 0) return [];
        const rows = await query.where('cases.code', 'in', codes).orderBy('cases.id', 'desc').execute();
        return rows.map((r) => toServiceRequest(r as RequestRow));
      }
      const start = q.start_date ? new Date(q.start_date) : undefined;
      const end = q.end_date ? new Date(q.end_date) : undefined;
      const to = end ?? (start ? new Date(start.getTime() + maxSpanMs) : now);
      const from = start ?? new Date(to.getTime() - maxSpanMs);
      if (from > to)
        throw badRequest('start_date phải trước end_date.', [
          { path: 'start_date', message: 'Sau end_date' },
        ]);
      if (to.getTime() - from.getTime() > maxSpanMs)
        throw badRequest('Khoảng start_date–end_date tối đa 90 ngày.', [
          { path: 'end_date', message: 'Quá 90 ngày sau start_date' },
        ]);
      query = query.where('cases.received_at', '>=', from).where('cases.received_at', '<=', to);
      if (q.service_code) query = query.where('categories.code', 'in', q.service_code);
      if (q.status && q.status.length === 1)
        query = query.where('cases.status', q.status[0] === 'closed' ? 'in' : 'not in', [
          'closed',
          'rejected',
        ]);
      const rows = await query
        .orderBy('cases.id', 'desc')
        .limit(q.page_size)
        .offset((q.page - 1) * q.page_size)
        .execute();
      return rows.map((r) => toServiceRequest(r as RequestRow));
    },

    /** One request by its id: any id that names no case (whatever its shape) is 404. */
    async get(id: string): Promise<Open311Request[]> {
      const code = caseCodeOf(id);
      const row = code
        ? await selectPublicCases(db).where('cases.code', '=', code).executeTakeFirst()
        : undefined;
      if (!row) throw notFound(`service_request_id ${clip(id)}: không có phản ánh này.`);
      return [toServiceRequest(row as RequestRow)];
    },

    /**
     * POST requests: the API client's key decides the channel; the case is logged by intake itself
     * (deadlines, assignment, duplicates, the receipt SMS). An Idempotency-Key makes a retry return
     * the same request instead of a second one.
     */
    /**
     * The API client of a POST's `api_key`, checked before anything else of the request (the spec's
     * 403 for a missing or unknown key, whatever else is wrong with the request).
     */
    async clientOf(apiKey: unknown): Promise<ClientPrincipal> {
      const key = typeof apiKey === 'string' && apiKey.length <= 200 ? apiKey.trim() : '';
      const client = key ? await deps.auth.resolveApiKey(key) : null;
      if (!client) throw forbidden(apiKey ? 'api_key không hợp lệ.' : 'Cần api_key của ứng dụng.');
      return client;
    },

    async post(client: ClientPrincipal, body: PostRequestBody, idempotencyKey: string | undefined) {
      await wardOf(body.jurisdiction_id);
      const category = await db
        .selectFrom('categories')
        .select('code')
        .where('code', '=', body.service_code)
        .executeTakeFirst();
      if (!category) throw notFound(`service_code ${body.service_code}: không có lĩnh vực này.`);
      const attributes = parseAttributes(body.attribute);
      if (!attributes.ok)
        throw badRequest(
          attributes.problems.join('; '),
          attributes.problems.map((message) => ({ path: 'attribute', message })),
        );
      const a = attributes.value;
      // The body's schema asks for one of the two already.
      const contact = body.phone
        ? { phone: body.phone, ...(body.email ? { email: body.email } : {}) }
        : body.email
          ? { email: body.email }
          : undefined;
      if (!contact) throw badRequest(contactNeeded, [{ path: 'phone', message: contactNeeded }]);
      const name = [body.last_name, body.first_name].filter(Boolean).join(' ');
      const address = body.address_string ?? (body.address_id ? `Mã địa chỉ ${body.address_id}` : undefined);
      const result = await deps.cases.intake(client, {
        wardCode: body.jurisdiction_id,
        channel: client.channel,
        ...(idempotencyKey ? { externalId: `o311-${idempotencyKey}` } : {}),
        categoryCode: body.service_code,
        urgency: a.urgency,
        ...(a.title ? { title: a.title } : {}),
        description: body.description,
        reporter: { ...(name ? { name } : {}), ...contact, confidential: a.confidential },
        location: {
          ...(address ? { address } : {}),
          ...(a.residentialGroup ? { residentialGroup: a.residentialGroup } : {}),
          ...(body.lat !== undefined && body.long !== undefined ? { lat: body.lat, lng: body.long } : {}),
        },
        attachments: body.media_url ? [{ url: body.media_url }] : [],
      });
      const c = result.case;
      return [
        {
          service_request_id: c.code,
          service_notice: noticeOf({ status: c.status, dueAt: c.dueAt, code: c.code }),
          account_id: body.account_id ?? null,
        },
      ];
    },

    discovery(baseUrl: string, changeset: Date) {
      return {
        changeset: changeset.toISOString(),
        contact: 'Văn phòng HĐND và UBND phường/xã; đường dây nóng 1022.',
        key_service: 'API key do quản trị hệ thống cấp (POST /api/v1/api-clients).',
        endpoints: [
          {
            specification: 'http://wiki.open311.org/GeoReport_v2',
            url: baseUrl,
            changeset: changeset.toISOString(),
            type: 'production' as const,
            formats: ['text/xml', 'application/json'],
          },
        ],
      };
    },

    /** When services last changed (one added, changed, deactivated), for discovery's changeset. */
    async changeset(): Promise<Date> {
      const row = await db
        .selectFrom('categories')
        .select(sql<Date | null>`max(updated_at)`.as('at'))
        .executeTakeFirst();
      return row?.at ?? new Date(0);
    },
  };
}
