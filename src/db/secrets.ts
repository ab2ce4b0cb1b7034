import { randomBytes } from 'node:crypto';
import type { Db } from './database.ts';

/**
 * A deployment secret generated on first use and kept in the database, so every API replica signs
 * and verifies with the same key without any setup. JWT_SECRET in the environment overrides it.
 */
export async function loadOrCreateSecret(db: Db, name: string): Promise<string> {
  await db
    .insertInto('app_secrets')
    .values({ name, value: randomBytes(48).toString('base64url') })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db
    .selectFrom('app_secrets')
    .select('value')
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  return row.value;
}
