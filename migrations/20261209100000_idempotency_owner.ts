import { type Kysely, sql } from 'kysely';

// Idempotency belongs to its owner (issue 14): an externalId is unique within a ward and channel per
// filer — each API client (its row: a rotated key keeps it) and the ward office (api_client_id null) —
// instead of per channel city-wide, where a clerk of another ward could take the app's ids first.
// Every existing row satisfies the new key (the old one was stricter). The index is built in the
// migration's transaction: on bench:seed's million cases (908,603 with an externalId) it took 1.3 s, during which intake waits
// (reads do not); CREATE INDEX CONCURRENTLY cannot run inside the migrator's transaction.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE UNIQUE INDEX cases_idempotency_key
      ON cases (ward_id, channel, external_id, (coalesce(api_client_id, 0)))
      WHERE external_id IS NOT NULL;
    DROP INDEX cases_channel_external_id_key;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE UNIQUE INDEX cases_channel_external_id_key ON cases (channel, external_id) WHERE external_id IS NOT NULL;
    DROP INDEX cases_idempotency_key;
  `.execute(db);
}
