import type { Conn } from '../../db/database.ts';
import { notFound } from '../../shared/errors.ts';
import type { UserPrincipal } from '../auth/principal.ts';

/** The ward a caller may read the settings of: staff their own, admins any; another ward is 404. */
export async function readableWard(db: Conn, caller: UserPrincipal, wardId: string) {
  if (caller.role !== 'admin' && caller.wardId !== wardId) throw notFound('Không tìm thấy phường/xã.');
  const ward = await db
    .selectFrom('wards')
    .select(['id', 'name'])
    .where('id', '=', wardId)
    .executeTakeFirst();
  if (!ward) throw notFound('Không tìm thấy phường/xã.');
  return ward;
}
