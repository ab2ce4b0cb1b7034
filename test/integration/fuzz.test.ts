import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/database.ts';
import { bearer, call, createTestApp, login, type TestApp } from '../support/app.ts';
import { caseBody } from '../support/case-body.ts';
import { postCase } from '../support/cases.ts';
import { createIsolatedDatabase } from '../support/database.ts';
import {
  type BareWard,
  createApiClient,
  createCategory,
  createStaff,
  createWard,
  type Ward,
} from '../support/fixtures.ts';
import { uid } from '../support/ids.ts';
import { captureLogs, expectNoLeaks, safeDecode } from '../support/logs.ts';
import {
  hostileString,
  hostileValue,
  type JsonSchema,
  type Operation,
  operations,
  type Pools,
  pointedValues,
  saltedValue,
  secretMarker,
  validValue,
} from '../support/openapi.ts';

/**
 * Every operation of openapi/openapi.json, driven with requests derived from its schemas by a caller
 * allowed to reach it (its `x-access`), against the real database: no input may produce a 5xx, and
 * every error is problem+json. Per operation, first a boundary table (hostile ids, extreme dates and
 * durations… on every field they fit), then random requests: valid, valid with hostile text salted
 * in (NUL, lone surrogates, bidi controls, LIKE wildcards, long runs), schema-breaking (wrong types,
 * missing fields, out of range, wrong enums), and malformed bodies or content types. Then all
 * operations again, interleaved at random, so that one request's effects (a calendar, a policy, a
 * state change) meet the others. Finally, the log holds no phone number, password or credential.
 *
 * Reproducible: a failure prints the FUZZ_SEED to run again with. FUZZ_RUNS sets the runs per
 * operation; FUZZ_BUDGET_MS bounds the whole run's time (on a slow machine each operation stops
 * early, after the same first requests; 0 = no bound, for a full reproduction).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_122);
const RUNS = Number(process.env.FUZZ_RUNS ?? 80);
const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? 30_000);
/** Share of the budget kept for the interleaved phase. */
const INTERLEAVED_SHARE = 0.2;
/** Operations that hash a password (argon2) cost ~100× an ordinary request: fewer runs. */
const runsFor = (op: Operation) =>
  ['issueToken', 'createUser', 'logout', 'changeOwnPassword', 'resetUserPassword'].includes(op.operationId)
    ? Math.ceil(RUNS / 5)
    : RUNS;
let budgetEnd = 0;

const log = captureLogs();
let database: Awaited<ReturnType<typeof createIsolatedDatabase>>;
let t: TestApp;
let wardA: Ward;
/** Another ward, with departments and a case but no users (signing users in is slow: argon2). */
let wardB: BareWard;
let setupMs = 0;
let apiKey: string;
/** Signs in afresh for each logout, so that the fuzzer never ends a caller's own session. */
let sessionDonor: { username: string; password: string };
let pools: Pools;
let requests = 0;
/** Runs left out because the time budget ran out (their requests are never sent). */
let skipped = 0;
const phonesSent = new Set<string>();

type Caller = { name: string; role: string; headers: Record<string, string> };
let callers: Caller[] = [];
/** Callers that are not allowed, or not authenticated: a few requests of each run use one. */
let strangers: Caller[] = [];

beforeAll(async () => {
  const started = Date.now();
  // A database of its own: city-wide operations (a year's days off for every ward) stay in it.
  database = await createIsolatedDatabase();
  await keepCallersOutOfReach(database.url);
  t = await createTestApp(
    {
      DATABASE_URL: database.url,
      RATE_LIMIT_LOGIN_PER_MINUTE: '100000',
      RATE_LIMIT_PUBLIC_PER_MINUTE: '100000',
    },
    { logger: log.logger },
  );
  const [a, b, key, infraCat, cultureCat] = await Promise.all([
    createWard(t),
    createWard(t, { staff: 'none', departments: ['infra', 'culture'] }),
    createApiClient(t, 'smart_haiphong'),
    createCategory(t, { defaultDepartmentCode: 'ktht' }),
    createCategory(t, { defaultDepartmentCode: 'vhxh' }),
  ]);
  [wardA, wardB, apiKey] = [a, b, key];
  const intakeA = bearer(wardA.tokens.intake);
  const walkIn = (code: string, extra: Record<string, unknown> = {}) =>
    caseBody(code, { channel: 'walk_in', ...extra });
  const cases = await Promise.all([
    postCase(t.app, intakeA, walkIn(wardA.code, { categoryCode: infraCat.code })),
    postCase(t.app, intakeA, walkIn(wardA.code, { categoryCode: cultureCat.code })),
    postCase(t.app, intakeA, walkIn(wardA.code)),
    postCase(t.app, { 'x-api-key': apiKey }, caseBody(wardA.code, { categoryCode: infraCat.code })),
    postCase(t.app, { 'x-api-key': apiKey }, caseBody(wardB.code, { categoryCode: infraCat.code })),
  ]);
  // One case in progress with a pending extension request, so {rid} names a real row.
  const inProgress = cases[0] as { id: string };
  await call(
    t.app,
    {
      method: 'POST',
      url: `/api/v1/cases/${inProgress.id}/accept`,
      headers: bearer(wardA.tokens.infraHead),
      payload: {},
    },
    200,
  );
  const extension = (
    await call(
      t.app,
      {
        method: 'POST',
        url: `/api/v1/cases/${inProgress.id}/extension-requests`,
        headers: bearer(wardA.tokens.infraHead),
        payload: { extendBy: 'P2D', reason: 'Cần khảo sát hiện trường' },
      },
      201,
    )
  ).json();
  // An officer's answer proposal waiting for the head on the same case, so {pid} names a real row.
  const proposal = (
    await call(
      t.app,
      {
        method: 'POST',
        url: `/api/v1/cases/${inProgress.id}/respond`,
        headers: bearer(wardA.tokens.infraOfficer),
        payload: { answer: 'Dự thảo trả lời của cán bộ' },
      },
      201,
    )
  ).json();
  // A deactivated webhook (its id and delivery log exist; nothing is ever sent to it).
  const hook = (
    await call(
      t.app,
      {
        method: 'POST',
        url: '/api/v1/webhooks',
        headers: bearer(t.adminToken),
        payload: {
          url: 'http://127.0.0.1:9/fuzz-fixture',
          events: ['case.escalated'],
          secret: 'x'.repeat(32),
        },
      },
      201,
    )
  ).json();
  await call(
    t.app,
    { method: 'DELETE', url: `/api/v1/webhooks/${hook.id}`, headers: bearer(t.adminToken) },
    204,
  );
  // A user whose sign-in the fuzzer attacks (and locks out): not one whose token the run uses.
  const target = await createStaff(t, 'intake', { wardId: wardA.id });
  // A user and an API client the fuzzer may change, deactivate, reset and rotate: their ids are
  // in the pool, unlike those of the callers (keepCallersOutOfReach).
  const victims = await reachableVictims(t, wardA.id);
  sessionDonor = await createStaff(t, 'intake', { wardId: wardA.id });

  pools = {
    ids: [
      wardA.id,
      wardB.id,
      ...Object.values(wardA.departments).map((d) => d.id),
      ...Object.values(wardB.departments).map((d) => d.id),
      ...cases.map((c) => c.id),
      extension.id,
      proposal.id,
      hook.id,
      ...victims,
    ],
    wardCodes: [wardA.code, wardB.code],
    categoryCodes: [infraCat.code, cultureCat.code],
    departmentCodes: ['ktht', 'vhxh', 'cap'],
    usernames: [target.username, 'admin', `nobody-${uid().toLowerCase()}`],
  };
  callers = [
    { name: 'admin', role: 'admin', headers: bearer(t.adminToken) },
    { name: 'intake', role: 'intake', headers: bearer(wardA.tokens.intake) },
    { name: 'chairman', role: 'chairman', headers: bearer(wardA.tokens.chairman) },
    { name: 'department head', role: 'department_head', headers: bearer(wardA.tokens.infraHead) },
    { name: 'department officer', role: 'department_officer', headers: bearer(wardA.tokens.infraOfficer) },
    { name: 'API client', role: 'api_client', headers: { 'x-api-key': apiKey } },
  ];
  strangers = [
    { name: 'anonymous', role: 'none', headers: {} },
    { name: 'forged token', role: 'none', headers: bearer(`${wardA.tokens.intake.slice(0, -3)}abc`) },
    { name: 'unknown API key', role: 'none', headers: { 'x-api-key': `pakn_${'A'.repeat(43)}` } },
  ];
  setupMs = Date.now() - started;
}, 120_000);

afterAll(async () => {
  console.info(
    `fuzz: ${requests} requests (${skipped} runs skipped for time), FUZZ_SEED=${SEED}, FUZZ_RUNS=${RUNS}, FUZZ_BUDGET_MS=${BUDGET_MS}, setup ${setupMs} ms`,
  );
  await t?.close();
  await database?.drop();
});

const allowed = (op: Operation) =>
  callers.filter((c) =>
    c.role === 'api_client' ? op.access?.apiClient === true : (op.access?.roles.includes(c.role) ?? false),
  );

/** Path segments that break encodings rather than values: sent as they are. */
const rawSegments = [
  '%zz',
  '%00',
  '%E0%A4%A',
  '%2F',
  '..',
  '%2e%2e',
  '%C0%AE',
  '%F0%9F',
  '%u0041',
  ' ',
  '%20',
];

const rawBodies: { body: string | Buffer; type: string }[] = [
  ...[
    '{"a":',
    '{a:1}',
    '',
    ' ',
    'null',
    '[]',
    '"x"',
    '1e999',
    '-0',
    '{"a":1}}',
    '\u0000',
    '\uFEFF{}',
    '{"__proto__":{"role":"admin"}}',
    '{"constructor":{"prototype":{"role":"admin"}}}',
    '{"note":"a","note":"b"}',
    '{"x":"\\ud800"}',
    '{"note":"\\u0000"}',
    '{"note":"a\\u0000b","reason":"\\u0000","answer":"\\u0000"}',
    `${'['.repeat(5000)}${']'.repeat(5000)}`,
    `{"a":${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}}`,
    `[${'1,'.repeat(50_000)}1]`,
  ].map((body) => ({ body, type: 'application/json' })),
  ...[
    'application/xml',
    'text/plain',
    'text/html',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/json; charset=latin1',
    'application/json; charset=utf-16',
    'application/jsonx',
    'application/vnd.api+json',
    'application/json, text/plain',
    'APPLICATION/JSON',
    'application/octet-stream',
    '*/*',
  ].map((type) => ({ body: '{"note":"x"}', type })),
  // Invalid UTF-8 inside a JSON string.
  {
    body: Buffer.from([0x7b, 0x22, 0x6e, 0x6f, 0x74, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    type: 'application/json',
  },
  { body: Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80]), type: 'application/json' },
];

const rawQueries = [
  'limit=1&limit=2',
  'q=%',
  'q=%00',
  'cursor=%00',
  'status[]=received',
  'a[b][c]=1',
  '%zz=1',
  `limit=${'9'.repeat(400)}`,
  'limit=1e2',
  'limit=0x10',
  'limit=%201',
  'overdue=TRUE',
  'unread=1',
  'status=received,,assigned',
  `status=${'received,'.repeat(50)}`,
  'from=2026-06-15T09:30:00%2B07:00&duration=P5D',
  `q=${encodeURIComponent('đ'.repeat(300))}`,
  'receivedFrom=2026-06-15&receivedTo=2026-06-01',
  'receivedFrom=%2B275760-09-13T00:00:00Z',
  'departmentId=99999999999999999999',
  'wardId=9223372036854775808',
  '__proto__[role]=admin',
  'constructor[prototype][role]=admin',
];

const ifMatchValues = fc.oneof(
  fc.constant('*'),
  fc.nat(20).map((n) => `"${n}"`),
  fc.constantFrom(
    '"99999999999999999999"',
    '"-1"',
    'W/"1"',
    '"abc"',
    '""',
    '"1", "2"',
    '"1',
    'x'.repeat(101),
    '"١"',
    '"1e3"',
    '"0x1"',
  ),
);

type Req = {
  caller: Caller;
  path: Record<string, string>;
  query: string;
  ifMatch: string | undefined;
  body: { json: unknown } | { raw: string | Buffer; type: string } | undefined;
};

/**
 * Percent-encoding that also carries lone surrogates (which encodeURIComponent refuses), as the
 * three bytes a careless encoder would produce: invalid UTF-8 for the server to deal with.
 */
function encodeSegment(value: unknown): string {
  return [...String(value)]
    .map((ch) => {
      const code = ch.charCodeAt(0);
      if (ch.length === 1 && code >= 0xd800 && code <= 0xdfff)
        return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
          .map((b) => `%${b.toString(16).toUpperCase()}`)
          .join('');
      return encodeURIComponent(ch);
    })
    .join('');
}

function pathValue(schema: JsonSchema, name: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: validValue(schema, pools, name).map(encodeSegment) },
    { weight: 3, arbitrary: hostileValue(schema, pools, name).map(encodeSegment) },
    { weight: 1, arbitrary: fc.constantFrom(...rawSegments) },
  );
}

const encodeQuery = (o: unknown) =>
  Object.entries((o ?? {}) as Record<string, unknown>)
    .flatMap(([k, v]) =>
      (Array.isArray(v) ? v : [typeof v === 'object' && v !== null ? JSON.stringify(v) : v]).map(
        (item) => `${encodeSegment(k)}=${encodeSegment(item)}`,
      ),
    )
    .join('&');

/** The operation's query parameters as one object schema. */
function querySchema(op: Operation): JsonSchema {
  const params = op.params.filter((p) => p.in === 'query');
  return {
    type: 'object',
    properties: Object.fromEntries(params.map((p) => [p.name, p.schema])),
    required: params.filter((p) => p.required).map((p) => p.name),
  };
}

/**
 * The boundary table: every value aimed at a field's meaning (hostile ids, extreme dates and
 * durations, bad time zones: `pointedValues`) tried once on every path parameter, query parameter
 * and body field it fits, the rest of the request valid. Run before the random requests, so these
 * are never left to chance.
 */
function sweep(op: Operation): Req[] {
  const caller = allowed(op)[0] ?? (strangers[0] as Caller);
  const seed = seedOf(`${op.operationId}/sweep`);
  const pathParams = op.params.filter((p) => p.in === 'path');
  const bases = fc.sample(
    fc.record({
      path: fc.record(
        Object.fromEntries(pathParams.map((p) => [p.name, validValue(p.schema, pools, p.name)])),
      ),
      query: validValue(querySchema(op), pools),
      body: op.body ? validValue(op.body, pools) : fc.constant(undefined),
    }),
    { seed, numRuns: 8 },
  ) as { path: Record<string, unknown>; query: Record<string, unknown>; body: unknown }[];
  const out: Req[] = [];
  const req = (i: number, change: (b: (typeof bases)[number]) => void): Req => {
    const base = structuredClone(bases[i % bases.length] as (typeof bases)[number]);
    change(base);
    return {
      caller,
      path: Object.fromEntries(Object.entries(base.path).map(([k, v]) => [k, encodeSegment(v)])),
      query: encodeQuery(base.query),
      ifMatch: undefined,
      body: base.body === undefined ? undefined : { json: base.body },
    };
  };
  for (const p of pathParams)
    for (const v of pointedValues(p.schema, p.name))
      out.push(
        req(out.length, (b) => {
          b.path[p.name] = v;
        }),
      );
  // A duration means something else on each clock: both are tried wherever a clock sits beside it.
  const clocks = ['working', 'continuous'];
  const queryNames = op.params.filter((q) => q.in === 'query').map((q) => q.name);
  for (const p of op.params.filter((q) => q.in === 'query'))
    for (const v of pointedValues(p.schema, p.name))
      for (const clock of queryNames.includes('clock') ? clocks : [undefined])
        out.push(
          req(out.length, (b) => {
            b.query = { ...(b.query ?? {}), [p.name]: v, ...(clock ? { clock } : {}) };
          }),
        );
  // Body fields at any depth, recognised by name (sla.normal.duration, steps[].offset, departmentId…).
  const leaves = (value: unknown, path: (string | number)[] = []): (string | number)[][] =>
    value && typeof value === 'object'
      ? Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, Array.isArray(value) ? Number(k) : k]))
      : path.length
        ? [path]
        : [];
  const holderOf = (root: unknown, path: (string | number)[]) => {
    let holder = root as Record<string | number, unknown>;
    for (const k of path.slice(0, -1)) holder = holder[k] as Record<string | number, unknown>;
    return holder;
  };
  const first = bases[0]?.body;
  for (const path of leaves(first)) {
    const name = String(path.filter((k) => typeof k === 'string').at(-1) ?? '');
    const besideClock = 'clock' in holderOf(first, path);
    for (const v of pointedValues({}, name))
      for (const clock of besideClock ? clocks : [undefined])
        out.push(
          req(0, (b) => {
            const holder = holderOf(b.body, path);
            holder[path.at(-1) as string | number] = v;
            if (clock) holder.clock = clock;
          }),
        );
  }
  return out;
}

function queryString(op: Operation): fc.Arbitrary<string> {
  const params = op.params.filter((p) => p.in === 'query');
  const asObject = querySchema(op);
  const encode = encodeQuery;
  const valid = params.length ? validValue(asObject, pools).map(encode) : fc.constant('');
  return fc.oneof(
    { weight: 4, arbitrary: valid },
    { weight: 3, arbitrary: params.length ? saltedValue(asObject, pools).map(encode) : valid },
    { weight: 3, arbitrary: params.length ? hostileValue(asObject, pools).map(encode) : fc.constant('x=1') },
    {
      weight: 1,
      arbitrary: fc.tuple(valid, fc.constantFrom(...rawQueries)).map(([v, raw]) => (v ? `${v}&${raw}` : raw)),
    },
  );
}

function bodyFor(op: Operation): fc.Arbitrary<Req['body']> {
  const raw = fc.constantFrom(...rawBodies).map((r) => ({ raw: r.body, type: r.type }));
  if (!op.body)
    return fc.oneof(
      { weight: 8, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: raw },
      { weight: 1, arbitrary: hostileString.map((s) => ({ json: { note: s } })) },
    );
  return fc.oneof(
    { weight: 4, arbitrary: validValue(op.body, pools).map((json) => ({ json })) },
    { weight: 3, arbitrary: saltedValue(op.body, pools).map((json) => ({ json })) },
    { weight: 3, arbitrary: hostileValue(op.body, pools).map((json) => ({ json })) },
    { weight: 2, arbitrary: raw },
  );
}

function requestFor(op: Operation): fc.Arbitrary<Req> {
  const mayCall = allowed(op);
  const caller = mayCall.length
    ? fc.oneof(
        { weight: 19, arbitrary: fc.constantFrom(...mayCall) },
        { weight: 1, arbitrary: fc.constantFrom(...strangers, ...callers) },
      )
    : fc.constantFrom(...strangers, ...callers);
  const pathParams = op.params.filter((p) => p.in === 'path');
  const hasIfMatch = op.params.some((p) => p.in === 'header' && p.name === 'if-match');
  return fc.record({
    caller,
    path: fc.record(Object.fromEntries(pathParams.map((p) => [p.name, pathValue(p.schema, p.name)]))),
    query: queryString(op),
    ifMatch: hasIfMatch ? fc.option(ifMatchValues, { nil: undefined }) : fc.constant(undefined),
    body: bodyFor(op),
  }) as fc.Arbitrary<Req>;
}

function toInject(op: Operation, req: Req): InjectOptions {
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => req.path[name] ?? '');
  const headers: Record<string, string> = { ...req.caller.headers };
  if (req.ifMatch !== undefined) headers['if-match'] = req.ifMatch;
  const opts: InjectOptions = {
    method: op.method as InjectOptions['method'],
    url: req.query ? `${path}?${req.query}` : path,
    headers,
  };
  if (req.body && 'json' in req.body) {
    headers['content-type'] = 'application/json';
    opts.payload = JSON.stringify(req.body.json) ?? 'null';
  } else if (req.body) {
    if (req.body.type) headers['content-type'] = req.body.type;
    opts.payload = req.body.raw;
  }
  return opts;
}

/** Phone numbers a request carried (in a body's `phone` fields or a search term), for the log check. */
function collectPhones(value: unknown, key = ''): void {
  if (typeof value === 'string') {
    if (/phone|^q$/i.test(key) && /^(\+84|0)\d{9}$/.test(value.trim())) phonesSent.add(value.trim());
  } else if (Array.isArray(value)) for (const v of value) collectPhones(v, key);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) collectPhones(v, k);
}

/** Never a 5xx; every error a complete problem+json. Throws with the request, answer and server log. */
function checkResponse(op: Operation, opts: InjectOptions, res: LightMyRequestResponse): void {
  const fail = (why: string) => {
    throw new Error(
      `${why} from ${op.operationId}: ${opts.method} ${String(opts.url).slice(0, 300)} ` +
        `as ${JSON.stringify(opts.headers ?? {}).slice(0, 80)}\n` +
        `body: ${String(opts.payload ?? '').slice(0, 500)}\n→ ${res.statusCode} ${res.body.slice(0, 500)}\n` +
        `server log: ${serverErrorFor(res)}`,
    );
  };
  if (res.statusCode >= 500) fail('5xx');
  if (res.statusCode < 400) return;
  if (op.path.startsWith('/open311/')) {
    checkOpen311Errors(res, fail);
    return;
  }
  if (!/^application\/problem\+json/.test(String(res.headers['content-type']))) fail('not problem+json');
  let problem: Record<string, unknown> = {};
  try {
    problem = JSON.parse(res.body) as Record<string, unknown>;
  } catch {
    fail('unparsable problem');
  }
  for (const field of ['type', 'title', 'detail'])
    if (typeof problem[field] !== 'string') fail(`problem without ${field}`);
  if (problem.status !== res.statusCode) fail('problem.status differs from the status');
}

/** Open311 answers errors as its spec says: `[{ code, description }]` in JSON, `<errors>` in XML. */
function checkOpen311Errors(res: LightMyRequestResponse, fail: (why: string) => never): void {
  const type = String(res.headers['content-type']);
  if (type.startsWith('text/xml')) {
    if (!res.body.includes('<errors>') || !res.body.includes(`<code>${res.statusCode}</code>`))
      fail('not Open311 XML errors');
    return;
  }
  if (!type.startsWith('application/json')) fail('not Open311 errors');
  let errors: unknown;
  try {
    errors = JSON.parse(res.body);
  } catch {
    fail('unparsable Open311 errors');
  }
  const list = errors as { code?: unknown; description?: unknown }[];
  if (!Array.isArray(list) || list.length === 0) fail('Open311 errors not a list');
  for (const e of list)
    if (e.code !== res.statusCode || typeof e.description !== 'string')
      fail('Open311 error without code or description');
}

function serverErrorFor(res: LightMyRequestResponse): string {
  const id = res.headers['x-request-id'];
  return log.lines
    .filter((l) => id && l.includes(String(id)) && l.includes('"err"'))
    .join('\n')
    .slice(0, 2000);
}

/** One request of a property: sent, the webhooks it creates removed at once, the answer checked. */
async function run(op: Operation, req: Req, deadline = Number.POSITIVE_INFINITY): Promise<void> {
  // Out of time: the remaining runs pass without a request (the ones sent are the same every time).
  if (Date.now() > deadline) {
    skipped++;
    return;
  }
  const opts = toInject(op, req);
  if (op.operationId === 'logout' && req.caller.role !== 'none')
    (opts.headers as Record<string, string>).authorization =
      `Bearer ${await login(t.app, sessionDonor.username, sessionDonor.password)}`;
  if (req.body && 'json' in req.body) collectPhones(req.body.json);
  for (const [, k = '', v = ''] of req.query.matchAll(/(?:^|&)(q)=([^&]*)/g))
    collectPhones({ [k]: safeDecode(v, true) });
  requests++;
  const res = await t.app.inject(opts);
  // A webhook the fuzzer created is deactivated at once: nothing is ever delivered to it.
  if (op.operationId === 'createWebhook' && res.statusCode === 201) {
    requests++;
    await call(
      t.app,
      { method: 'DELETE', url: `/api/v1/webhooks/${res.json().id}`, headers: bearer(t.adminToken) },
      204,
    );
  }
  checkResponse(op, opts, res);
}

async function assertProperty<T>(
  name: string,
  arb: fc.Arbitrary<T>,
  body: (v: T) => Promise<void>,
  numRuns: number,
  seed: number,
  examples: T[] = [],
) {
  try {
    await fc.assert(fc.asyncProperty(arb, body), {
      seed,
      numRuns,
      endOnFailure: true,
      examples: examples.map((e) => [e] as [T]),
    });
  } catch (err) {
    throw new Error(
      `${name} failed; reproduce with FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} FUZZ_BUDGET_MS=0 (property seed ${seed}): ` +
        `${(err as Error).message}\n${((err as Error).cause as Error | undefined)?.message ?? ''}`,
    );
  }
}

const seedOf = (operationId: string) =>
  [...operationId].reduce((h, ch) => (Math.imul(h, 31) + ch.charCodeAt(0)) | 0, SEED);

describe('fuzzing every operation of openapi.json', () => {
  const ops = operations();

  it('covers every operation, each with a caller allowed to reach it', () => {
    expect(ops.length).toBeGreaterThan(30);
    for (const op of ops) if (op.access) expect(allowed(op).length, op.operationId).toBeGreaterThan(0);
    budgetEnd = Date.now() + BUDGET_MS;
  });

  ops.forEach((op, index) => {
    it(`${op.method} ${op.path} (${op.operationId})`, async () => {
      // What is left of the per-operation share of the budget, spread over the operations still to run.
      const left = budgetEnd - BUDGET_MS * INTERLEAVED_SHARE - Date.now();
      // At least a second per operation, however late the run is.
      const deadline = BUDGET_MS > 0 ? Date.now() + Math.max(1_000, left / (ops.length - index)) : undefined;
      await assertProperty(
        op.operationId,
        requestFor(op),
        (req) => run(op, req, deadline),
        runsFor(op),
        seedOf(op.operationId),
        sweep(op),
      );
    }, 120_000);
  });

  it('all operations interleaved at random', async () => {
    const step = fc.constantFrom(...ops).chain((op) => requestFor(op).map((req) => ({ op, req })));
    await assertProperty(
      'interleaved',
      step,
      ({ op, req }) => run(op, req, BUDGET_MS > 0 ? Math.max(budgetEnd, Date.now() + 2_000) : undefined),
      RUNS * 8,
      seedOf('interleaved'),
    );
  }, 120_000);

  it('methods the document does not list answer 404 or 405 problem+json, never 5xx', async () => {
    for (const path of new Set(ops.map((o) => o.path))) {
      const documented = ops.filter((o) => o.path === path);
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const) {
        if (documented.some((o) => o.method === method)) continue;
        const url = path.replace(/\{\w+\}/g, pools.ids[0] as string);
        const res = await t.app.inject({ method, url, headers: bearer(t.adminToken), payload: {} });
        requests++;
        expect([404, 405], `${method} ${url}: ${res.statusCode}`).toContain(res.statusCode);
        checkResponse(documented[0] as Operation, { method, url }, res);
      }
    }
  });

  it('left both Open311 XML feeds well-formed, whatever text the requests carried', async () => {
    const feed = await t.app.inject({
      method: 'GET',
      url: `/open311/v2/requests.xml?jurisdiction_id=${wardA.code}`,
    });
    expect(feed.statusCode).toBe(200);
    expect(XMLValidator.validate(feed.body)).toBe(true);
    const rows = await t.container.db.selectFrom('cases').select('code').execute();
    expect(rows.length).toBeGreaterThan(5);
    for (const { code } of rows) {
      const one = await t.app.inject({ method: 'GET', url: `/open311/v2/requests/${code}.xml` });
      expect(one.statusCode).toBe(200);
      expect(XMLValidator.validate(one.body), code).toBe(true);
    }
  });

  it('left every caller signed in: the fuzzer never ended the sessions or keys it ran with', async () => {
    for (const caller of callers) {
      const url = caller.role === 'api_client' ? '/api/v1/categories' : '/api/v1/me';
      const res = await t.app.inject({ method: 'GET', url, headers: caller.headers });
      expect(res.statusCode, `${caller.name}: ${res.body}`).toBe(200);
    }
  });

  it('left no phone number, password, secret, bearer token or API key in the log', () => {
    expect(log.lines.length).toBeGreaterThan(requests / 2);
    expect(log.lines.join('\n')).not.toContain(secretMarker);
    const secrets: Record<string, string> = { 'API key': apiKey };
    for (const [name, token] of Object.entries({ admin: t.adminToken, ...wardA.tokens })) {
      secrets[`${name} token`] = token;
      secrets[`${name} token signature`] = token.split('.')[2] as string;
    }
    expectNoLeaks(log.lines, { secrets, phones: [...phonesSent, '0912345678'] });
  });
});

/**
 * The callers' users and API client get ids far above the pool's (wards, departments, cases: small
 * numbers), so that the fuzzer's deactivations, password resets and key rotations never end the
 * sessions the run goes on with; `reachableVictims` gives it a user and a client to act on instead.
 */
async function keepCallersOutOfReach(url: string): Promise<void> {
  const db = createDb({ url, poolSize: 1 });
  try {
    await sql`ALTER TABLE users ALTER COLUMN id RESTART WITH 1000001`.execute(db);
    await sql`ALTER TABLE api_clients ALTER COLUMN id RESTART WITH 1000001`.execute(db);
  } finally {
    await db.destroy();
  }
}

/** A user and an API client with small ids (within the pool), not used as callers. */
async function reachableVictims(app: TestApp, wardId: string): Promise<string[]> {
  const db = app.container.db;
  await sql`INSERT INTO users (id, username, password_hash, full_name, role, ward_id)
    OVERRIDING SYSTEM VALUE
    VALUES (42, ${`victim-${uid().toLowerCase()}`}, 'not-a-hash', 'Người dùng để thử', 'intake', ${wardId})`.execute(
    db,
  );
  await sql`INSERT INTO api_clients (id, name, channel, key_hash, key_prefix)
    OVERRIDING SYSTEM VALUE
    VALUES (43, 'Ứng dụng để thử', 'smart_haiphong', ${`victim-${uid()}`}, 'pakn_victim')`.execute(db);
  return ['42', '43'];
}
