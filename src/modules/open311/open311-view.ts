import type { z } from 'zod';
import type { CaseStatus, Urgency } from '../../db/types.ts';
import { scrubPersonalData } from '../cases/personal-data.ts';
import { publicationOf, publishedAnswer } from '../cases/public-view.ts';
import { type RejectReason, rejectReasonLabels, statusLabels } from '../cases/status-labels.ts';
import type { Publication } from '../directory/publication.ts';
import type { serviceDefinitionSchema, serviceRequestSchema, serviceSchema } from './open311-schemas.ts';

export type Open311Service = z.infer<typeof serviceSchema>;
export type Open311Request = z.infer<typeof serviceRequestSchema>;
type ServiceDefinition = z.infer<typeof serviceDefinitionSchema>;

type CategoryRow = {
  code: string;
  name: string;
  description: string | null;
  keywords: string[];
  group_name: string | null;
};

/** A category as a GeoReport service: realtime (a POST creates the case at once), with attributes. */
export const toService = (c: CategoryRow): Open311Service => ({
  service_code: c.code,
  service_name: c.name,
  description: c.description,
  metadata: true,
  type: 'realtime',
  keywords: c.keywords.length > 0 ? c.keywords.join(',') : null,
  group: c.group_name,
});

const urgencyNames: Record<Urgency, string> = { normal: 'Bình thường', urgent: 'Khẩn cấp' };

/**
 * The attributes every service takes, each mapped onto the case: a title, the urgency (which picks
 * the category's SLA), the residential group (tổ dân phố) and whether the reporter asks for
 * confidentiality (departments then see the case without name and phone).
 */
export const serviceAttributes: ServiceDefinition['attributes'] = [
  {
    variable: true,
    code: 'title',
    datatype: 'string',
    required: false,
    datatype_description: 'Tối đa 200 ký tự',
    order: 1,
    description: 'Tiêu đề ngắn của phản ánh',
  },
  {
    variable: true,
    code: 'urgency',
    datatype: 'singlevaluelist',
    required: false,
    datatype_description: null,
    order: 2,
    description: 'Mức độ khẩn cấp (mặc định: bình thường)',
    values: (Object.keys(urgencyNames) as Urgency[]).map((key) => ({ key, name: urgencyNames[key] })),
  },
  {
    variable: true,
    code: 'residential_group',
    datatype: 'string',
    required: false,
    datatype_description: 'Ví dụ: Tổ 5',
    order: 3,
    description: 'Tổ dân phố nơi xảy ra sự việc',
  },
  {
    variable: true,
    code: 'confidential',
    datatype: 'singlevaluelist',
    required: false,
    datatype_description: null,
    order: 4,
    description: 'Đề nghị giữ bí mật thông tin người phản ánh',
    values: [
      { key: 'false', name: 'Không' },
      { key: 'true', name: 'Có' },
    ],
  },
];

type ParsedAttributes = {
  title?: string;
  urgency: Urgency;
  residentialGroup?: string;
  confidential: boolean;
};

/** The attributes of a POST, checked against the definition; problems name the attribute. */
export function parseAttributes(
  attribute: Record<string, string>,
): { ok: true; value: ParsedAttributes } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const value: ParsedAttributes = { urgency: 'normal', confidential: false };
  for (const [code, raw] of Object.entries(attribute)) {
    const v = raw.normalize('NFC').trim();
    const def = serviceAttributes.find((a) => a.code === code);
    if (!def) {
      problems.push(`attribute[${code}]: không có thuộc tính này`);
      continue;
    }
    if (def.values && !def.values.some((x) => x.key === v)) {
      problems.push(`attribute[${code}]: chỉ nhận ${def.values.map((x) => x.key).join(', ')}`);
      continue;
    }
    if (v === '') continue;
    if (code === 'title') {
      if ([...v].length > 200) problems.push('attribute[title]: tối đa 200 ký tự');
      else value.title = v;
    } else if (code === 'residential_group') {
      if ([...v].length > 100) problems.push('attribute[residential_group]: tối đa 100 ký tự');
      else value.residentialGroup = v;
    } else if (code === 'urgency') value.urgency = v as Urgency;
    else if (code === 'confidential') value.confidential = v === 'true';
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value };
}

export type RequestRow = {
  code: string;
  status: CaseStatus;
  category_code: string | null;
  category_name: string | null;
  department_name: string | null;
  description: string;
  reporter_name: string | null;
  reporter_confidential: boolean;
  location_address: string | null;
  location_lat: number | null;
  location_lng: number | null;
  attachments: { url: string }[];
  answer_text: string | null;
  answered_at: Date | null;
  answer_published: boolean | null;
  public_answer: string | null;
  category_publication: Publication | null;
  reject_reason: string | null;
  duplicate_of_code: string | null;
  received_at: Date;
  updated_at: Date;
  closed_at: Date | null;
  due_at: Date | null;
};

/** Closed once finished or refused; open while the ward or a department still has it. */
export const open311Status = (s: CaseStatus): 'open' | 'closed' =>
  s === 'closed' || s === 'rejected' ? 'closed' : 'open';

/** The latest note anyone may read: the reason of a refusal, the published answer, or the status. */
export function statusNotes(r: RequestRow): string {
  if (r.status === 'rejected') {
    const reason = rejectReasonLabels[r.reject_reason as RejectReason] ?? 'không đủ điều kiện tiếp nhận';
    const original = r.duplicate_of_code ? `; phản ánh gốc: ${r.duplicate_of_code}` : '';
    return `${statusLabels.rejected}: ${reason}${original}.`;
  }
  return publishedAnswer(r)?.text ?? statusLabels[r.status];
}

/** GeoReport's description is at most 4,000 characters. */
const clip = (s: string) => ([...s].length > 4000 ? `${[...s].slice(0, 3999).join('')}…` : s);

/**
 * A case as anyone may read it through Open311: no name, phone or e-mail of the reporter. A `public`
 * case shows its description (the reporter's name and every phone number hidden), where it is, and
 * the answer the ward office published; a `status_only` one (its category's choice, or a confidential
 * reporter's) only its status, service, dates and agency — nothing of what or where.
 */
export function toServiceRequest(r: RequestRow): Open311Request {
  const hideWhere = publicationOf(r) === 'status_only';
  return {
    service_request_id: r.code,
    status: open311Status(r.status),
    status_notes: statusNotes(r),
    service_name: r.category_name,
    service_code: r.category_code ?? '',
    description: hideWhere ? null : clip(scrubPersonalData(r.description, r.reporter_name)),
    agency_responsible: r.department_name,
    service_notice: null,
    requested_datetime: r.received_at.toISOString(),
    updated_datetime: (r.closed_at ?? r.updated_at).toISOString(),
    expected_datetime: r.due_at && r.status !== 'rejected' ? r.due_at.toISOString() : null,
    address: hideWhere ? null : r.location_address,
    address_id: null,
    zipcode: null,
    lat: hideWhere ? null : r.location_lat,
    long: hideWhere ? null : r.location_lng,
    media_url: hideWhere ? null : (r.attachments[0]?.url ?? null),
  };
}
