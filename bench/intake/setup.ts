/**
 * bench/intake's set-up: the directory an administrator makes through the project's API (a ward,
 * three departments, five categories with a default department, a channel API client), what the
 * floor needs to write the same rows, and the floor's server.
 */
import type { NodeChild } from '../lib/child.ts';
import { adminClient, createWard, type Server, startServer } from '../lib/project.ts';
import { root } from '../lib/results.ts';
import { categories, departments } from './bodies.ts';

export const ADMIN_USERNAME = 'bench-admin';

export type Setup = {
  apiKey: string;
  wardCode: string;
  floorContext: {
    wardId: string;
    wardCode: string;
    apiClientId: string;
    categories: Record<string, { id: string; departmentId: string; normalMs: number; urgentMs: number }>;
  };
};

/** Directory data through the API, as an administrator sets it up. */
export async function setUp(base: string, adminPassword: string): Promise<Setup> {
  const admin = await adminClient(base, ADMIN_USERNAME, adminPassword);
  const { post } = admin;
  const { ward, deptIds } = await createWard(admin, departments);
  // Urgent cases get two working days, so no escalation step falls due during the run (with a 4-hour
  // SLA the 'reminder' step, a working day before the deadline, is due at once and the worker would
  // fire escalations: another workload, not intake).
  const sla = {
    normal: { duration: 'P5D', clock: 'working' },
    urgent: { duration: 'P2D', clock: 'working' },
  };
  const floorCategories: Setup['floorContext']['categories'] = {};
  for (const c of categories) {
    const made = await post<{ id: string }>('/api/v1/categories', {
      code: c.code,
      name: c.name,
      defaultDepartmentCode: c.departmentCode,
      sla,
    });
    // The floor uses plain offsets: 5 working days ~ 7 calendar days, 2 ~ 3.
    floorCategories[c.code] = {
      id: made.id,
      departmentId: deptIds[c.departmentCode] as string,
      normalMs: 7 * 86_400_000,
      urgentMs: 3 * 86_400_000,
    };
  }
  const client = await post<{ id: string; apiKey: string }>('/api/v1/api-clients', {
    name: 'Smart Hải Phòng (bench)',
    channel: 'smart_haiphong',
  });
  return {
    apiKey: client.apiKey,
    wardCode: ward.code,
    floorContext: {
      wardId: ward.id,
      wardCode: ward.code,
      apiClientId: client.id,
      categories: floorCategories,
    },
  };
}

/** A floor (bench/intake/floor.ts: the schema's or the minimal one) on the same database, with the same pool size. */
export function startFloor(
  setup: Setup,
  o: {
    kind: 'floor' | 'minimal';
    children: NodeChild[];
    databaseUrl: string;
    poolSize: number;
    floorEvents: number;
    nodeArgs: string[];
  },
): Promise<Server> {
  return startServer({
    name: o.kind,
    script: 'bench/intake/floor.ts',
    cwd: root,
    nodeArgs: o.nodeArgs,
    children: o.children,
    readyTimeoutMs: 30_000,
    env: {
      DATABASE_URL: o.databaseUrl,
      DATABASE_POOL_SIZE: String(o.poolSize),
      FLOOR_EVENTS: String(o.floorEvents),
      FLOOR_KIND: o.kind === 'minimal' ? 'minimal' : 'schema',
      FLOOR_CONTEXT: JSON.stringify(setup.floorContext),
    },
  });
}
