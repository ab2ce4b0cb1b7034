import type { Db } from '../../db/database.ts';
import type { SniffedType } from './file-sniff.ts';

/** A stored file's description (its bytes apart). */
export type StoredFile = {
  id: string;
  wardId: string | null;
  uploadedBy: string;
  name: string;
  mediaType: SniffedType;
  size: number;
  sha256: string;
  createdAt: Date;
};
export type NewFile = Omit<StoredFile, 'id' | 'createdAt'> & { bytes: Buffer };

/**
 * Where uploaded files live. Postgres today (every API replica reads the same rows; no shared disk);
 * another backend — an object store — can take its place behind the same three calls, the file
 * service and the case links (file-links.ts) staying as they are.
 */
export type FileStore = {
  put(file: NewFile): Promise<StoredFile>;
  /** A file's description, without reading its bytes; null when there is none. */
  describe(id: string): Promise<StoredFile | null>;
  /** A file's bytes; null when there is none. */
  read(id: string): Promise<Buffer | null>;
  /** Forgets files (an upload whose answer was then refused: nothing half-written stays). */
  remove(ids: readonly string[]): Promise<void>;
};

const described = [
  'id',
  'ward_id',
  'uploaded_by_user_id',
  'name',
  'media_type',
  'size',
  'sha256',
  'created_at',
] as const;

type Row = {
  id: string;
  ward_id: string | null;
  uploaded_by_user_id: string;
  name: string;
  media_type: string;
  size: number;
  sha256: string;
  created_at: Date;
};

const toStored = (r: Row): StoredFile => ({
  id: r.id,
  wardId: r.ward_id,
  uploadedBy: r.uploaded_by_user_id,
  name: r.name,
  mediaType: r.media_type as SniffedType,
  size: r.size,
  sha256: r.sha256,
  createdAt: r.created_at,
});

/** The Postgres store: one row of `files` a file, its bytes as bytea (at most 10 MB each). */
export function createPostgresFileStore(db: Db): FileStore {
  return {
    async put(f) {
      const row = await db
        .insertInto('files')
        .values({
          ward_id: f.wardId,
          uploaded_by_user_id: f.uploadedBy,
          name: f.name,
          media_type: f.mediaType,
          size: f.size,
          sha256: f.sha256,
          bytes: f.bytes,
        })
        .returning(described)
        .executeTakeFirstOrThrow();
      return toStored(row);
    },
    async describe(id) {
      const row = await db.selectFrom('files').select(described).where('id', '=', id).executeTakeFirst();
      return row ? toStored(row) : null;
    },
    async read(id) {
      const row = await db.selectFrom('files').select('bytes').where('id', '=', id).executeTakeFirst();
      return row?.bytes ?? null;
    },
    async remove(ids) {
      if (ids.length === 0) return;
      await db
        .deleteFrom('files')
        .where('id', 'in', [...ids])
        .execute();
    },
  };
}
