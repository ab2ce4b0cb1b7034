import { inject } from 'vitest';
import { createDb, type Db } from '../../src/db/database.ts';
import { dropDatabase, ensureDatabase, migrateToLatest } from '../../src/db/migrate.ts';
import type { Role } from '../../src/db/types.ts';
import { hashPassword } from '../../src/modules/auth/passwords.ts';
import { uid } from './ids.ts';

/**
 * A database of its own beside the run's, migrated unless `migrated: false`, for a test whose work
 * reaches every row of its database: a worker serves every timer in it, a digest run every ward, a
 * city-wide calendar every ward; on the run's shared database they would meet other test files' rows.
 */
export async function createIsolatedDatabase(
  options: { migrated?: boolean } = {},
): Promise<{ url: string; drop: () => Promise<void> }> {
  const url = new URL(inject('databaseUrl'));
  url.pathname = `${url.pathname}_${options.migrated === false ? 'empty' : 'own'}_${uid().toLowerCase()}`;
  await createDatabase(url.toString(), options);
  return { url: url.toString(), drop: () => dropDatabase(url.toString()) };
}

/** Creates the database at `url` unless it exists, and migrates it to the latest unless `migrated: false`. */
export async function createDatabase(url: string, options: { migrated?: boolean } = {}): Promise<void> {
  await ensureDatabase(url);
  if (options.migrated === false) return;
  const db = createDb({ url, poolSize: 1 });
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
}

/**
 * A user written straight into the database, for setup that must not go through the API. Without a
 * `password` it cannot sign in (and costs no password hashing). Returns its username.
 */
export async function insertUser(
  db: Db,
  user: {
    username?: string;
    password?: string;
    fullName: string;
    role: Role;
    wardId?: string | null;
    departmentId?: string | null;
  },
): Promise<string> {
  const username = user.username ?? `user-${uid().toLowerCase()}`;
  await db
    .insertInto('users')
    .values({
      username,
      password_hash: user.password === undefined ? 'not-a-password' : await hashPassword(user.password),
      full_name: user.fullName,
      role: user.role,
      ward_id: user.wardId ?? null,
      department_id: user.departmentId ?? null,
    })
    .execute();
  return username;
}
