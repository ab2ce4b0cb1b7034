import { readFileSync } from 'node:fs';
import fc from 'fast-check';

/**
 * The operations of openapi/openapi.json, read at test time, and fast-check arbitraries derived from
 * their JSON schemas: values the schema accepts, and hostile values it should refuse (or at least
 * survive). Used by the fuzz and authorisation-matrix tests.
 */

export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: unknown;
};

export type Param = { name: string; in: 'path' | 'query' | 'header'; required: boolean; schema: JsonSchema };

export type Operation = {
  operationId: string;
  method: string;
  path: string;
  params: Param[];
  body: JsonSchema | undefined;
  /** From the `x-access` extension the auth plugin writes: who may call it. Null: public. */
  access: { roles: string[]; apiClient: boolean } | null;
};

type Doc = {
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { schemas: Record<string, JsonSchema> };
};

export const openapiDoc: Doc = JSON.parse(
  readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8'),
) as Doc;

/** The schema with every `$ref` replaced by its target (the document has no recursive schemas). */
export function deref(schema: JsonSchema, doc: Doc = openapiDoc, depth = 0): JsonSchema {
  if (depth > 20) throw new Error('schema nesting too deep (recursive $ref?)');
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = doc.components.schemas[name];
    if (!target) throw new Error(`unresolved ${schema.$ref}`);
    return deref(target, doc, depth + 1);
  }
  const out: JsonSchema = { ...schema };
  if (out.properties)
    out.properties = Object.fromEntries(
      Object.entries(out.properties).map(([k, v]) => [k, deref(v, doc, depth + 1)]),
    );
  if (out.items) out.items = deref(out.items, doc, depth + 1);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const)
    if (out[key]) out[key] = out[key].map((s) => deref(s, doc, depth + 1));
  return out;
}

export function operations(doc: Doc = openapiDoc): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(methods)) {
      const op = raw as {
        operationId: string;
        parameters?: Param[];
        requestBody?: { content: Record<string, { schema: JsonSchema }> };
        'x-access'?: { roles: string[]; apiClient: boolean };
      };
      const body = op.requestBody?.content['application/json']?.schema;
      ops.push({
        operationId: op.operationId,
        method: method.toUpperCase(),
        path,
        params: (op.parameters ?? []).map((p) => ({ ...p, schema: deref(p.schema, doc) })),
        body: body ? deref(body, doc) : undefined,
        access: op['x-access'] ?? null,
      });
    }
  }
  return ops;
}

/** Values the generators prefer for some fields, so valid requests reach real rows. */
export type Pools = {
  /** Ids of rows this test created; other tests' rows are never named. */
  ids: string[];
  wardCodes: string[];
  categoryCodes: string[];
  departmentCodes: string[];
  usernames: string[];
};

const idPattern = '^[1-9]\\d{0,17}$';
/** Ids far above any sequence a test run reaches: valid, and never another test's row. */
const absentId = fc.bigInt({ min: 10n ** 15n, max: 10n ** 18n - 1n }).map(String);

const durations = [
  'P5D',
  'P1D',
  'PT4H',
  'PT30S',
  'PT1M',
  'P2W',
  '-P1D',
  '-PT10S',
  'PT0S',
  'P1DT2H',
  'P366D',
  'PT8784H',
  '-P366D',
];

/** Strings every text field should survive: control characters, broken Unicode, injection attempts. */
export const nastyStrings = [
  '\u0000',
  'a\u0000b',
  'a\u0001b',
  'x\u000by',
  '\u001b[31mred',
  '\uD800',
  'x\uDFFFy',
  '\uDBFF\uDBFF',
  '\u202Eđảo ngược',
  '\u200B\u200C\u200D\uFEFF',
  'e\u0301\u0301\u0301',
  'Đe\u0300n đu\u031Bo\u031Bn\u0300g', // decomposed Vietnamese
  '👩‍👩‍👧‍👦🇻🇳',
  '\t\r\n',
  ' ',
  "'; DROP TABLE cases; --",
  '%00%ff%',
  '\\u0000',
  '<script>alert(1)</script>',
  ['$', '{jndi:ldap://x}'].join(''),
  '../../etc/passwd',
  '\u0085\u2028\u2029',
  '\uFFFF\uFFFE',
  'ǅǈǋ',
  '1e309',
  'NaN',
  'true',
  'null',
];

const longString = fc.constantFrom(
  'x'.repeat(257),
  'đ'.repeat(5001),
  'A'.repeat(20_001),
  '🇻🇳'.repeat(3000),
  'ư'.repeat(100_000),
);

/** Short pieces that text fields should refuse or survive, salted into otherwise valid values. */
export const salts = [
  '\u0000',
  '\u0001',
  '\u000b',
  '\u001b',
  '\uD800',
  '\uDFFF',
  '\u202E',
  '\uFEFF',
  '\u200B',
  'e\u0301',
  '\u0085',
  '🇻🇳',
  "'",
  '%',
  '_',
  '\\',
  'ư'.repeat(6000),
];

/** Any string at all, weighted towards the ones that break things. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...salts.slice(0, 12)) },
  { weight: 4, arbitrary: fc.constantFrom(...nastyStrings) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.string({ maxLength: 10 }), fc.constantFrom(...nastyStrings), fc.string({ maxLength: 10 }))
      .map(([a, b, c]) => a + b + c),
  },
  { weight: 1, arbitrary: longString },
);

const hostileIds = [
  '99999999999999999999',
  '9223372036854775807',
  '9223372036854775808',
  '18446744073709551616',
  '999999999999999999',
  '0',
  '-1',
  '1.5',
  '1e3',
  '0x10',
  '01',
  ' 1',
  '1 ',
  '+1',
  '١٢٣',
  'NaN',
  'Infinity',
  "1' OR '1'='1",
  '1;SELECT pg_sleep(1)',
  '',
];

const dateTime = fc
  .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

/** Text that looks like what people type: Vietnamese words, digits, punctuation. */
const plainText = (min: number, max: number) =>
  fc
    .array(
      fc.constantFrom(
        'Đèn',
        'đường',
        'hỏng',
        'rác',
        'thải',
        'ngập',
        'nước',
        'tổ',
        'dân',
        'phố',
        '12',
        'Lê Lợi',
        'ồn',
        '—',
        ',',
      ),
      { minLength: 1, maxLength: 8 },
    )
    .map((w) => w.join(' '))
    .filter((s) => s.length >= min && s.length <= max);

/** A value the schema accepts (mostly meaningful, sometimes merely well-typed). */
export function validValue(schema: JsonSchema, pools: Pools, name = ''): fc.Arbitrary<unknown> {
  if (schema.anyOf ?? schema.oneOf) {
    const alts = (schema.anyOf ?? schema.oneOf) as JsonSchema[];
    return fc.oneof(...alts.map((s) => validValue(s, pools, name)));
  }
  if (schema.enum) {
    // New admins are left out: other test files, running meanwhile on the same database, look up
    // "the newest admin" to sign in as their own.
    const values = name === 'role' ? schema.enum.filter((v) => v !== 'admin') : schema.enum;
    return fc.constantFrom(...values);
  }
  if (schema.const !== undefined) return fc.constant(schema.const);
  const types = Array.isArray(schema.type) ? schema.type : [schema.type ?? 'object'];
  if (types.length > 1) return fc.oneof(...types.map((type) => validValue({ ...schema, type }, pools, name)));
  switch (types[0]) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer': {
      const min = schema.minimum ?? (schema.exclusiveMinimum ?? -1_000_001) + 1;
      const max = schema.maximum ?? (schema.exclusiveMaximum ?? 1_000_001) - 1;
      return fc.integer({ min, max });
    }
    case 'number':
      return fc.double({
        min: schema.minimum ?? -1e6,
        max: schema.maximum ?? 1e6,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'array': {
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? 4, 4));
      return fc.array(validValue(schema.items ?? {}, pools, name), { minLength, maxLength });
    }
    case 'string':
      return validString(schema, pools, name);
    default: {
      const props = schema.properties ?? {};
      if (Object.keys(props).length === 0) return fc.constant({});
      return fc.record(
        Object.fromEntries(Object.entries(props).map(([k, s]) => [k, validValue(s, pools, k)])),
        { requiredKeys: (schema.required ?? []).filter((k) => k in props) },
      );
    }
  }
}

function validString(schema: JsonSchema, pools: Pools, name: string): fc.Arbitrary<string> {
  const min = schema.minLength ?? 1;
  const max = schema.maxLength ?? 200;
  const sized = (a: fc.Arbitrary<string>) => a.filter((s) => s.length >= min && s.length <= max);
  const pick = (values: string[], fallback: fc.Arbitrary<string>) =>
    values.length ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...values) }, fallback) : fallback;
  if (schema.pattern === idPattern) return pick(pools.ids, absentId);
  if (schema.format === 'date-time') return dateTime;
  if (schema.format === 'date') return dateTime.map((d) => d.slice(0, 10));
  if (schema.format === 'uuid') return fc.uuid();
  if (schema.format === 'uri' || name === 'url')
    // Webhook receivers and attachments: a closed local port, so nothing is ever sent anywhere.
    return fc.oneof(
      fc.webUrl().filter((u) => u.length <= max),
      fc.nat(99_999).map((n) => `http://127.0.0.1:9/fuzz/${n}`),
    );
  if (/^(duration|extendBy|offset)$/.test(name))
    return fc.oneof(
      fc.constantFrom(...durations),
      sized(fc.stringMatching(/^-?P(\d{1,3}D)?(T\d{1,2}[HMS])?$/)),
    );
  if (name === 'wardCode') return pick(pools.wardCodes, fc.stringMatching(/^[A-Z0-9_]{2,20}$/));
  if (/^(categoryCode|code)$/.test(name) && pools.categoryCodes.length)
    return pick(pools.categoryCodes, fc.stringMatching(/^[a-z0-9_]{2,50}$/));
  if (name === 'defaultDepartmentCode')
    return pick(pools.departmentCodes, fc.stringMatching(/^[a-z0-9_]{2,50}$/));
  if (name === 'username') return pick(pools.usernames, fc.stringMatching(/^[a-z0-9._-]{3,64}$/));
  if (name === 'password' || name === 'secret')
    return fc.string({ minLength: 4, maxLength: 24 }).map((s) => fuzzSecret(s, Math.max(min, 16), max));
  if (name === 'timezone') return fc.constantFrom('Asia/Ho_Chi_Minh', 'UTC', 'Asia/Bangkok', 'Mars/Olympus');
  if (schema.pattern) return sized(fc.stringMatching(new RegExp(schema.pattern)));
  return fc.oneof(
    { weight: 4, arbitrary: plainText(min, max) },
    { weight: 1, arbitrary: sized(fc.string()) },
  );
}

/** Passwords and secrets carry a marker, so the log check can look for every one that was sent. */
export const secretMarker = 'FzSecret';
const fuzzSecret = (s: string, min: number, max: number) =>
  `${secretMarker}${s.replace(/[^A-Za-z0-9]/g, 'q')}${'z'.repeat(Math.max(0, min - s.length - 8))}`.slice(
    0,
    max,
  );

/** A value of some other JSON type than the schema asks for. */
function wrongType(schema: JsonSchema): fc.Arbitrary<unknown> {
  const types = new Set(Array.isArray(schema.type) ? schema.type : [schema.type ?? 'object']);
  const candidates: [string, fc.Arbitrary<unknown>][] = [
    ['string', fc.constantFrom('', 'abc', '1', 'true', 'null')],
    ['number', fc.constantFrom(0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, 1e20)],
    ['integer', fc.constantFrom(0, -1, 42)],
    ['boolean', fc.boolean()],
    ['null', fc.constant(null)],
    ['array', fc.constantFrom([], [1, 'a'], [[[]]])],
    [
      'object',
      fc.constantFrom({}, { a: 1 }, { ['__proto__']: { admin: true } }, { constructor: { prototype: 1 } }),
    ],
  ];
  const others = candidates.filter(
    ([t]) =>
      !types.has(t) && !(t === 'integer' && types.has('number')) && !(t === 'number' && types.has('integer')),
  );
  return fc.oneof(...others.map(([, a]) => a));
}

/**
 * Values aimed at what a string field means, judged by its name and format: ids, dates, durations,
 * time zones. The fuzz tries each of them once on every field they fit, besides drawing them at random.
 */
export function pointedValues(schema: JsonSchema, name: string): string[] {
  const out: string[] = [];
  if (schema.pattern === idPattern || /Id$|^id$|^rid$|^duplicateOf$/.test(name)) out.push(...hostileIds);
  if (
    schema.format === 'date-time' ||
    schema.format === 'date' ||
    /^(from|to|receivedFrom|receivedTo)$/.test(name)
  )
    out.push(
      ...[
        '2026-02-30',
        '2026-13-01T00:00:00Z',
        '2026-06-15T24:00:00+07:00',
        '+275760-09-13T00:00:00Z',
        '-271821-04-20T00:00:00Z',
        '0000-01-01T00:00:00Z',
        '9999-12-31T23:59:59.999999999Z',
        '2026-06-15T09:30:00',
        'yesterday',
      ],
    );
  if (/^(duration|extendBy|offset)$/.test(name))
    out.push(
      ...[
        'P999999999999D',
        'P999999999D',
        'P99999999D',
        'P367D',
        'P53W',
        'PT8785H',
        'PT999999999H',
        'PT99999999999999999999H',
        'P1Y',
        'P0D',
        '-P9999999D',
        'P',
        'PT',
        'P1.5D',
        'P1D2H',
        'p5d',
        'P1e9D',
        'P5D\u0000',
      ],
    );
  if (name === 'timezone') out.push('', 'Asia/Nowhere', '+07:00', 'UTC\u0000', 'x'.repeat(64));
  return out;
}

const pointedEdges = (schema: JsonSchema, name: string): fc.Arbitrary<unknown>[] => {
  const values = pointedValues(schema, name);
  return values.length ? [fc.constantFrom(...values)] : [];
};

/** Values the schema should refuse, or that probe its edges: wrong types, out of range, broken text. */
export function hostileValue(schema: JsonSchema, pools: Pools, name = ''): fc.Arbitrary<unknown> {
  if (schema.anyOf ?? schema.oneOf) {
    const alts = (schema.anyOf ?? schema.oneOf) as JsonSchema[];
    return fc.oneof(...alts.map((s) => hostileValue(s, pools, name)));
  }
  const types = Array.isArray(schema.type) ? schema.type : [schema.type ?? 'object'];
  const type = types.find((t) => t !== 'null') ?? 'null';
  const edges: fc.Arbitrary<unknown>[] = [wrongType(schema)];
  /** Edges that know what the field means (ids, durations, time zones): tried more often. */
  const pointed = type === 'string' ? pointedEdges(schema, name) : [];
  if (schema.enum)
    edges.push(
      fc.constantFrom(
        ...schema.enum.flatMap((e) =>
          typeof e === 'string' ? [e.toUpperCase(), ` ${e}`, `${e}\u0000`] : [],
        ),
        'bogus',
        '',
      ),
    );
  switch (type) {
    case 'string': {
      edges.push(hostileString);
      if (schema.maxLength !== undefined) edges.push(fc.constant('x'.repeat(schema.maxLength + 1)));
      if (schema.minLength) edges.push(fc.constant('x'.repeat(schema.minLength - 1)));
      break;
    }
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? schema.exclusiveMinimum;
      const max = schema.maximum ?? schema.exclusiveMaximum;
      const around = [
        ...(min !== undefined ? [min - 1, min - 0.5] : []),
        ...(max !== undefined ? [max + 1, max + 0.5] : []),
      ];
      edges.push(
        fc.constantFrom(...around, 1e308, -1e308, 2 ** 63, -(2 ** 63), 0.1, -0, Number.MAX_SAFE_INTEGER + 2),
      );
      break;
    }
    case 'array': {
      const item = schema.items ?? {};
      edges.push(fc.array(hostileValue(item, pools), { minLength: 1, maxLength: 3 }));
      if (schema.maxItems !== undefined && schema.maxItems < 5000)
        edges.push(
          validValue(item, pools, name).map((v) =>
            Array.from({ length: (schema.maxItems as number) + 1 }, () => v),
          ),
        );
      if (schema.minItems) edges.push(fc.constant([]));
      break;
    }
    case 'object': {
      const props = Object.entries(schema.properties ?? {});
      const valid = validValue(schema, pools, name) as fc.Arbitrary<Record<string, unknown>>;
      if (props.length > 0) {
        // One property made hostile, the others valid: the likeliest way past validation to the
        // code behind it, so the most frequent edge, with properties that have pointed edges
        // (ids, durations…) picked more often.
        const oneHostile = fc
          .tuple(
            valid,
            fc.oneof(
              ...props.map(([k, s]) => ({
                weight: pointedEdges(deref(s), k).length ? 3 : 1,
                arbitrary: fc.tuple(fc.constant(k), hostileValue(s, pools, k)),
              })),
            ),
          )
          .map(([v, [k, bad]]) => ({ ...(v ?? {}), [k]: bad }));
        edges.push(oneHostile, oneHostile, oneHostile);
        // A required property left out.
        const required = schema.required ?? [];
        if (required.length)
          edges.push(
            fc.tuple(valid, fc.constantFrom(...required)).map(([v, k]) => {
              const copy = { ...(v ?? {}) };
              delete copy[k];
              return copy;
            }),
          );
      }
      // Unknown keys next to valid ones.
      edges.push(
        valid.map((v) => ({
          ...(v ?? {}),
          ['__proto__']: { role: 'admin' },
          extra: '\u0000',
          constructor: {},
        })),
      );
      break;
    }
  }
  return fc.oneof(
    ...edges.map((arbitrary) => ({ weight: 1, arbitrary })),
    ...pointed.map((arbitrary) => ({ weight: edges.length, arbitrary })),
  );
}

/**
 * A valid value with one to three of its strings salted with a hostile piece (NUL, a lone surrogate,
 * bidi controls, LIKE wildcards, a very long run): shaped right, so it gets past the type checks to
 * whatever lies behind them.
 */
export function saltedValue(schema: JsonSchema, pools: Pools, name = ''): fc.Arbitrary<unknown> {
  return fc
    .tuple(
      validValue(schema, pools, name),
      fc.array(fc.tuple(fc.nat(), fc.constantFrom(...salts), fc.constantFrom('start', 'middle', 'end')), {
        minLength: 1,
        maxLength: 3,
      }),
    )
    .map(([value, picks]) => {
      const copy = structuredClone(value);
      const leaves: { holder: Record<string | number, unknown>; key: string | number }[] = [];
      const walk = (holder: Record<string | number, unknown>, key: string | number) => {
        const v = holder[key];
        if (typeof v === 'string') leaves.push({ holder, key });
        else if (v && typeof v === 'object')
          for (const k of Object.keys(v)) walk(v as Record<string | number, unknown>, k);
      };
      const root = { root: copy };
      walk(root, 'root');
      if (leaves.length === 0) return copy;
      for (const [index, salt, where] of picks) {
        const leaf = leaves[index % leaves.length] as (typeof leaves)[number];
        const s = leaf.holder[leaf.key] as string;
        const mid = Math.floor(s.length / 2);
        leaf.holder[leaf.key] =
          where === 'start' ? salt + s : where === 'end' ? s + salt : s.slice(0, mid) + salt + s.slice(mid);
      }
      return root.root;
    });
}

/** A JSON body that the schema describes, deterministically: the first enum value, required fields only. */
export function exampleValue(schema: JsonSchema, pools: Pools, name = ''): unknown {
  return fc.sample(validValue(schema, pools, name), { numRuns: 1, seed: 42 })[0];
}
