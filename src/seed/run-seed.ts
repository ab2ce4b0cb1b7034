import type { Container } from '../container.ts';
import type { Channel } from '../db/types.ts';
import { systemActor } from '../modules/audit/audit-actor.ts';
import type { ClientPrincipal } from '../modules/auth/principal.ts';
import { createCaseBody } from '../modules/cases/case-schemas.ts';
import { statusLabels } from '../modules/cases/status-labels.ts';
import {
  apiClientBody,
  categoryBody,
  departmentBody,
  userBody,
  wardBody,
} from '../modules/directory/directory-schemas.ts';
import { storeWardDefaults } from '../modules/sla/ward-defaults.ts';
import * as data from './viet-hoa.ts';

type SeedSummary = {
  ward: { code: string; name: string; created: boolean };
  departments: { created: number; existing: number };
  categories: { created: number; existing: number };
  calendarCreated: boolean;
  policyCreated: boolean;
  users: { username: string; fullName: string; note: string; created: boolean }[];
  apiClients: { name: string; channel: Channel; created: boolean; apiKey: string | null }[];
  cases: { externalId: string; code: string; status: string; created: boolean }[];
};

/**
 * Loads the demo data through the directory and case services, so every invariant (hashed passwords,
 * hashed API keys, deadlines, timers, events) holds. Each record is looked up by its natural key first
 * and left alone when it exists: a second run creates nothing and changes nothing.
 */
export async function runSeed(container: Container, options: { password: string }): Promise<SeedSummary> {
  const { db, directory, cases } = container;
  // The audit trail names the seed as the author of what it creates.
  const actor = systemActor('seed');

  // Ward.
  let wardRow = await db
    .selectFrom('wards')
    .select(['id', 'code', 'name'])
    .where('code', '=', data.ward.code)
    .executeTakeFirst();
  const wardCreated = !wardRow;
  wardRow ??= await directory.createWard(actor, wardBody.parse(data.ward));
  const wardId = wardRow.id;

  // Departments of the ward.
  const departmentIds = new Map<string, string>();
  const departmentCount = { created: 0, existing: 0 };
  for (const d of data.departments) {
    const existing = await db
      .selectFrom('departments')
      .select('id')
      .where('ward_id', '=', wardId)
      .where('code', '=', d.code)
      .executeTakeFirst();
    if (existing) {
      departmentIds.set(d.code, existing.id);
      departmentCount.existing++;
    } else {
      const created = await directory.createDepartment(actor, departmentBody.parse({ wardId, ...d }));
      departmentIds.set(d.code, created.id);
      departmentCount.created++;
    }
  }

  // Office hours (days off by year are city-wide: 2026 official, later years provisional until an
  // admin confirms them) and the default escalation ladder, unless the ward has its own.
  const stored = await storeWardDefaults(db, wardId);

  // Categories shared by every ward.
  const categoryCount = { created: 0, existing: 0 };
  for (const c of data.categories) {
    const existing = await db
      .selectFrom('categories')
      .select('id')
      .where('code', '=', c.code)
      .executeTakeFirst();
    if (existing) {
      categoryCount.existing++;
    } else {
      await directory.createCategory(actor, categoryBody.parse(c));
      categoryCount.created++;
    }
  }

  // Staff, all with the demo password (hashed by the directory service).
  const users: SeedSummary['users'] = [];
  for (const u of data.users) {
    const existing = await db
      .selectFrom('users')
      .select('id')
      .where('username', '=', u.username)
      .executeTakeFirst();
    if (!existing) {
      await directory.createUser(
        actor,
        userBody.parse({
          username: u.username,
          password: options.password,
          fullName: u.fullName,
          role: u.role,
          ...(u.department ? { departmentId: departmentIds.get(u.department) } : { wardId }),
        }),
      );
    }
    users.push({ username: u.username, fullName: u.fullName, note: u.note, created: !existing });
  }

  // Channel clients. A key exists in clear only when it is created, so it is reported once.
  const apiClients: SeedSummary['apiClients'] = [];
  const principals = new Map<Channel, ClientPrincipal>();
  for (const a of data.apiClients) {
    const existing = await db
      .selectFrom('api_clients')
      .select(['id', 'name', 'channel'])
      .where('name', '=', a.name)
      .where('channel', '=', a.channel)
      .where('revoked_at', 'is', null)
      .orderBy('id')
      .executeTakeFirst();
    if (existing) {
      apiClients.push({ name: a.name, channel: a.channel, created: false, apiKey: null });
      principals.set(a.channel, {
        kind: 'api_client',
        clientId: existing.id,
        name: existing.name,
        channel: existing.channel,
      });
    } else {
      const created = await directory.createApiClient(actor, apiClientBody.parse(a));
      apiClients.push({ name: a.name, channel: a.channel, created: true, apiKey: created.apiKey });
      principals.set(a.channel, {
        kind: 'api_client',
        clientId: created.id,
        name: created.name,
        channel: created.channel,
      });
    }
  }

  // Citizens' reports, sent as the channels send them. A case already seeded is only reported: calling
  // intake again would return it too, but would still draw (and waste) a number from the case-code sequence.
  const seeded: SeedSummary['cases'] = [];
  for (const c of data.cases) {
    const existing = await db
      .selectFrom('cases')
      .select(['code', 'status'])
      .where('channel', '=', c.channel)
      .where('external_id', '=', c.externalId)
      .executeTakeFirst();
    if (existing) {
      seeded.push({
        externalId: c.externalId,
        code: existing.code,
        status: statusLabels[existing.status],
        created: false,
      });
      continue;
    }
    const principal = principals.get(c.channel);
    if (!principal) throw new Error(`no API client for channel ${c.channel}`);
    const result = await cases.intake(principal, createCaseBody.parse({ ...c, wardCode: data.ward.code }));
    seeded.push({
      externalId: c.externalId,
      code: result.case.code,
      status: result.case.statusLabel,
      created: result.created,
    });
  }

  return {
    ward: { code: wardRow.code, name: wardRow.name, created: wardCreated },
    departments: departmentCount,
    categories: categoryCount,
    calendarCreated: stored.calendar,
    policyCreated: stored.policy,
    users,
    apiClients,
    cases: seeded,
  };
}

/** The text printed at the end of `npm run seed`. */
export function formatSummary(
  s: SeedSummary,
  options: { password: string; adminUsername: string; port: number },
): string {
  const mark = (created: boolean) => (created ? 'created' : 'already there');
  const count = (c: { created: number; existing: number }) =>
    `${c.created} created, ${c.existing} already there`;
  const base = `http://localhost:${options.port}`;
  return [
    '',
    '== pakn demo data ==',
    `Ward ${s.ward.code} "${s.ward.name}": ${mark(s.ward.created)}; departments: ${count(s.departments)}; ` +
      `categories: ${count(s.categories)}; calendar: ${mark(s.calendarCreated)}; ` +
      `escalation policy: ${mark(s.policyCreated)}`,
    '',
    `Logins (password for accounts created by the seed: ${options.password}):`,
    ...s.users.map((u) => `  ${u.username.padEnd(24)} ${u.fullName} — ${u.note} (${mark(u.created)})`),
    `  ${options.adminUsername.padEnd(24)} admin (ADMIN_PASSWORD, or the password printed when it was created)`,
    '',
    'API clients:',
    ...s.apiClients.map((a) =>
      a.apiKey
        ? `  ${a.name} [${a.channel}] created; API key, shown only now: ${a.apiKey}`
        : `  ${a.name} [${a.channel}] already exists; its key was shown when it was created`,
    ),
    '',
    `Demo cases: ${count({
      created: s.cases.filter((c) => c.created).length,
      existing: s.cases.filter((c) => !c.created).length,
    })}`,
    ...s.cases.map((c) => `  ${c.externalId}  ${c.code.padEnd(20)} ${c.status}`),
    '',
    'Next steps:',
    '  npm start',
    `  open ${base}/console and sign in as vh.tiepnhan (the ward office), vh.ktht.truongphong (a department head)…`,
    `  or ${base}/docs and sign in with POST /api/v1/auth/token as vh.tiepnhan`,
    '',
  ].join('\n');
}
