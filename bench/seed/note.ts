/**
 * bench/seed's note on its database (COMMENT ON DATABASE): "in progress since …" during a seed,
 * "complete; …, password …" at its end. bench/queries and bench/calendar refuse a database whose
 * seed did not complete.
 */
import { sql } from 'kysely';
import type { Db } from '../../src/db/database.ts';

const PREFIX = 'pakn bench seed: ';

/** Notes the seed's state on database `name`. */
export async function markSeed(db: Db, name: string, state: string): Promise<void> {
  await sql`COMMENT ON DATABASE ${sql.id(name)} IS ${sql.lit(`${PREFIX}${state}`)}`.execute(db);
}

/**
 * The seed's note on database `name`; when the seed did not complete, says so on stderr, runs
 * `close` and ends the run (exit 1).
 */
export async function requireCompleteSeed(
  db: Db,
  name: string,
  close: () => Promise<unknown>,
): Promise<string> {
  const comment = await sql<{ c: string | null }>`
    SELECT shobj_description(oid, 'pg_database') AS c FROM pg_database WHERE datname = ${name}`
    .execute(db)
    .catch(() => ({ rows: [] as { c: string | null }[] }));
  const note = comment.rows[0]?.c ?? '';
  if (!note.startsWith(`${PREFIX}complete`)) {
    process.stderr.write(
      `database ${name} has no complete seed (${note || 'no seed note'}); run npm run bench:seed first\n`,
    );
    await close();
    process.exit(1);
  }
  return note;
}
