import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { type FastifyPluginAsyncZod, validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, badRequest, problemType } from '../../shared/errors.ts';
import { idParams, problems } from '../../shared/http.ts';
import { principalOf, userOf } from '../auth/auth-plugin.ts';
import { staffRoles } from '../auth/principal.ts';
import { fileSchema, maxFileBytes, uploadBody } from './file-schemas.ts';
import { type FileService, fileTooLarge, tooManyFiles, type Upload } from './file-service.ts';

/** A stored file's headers: a download, never a page — whatever the bytes, no browser runs them. */
export function downloadHeaders(file: { name: string; mediaType: string; size: number }) {
  const ascii =
    file.name
      .normalize('NFKD')
      .replace(/[^\x20-\x7e]/g, '')
      .replace(/["\\%]/g, '_') || 'tep';
  return {
    'content-type': file.mediaType,
    'content-length': String(file.size),
    'content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.name)}`,
    'x-content-type-options': 'nosniff',
    // No shared cache keeps it; no cache at all (as every authenticated response of the API).
    'cache-control': 'private, no-store',
    'content-security-policy': "default-src 'none'; sandbox",
  };
}

/**
 * The parts of a multipart upload as problems the API names: too large → 413, more files or fields
 * than allowed → 400, a body that is not multipart at all → 415, a broken one → 400.
 */
export function multipartProblem(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const code = (err as { code?: string }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return fileTooLarge();
  if (code === 'FST_FILES_LIMIT') return tooManyFiles();
  if (code === 'FST_FIELDS_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_PROTO_VIOLATION')
    return badRequest('Biểu mẫu gửi lên có quá nhiều trường. Too many form fields.');
  if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') return notMultipart();
  return badRequest('Dữ liệu multipart/form-data không hợp lệ. Malformed multipart body.');
}

const notMultipart = () =>
  new AppError(
    415,
    problemType('unsupported-media-type'),
    'Kiểu nội dung không được hỗ trợ',
    'Hãy gửi tệp dưới dạng multipart/form-data. Send the file as multipart/form-data.',
  );

/** The one file of an upload request, read into memory (at most 10 MB: busboy stops it there). */
async function oneFile(req: FastifyRequest): Promise<Upload> {
  if (!req.isMultipart()) throw notMultipart();
  let upload: Upload | null = null;
  try {
    for await (const part of req.parts()) {
      if (part.type !== 'file') continue;
      if (upload) throw tooManyFiles();
      upload = { name: part.filename ?? '', bytes: await part.toBuffer() };
    }
  } catch (err) {
    throw multipartProblem(err);
  }
  if (!upload) throw badRequest('Cần gửi một tệp (trường "file"). No file was sent.');
  return upload;
}

export const fileRoutes: FastifyPluginAsyncZod<{ files: FileService }> = async (app, { files }) => {
  // Multipart here only (this plugin's routes): one file of at most 10 MB, a few small fields.
  await app.register(multipart, {
    limits: { fileSize: maxFileBytes, files: 1, fields: 5, fieldSize: 1024, parts: 8, headerPairs: 50 },
  });
  const tags = ['files'];

  app.post(
    '/api/v1/files',
    {
      config: { access: { roles: staffRoles } },
      schema: {
        operationId: 'uploadFile',
        summary: 'Upload an attachment (a signed reply): one PDF, JPEG, PNG or WebP of at most 10 MB',
        description:
          '`multipart/form-data` with one file part. Its type is decided by its bytes, never by the name or the part’s Content-Type: anything else is 415. ' +
          'The returned `url` is usable in `attachments` of POST /api/v1/cases/{id}/respond (by the uploader, for a case of their ward); the file is served to the uploader and to whoever may see a case that refers to it.',
        tags,
        consumes: ['multipart/form-data'],
        body: uploadBody,
        response: { 201: fileSchema, ...problems(400, 401, 403, 413, 415) },
      },
      // The body is the parts' stream, read (and refused when it will not do) by the handler: the
      // schema above documents it; only the other parts of the request go through zod.
      validatorCompiler: (route) =>
        route.httpPart === 'body' ? () => ({ value: undefined }) : validatorCompiler(route as never),
    },
    async (req, reply) => {
      const view = await files.upload(userOf(req), await oneFile(req));
      return reply.code(201).header('location', view.url).send(view);
    },
  );

  app.get(
    '/api/v1/files/:id',
    {
      config: { access: { roles: staffRoles, apiClient: true } },
      schema: {
        operationId: 'getFile',
        summary:
          'Download an attachment (to its uploader, to staff who may see a case that refers to it, to the app that filed a case whose answer carries it)',
        description:
          'Always a download (`Content-Disposition: attachment`) with the type its bytes were found to be; another user’s file that no case the caller may see refers to is 404.',
        tags,
        params: idParams,
        response: {
          200: z.string().meta({ format: 'binary', description: 'The file as uploaded' }),
          ...problems(400, 401, 403, 404),
        },
      },
    },
    async (req, reply) => {
      const { file, bytes } = await files.open(principalOf(req), req.params.id);
      return reply.headers(downloadHeaders(file)).send(bytes as never);
    },
  );
};
