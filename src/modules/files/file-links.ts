import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/types.ts';
import { badRequest } from '../../shared/errors.ts';
import type { UserPrincipal } from '../auth/principal.ts';
import { fileIdOf } from './file-schemas.ts';

type Attachment = { url: string; mediaType?: string | undefined; name?: string | undefined };

/**
 * The pakn files an answer (or an answer proposal) names, checked and linked to the case, in the
 * answer's own transaction: each must be one the caller uploaded in the case's ward, or one already
 * linked to this case (the head answering with the officer's signed scan). Anything else — another
 * user's upload, another ward's, a file that is not there — is a 400 naming the attachment, and the
 * answer is not written. The links are what lets the case's viewers fetch the file (file-service.ts).
 * External addresses pass as they are. Returns the attachments with the stored type and name.
 */
export async function claimAttachments(
  trx: Transaction<Database> | Db,
  caller: UserPrincipal,
  kase: { id: string; ward_id: string },
  attachments: readonly Attachment[],
): Promise<Attachment[]> {
  const ids = attachments.map((a) => fileIdOf(a.url)).filter((id): id is string => id !== null);
  if (ids.length === 0) return [...attachments];
  const rows = await trx
    .selectFrom('files')
    .leftJoin('case_files', (j) =>
      j.onRef('case_files.file_id', '=', 'files.id').on('case_files.case_id', '=', kase.id),
    )
    .select(['files.id', 'files.ward_id', 'files.uploaded_by_user_id', 'files.media_type', 'files.name'])
    .select('case_files.case_id as linked')
    .where('files.id', 'in', ids)
    .execute();
  const usable = new Map(
    rows
      .filter(
        (r) => r.linked !== null || (r.uploaded_by_user_id === caller.userId && r.ward_id === kase.ward_id),
      )
      .map((r) => [r.id, r]),
  );
  const problems = attachments.flatMap((a, i) => {
    const id = fileIdOf(a.url);
    return id !== null && !usable.has(id)
      ? [
          {
            path: `attachments.${i}.url`,
            message: 'Không có tệp này, hoặc tệp không do bạn tải lên trong phường của phản ánh',
          },
        ]
      : [];
  });
  if (problems.length)
    throw badRequest(
      `Tệp đính kèm không dùng được: ${problems.map((p) => p.path).join(', ')}. Hãy tải tệp lên rồi gửi lại.`,
      problems,
    );
  await trx
    .insertInto('case_files')
    .values([...new Set(ids)].map((file_id) => ({ file_id, case_id: kase.id })))
    .onConflict((oc) => oc.doNothing())
    .execute();
  return attachments.map((a) => {
    const row = usable.get(fileIdOf(a.url) ?? '');
    return row ? { url: a.url, mediaType: row.media_type, name: a.name ?? row.name } : a;
  });
}

/** The cases that refer to a file. */
export async function casesReferring(db: Db, fileId: string): Promise<string[]> {
  const rows = await db.selectFrom('case_files').select('case_id').where('file_id', '=', fileId).execute();
  return rows.map((r) => r.case_id);
}
