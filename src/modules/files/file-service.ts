import { createHash } from 'node:crypto';
import type { Db } from '../../db/database.ts';
import { AppError, notFound, problemType } from '../../shared/errors.ts';
import type { Principal, UserPrincipal } from '../auth/principal.ts';
import type { CaseService } from '../cases/case-service.ts';
import { casesReferring, claimAttachments } from './file-links.ts';
import { type FileView, fileUrlOf, maxFileBytes } from './file-schemas.ts';
import { cleanFileName, type SniffedType, sniffMediaType } from './file-sniff.ts';
import type { FileStore, StoredFile } from './file-store.ts';

export const unsupportedFile = (name: string) =>
  new AppError(
    415,
    problemType('unsupported-media-type'),
    'Kiểu nội dung không được hỗ trợ',
    `Tệp "${name}" không phải PDF, JPEG, PNG hay WebP (xét theo nội dung tệp, không theo tên). Unsupported file type: send a PDF, JPEG, PNG or WebP.`,
  );

export const fileTooLarge = () =>
  new AppError(
    413,
    problemType('payload-too-large'),
    'Dữ liệu gửi lên quá lớn',
    'Mỗi tệp tối đa 10 MB. File too large: at most 10 MB.',
  );

export const emptyFile = (name: string) =>
  new AppError(400, problemType('empty-file'), 'Dữ liệu không hợp lệ', `Tệp "${name}" rỗng. Empty file.`);

export const tooManyFiles = () =>
  new AppError(
    400,
    problemType('too-many-files'),
    'Dữ liệu không hợp lệ',
    'Gửi quá nhiều tệp trong một yêu cầu. Too many files in one request.',
  );

/** An upload as received: the name the client gave and the bytes. */
export type Upload = { name: string; bytes: Buffer };
/** An upload found acceptable (its type sniffed, its name cleaned), not yet stored. */
export type CheckedUpload = Upload & { mediaType: SniffedType };

const toView = (f: StoredFile): FileView => ({
  id: f.id,
  url: fileUrlOf(f.id),
  mediaType: f.mediaType,
  name: f.name,
  size: f.size,
});

/**
 * Uploaded attachments (the signed reply): checked by their bytes, kept by a FileStore, served to the
 * uploader and to whoever may see a case that refers to them — the case scope decides, as for the
 * case itself (the cases service's own check), so there is no second authorisation path to keep true.
 */
export function createFileService(deps: {
  db: Db;
  store: FileStore;
  cases: Pick<CaseService, 'requireVisible' | 'get'>;
}) {
  const { db, store, cases } = deps;

  /** The upload's type by its bytes, its size, its cleaned name: 415, 413 or 400 when it will not do. */
  function check(upload: Upload): CheckedUpload {
    const raw = upload.name.normalize('NFC');
    if (upload.bytes.length > maxFileBytes) throw fileTooLarge();
    if (upload.bytes.length === 0) throw emptyFile(raw);
    const mediaType = sniffMediaType(upload.bytes);
    if (mediaType === null) throw unsupportedFile(raw);
    return { name: cleanFileName(raw, mediaType), bytes: upload.bytes, mediaType };
  }

  async function store1(caller: UserPrincipal, u: CheckedUpload): Promise<FileView> {
    const stored = await store.put({
      wardId: caller.wardId,
      uploadedBy: caller.userId,
      name: u.name,
      mediaType: u.mediaType,
      size: u.bytes.length,
      sha256: createHash('sha256').update(u.bytes).digest('hex'),
      bytes: u.bytes,
    });
    return toView(stored);
  }

  /**
   * Whether the caller may fetch the file: staff, when it is theirs or a case they may see refers to it;
   * a channel's app, when it is in the published answer of a case the app filed (the signed reply the
   * app shows the citizen) — never a draft answer waiting for the head.
   */
  async function mayRead(caller: Principal, file: StoredFile): Promise<boolean> {
    if (caller.kind === 'user' && file.uploadedBy === caller.userId) return true;
    for (const caseId of await casesReferring(db, file.id)) {
      try {
        if (caller.kind === 'user') {
          await cases.requireVisible(caller, caseId);
          return true;
        }
        const view = await cases.get(caller, caseId);
        if (view.answer?.attachments.some((a) => a.url === fileUrlOf(file.id))) return true;
      } catch (err) {
        if (!(err instanceof AppError && err.statusCode === 404)) throw err;
      }
    }
    return false;
  }

  return {
    check,

    /** `POST /api/v1/files`: one upload, checked then stored. */
    upload: (caller: UserPrincipal, upload: Upload) => store1(caller, check(upload)),

    /** Uploads already checked (all of them, before any is stored: the console's answer form). */
    storeChecked: (caller: UserPrincipal, uploads: readonly CheckedUpload[]) =>
      Promise.all(uploads.map((u) => store1(caller, u))),

    /** A file's description and bytes; 404 unless the caller may see it (someone else's is not there). */
    async open(caller: Principal, id: string): Promise<{ file: FileView; bytes: Buffer }> {
      const file = await store.describe(id);
      if (!file || !(await mayRead(caller, file))) throw notFound('Không tìm thấy tệp.');
      const bytes = await store.read(id);
      if (!bytes) throw notFound('Không tìm thấy tệp.');
      return { file: toView(file), bytes };
    },

    /** The files of `ids` the caller may fetch, by id (a case page's attachment list: name, type, size). */
    async visible(caller: UserPrincipal, ids: readonly string[]): Promise<Map<string, FileView>> {
      const out = new Map<string, FileView>();
      for (const id of new Set(ids)) {
        const file = await store.describe(id);
        if (file && (await mayRead(caller, file))) out.set(id, toView(file));
      }
      return out;
    },

    /** Forgets the caller's own uploads that no case refers to (an answer refused after its upload). */
    async discard(caller: UserPrincipal, ids: readonly string[]) {
      const mine: string[] = [];
      for (const id of ids) {
        const file = await store.describe(id);
        if (file?.uploadedBy === caller.userId && (await casesReferring(db, id)).length === 0) mine.push(id);
      }
      await store.remove(mine);
    },

    /** For the workflow: an answer's pakn files checked and linked to the case in its transaction. */
    claim: claimAttachments,
  };
}

export type FileService = ReturnType<typeof createFileService>;
