/**
 * The project's server as users start it, and its HTTP API as an administrator calls it: shared by
 * the benchmarks that run the real server (bench/intake, bench/soak).
 */
import { configSchema } from '../../src/config.ts';
import { freePort, type NodeChild, startNode, waitForOk } from './child.ts';

/** The environment for a child: ours, minus any pakn setting the caller's shell may carry. */
export function childEnv(extra: Record<string, string>): Record<string, string> {
  const pakn = new Set(Object.keys(configSchema.shape));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !pakn.has(k)) env[k] = v;
  return { ...env, ...extra };
}

export type Server = { child: NodeChild; base: string };

/**
 * Starts `node <nodeArgs> <script>` listening on a free port of 127.0.0.1 (HOST and PORT in its
 * environment, which is ours without pakn settings, plus `env`); resolves once `/ready` answers 200.
 * The child is added to `children` first, so a clean-up stops it even when it never gets ready.
 */
export async function startServer(o: {
  name: string;
  script: string;
  cwd: string;
  env: Record<string, string>;
  children: NodeChild[];
  readyTimeoutMs: number;
  nodeArgs?: string[];
  stdoutFile?: string;
}): Promise<Server> {
  const port = await freePort();
  const child = startNode({
    name: o.name,
    script: o.script,
    cwd: o.cwd,
    ...(o.nodeArgs ? { nodeArgs: o.nodeArgs } : {}),
    ...(o.stdoutFile ? { stdoutFile: o.stdoutFile } : {}),
    env: childEnv({ HOST: '127.0.0.1', PORT: String(port), ...o.env }),
  });
  o.children.push(child);
  const base = `http://127.0.0.1:${port}`;
  await waitForOk(child, `${base}/ready`, o.readyTimeoutMs);
  return { child, base };
}

/**
 * The project exactly as users run it: `node src/main/start.ts` (bootstrap, migrations, first admin,
 * the worker child, the API) in production mode, its stdout (the log) to `stdoutFile`.
 */
export function startProject(o: {
  cwd: string;
  stdoutFile: string;
  children: NodeChild[];
  databaseUrl: string;
  poolSize: number;
  redisUrl: string;
  redisPrefix: string;
  logLevel: string;
  admin: { username: string; password: string };
  nodeArgs?: string[];
  /** More settings of the project's (src/config.ts). */
  settings?: Record<string, string>;
}): Promise<Server> {
  return startServer({
    name: 'project',
    script: 'src/main/start.ts',
    cwd: o.cwd,
    children: o.children,
    readyTimeoutMs: 90_000,
    stdoutFile: o.stdoutFile,
    ...(o.nodeArgs ? { nodeArgs: o.nodeArgs } : {}),
    env: {
      NODE_ENV: 'production',
      DATABASE_URL: o.databaseUrl,
      DATABASE_POOL_SIZE: String(o.poolSize),
      REDIS_URL: o.redisUrl,
      REDIS_PREFIX: o.redisPrefix,
      LOG_LEVEL: o.logLevel,
      ADMIN_USERNAME: o.admin.username,
      ADMIN_PASSWORD: o.admin.password,
      ...o.settings,
    },
  });
}

/** One call of the HTTP API (JSON in and out, 10 s timeout); throws on a status of 300 or more. */
export async function api<T>(
  base: string,
  method: string,
  url: string,
  body?: unknown,
  token?: string,
): Promise<T> {
  const res = await fetch(base + url, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** An access token for a user (POST /api/v1/auth/token). */
export async function login(base: string, username: string, password: string): Promise<string> {
  return (await api<{ accessToken: string }>(base, 'POST', '/api/v1/auth/token', { username, password }))
    .accessToken;
}

/** An administrator's calls of the API, with the token of `username`. */
export async function adminClient(base: string, username: string, password: string) {
  const token = await login(base, username, password);
  return {
    token,
    post: <T>(url: string, body: unknown) => api<T>(base, 'POST', url, body, token),
    put: <T>(url: string, body: unknown) => api<T>(base, 'PUT', url, body, token),
  };
}
export type AdminClient = Awaited<ReturnType<typeof adminClient>>;

/** The benchmarks' ward, Phường Lạch Tray, and its departments: their ids by code, in the given order. */
export async function createWard(admin: AdminClient, departments: readonly { code: string; name: string }[]) {
  const ward = await admin.post<{ id: string; code: string }>('/api/v1/wards', {
    code: 'LACH_TRAY',
    name: 'Phường Lạch Tray',
  });
  const deptIds: Record<string, string> = {};
  for (const d of departments)
    deptIds[d.code] = (
      await admin.post<{ id: string }>('/api/v1/departments', { wardId: ward.id, code: d.code, name: d.name })
    ).id;
  return { ward, deptIds };
}
