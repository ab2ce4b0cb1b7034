import type { Conn } from '../../db/database.ts';
import { hashPassword } from '../auth/passwords.ts';

/**
 * Creates the first admin when no admin exists yet (a fresh deployment); true when it did. A second
 * process racing it at start creates nothing (the username is unique).
 */
export async function ensureFirstAdmin(
  db: Conn,
  admin: { username: string; password: string },
): Promise<boolean> {
  const existing = await db.selectFrom('users').select('id').where('role', '=', 'admin').executeTakeFirst();
  if (existing) return false;
  const created = await db
    .insertInto('users')
    .values({
      username: admin.username,
      password_hash: await hashPassword(admin.password),
      full_name: 'Quản trị hệ thống',
      role: 'admin',
      ward_id: null,
      department_id: null,
    })
    .onConflict((oc) => oc.column('username').doNothing())
    .returning('id')
    .executeTakeFirst();
  return created !== undefined;
}
