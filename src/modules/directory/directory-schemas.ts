import { z } from 'zod';
import { channels, clocks, roles } from '../../db/types.ts';
import { idSchema, text } from '../../shared/http.ts';
import { mixesDaysAndTime } from '../sla/duration.ts';
import { durationSchema } from '../sla/duration-schema.ts';
import { publications } from './publication.ts';

const roleSchema = z.enum(roles);
export const channelSchema = z.enum(channels);
const clockSchema = z.enum(clocks);

export const wardCode = z
  .string()
  .trim()
  .transform((s) => s.toUpperCase())
  .pipe(z.string().regex(/^[A-Z0-9_]{2,20}$/, 'Mã phường/xã gồm 2–20 chữ cái không dấu, chữ số hoặc _'));
const unitCode = z
  .string()
  .trim()
  .regex(/^[a-z0-9_]{2,50}$/, 'Mã gồm 2–50 chữ thường không dấu, chữ số hoặc _');

const slaPolicySchema = z
  .object({ duration: durationSchema, clock: clockSchema })
  .refine((p) => p.clock !== 'working' || !mixesDaysAndTime(p.duration), {
    message: 'Đồng hồ giờ hành chính không nhận thời hạn trộn ngày và giờ (ví dụ P1DT2H)',
    path: ['duration'],
  })
  .refine((p) => !p.duration.startsWith('-'), { message: 'Thời hạn không được âm', path: ['duration'] })
  .meta({ id: 'SlaPolicy' });

export const wardBody = z.object({ code: wardCode, name: text(200) });
export const wardSchema = z
  .object({ id: z.string(), code: z.string(), name: z.string() })
  .meta({ id: 'Ward' });

export const departmentBody = z.object({ wardId: idSchema, code: unitCode, name: text(200) });
export const departmentSchema = z
  .object({ id: z.string(), wardId: z.string(), code: z.string(), name: z.string() })
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
export const categoryPatchBody = z
  .object({ publication: publicationSchema })
  .meta({ description: 'What may be changed of a category (more fields come with the directory lifecycle)' });
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
export const userPatchBody = z
  .object({
    fullName: text(200).optional(),
    email: emailSchema.nullable().optional().meta({ description: 'null removes the address' }),
  })
  .refine(
    (b) => b.fullName !== undefined || b.email !== undefined,
    'Cần ít nhất một trường: fullName, email',
  );
export const userSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    fullName: z.string(),
    role: roleSchema,
    wardId: z.string().nullable(),
    departmentId: z.string().nullable(),
    email: z.string().nullable(),
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
  })
  .meta({ id: 'ApiClient' });
export const apiClientCreatedSchema = z
  .object({ id: z.string(), name: z.string(), channel: channelSchema, apiKey: z.string() })
  .meta({ id: 'ApiClientCreated' });
