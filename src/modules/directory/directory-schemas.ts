import { z } from 'zod';
import { channels, clocks, roles } from '../../db/types.ts';
import { idSchema, text } from '../../shared/http.ts';
import { mixesDaysAndTime } from '../sla/duration.ts';
import { durationSchema } from '../sla/duration-schema.ts';
import { publications } from './publication.ts';

const roleSchema = z.enum(roles);
export const channelSchema = z.enum(channels);
const clockSchema = z.enum(clocks);

/**
 * A directory code: ASCII letters, digits and _, accepted in any letter case and stored in one
 * canonical case (api.md: codes are matched without regard to letter case). The alphabet is checked
 * before the case is folded, so no other script's letter (the Kelvin sign, a dotless ı) folds into one.
 */
export const codeSchema = (canonical: 'upper' | 'lower', max: number, message: string) =>
  z
    .string()
    .trim()
    .regex(new RegExp(`^[A-Za-z0-9_]{2,${max}}$`), message)
    .transform((s) => (canonical === 'upper' ? s.toUpperCase() : s.toLowerCase()))
    .meta({
      description: `Any letter case is accepted; stored and returned in ${canonical === 'upper' ? 'upper' : 'lower'} case`,
    });

/** Ward codes: upper case (they begin every case code of the ward). */
export const wardCode = codeSchema('upper', 20, 'Mã phường/xã gồm 2–20 chữ cái không dấu, chữ số hoặc _');
/** Department and category codes: lower case. */
export const unitCode = codeSchema('lower', 50, 'Mã gồm 2–50 chữ cái không dấu, chữ số hoặc _');

const slaPolicySchema = z
  .object({ duration: durationSchema, clock: clockSchema })
  .refine((p) => p.clock !== 'working' || !mixesDaysAndTime(p.duration), {
    message: 'Đồng hồ giờ hành chính không nhận thời hạn trộn ngày và giờ (ví dụ P1DT2H)',
    path: ['duration'],
  })
  .refine((p) => !p.duration.startsWith('-'), { message: 'Thời hạn không được âm', path: ['duration'] })
  .meta({ id: 'SlaPolicy' });

/** Every directory object is deactivated, never deleted, and versioned (ETag / If-Match). */
const lifecycle = {
  active: z.boolean().meta({ description: 'false: deactivated (kept, since cases refer to it)' }),
  version: z.number().int().meta({ description: 'Bumped by every change; sent as the ETag' }),
};

export const wardBody = z.object({ code: wardCode, name: text(200) });
const officerAnswersNeedApproval = z.boolean().meta({
  description:
    "Whether a department officer's answer waits for the department head's approval (an answer proposal); false: officers answer like heads. Default true",
});
export const wardSchema = z
  .object({ id: z.string(), code: z.string(), name: z.string(), officerAnswersNeedApproval, ...lifecycle })
  .meta({ id: 'Ward' });

export const departmentBody = z.object({ wardId: idSchema, code: unitCode, name: text(200) });
export const departmentSchema = z
  .object({ id: z.string(), wardId: z.string(), code: z.string(), name: z.string(), ...lifecycle })
  .meta({ id: 'Department' });
export const departmentQuery = z.object({ wardId: idSchema.optional() });

const publicationSchema = z.enum(publications).meta({
  description:
    '`public`: description, published answer and location may be shown without sign-in; `status_only`: status, dates, category and department only',
});

export const categoryBody = z.object({
  code: unitCode,
  name: text(200),
  defaultDepartmentCode: unitCode.optional(),
  sla: z.object({ normal: slaPolicySchema, urgent: slaPolicySchema }),
  description: text(1000).optional(),
  keywords: z
    .array(text(50).refine((k) => !k.includes(','), 'Từ khoá không chứa dấu phẩy'))
    .max(20)
    .default([]),
  group: text(100)
    .optional()
    .meta({ description: 'A group that clusters categories, e.g. "Hạ tầng đô thị"' }),
  publication: publicationSchema.optional().meta({
    description:
      'What anyone may read of its cases without signing in. Absent: `status_only` when the code or name speaks of security, public order, the police, complaints or denunciations, `public` otherwise',
  }),
});
/** A partial update must name at least one field. */
const someOf = <T extends z.ZodObject>(body: T) =>
  body.refine(
    (b) => Object.values(b).some((v) => v !== undefined),
    `Cần ít nhất một trường: ${Object.keys(body.shape).join(', ')}`,
  );

export const categoryPatchBody = someOf(
  z.object({
    name: text(200).optional(),
    defaultDepartmentCode: unitCode
      .nullable()
      .optional()
      .meta({ description: 'null: no default department (the ward office dispatches each case)' }),
    sla: z
      .object({ normal: slaPolicySchema.optional(), urgent: slaPolicySchema.optional() })
      .optional()
      .meta({
        description:
          'New deadlines only: cases already running keep the deadline they were given; cases dispatched, reopened or re-assigned from now on get the new one',
      }),
    description: text(1000).nullable().optional(),
    keywords: categoryBody.shape.keywords.unwrap().optional(),
    group: text(100).nullable().optional(),
    publication: publicationSchema.optional(),
  }),
).meta({ description: 'The fields to change; the code stays (clients and Open311 services refer to it)' });
export const categorySchema = z
  .object({
    id: z.string(),
    code: z.string(),
    name: z.string(),
    defaultDepartmentCode: z.string().nullable(),
    sla: z.object({
      normal: z.object({ duration: z.string(), clock: clockSchema }),
      urgent: z.object({ duration: z.string(), clock: clockSchema }),
    }),
    description: z.string().nullable(),
    keywords: z.array(z.string()),
    group: z.string().nullable(),
    publication: publicationSchema,
    ...lifecycle,
  })
  .meta({ id: 'Category' });

const emailSchema = z
  .email('Địa chỉ thư điện tử không hợp lệ')
  .max(254)
  .meta({ description: "Where the chairman's digest is e-mailed (chairmen); other roles may have one too" });

export const userBody = z.object({
  username: z
    .string()
    .trim()
    .transform((s) => s.toLowerCase())
    .pipe(z.string().regex(/^[a-z0-9._-]{3,64}$/, 'Tên đăng nhập gồm 3–64 chữ không dấu, chữ số, . _ -')),
  password: z.string().min(10, 'Mật khẩu tối thiểu 10 ký tự').max(200),
  fullName: text(200),
  role: roleSchema,
  wardId: idSchema.optional(),
  departmentId: idSchema.optional(),
  email: emailSchema.optional(),
});
export const userPatchBody = someOf(
  z.object({
    fullName: text(200).optional(),
    email: emailSchema.nullable().optional().meta({ description: 'null removes the address' }),
    role: roleSchema.optional(),
    wardId: idSchema.nullable().optional(),
    departmentId: idSchema.nullable().optional(),
  }),
).meta({
  description:
    "Admins change anything here; a change of role, ward or department ends the user's sessions (their tokens stop working). The role binding holds as at creation: admin without ward, intake and chairman with a ward, department roles with a department (its ward implied).",
});
export const userSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    fullName: z.string(),
    role: roleSchema,
    wardId: z.string().nullable(),
    departmentId: z.string().nullable(),
    email: z.string().nullable(),
    ...lifecycle,
  })
  .meta({ id: 'User' });

export const apiClientBody = z.object({ name: text(200), channel: channelSchema });
export const apiClientSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    channel: channelSchema,
    keyPrefix: z.string(),
    createdAt: z.iso.datetime(),
    ...lifecycle,
  })
  .meta({ id: 'ApiClient' });
export const apiClientCreatedSchema = z
  .object({ id: z.string(), name: z.string(), channel: channelSchema, apiKey: z.string() })
  .meta({ id: 'ApiClientCreated' });

export const activeQuery = z.object({
  active: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .meta({ description: 'Only active (true) or only deactivated (false) ones' }),
});

export const wardPatchBody = someOf(
  z.object({ name: text(200).optional(), officerAnswersNeedApproval: officerAnswersNeedApproval.optional() }),
).meta({
  description: 'The code stays: every case code of the ward begins with it',
});
export const departmentPatchBody = someOf(z.object({ name: text(200).optional() })).meta({
  description: 'The code stays: categories name their default department by it',
});

export const userListQuery = z.object({
  wardId: idSchema.optional(),
  departmentId: idSchema.optional(),
  role: roleSchema.optional(),
  ...activeQuery.shape,
});

const password = z.string().min(10, 'Mật khẩu tối thiểu 10 ký tự').max(200);
export const passwordResetBody = z.object({ newPassword: password });
export const ownPasswordBody = z.object({
  currentPassword: z.string().min(1).max(200),
  newPassword: password,
});

export const meSchema = userSchema
  .omit({ active: true, version: true })
  .extend({
    actions: z.array(z.string()).meta({
      description:
        'The operations (operationId) the role may call; within them, the ward or department scopes what it reaches',
    }),
  })
  .meta({ id: 'Me' });

export const apiClientPatchBody = someOf(z.object({ name: text(200).optional() }));
export const apiClientQuery = z.object({
  active: activeQuery.shape.active.meta({
    description: 'Absent: active clients only (as before); false: the deactivated ones',
  }),
});
export const rotateBody = z
  .object({
    graceSeconds: z.number().int().min(0).max(86_400).default(0).meta({
      description: 'How long the old key keeps working (0: it stops at once; at most a day)',
    }),
  })
  .nullish();
export const rotatedKeySchema = z
  .object({
    id: z.string(),
    apiKey: z.string().meta({ description: 'Shown only now' }),
    keyPrefix: z.string(),
    previousKeyExpiresAt: z.iso
      .datetime()
      .meta({ description: 'When the old key stops (now, with no grace)' }),
  })
  .meta({ id: 'ApiKeyRotated' });
