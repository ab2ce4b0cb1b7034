import { z } from 'zod';
import { answerProposalStatuses, caseStatuses } from '../../db/types.ts';
import { idSchema, isoDateTime, isStorable, listQuery, storableString, text } from '../../shared/http.ts';
import { channelSchema, codeSchema, wardCode } from '../directory/directory-schemas.ts';

const statusSchema = z.enum(caseStatuses);
const urgencySchema = z.enum(['normal', 'urgent']);

/** A Vietnamese phone number: 0 or +84, then nine digits. */
export const phoneSchema = z
  .string()
  .trim()
  .regex(/^(0|\+84)\d{9}$/, 'Số điện thoại phải bắt đầu bằng 0 hoặc +84, tiếp theo là 9 chữ số');

const optionalText = (max: number) => text(max).optional();

/** A reporter's e-mail address, stored as given. */
export const reporterEmailSchema = z.email('Địa chỉ thư điện tử không hợp lệ').max(254);

/** A category code in any letter case, as stored (lower case). */
export const categoryCode = codeSchema('lower', 50, 'Mã lĩnh vực không hợp lệ');

const attachmentSchema = z.object({
  url: z
    .url({ protocol: /^https?$/, error: 'Đường dẫn tệp phải là URL http(s)' })
    .max(2000)
    .refine(isStorable, 'Đường dẫn chứa ký tự không hợp lệ'),
  mediaType: z
    .string()
    .regex(/^[a-z]+\/[a-z0-9.+-]+$/i, 'Kiểu tệp dạng type/subtype, ví dụ image/jpeg')
    .max(100)
    .optional(),
  name: optionalText(255),
});

export const createCaseBody = z.object({
  wardCode,
  channel: channelSchema,
  externalId: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .regex(/^[\x21-\x7e]+$/, 'externalId gồm ký tự ASCII in được, không có khoảng trắng')
    .optional(),
  categoryCode: categoryCode.optional(),
  urgency: urgencySchema.default('normal'),
  title: optionalText(200),
  description: text(5000),
  reporter: z.object({
    name: optionalText(200),
    phone: phoneSchema,
    email: reporterEmailSchema
      .optional()
      .meta({ description: 'Where the ward office may also write to the reporter' }),
    confidential: z.boolean().default(false),
  }),
  location: z
    .object({
      address: optionalText(500),
      residentialGroup: optionalText(100),
      lat: z.number().min(-90).max(90).optional(),
      lng: z.number().min(-180).max(180).optional(),
    })
    .refine((l) => (l.lat === undefined) === (l.lng === undefined), {
      message: 'lat và lng phải đi cùng nhau',
      path: ['lat'],
    })
    .optional(),
  attachments: z.array(attachmentSchema).max(20).default([]),
});
/**
 * What intake takes: the body above, or a report from Open311, which may reach its reporter by e-mail
 * only (its `phone` is optional when `email` is given); one of the two is always there.
 */
export type CreateCaseInput = Omit<z.output<typeof createCaseBody>, 'reporter'> & {
  reporter: Omit<z.output<typeof createCaseBody>['reporter'], 'phone'> &
    ({ phone: string; email?: string } | { phone?: string; email: string });
};

/** An extension request on a case (a sub-resource of the case, like its events); decided in the workflow. */
export const extensionSchema = z
  .object({
    id: z.string(),
    caseId: z.string(),
    status: z.enum(['pending', 'approved', 'refused']),
    extendBy: z.string(),
    reason: z.string(),
    createdAt: z.iso.datetime(),
    decidedAt: z.iso.datetime().nullable(),
    decisionNote: z.string().nullable(),
  })
  .meta({ id: 'ExtensionRequest' });

const attachmentView = z.object({
  url: z.string(),
  mediaType: z.string().optional(),
  name: z.string().optional(),
});
const person = z.object({ id: z.string(), name: z.string() });

/** An officer's answer proposal (issue 16 §4): a draft answer waiting for the department head. */
export const answerProposalSchema = z
  .object({
    id: z.string(),
    caseId: z.string(),
    status: z.enum(answerProposalStatuses).meta({
      description:
        '`proposed` waits for the head; `approved` became the answer; `sent_back` went back to the officer (see `note`); `superseded` no longer applies (the case was answered, returned, transferred or rejected before a decision)',
    }),
    answer: z.string(),
    attachments: z.array(attachmentView),
    proposedBy: person,
    proposedAt: z.iso.datetime(),
    note: z.string().nullable().meta({ description: "The head's note when sending it back" }),
    decidedBy: person.nullable(),
    decidedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'AnswerProposal' });

export const caseSchema = z
  .object({
    id: z.string(),
    code: z.string(),
    wardId: z.string(),
    channel: channelSchema,
    externalId: z.string().nullable(),
    status: statusSchema,
    statusLabel: z.string(),
    urgency: urgencySchema,
    categoryCode: z.string().nullable(),
    departmentId: z.string().nullable(),
    title: z.string().nullable(),
    description: z.string(),
    reporter: z
      .object({
        name: z.string().nullable(),
        phone: z
          .string()
          .nullable()
          .meta({ description: 'null when the reporter left an e-mail address only' }),
        email: z.string().nullable(),
        confidential: z.boolean(),
      })
      .nullable(),
    location: z
      .object({
        address: z.string().nullable(),
        residentialGroup: z.string().nullable(),
        lat: z.number().nullable(),
        lng: z.number().nullable(),
      })
      .nullable(),
    attachments: z.array(
      z.object({ url: z.string(), mediaType: z.string().optional(), name: z.string().optional() }),
    ),
    receivedAt: z.iso.datetime(),
    acceptDueAt: z.iso.datetime().nullable(),
    assignedAt: z.iso.datetime().nullable(),
    dueAt: z.iso.datetime().nullable(),
    answeredAt: z.iso.datetime().nullable(),
    closedAt: z.iso.datetime().nullable(),
    overdue: z.boolean(),
    answer: z
      .object({
        text: z.string(),
        at: z.iso.datetime(),
        attachments: z.array(attachmentView).meta({
          description:
            'What came with the answer (the signed reply): external addresses, or pakn files (`/api/v1/files/{id}`) served to staff who may see the case',
        }),
      })
      .nullable(),
    publication: z.enum(['public', 'status_only']).meta({
      description:
        "What the public may read of it: the category's publication, and `status_only` for a confidential reporter whatever the category",
    }),
    answerPublished: z.boolean().nullable().meta({
      description:
        'Whether the ward office published the answer when closing the case; null until it decided (the default then: published for a `public` case)',
    }),
    publicAnswer: z.string().nullable().meta({
      description:
        "The answer exactly as the public reads it (the ward office's edited text or the answer as given, scrubbed of the reporter's name and phone numbers); null while nothing is published",
    }),
    rating: z.object({ score: z.number().int(), comment: z.string().nullable() }).nullable(),
    duplicateOf: z
      .string()
      .nullable()
      .meta({ description: 'The original case, when this one was refused as its duplicate' }),
    possibleDuplicates: z
      .array(
        z.object({
          id: z.string(),
          code: z.string(),
          distanceMeters: z.number().int(),
          similarity: z.number().meta({ description: 'How alike the texts are, 0-1 (pg_trgm)' }),
        }),
      )
      .meta({
        description:
          'Likely duplicates found at intake: of the 20 nearest cases of the same ward and category, received in the last DUPLICATE_WINDOW_DAYS, within DUPLICATE_RADIUS_METERS and not refused, up to five with similar text; most alike first',
      }),
    version: z.number().int(),
    pendingProposal: z
      .object({
        id: z.string(),
        answer: z.string(),
        attachments: z.array(attachmentView),
        proposedBy: person,
        proposedAt: z.iso.datetime(),
      })
      .optional()
      .meta({
        description:
          "GET /api/v1/cases/{id} for staff, while an officer's answer proposal waits for the department head (absent otherwise): the case is not answered until the head approves it",
      }),
  })
  .meta({ id: 'Case' });
export type CaseView = z.infer<typeof caseSchema>;

const csv = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v),
    z.array(item).min(1).max(10),
  );

const dayOrInstant = z.union([isoDateTime, z.iso.date()]);

export const listCasesQuery = listQuery.extend({
  status: csv(statusSchema).optional(),
  departmentId: idSchema.optional(),
  categoryCode: storableString()
    .max(50)
    .transform((s) => s.trim().toLowerCase())
    .optional()
    .meta({ description: 'A category code, in any letter case' }),
  channel: channelSchema.optional(),
  overdue: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  q: storableString()
    .trim()
    .max(200)
    .transform((s) => s.normalize('NFC'))
    .optional()
    .meta({
      description:
        'Accent-insensitive text search: every word (up to 8) must occur in the code, title, description or address (`den duong` finds "Đèn đường"). A whole case code (`NGOQUYEN-260824-0042`, any letter case) finds that case. For the ward office (`intake`), a whole phone number however written (`0912 345 678`, `+84912345678`) finds that reporter\'s cases instead.',
    }),
  receivedFrom: dayOrInstant.optional(),
  receivedTo: dayOrInstant.optional(),
});
export type ListCasesQuery = z.output<typeof listCasesQuery>;

/** GET /api/v1/public/cases/{code}: what a citizen holding the code may see (no personal data). */
export const publicCaseSchema = z
  .object({
    code: z.string(),
    status: statusSchema,
    statusLabel: z.string(),
    receivedAt: z.iso.datetime(),
    dueAt: z.iso
      .datetime()
      .nullable()
      .meta({ description: 'The answer deadline, once a department has the case' }),
    categoryName: z.string().nullable(),
    departmentName: z.string().nullable().meta({ description: 'The department handling it' }),
    answer: z.object({ text: z.string(), at: z.iso.datetime() }).nullable().meta({
      description:
        "Public view: the answer the ward office published when closing the case (never for a confidential reporter; by default only for a `public` category), with the reporter's name and any phone number replaced by ***. Reporter's view: the answer given to them, with other people's phone numbers hidden",
    }),
    duplicateOfCode: z
      .string()
      .nullable()
      .meta({ description: 'The code of the case this one duplicates, when it was refused as a duplicate' }),
    view: z.enum(['public', 'reporter']).meta({
      description: "`reporter` when the request carried the reporter's own token (`t`) from their messages",
    }),
    description: z.string().nullable().meta({
      description: "Reporter's view only: what they reported, with other people's phone numbers hidden",
    }),
  })
  .meta({ id: 'PublicCase' });

export const publicCaseQuery = z.object({
  t: z
    .string()
    .regex(/^[A-Za-z0-9_-]{22}$/, 'Mã theo dõi gồm 22 ký tự')
    .optional()
    .meta({ description: "The reporter's own token, from the link in their status messages" }),
});

export const caseCodeParams = z.object({
  code: z
    .string()
    .regex(/^[A-Za-z0-9_]{2,20}-\d{6}-\d{4,18}$/, 'Mã phản ánh có dạng PHUONG-yyMMdd-NNNN')
    .transform((c) => c.toUpperCase()),
});

export const eventSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    at: z.iso.datetime(),
    actor: z.object({
      type: z.enum(['user', 'api_client', 'system']),
      id: z.string().nullable(),
      name: z.string().nullable(),
    }),
    fromStatus: statusSchema.nullable(),
    toStatus: statusSchema.nullable(),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'CaseEvent' });
