import { z } from 'zod';
import { idSchema, listQuery, text } from '../../shared/http.ts';
import { activeQuery, unitCode } from '../directory/directory-schemas.ts';

/** The longest answer a case takes (the respond action's own limit): a template is one. */
export const templateBodyMax = 10_000;

const title = text(200).meta({ description: 'What the template is for, as staff pick it from a list' });
const body = text(templateBodyMax).meta({
  description:
    'The answer text (NFC). Placeholders replaced when staff insert it into a case\'s answer in the console: `{{ma_phan_anh}}` the case code, `{{ngay_tiep_nhan}}` the day it was received (dd/MM/yyyy), `{{ten_nguoi_phan_anh}}` the reporter\'s name where the role may see it and the reporter did not ask for confidentiality ("ông/bà" otherwise)',
});
const categoryCode = unitCode
  .nullable()
  .meta({ description: 'The category it answers; null: any category of the department' });

export const answerTemplateBody = z.object({
  categoryCode: categoryCode.optional(),
  title,
  body,
});

export const answerTemplatePatchBody = z
  .object({ categoryCode: categoryCode.optional(), title: title.optional(), body: body.optional() })
  .refine((b) => b.categoryCode !== undefined || b.title !== undefined || b.body !== undefined, {
    message: 'Cần ít nhất một trường để thay đổi (categoryCode, title, body)',
  });

export const answerTemplateQuery = listQuery.extend({
  categoryCode: unitCode.optional().meta({
    description: 'Only those for this category and those for any category (the ones a case of it may use)',
  }),
  departmentId: idSchema.optional().meta({
    description:
      "The department (the ward office and the chairman: one of their ward's; department staff: their own, the default)",
  }),
  ...activeQuery.shape,
});

export const answerTemplateSchema = z
  .object({
    id: z.string(),
    wardId: z.string(),
    departmentId: z.string(),
    categoryCode: z.string().nullable(),
    title: z.string(),
    body: z.string(),
    active: z.boolean().meta({ description: 'false: deactivated (kept, no longer offered)' }),
    version: z.number().int().meta({ description: 'Bumped by every change; sent as the ETag' }),
    updatedAt: z.iso.datetime(),
    updatedBy: z.object({ id: z.string(), name: z.string() }).nullable(),
  })
  .meta({ id: 'AnswerTemplate' });
export type AnswerTemplateView = z.infer<typeof answerTemplateSchema>;
