import { z } from 'zod';
import { acceptedTypes } from './file-sniff.ts';

/** The largest file accepted: 10 MB (api.md). */
export const maxFileBytes = 10 * 1024 * 1024;

/** A pakn file's address, as `url` in `attachments`: the API's own path, on whichever host serves it. */
export const fileUrlOf = (id: string) => `/api/v1/files/${id}`;

export const fileUrlPattern = /^\/api\/v1\/files\/([1-9]\d{0,17})$/;

/** The id of a pakn file URL; null for any other address (an external one). */
export const fileIdOf = (url: string): string | null => fileUrlPattern.exec(url)?.[1] ?? null;

export const fileSchema = z
  .object({
    id: z.string(),
    url: z.string().meta({ description: 'Where the file is served; usable as `url` in `attachments`' }),
    mediaType: z.enum(acceptedTypes as [string, ...string[]]).meta({
      description: 'What the bytes are (from their first bytes), whatever the upload claimed',
    }),
    name: z.string(),
    size: z.number().int(),
  })
  .meta({ id: 'File' });
export type FileView = z.infer<typeof fileSchema>;

/**
 * The upload, for the OpenAPI document: one part named `file` (its name travels as the part's
 * filename). The handler reads the parts from the stream; the route does not validate a body with it.
 */
export const uploadBody = z.object({
  file: z.string().meta({ format: 'binary', description: 'A PDF, JPEG, PNG or WebP of at most 10 MB' }),
});
