/**
 * bench/sessions' data: one ward of bench/seed's city (its directory, staff and standard categories,
 * calendar and escalation ladder) and `cases` cases received over the last `days` days, each played
 * through the workflow by bench/seed's generator, written by bench/seed's batch statement. The same
 * seed gives the same rows (the cases also depend on the moment it runs), so a database seeded once
 * and copied (CREATE DATABASE … TEMPLATE) gives both versions the same data.
 */
import { sql } from 'kysely';
import pg from 'pg';
import { createDb } from '../../src/db/database.ts';
import { hashPassword } from '../../src/modules/auth/passwords.ts';
import { buildCity } from '../seed/city.ts';
import { type GeneratedCase, generateCase } from '../seed/generator.ts';
import { insertBatch, seedDirectory } from '../seed/load.ts';
import { createRng, weighted } from '../seed/random.ts';

const H = 3_600_000;
const D = 24 * H;
/** Local hour weights, as bench/seed draws them: people mostly write in the day and the evening. */
const hourWeights = [
  0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1, 2.5, 3, 3, 3, 2.5, 1.5, 2, 3, 3, 3, 2.5, 2, 2, 2, 1.5, 1, 0.5,
];

export type SeededWard = {
  wardCode: string;
  wardName: string;
  cases: number;
  events: number;
  /** The department with the most cases: its head is the user the load signs in as. */
  department: { code: string; name: string; cases: number; open: number };
  headUsername: string;
  seconds: number;
};

/**
 * Seeds an empty, migrated database at `url` with the city's busiest ward (by bench/seed's weights)
 * and its cases. Rows go in time order, one statement (bench/seed/load.ts's), triggers and keys in
 * force; sequences are moved past the seeded ids; then VACUUM (ANALYZE).
 */
export async function seedWard(
  url: string,
  o: { cases: number; days: number; seed: number; password: string },
): Promise<SeededWard> {
  const t0 = performance.now();
  const city = buildCity(o.seed);
  const ward = [...city].sort((a, b) => b.weight - a.weight)[0];
  if (!ward) throw new Error('empty city');
  const db = createDb({ url, poolSize: 1, applicationName: 'pakn-bench-sessions-seed' });
  const client = new pg.Client({ connectionString: url, application_name: 'pakn-bench-sessions-seed' });
  try {
    const dir = await seedDirectory(db, [ward], {
      passwordHash: await hashPassword(o.password),
      seed: o.seed,
    });
    const seedWard = dir.wards[0];
    if (!seedWard) throw new Error('ward not written');

    // Times of receipt over the last `days` days, hour of day weighted, in time order.
    const rng = createRng(o.seed);
    const drawHour = weighted(hourWeights);
    const now = Date.now();
    const todayStart = Math.floor((now + 7 * H) / D) * D - 7 * H;
    const firstDay = todayStart - (o.days - 1) * D;
    const times: number[] = [];
    for (let i = 0; i < o.cases; i++) {
      let at = now;
      for (let tries = 0; tries < 20 && at >= now; tries++)
        at = firstDay + rng.int(0, o.days - 1) * D + drawHour(rng) * H + Math.floor(rng.next() * H);
      times.push(Math.min(at, now - 1));
    }
    times.sort((a, b) => a - b);
    const generated: GeneratedCase[] = times.map((at, i) =>
      generateCase(dir, rng, seedWard, i, i + 1, at, now),
    );

    await client.connect();
    const seqOf = async (table: string) =>
      (await client.query<{ seq: string }>(`SELECT pg_get_serial_sequence($1, 'id') AS seq`, [table])).rows[0]
        ?.seq as string;
    const caseSeq = await seqOf('cases');
    const escalationSeq = await seqOf('escalations');
    const all = <T>(pick: (c: GeneratedCase) => T[]) => generated.flatMap(pick);
    const batch = {
      cases: generated.map((c) => c.row),
      events: all((c) => c.events).sort((a, b) => a.at - b.at || a.caseIndex - b.caseIndex || a.seq - b.seq),
      timers: all((c) => c.timers).sort((a, b) => a.created - b.created),
      escalations: all((c) => c.escalations).sort((a, b) => a.fired - b.fired),
      notifications: all((c) => c.notifications).sort((a, b) => a.created - b.created),
    };
    // A fresh database: ids start at 1 (the seed is the only writer; sequences moved past them below).
    const r = await insertBatch(client, batch, { caseIdBase: 1, firstCase: 0, escalationIdBase: 1 });
    await client.query('SELECT setval($1, $2), setval($3, $4), setval($5, $6)', [
      caseSeq,
      Math.max(1, r.cases),
      escalationSeq,
      Math.max(1, r.escalations),
      'case_code_seq',
      Math.max(1, r.cases),
    ]);
    await client.query('VACUUM (ANALYZE)');

    const dept = (
      await sql<{ code: string; name: string; cases: number; open: number }>`
        SELECT d.code, d.name, count(*)::int AS cases,
               count(*) FILTER (WHERE c.status NOT IN ('closed', 'rejected'))::int AS open
        FROM cases c JOIN departments d ON d.id = c.department_id
        GROUP BY d.id ORDER BY cases DESC LIMIT 1`.execute(db)
    ).rows[0];
    if (!dept) throw new Error('no case has a department');
    return {
      wardCode: ward.code,
      wardName: ward.name,
      cases: r.cases,
      events: r.events,
      department: dept,
      headUsername: `${ward.code.toLowerCase()}.${dept.code}.truongphong`,
      seconds: Math.round((performance.now() - t0) / 100) / 10,
    };
  } finally {
    await client.end().catch(() => {});
    await db.destroy();
  }
}
