import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { XMLParser } from 'fast-xml-parser';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, createTestApp, type TestApp } from '../support/app.ts';
import { createApiClient, createCategory, createWard, type Ward } from '../support/fixtures.ts';
import { uid } from '../support/ids.ts';

/**
 * Open311 GeoReport v2 under /open311/v2, in JSON and XML. Every successful response is validated
 * against the spec's JSON schemas (test/fixtures/open311-georeport-v2) — the XML after being read back into
 * the same shape (empty elements as null, numbers and booleans from their text).
 */

type JsonSchema = {
  type?: string;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  $ref?: string;
};

// A copy of ../shared/open311/georeport-v2 (the Open311 GeoReport v2 JSON schemas), so a clone tests alone.
const schemaDir = new URL('../fixtures/open311-georeport-v2/', import.meta.url);
const schemas: Record<string, JsonSchema> = Object.fromEntries(
  ['service', 'services', 'service-definition', 'request', 'requests'].map((n) => [
    `${n}.json`,
    JSON.parse(readFileSync(new URL(`${n}.json`, schemaDir), 'utf8')) as JsonSchema,
  ]),
);
const ajv = new Ajv({ allErrors: true, strict: false });
// CommonJS: its default export is the plugin, which carries itself as `default` as well.
addFormats.default(ajv);
for (const [id, schema] of Object.entries(schemas)) ajv.addSchema(schema, id);
const validators: Record<string, ValidateFunction> = {};
const validate = (schema: string, value: unknown) => {
  validators[schema] ??= ajv.getSchema(schema) as ValidateFunction;
  const ok = validators[schema](value);
  expect(
    ok,
    `${schema}: ${ajv.errorsText(validators[schema].errors)}\n${JSON.stringify(value).slice(0, 500)}`,
  ).toBe(true);
};

const xml = new XMLParser({
  parseTagValue: false,
  isArray: (name) =>
    ['request', 'service', 'attribute', 'value', 'error', 'endpoint', 'format'].includes(name),
});

/** A value read from XML text, as the schema wants it. */
function coerce(value: unknown, schema: JsonSchema | undefined): unknown {
  if (!schema) return value;
  if (schema.$ref) return coerce(value, schemas[schema.$ref]);
  const types = schema.anyOf ? schema.anyOf.map((s) => s.type) : [schema.type];
  if (value === '' && types.includes('null')) return null;
  if (schema.type === 'array' || schema.anyOf?.some((s) => s.type === 'array')) {
    const items = schema.items ?? schema.anyOf?.find((s) => s.type === 'array')?.items;
    return (value as unknown[]).map((v) => coerce(v, items));
  }
  if (types.includes('boolean')) return value === 'true' ? true : value === 'false' ? false : value;
  if (types.includes('number') || types.includes('integer')) return value === '' ? null : Number(value);
  if (schema.properties && typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = coerce(v, schema.properties[k]);
    return out;
  }
  return value === '' ? null : value;
}

/** The service definition's attributes and values sit under their singular elements in XML. */
function unwrapDefinition(d: { service_code: string; attributes: { attribute: Record<string, unknown>[] } }) {
  return {
    service_code: d.service_code,
    attributes: d.attributes.attribute.map((a) => {
      const { values, ...rest } = a as { values?: { value: unknown[] } };
      return { ...rest, ...(values ? { values: values.value } : {}) };
    }),
  };
}

let t: TestApp;
let ward: Ward;
let apiKey: string;
let lighting: { code: string };
let unassigned: { code: string };

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PUBLIC_PER_MINUTE: '10000' });
  ward = await createWard(t);
  apiKey = await createApiClient(t);
  lighting = await createCategory(t, {
    name: 'Chiếu sáng công cộng',
    defaultDepartmentCode: 'ktht',
    description: 'Đèn đường, đèn công viên hỏng hoặc sáng ban ngày',
    keywords: ['đèn', 'chiếu sáng'],
    group: 'Hạ tầng đô thị',
  });
  unassigned = await createCategory(t);
});

afterAll(async () => {
  await t?.close();
});

const get = (url: string) => t.app.inject({ method: 'GET', url: `/open311/v2/${url}` });

/** GET in both formats: the JSON body, and the XML read back into the same shape under `root`/`item`. */
async function both(path: string, query = '') {
  const j = await get(`${path}.json${query}`);
  const x = await get(`${path}.xml${query}`);
  expect(j.statusCode, j.body).toBe(200);
  expect(x.statusCode, x.body).toBe(200);
  expect(j.headers['content-type']).toMatch(/^application\/json; charset=utf-8/);
  expect(x.headers['content-type']).toMatch(/^text\/xml; charset=utf-8/);
  expect(x.body.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
  return { json: j.json(), xml: xml.parse(x.body) as Record<string, Record<string, unknown>> };
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

const reportFields = (extra: Record<string, string> = {}) => ({
  api_key: apiKey,
  jurisdiction_id: ward.code,
  service_code: lighting.code,
  lat: '20.8561',
  long: '106.6822',
  address_string: '12 Lạch Tray',
  first_name: 'Văn A',
  last_name: 'Nguyễn',
  phone: '0912345678',
  description: 'Đèn đường trước nhà số 12 hỏng ba hôm nay, ông Nguyễn Văn A gọi 0912345678.',
  media_url: 'https://example.org/den-hong.jpg',
  ...extra,
});

const post = (fields: Record<string, string>, format = 'json', headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url: `/open311/v2/requests.${format}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: form(fields),
  });

async function filed(extra: Record<string, string> = {}) {
  const res = await post(reportFields(extra));
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { service_request_id: string }[])[0]?.service_request_id as string;
}

function expectErrors(res: LightMyRequestResponse, status: number, format: 'json' | 'xml', pattern?: RegExp) {
  expect(res.statusCode, res.body).toBe(status);
  const list =
    format === 'json'
      ? (res.json() as { code: number; description: string }[])
      : (coerce(xml.parse(res.body).errors.error, {
          type: 'array',
          items: { properties: { code: { type: 'integer' }, description: { type: 'string' } } },
        }) as { code: number; description: string }[]);
  expect(list.length).toBeGreaterThan(0);
  for (const e of list) {
    expect(e.code).toBe(status);
    expect(typeof e.description).toBe('string');
  }
  if (pattern) expect(list.map((e) => e.description).join(' ')).toMatch(pattern);
}

describe('Open311 discovery and services', () => {
  it('describes the endpoint in discovery', async () => {
    const { json, xml: x } = await both('discovery');
    expect(json.endpoints[0]).toMatchObject({
      specification: 'http://wiki.open311.org/GeoReport_v2',
      type: 'production',
      formats: ['text/xml', 'application/json'],
    });
    expect(json.endpoints[0].url).toMatch(/\/open311\/v2$/);
    expect(x.discovery?.endpoints).toEqual({
      endpoint: [{ ...json.endpoints[0], formats: { format: json.endpoints[0].formats } }],
    });
  });

  it('lists the categories as services, valid in both formats', async () => {
    const { json, xml: x } = await both('services', `?jurisdiction_id=${ward.code}`);
    validate('services.json', json);
    const fromXml = coerce(x.services?.service, schemas['services.json']);
    validate('services.json', fromXml);
    expect(fromXml).toEqual(json);
    expect(json.find((s: { service_code: string }) => s.service_code === lighting.code)).toEqual({
      service_code: lighting.code,
      service_name: 'Chiếu sáng công cộng',
      description: 'Đèn đường, đèn công viên hỏng hoặc sáng ban ngày',
      metadata: true,
      type: 'realtime',
      keywords: 'đèn,chiếu sáng',
      group: 'Hạ tầng đô thị',
    });
  });

  it('defines the attributes a request takes, valid in both formats', async () => {
    const { json, xml: x } = await both(`services/${lighting.code}`);
    validate('service-definition.json', json);
    const fromXml = coerce(
      unwrapDefinition(x.service_definition as Parameters<typeof unwrapDefinition>[0]),
      schemas['service-definition.json'],
    );
    validate('service-definition.json', fromXml);
    expect(fromXml).toEqual(json);
    expect(json.attributes.map((a: { code: string }) => a.code)).toEqual([
      'title',
      'urgency',
      'residential_group',
      'confidential',
    ]);
    expect(json.attributes[1].values).toEqual([
      { key: 'normal', name: 'Bình thường' },
      { key: 'urgent', name: 'Khẩn cấp' },
    ]);
  });

  it('answers 404 in the spec’s error format for an unknown service, jurisdiction or resource', async () => {
    expectErrors(await get('services/khong_co.json'), 404, 'json', /service_code khong_co/);
    expectErrors(await get('services/khong_co.xml'), 404, 'xml', /service_code khong_co/);
    expectErrors(await get('services.xml?jurisdiction_id=KHONGCO'), 404, 'xml', /jurisdiction_id KHONGCO/);
    expectErrors(await get('khong-co.json'), 404, 'json');
    expectErrors(await get('services.html'), 400, 'json', /format/);
  });
});

describe('Open311 POST requests', () => {
  it('files a report from form fields, through intake: assigned, with its deadline and department', async () => {
    const res = await post(
      reportFields({ 'attribute[urgency]': 'urgent', 'attribute[title]': 'Đèn đường hỏng' }),
    );
    expect(res.statusCode, res.body).toBe(200);
    const [created] = res.json();
    expect(created.service_request_id).toMatch(new RegExp(`^${ward.code}-\\d{6}-\\d{4,}$`));
    expect(created.service_notice).toMatch(
      /^Đã tiếp nhận phản ánh .* hạn trả lời \d\d:\d\d \d\d\/\d\d\/\d{4}\.$/,
    );
    expect(created.account_id).toBeNull();

    const row = await t.container.db
      .selectFrom('cases')
      .select([
        'channel',
        'urgency',
        'title',
        'reporter_name',
        'reporter_phone',
        'location_lat',
        'due_at',
        'received_at',
      ])
      .where('code', '=', created.service_request_id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      channel: 'smart_haiphong',
      urgency: 'urgent',
      title: 'Đèn đường hỏng',
      reporter_name: 'Nguyễn Văn A',
      reporter_phone: '0912345678',
      location_lat: 20.8561,
    });
    // Urgent in this category: four hours, continuous.
    expect((row.due_at as Date).getTime() - row.received_at.getTime()).toBe(4 * 3_600_000);

    const { json, xml: x } = await both(`requests/${created.service_request_id}`);
    validate('requests.json', json);
    const fromXml = coerce(x.service_requests?.request, schemas['requests.json']);
    validate('requests.json', fromXml);
    expect(fromXml).toEqual(json);
    expect(json[0]).toMatchObject({
      service_request_id: created.service_request_id,
      status: 'open',
      status_notes: 'Đã chuyển xử lý',
      service_code: lighting.code,
      service_name: 'Chiếu sáng công cộng',
      agency_responsible: 'Phòng Kinh tế – Hạ tầng – Đô thị',
      expected_datetime: (row.due_at as Date).toISOString(),
      address: '12 Lạch Tray',
      lat: 20.8561,
      long: 106.6822,
      media_url: 'https://example.org/den-hong.jpg',
    });
  });

  it('takes JSON too, and answers in XML when asked', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/open311/v2/requests.xml',
      payload: { ...reportFields({ account_id: 'acc-42' }), attribute: { residential_group: 'Tổ 5' } },
    });
    expect(res.statusCode, res.body).toBe(200);
    const [created] = xml.parse(res.body).service_requests.request;
    expect(created.account_id).toBe('acc-42');
    const row = await t.container.db
      .selectFrom('cases')
      .select('location_residential_group')
      .where('code', '=', created.service_request_id)
      .executeTakeFirstOrThrow();
    expect(row.location_residential_group).toBe('Tổ 5');
  });

  it('never files a retry twice: the same Idempotency-Key returns the same request', async () => {
    const key = `retry-${uid()}`;
    const first = await post(reportFields(), 'json', { 'idempotency-key': key });
    const again = await post(reportFields(), 'json', { 'idempotency-key': key });
    expect(first.statusCode).toBe(200);
    expect(again.statusCode).toBe(200);
    const id = first.json()[0].service_request_id;
    expect(again.json()[0].service_request_id).toBe(id);
    const n = await t.container.db
      .selectFrom('cases')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('external_id', '=', `o311-${key}`)
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(1);
  });

  it('refuses a missing or unknown api_key with 403', async () => {
    const { api_key: _, ...noKey } = reportFields();
    expectErrors(await post(noKey), 403, 'json', /api_key/);
    expectErrors(await post(reportFields({ api_key: 'pakn_khong-hop-le' }), 'xml'), 403, 'xml', /api_key/);
  });

  it('says what is wrong with a bad request, in either format, and files nothing', async () => {
    const before = await t.container.db
      .selectFrom('cases')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('ward_id', '=', ward.id)
      .executeTakeFirstOrThrow();
    const { lat: _lat, long: _long, address_string: _a, ...noWhere } = reportFields();
    expectErrors(await post(noWhere), 400, 'json', /lat và long, address_string hoặc address_id/);
    expectErrors(await post(reportFields({ phone: '12345' }), 'xml'), 400, 'xml', /phone: Số điện thoại/);
    expectErrors(
      await post(reportFields({ 'attribute[urgency]': 'rat_gap' })),
      400,
      'json',
      /attribute\[urgency\]/,
    );
    expectErrors(
      await post(reportFields({ 'attribute[mau_sac]': 'do' })),
      400,
      'json',
      /attribute\[mau_sac\]/,
    );
    expectErrors(await post(reportFields({ service_code: 'khong_co' })), 404, 'json', /service_code/);
    expectErrors(
      await post(reportFields({ jurisdiction_id: 'KHONGCO' }), 'xml'),
      404,
      'xml',
      /jurisdiction_id/,
    );
    expectErrors(await post(reportFields({ lat: 'abc' })), 400, 'json', /lat/);
    const after = await t.container.db
      .selectFrom('cases')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('ward_id', '=', ward.id)
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('accepts an address_id as the location', async () => {
    const { lat: _lat, long: _long, address_string: _a, ...fields } = reportFields();
    const res = await post({ ...fields, address_id: 'HP-LT-0012' });
    expect(res.statusCode, res.body).toBe(200);
    const [r] = (await get(`requests/${res.json()[0].service_request_id}.json`)).json();
    expect(r.address).toBe('Mã địa chỉ HP-LT-0012');
    expect(r.lat).toBeNull();
  });
});

describe('Open311 GET requests', () => {
  it('filters by id list, service code and status; pages; valid in both formats', async () => {
    const a = await filed();
    const b = await filed({ service_code: unassigned.code });
    const c = await filed();
    // Refuse c (the ward office may, until the department takes it up).
    const id = (
      await t.container.db.selectFrom('cases').select('id').where('code', '=', c).executeTakeFirstOrThrow()
    ).id;
    await call(
      t.app,
      {
        method: 'POST',
        url: `/api/v1/cases/${id}/reject`,
        headers: bearer(ward.tokens.intake),
        payload: { reason: 'out_of_scope' },
      },
      200,
    );

    const byIds = await both('requests', `?service_request_id=${a},${b}`);
    validate('requests.json', byIds.json);
    validate('requests.json', coerce(byIds.xml.service_requests?.request, schemas['requests.json']));
    expect(byIds.json.map((r: { service_request_id: string }) => r.service_request_id).sort()).toEqual(
      [a, b].sort(),
    );

    const inWard = `jurisdiction_id=${ward.code}`;
    const unclassified = (await get(`requests.json?${inWard}&service_code=${unassigned.code}`)).json();
    expect(unclassified.map((r: { service_request_id: string }) => r.service_request_id)).toEqual([b]);
    expect(unclassified[0]).toMatchObject({
      status: 'open',
      status_notes: 'Chờ phân loại',
      agency_responsible: null,
    });

    const closed = await both('requests', `?${inWard}&status=closed`);
    validate('requests.json', closed.json);
    const refused = closed.json.find((r: { service_request_id: string }) => r.service_request_id === c);
    expect(refused).toMatchObject({
      status: 'closed',
      status_notes: 'Từ chối tiếp nhận: không thuộc thẩm quyền của phường/xã.',
      expected_datetime: null,
    });
    const open = (await get(`requests.json?${inWard}&status=open`)).json() as {
      service_request_id: string;
    }[];
    expect(open.map((r) => r.service_request_id)).not.toContain(c);
    expect(open.map((r) => r.service_request_id)).toContain(a);

    const page1 = (await get(`requests.json?${inWard}&page_size=2&page=1`)).json() as {
      service_request_id: string;
    }[];
    const page2 = (await get(`requests.json?${inWard}&page_size=2&page=2`)).json() as {
      service_request_id: string;
    }[];
    expect(page1).toHaveLength(2);
    expect(page2.length).toBeGreaterThan(0);
    expect(page1.map((r) => r.service_request_id)).not.toContain(page2[0]?.service_request_id);
  });

  it('keeps to 90 days: by default the last 90, and no longer a span', async () => {
    const old = await filed();
    await sql`UPDATE cases SET received_at = now() - interval '100 days', version = version + 1 WHERE code = ${old}`.execute(
      t.container.db,
    );
    const recent = (await get(`requests.json?jurisdiction_id=${ward.code}`)).json() as {
      service_request_id: string;
    }[];
    expect(recent.map((r) => r.service_request_id)).not.toContain(old);
    // One instant for both ends: exactly 90 days apart, not 90 days and the milliseconds between two calls.
    const at = Date.now();
    const start = new Date(at - 110 * 86_400_000).toISOString();
    const end = new Date(at - 20 * 86_400_000).toISOString();
    const then = (
      await get(`requests.json?jurisdiction_id=${ward.code}&start_date=${start}&end_date=${end}`)
    ).json();
    expect(then.map((r: { service_request_id: string }) => r.service_request_id)).toEqual([old]);
    const tooLong = new Date(Date.now() - 100 * 86_400_000).toISOString();
    const now = new Date().toISOString();
    expectErrors(await get(`requests.xml?start_date=${tooLong}&end_date=${now}`), 400, 'xml', /90 ngày/);
    expectErrors(await get('requests.json?start_date=hom-qua'), 400, 'json', /start_date/);
  });

  it('shows nobody the reporter: no name, phone or e-mail; a confidential reporter’s place hidden too', async () => {
    const plain = await filed({ email: 'nguyenvana@example.org' });
    const secret = await filed({ 'attribute[confidential]': 'true' });
    for (const code of [plain, secret])
      for (const format of ['json', 'xml']) {
        const res = await get(`requests/${code}.${format}`);
        expect(res.statusCode).toBe(200);
        expect(res.body).not.toMatch(/0912345678|Nguyễn Văn A|nguyenvana@example\.org/);
      }
    const [p] = (await get(`requests/${plain}.json`)).json();
    expect(p.description).toBe('Đèn đường trước nhà số 12 hỏng ba hôm nay, ông *** gọi ***.');
    const [s] = (await get(`requests/${secret}.json`)).json();
    expect(s).toMatchObject({ address: null, lat: null, long: null, media_url: null });
  });

  it('publishes the answer as the status note, scrubbed', async () => {
    const code = await filed();
    const id = (
      await t.container.db.selectFrom('cases').select('id').where('code', '=', code).executeTakeFirstOrThrow()
    ).id;
    const act = (action: string, token: string, payload: object = {}) =>
      call(
        t.app,
        { method: 'POST', url: `/api/v1/cases/${id}/${action}`, headers: bearer(token), payload },
        200,
      );
    await act('accept', ward.tokens.infraHead);
    await act('respond', ward.tokens.infraHead, {
      answer: 'Đã thay bóng đèn; ông Nguyễn Văn A (0912345678) xác nhận.',
    });
    await act('close', ward.tokens.intake);
    const { json } = await both(`requests/${code}`);
    validate('requests.json', json);
    expect(json[0]).toMatchObject({
      status: 'closed',
      status_notes: 'Đã thay bóng đèn; ông *** (***) xác nhận.',
    });
  });

  it('404 for an unknown request, in the spec’s format', async () => {
    expectErrors(await get(`requests/${ward.code}-200101-9999.xml`), 404, 'xml', /service_request_id/);
    expectErrors(await get('requests/khong-phai-ma.json'), 404, 'json', /service_request_id/);
  });
});

describe('Open311 POST requests: the key first, email as the contact', () => {
  const countCases = async () =>
    Number(
      (
        await t.container.db
          .selectFrom('cases')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('ward_id', '=', ward.id)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('answers 403 without a valid api_key before looking at anything else of the request, in both formats', async () => {
    const before = await countCases();
    const { api_key: _, ...noKey } = reportFields();
    // Every field wrong, or none at all: still the key's 403, not a 400 naming the fields.
    const broken = { lat: 'abc', phone: '12345', email: 'khong-phai-email', service_code: 'Đ!' };
    for (const format of ['json', 'xml'] as const) {
      expectErrors(await post({}, format), 403, format, /api_key/);
      expectErrors(await post(broken, format), 403, format, /api_key/);
      expectErrors(await post({ ...broken, api_key: 'pakn_khong-hop-le' }, format), 403, format, /api_key/);
      expectErrors(await post({ ...noKey, phone: '', email: '' }, format), 403, format, /api_key/);
    }
    // A JSON body too, whatever its shape, and a body that cannot even be read.
    const raw = (payload: string, contentType: string) =>
      t.app.inject({
        method: 'POST',
        url: '/open311/v2/requests.json',
        headers: { 'content-type': contentType },
        payload,
      });
    expectErrors(
      await raw(JSON.stringify({ api_key: 42, lat: 'x' }), 'application/json'),
      403,
      'json',
      /api_key/,
    );
    expectErrors(await raw('[1,2,3]', 'application/json'), 403, 'json', /api_key/);
    expectErrors(await raw('{"api_key": "pakn_', 'application/json'), 403, 'json', /api_key/);
    expectErrors(await raw('api_key=x', 'text/plain'), 403, 'json', /api_key/);
    expect(await countCases()).toBe(before);
    // With a valid key, the same broken request is told what is wrong with it.
    expectErrors(await post({ ...broken, api_key: apiKey }), 400, 'json', /lat/);
  });

  it('refuses a report with neither phone nor email: 400 saying one way to reach the reporter is needed', async () => {
    const before = await countCases();
    const { phone: _, ...noPhone } = reportFields();
    for (const format of ['json', 'xml'] as const)
      expectErrors(
        await post(noPhone, format),
        400,
        format,
        /Cần một cách liên lạc với người phản ánh: phone \(số điện thoại\) hoặc email/,
      );
    expectErrors(await post({ ...noPhone, email: 'khong-phai-email' }), 400, 'json', /email/);
    expect(await countCases()).toBe(before);
  });

  it('files a report with an email and no phone: staff see the email where they see the phone; no SMS is queued', async () => {
    const { phone: _, ...noPhone } = reportFields();
    const res = await post({
      ...noPhone,
      email: 'nguyen.van.a@example.vn',
      description: 'Đèn đường ngõ 5 hỏng; liên hệ nguyen.van.a@example.vn hoặc chị Lan lan.tran@example.vn.',
    });
    expect(res.statusCode, res.body).toBe(200);
    const code = res.json()[0].service_request_id as string;
    const { id } = await t.container.db
      .selectFrom('cases')
      .select('id')
      .where('code', '=', code)
      .executeTakeFirstOrThrow();
    for (const token of [ward.tokens.intake, ward.tokens.infraHead, ward.tokens.chairman]) {
      const kase = (
        await call(t.app, { method: 'GET', url: `/api/v1/cases/${id}`, headers: bearer(token) }, 200)
      ).json();
      expect(kase.reporter).toEqual({
        name: 'Nguyễn Văn A',
        phone: null,
        email: 'nguyen.van.a@example.vn',
        confidential: false,
      });
    }
    // The receipt SMS needs a phone: none is recorded, now or when the case moves on.
    const messages = async () =>
      (
        await call(
          t.app,
          { method: 'GET', url: `/api/v1/cases/${id}/messages`, headers: bearer(ward.tokens.intake) },
          200,
        )
      ).json().items;
    expect(await messages()).toEqual([]);
    await call(
      t.app,
      { method: 'POST', url: `/api/v1/cases/${id}/accept`, headers: bearer(ward.tokens.infraHead) },
      200,
    );
    await call(
      t.app,
      {
        method: 'POST',
        url: `/api/v1/cases/${id}/respond`,
        headers: bearer(ward.tokens.infraHead),
        payload: { answer: 'Đã thay bóng đèn; đã báo lại qua nguyen.van.a@example.vn.' },
      },
      200,
    );
    expect(await messages()).toEqual([]);
    // Outside the ward office, e-mail addresses are hidden like phone numbers.
    const [request] = (await get(`requests/${code}.json`)).json();
    expect(request.description).toBe('Đèn đường ngõ 5 hỏng; liên hệ *** hoặc chị Lan ***.');
    expect(JSON.stringify(request)).not.toContain('example.vn');
    const tracked = (await call(t.app, { method: 'GET', url: `/api/v1/public/cases/${code}` }, 200)).json();
    expect(JSON.stringify(tracked)).not.toContain('example.vn');
  });

  it('hides the email from department staff for a confidential reporter, as it hides the phone', async () => {
    const code = await filed({ email: 'bi.mat@example.vn', 'attribute[confidential]': 'true' });
    const { id } = await t.container.db
      .selectFrom('cases')
      .select('id')
      .where('code', '=', code)
      .executeTakeFirstOrThrow();
    const read = async (token: string) =>
      (await call(t.app, { method: 'GET', url: `/api/v1/cases/${id}`, headers: bearer(token) }, 200)).json();
    expect((await read(ward.tokens.infraHead)).reporter).toBeNull();
    expect((await read(ward.tokens.intake)).reporter).toMatchObject({
      phone: '0912345678',
      email: 'bi.mat@example.vn',
      confidential: true,
    });
  });

  it('answers 404 for any service_request_id that names no request, whatever its shape', async () => {
    const ids = [
      'abc',
      '12345678901234567890123456789012345678901234567890',
      `${ward.code.toLowerCase()}-200101-9999`,
      encodeURIComponent('phản-ánh-số-1'),
      encodeURIComponent('😀'),
      '%00',
      '%20',
      encodeURIComponent('a/b'),
      'a.b',
      '-',
      'x'.repeat(150),
      'x'.repeat(5000),
      '%E0%A4%A',
      '%',
    ];
    for (const id of ids)
      for (const format of ['json', 'xml'] as const)
        expectErrors(await get(`requests/${id}.${format}`), 404, format);
  });
});
