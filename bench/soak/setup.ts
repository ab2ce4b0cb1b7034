/**
 * The soak's set-up: the server as users start it, in the run's database and Redis prefix, and the
 * directory an administrator makes through the HTTP API — a ward with the soak's continuous-clock
 * ladder, its departments, categories and staff, the app's API client, a webhook to the receiver.
 */
import type { NodeChild } from '../lib/child.ts';
import { adminClient, createWard, login, type Server, startProject } from '../lib/project.ts';
import { root } from '../lib/results.ts';
import { categories, departments, soakEscalationPolicy } from './workload.ts';

export const ADMIN_USERNAME = 'soak-admin';

/** The server's run: `node src/main/start.ts` logging to `serverLog`, with `--trace-gc` if asked. */
export function startSoakServer(o: {
  children: NodeChild[];
  serverLog: string;
  traceGc: boolean;
  databaseUrl: string;
  poolSize: number;
  redisUrl: string;
  redisPrefix: string;
  logLevel: string;
  adminPassword: string;
  metricsToken: string;
}): Promise<Server> {
  return startProject({
    cwd: root,
    // One line per garbage collection on stdout (the log file): the live heap after each full GC,
    // per process, tells a leak from V8 sizing its heap. The worker inherits it (fork passes execArgv).
    nodeArgs: o.traceGc ? ['--trace-gc'] : [],
    stdoutFile: o.serverLog,
    children: o.children,
    databaseUrl: o.databaseUrl,
    poolSize: o.poolSize,
    redisUrl: o.redisUrl,
    redisPrefix: o.redisPrefix,
    logLevel: o.logLevel,
    admin: { username: ADMIN_USERNAME, password: o.adminPassword },
    settings: {
      // The soak's webhook receiver listens on 127.0.0.1.
      WEBHOOK_ALLOW_PRIVATE: 'true',
      METRICS_TOKEN: o.metricsToken,
    },
  });
}

export type Setup = {
  wardCode: string;
  apiKey: string;
  /** Department ids by code, and in `departments` order. */
  deptIds: Record<string, string>;
  tokens: { intake: string; chairman: string; heads: Record<string, string> };
  webhookSecret: string;
};

/** The directory, through the API as an administrator makes it; then the staff's tokens. */
export async function setUp(
  base: string,
  passwords: { admin: string; staff: string },
  webhookUrl: string | null,
  webhookSecret: string,
): Promise<Setup> {
  const admin = await adminClient(base, ADMIN_USERNAME, passwords.admin);
  const { post } = admin;
  const { ward, deptIds } = await createWard(admin, departments);
  await admin.put(`/api/v1/wards/${ward.id}/escalation-policy`, soakEscalationPolicy);
  for (const c of categories)
    await post('/api/v1/categories', {
      code: c.code,
      name: c.name,
      defaultDepartmentCode: c.departmentCode,
      sla: c.sla,
    });
  const user = (username: string, fullName: string, role: string, where: Record<string, string>) =>
    post('/api/v1/users', { username, password: passwords.staff, fullName, role, ...where });
  await user('lt.tiepnhan', 'Nguyễn Thị Tiếp Nhận', 'intake', { wardId: ward.id });
  await user('lt.chutich', 'Trần Văn Chủ Tịch', 'chairman', { wardId: ward.id });
  for (const d of departments)
    await user(`lt.${d.code}.truongphong`, `Trưởng ${d.name}`, 'department_head', {
      departmentId: deptIds[d.code] as string,
    });
  const client = await post<{ apiKey: string }>('/api/v1/api-clients', {
    name: 'Smart Hải Phòng (soak)',
    channel: 'smart_haiphong',
  });
  if (webhookUrl)
    await post('/api/v1/webhooks', { url: webhookUrl, events: ['case.escalated'], secret: webhookSecret });

  // Six logins in all, under the default login rate limit (10 a minute per address).
  const heads: Record<string, string> = {};
  for (const d of departments) heads[d.code] = await login(base, `lt.${d.code}.truongphong`, passwords.staff);
  return {
    wardCode: ward.code,
    apiKey: client.apiKey,
    deptIds,
    tokens: {
      intake: await login(base, 'lt.tiepnhan', passwords.staff),
      chairman: await login(base, 'lt.chutich', passwords.staff),
      heads,
    },
    webhookSecret,
  };
}

/** The request headers of each caller: the app's API key, and a bearer token per member of staff. */
export function requestHeaders(setup: Setup) {
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
  const headTokens = Object.values(setup.tokens.heads);
  return {
    bearer,
    app: { 'x-api-key': setup.apiKey },
    intake: bearer(setup.tokens.intake),
    chairman: bearer(setup.tokens.chairman),
    head: (deptCode: string) => bearer(setup.tokens.heads[deptCode] ?? ''),
    headTokens,
    /** Everyone with a notification inbox. */
    inboxes: [setup.tokens.intake, setup.tokens.chairman, ...headTokens],
  };
}
export type RequestHeaders = ReturnType<typeof requestHeaders>;
