import type { Db } from '../../src/db/database.ts';
import type { Role } from '../../src/db/types.ts';
import { bearer, call, login, type TestApp } from './app.ts';
import { insertUser } from './database.ts';
import { uid } from './ids.ts';

/** What tests set up through the admin's API: wards with departments and staff, categories, API clients. */

export type DepartmentKey = 'infra' | 'culture' | 'police';
type Department = { id: string; code: string };
const departments: Record<DepartmentKey, { code: string; name: string }> = {
  infra: { code: 'ktht', name: 'Phòng Kinh tế – Hạ tầng – Đô thị' },
  culture: { code: 'vhxh', name: 'Phòng Văn hoá – Xã hội' },
  police: { code: 'cap', name: 'Công an phường' },
};

/** A ward's staff, one user per role (department staff in infra, one head in culture). */
const wardStaff = [
  { key: 'intake', role: 'intake', department: null },
  { key: 'chairman', role: 'chairman', department: null },
  { key: 'infraHead', role: 'department_head', department: 'infra' },
  { key: 'infraOfficer', role: 'department_officer', department: 'infra' },
  { key: 'cultureHead', role: 'department_head', department: 'culture' },
] as const satisfies readonly { key: string; role: Role; department: DepartmentKey | null }[];
type StaffKey = (typeof wardStaff)[number]['key'];

/** A ward with three departments and its staff signed in (`tokens`), all with unique codes. */
export type Ward = {
  id: string;
  code: string;
  departments: Record<DepartmentKey, Department>;
  tokens: Record<StaffKey, string>;
};
/** The same staff written straight into the database (no sign-ins), and an API key to report cases. */
export type LeanWard = {
  id: string;
  code: string;
  departments: Record<DepartmentKey, Department>;
  apiKey: string;
};
/** Departments only, no staff. */
export type BareWard = { id: string; code: string; departments: Partial<Record<DepartmentKey, Department>> };

export type WardOptions = {
  /**
   * 'signed-in' (the default): users created through the API (password `password-123`), each signed
   * in; 'inserted': the same users inserted directly (no password hashing, no sign-ins: for tests that
   * only need recipients), with an API key; 'none': no staff.
   */
  staff?: 'signed-in' | 'inserted' | 'none';
  /** The departments, by default all three (wards with staff always have all three). */
  departments?: DepartmentKey[];
};

/**
 * The one ward builder. Categories are shared by all wards, so callers create those they need with
 * `createCategory`.
 */
export async function createWard(t: TestApp, options?: { staff?: 'signed-in' }): Promise<Ward>;
export async function createWard(t: TestApp, options: { staff: 'inserted' }): Promise<LeanWard>;
export async function createWard(t: TestApp, options: WardOptions & { staff: 'none' }): Promise<BareWard>;
export async function createWard(t: TestApp, options: WardOptions = {}): Promise<Ward | LeanWard | BareWard> {
  const admin = bearer(t.adminToken);
  const code = `W${uid()}`.slice(0, 20);
  const ward = (
    await call(
      t.app,
      { method: 'POST', url: '/api/v1/wards', headers: admin, payload: { code, name: `Phường ${code}` } },
      201,
    )
  ).json() as { id: string; code: string };
  const made: Partial<Record<DepartmentKey, Department>> = {};
  for (const key of options.departments ?? (Object.keys(departments) as DepartmentKey[])) {
    const payload = { wardId: ward.id, ...departments[key] };
    made[key] = (
      await call(t.app, { method: 'POST', url: '/api/v1/departments', headers: admin, payload }, 201)
    ).json();
  }
  const base = { id: ward.id, code: ward.code };
  const departmentOf = (key: DepartmentKey | null) => {
    if (key === null) return null;
    const department = made[key];
    if (!department) throw new Error(`ward ${ward.code} has no ${key} department`);
    return department.id;
  };

  if (options.staff === 'none') return { ...base, departments: made };
  const all = made as Record<DepartmentKey, Department>;
  if (options.staff === 'inserted') {
    for (const s of wardStaff)
      await insertUser(t.container.db, {
        fullName: `Cán bộ ${s.role}`,
        role: s.role,
        wardId: ward.id,
        departmentId: departmentOf(s.department),
      });
    return { ...base, departments: all, apiKey: await createApiClient(t) };
  }
  const tokens = {} as Record<StaffKey, string>;
  for (const s of wardStaff) {
    // Through the API a department's staff name the department only; their ward follows from it.
    const place: Record<string, string> =
      s.department === null ? { wardId: ward.id } : { departmentId: departmentOf(s.department) as string };
    tokens[s.key] = (await createStaff(t, s.role, place, 'password-123')).token;
  }
  return { ...base, departments: all, tokens };
}

export type WardUsers = Record<StaffKey, string>;

/** The ids of a ward's staff, by the same names as its tokens. */
export async function wardUsers(db: Db, ward: Ward | LeanWard): Promise<WardUsers> {
  const rows = await db
    .selectFrom('users')
    .select(['id', 'role', 'department_id'])
    .where('ward_id', '=', ward.id)
    .execute();
  const ids = {} as WardUsers;
  for (const s of wardStaff) {
    const departmentId = s.department === null ? null : ward.departments[s.department].id;
    const row = rows.find((r) => r.role === s.role && r.department_id === departmentId);
    if (!row) throw new Error(`no ${s.role} in ward ${ward.code}`);
    ids[s.key] = row.id;
  }
  return ids;
}

/** A staff user created through the API; returns the credentials and a fresh token. */
export async function createStaff(
  t: TestApp,
  role: string,
  extra: Record<string, string>,
  password = `pw-${uid()}-secret`,
): Promise<{ username: string; password: string; token: string }> {
  const username = `s-${uid().toLowerCase()}`;
  await call(
    t.app,
    {
      method: 'POST',
      url: '/api/v1/users',
      headers: bearer(t.adminToken),
      payload: { username, password, fullName: `Cán bộ ${role}`, role, ...extra },
    },
    201,
  );
  return { username, password, token: await login(t.app, username, password) };
}

/**
 * A category with a unique code, `Lĩnh vực <code>` and the default SLA unless `body` says otherwise
 * (any field of the API's category body: defaultDepartmentCode, sla, name, keywords…).
 */
export async function createCategory<T = { id: string; code: string }>(
  t: TestApp,
  body: { defaultDepartmentCode?: string; sla?: object; name?: string } & Record<string, unknown> = {},
): Promise<T> {
  const code = `cat_${uid().toLowerCase()}`;
  const res = await call(
    t.app,
    {
      method: 'POST',
      url: '/api/v1/categories',
      headers: bearer(t.adminToken),
      payload: {
        code,
        name: `Lĩnh vực ${code}`,
        sla: {
          normal: { duration: 'P5D', clock: 'working' },
          urgent: { duration: 'PT4H', clock: 'continuous' },
        },
        ...body,
      },
    },
    201,
  );
  return res.json();
}

/** An API client of the channel; returns its key. */
export async function createApiClient(t: TestApp, channel = 'smart_haiphong'): Promise<string> {
  const res = await call(
    t.app,
    {
      method: 'POST',
      url: '/api/v1/api-clients',
      headers: bearer(t.adminToken),
      payload: { name: `App ${uid()}`, channel },
    },
    201,
  );
  return res.json().apiKey;
}
