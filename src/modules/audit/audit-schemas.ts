import { z } from 'zod';
import { idSchema, isoDateTime, listQuery, storableString } from '../../shared/http.ts';
import { auditObjectTypes } from './audit-entry.ts';

const objectTypeSchema = z.enum(auditObjectTypes).meta({ id: 'AuditObjectType' });

export const auditQuery = listQuery.extend({
  objectType: objectTypeSchema.optional(),
  objectId: storableString()
    .min(1)
    .max(100)
    .optional()
    .meta({ description: 'The object’s id (a calendar year: `<wardId>/<year>`, or `<year>` city-wide)' }),
  actorId: idSchema.optional().meta({ description: 'The user who made the changes' }),
  from: isoDateTime.optional().meta({ description: 'Entries at or after this instant' }),
  to: isoDateTime.optional().meta({ description: 'Entries at or before this instant (not before `from`)' }),
});
export type AuditQuery = z.output<typeof auditQuery>;

const stateSchema = z
  .record(z.string(), z.unknown())
  .nullable()
  .meta({ description: 'The object as the API shows it (never a secret); null before a creation' });

export const auditEntrySchema = z
  .object({
    id: z.string(),
    at: z.iso.datetime(),
    actor: z.object({
      id: z.string().nullable().meta({ description: 'null for a change the system made (the seed)' }),
      username: z.string(),
    }),
    address: z.string().nullable().meta({ description: 'The request’s address as the API saw it' }),
    action: z
      .string()
      .meta({ description: '`<objectType>.<verb>`, e.g. `ward.update`, `api_client.rotate`' }),
    objectType: objectTypeSchema,
    objectId: z.string(),
    wardId: z.string().nullable().meta({ description: 'The ward the object belongs to; null city-wide' }),
    before: stateSchema,
    after: stateSchema,
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntryView = z.infer<typeof auditEntrySchema>;
