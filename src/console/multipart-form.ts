import type { FastifyRequest } from 'fastify';
import { multipartProblem } from '../modules/files/file-routes.ts';
import type { Upload } from '../modules/files/file-service.ts';
import { AppError, problemType } from '../shared/errors.ts';
import type { ConsoleSession } from './session.ts';
import { sameToken } from './session.ts';

/** The anti-forgery refusal of a multipart form (the console's error handler shows the 403 page). */
export const csrfRefusedType = problemType('csrf');
const csrfRefused = () => new AppError(403, csrfRefusedType, 'Yêu cầu bị từ chối', 'csrf');

export type ConsoleForm = {
  fields: Record<string, string>;
  files: Upload[];
  /** What went wrong with the files (too many, too large, a broken body): said beside the field. */
  fileProblem: AppError | null;
};

/**
 * A console form sent as multipart/form-data (console.md: a file with the answer). The anti-forgery
 * token is checked before any file is read: it must come in the htmx header (the plugin checked it)
 * or as the `_csrf` field BEFORE the first file part — a browser sends a form's fields in document
 * order, and the hidden `_csrf` is the form's first control. A file before a valid token, or no valid
 * token at all, is a 403 and nothing is read further, so nothing is ever stored for a forged form.
 * The files are read into memory (each at most the route's limit: 10 MB) for the caller to check all
 * of them before storing any. Empty file inputs (no file chosen) are skipped.
 */
export async function readConsoleForm(req: FastifyRequest, session: ConsoleSession): Promise<ConsoleForm> {
  const header = req.headers['x-csrf-token'];
  let trusted = typeof header === 'string' && sameToken(header, session.csrf);
  const fields: Record<string, string> = {};
  const files: Upload[] = [];
  try {
    for await (const part of req.parts()) {
      if (part.type === 'field') {
        if (part.fieldname === '_csrf')
          trusted ||= typeof part.value === 'string' && sameToken(part.value, session.csrf);
        else if (typeof part.value === 'string') fields[part.fieldname] ??= part.value;
        continue;
      }
      if (!trusted) throw csrfRefused();
      const bytes = await part.toBuffer();
      if (bytes.length === 0 && !part.filename) continue;
      files.push({ name: part.filename ?? '', bytes });
    }
  } catch (err) {
    if (err instanceof AppError && err.type === csrfRefusedType) throw err;
    if (!trusted) throw csrfRefused();
    return { fields, files: [], fileProblem: multipartProblem(err) };
  }
  if (!trusted) throw csrfRefused();
  return { fields, files, fileProblem: null };
}
