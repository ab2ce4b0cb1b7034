import { z } from 'zod';
import { isoDateTime, storableString, text } from '../../shared/http.ts';
import { phoneSchema } from '../cases/case-schemas.ts';
import { codeSchema, wardCode } from '../directory/directory-schemas.ts';

/** Every GeoReport v2 resource comes as `.json` or `.xml`. */
const formatSchema = z.enum(['json', 'xml']);
export type Open311Format = z.infer<typeof formatSchema>;

/** The category code, in any letter case. */
const serviceCode = codeSchema('lower', 50, 'service_code không hợp lệ');

const list = <T extends z.ZodType>(item: T, max: number) =>
  z.preprocess(
    (v) =>
      typeof v === 'string'
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : v,
    z.array(item).min(1).max(max),
  );

export const formatParams = z.object({ format: formatSchema });
export const serviceParams = z.object({ service_code: serviceCode, format: formatSchema });
export const requestParams = z.object({
  service_request_id: z.string().meta({
    description: 'The case code, in any letter case; one that names no request (whatever its shape) is 404',
  }),
  format: formatSchema,
});

export const jurisdictionQuery = z.object({ jurisdiction_id: wardCode.optional() });

/** GET requests: the spec's filters, and the common page/page_size extension. */
export const requestsQuery = z.object({
  jurisdiction_id: wardCode.optional(),
  service_request_id: list(storableString().max(200), 100).optional().meta({
    description:
      'Comma-separated case codes (any letter case); when given, every other filter is ignored. Ids that name no request match nothing',
  }),
  service_code: list(serviceCode, 20).optional(),
  start_date: isoDateTime.optional(),
  end_date: isoDateTime.optional(),
  status: list(z.enum(['open', 'closed']), 2).optional(),
  page: z.coerce.number().int().min(1).max(1000).default(1),
  page_size: z.coerce.number().int().min(1).max(1000).default(1000),
});
export type RequestsQuery = z.output<typeof requestsQuery>;

const optionalText = (max: number) => text(max).optional();

/** What a report without any way to reach its reporter is told. */
export const contactNeeded = 'Cần một cách liên lạc với người phản ánh: phone (số điện thoại) hoặc email';
const coordinate = (min: number, max: number) => z.coerce.number().min(min).max(max).optional();

/**
 * POST requests, as form fields (or the same as JSON). `attribute` holds the service definition's
 * attributes: `attribute[urgency]=urgent` in a form.
 */
export const postRequestBody = z
  .object({
    /** Checked before anything else (open311-routes.ts): missing or unknown is the spec's 403. */
    api_key: z.string().max(200).optional(),
    jurisdiction_id: wardCode,
    service_code: serviceCode,
    lat: coordinate(-90, 90),
    long: coordinate(-180, 180),
    address_string: optionalText(500),
    address_id: optionalText(100),
    email: z.email('email không hợp lệ').max(200).optional(),
    device_id: optionalText(200),
    account_id: optionalText(200),
    first_name: optionalText(100),
    last_name: optionalText(100),
    phone: phoneSchema.optional(),
    description: text(5000),
    media_url: z
      .url({ protocol: /^https?$/, error: 'media_url phải là URL http(s)' })
      .max(2000)
      .refine((u) => storableString().safeParse(u).success, 'media_url chứa ký tự không hợp lệ')
      .optional(),
    attribute: z.record(storableString().max(50), storableString().max(1000)).default({}),
  })
  .refine((b) => (b.lat === undefined) === (b.long === undefined), {
    message: 'lat và long phải đi cùng nhau',
    path: ['lat'],
  })
  .refine((b) => b.lat !== undefined || b.address_string !== undefined || b.address_id !== undefined, {
    message: 'Cần vị trí: lat và long, address_string hoặc address_id',
    path: ['lat'],
  })
  .refine((b) => b.phone !== undefined || b.email !== undefined, {
    message: contactNeeded,
    path: ['phone'],
  })
  .meta({ description: 'Either `phone` or `email` (or both) is required' });
export type PostRequestBody = z.output<typeof postRequestBody>;

/** Open311's own objects, for the OpenAPI document (the bodies are JSON or XML of the same shape). */
const nullableString = z.string().nullable();
export const serviceSchema = z
  .object({
    service_code: z.string(),
    service_name: z.string(),
    description: nullableString,
    metadata: z.boolean(),
    type: z.enum(['realtime', 'batch', 'blackbox']),
    keywords: nullableString,
    group: nullableString,
  })
  .meta({ id: 'Open311Service' });

export const serviceDefinitionSchema = z
  .object({
    service_code: z.string(),
    attributes: z.array(
      z.object({
        variable: z.boolean(),
        code: z.string(),
        datatype: z.enum(['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist']),
        required: z.boolean(),
        datatype_description: nullableString,
        order: z.number().int(),
        description: nullableString,
        values: z.array(z.object({ key: z.string(), name: z.string() })).optional(),
      }),
    ),
  })
  .meta({ id: 'Open311ServiceDefinition' });

export const serviceRequestSchema = z
  .object({
    service_request_id: z.string().meta({ description: 'The case code' }),
    status: z.enum(['open', 'closed']),
    status_notes: nullableString,
    service_name: nullableString,
    service_code: z.string(),
    description: nullableString,
    agency_responsible: nullableString.meta({ description: 'The department handling the case' }),
    service_notice: nullableString,
    requested_datetime: z.iso.datetime(),
    updated_datetime: z.iso.datetime().nullable(),
    expected_datetime: z.iso.datetime().nullable().meta({ description: 'The answer deadline (dueAt)' }),
    address: nullableString,
    address_id: nullableString,
    zipcode: nullableString,
    lat: z.number().nullable(),
    long: z.number().nullable(),
    media_url: nullableString,
  })
  .meta({ id: 'Open311ServiceRequest' });

export const postResponseSchema = z
  .array(
    z.object({
      service_request_id: z.string(),
      service_notice: nullableString,
      account_id: nullableString,
    }),
  )
  .meta({ id: 'Open311RequestCreated' });

export const open311ErrorsSchema = z
  .array(z.object({ code: z.number().int(), description: z.string() }))
  .meta({ id: 'Open311Errors', description: 'GeoReport v2 errors (as <errors> in XML)' });

export const discoverySchema = z
  .object({
    changeset: z.iso.datetime(),
    contact: z.string(),
    key_service: z.string(),
    endpoints: z.array(
      z.object({
        specification: z.string(),
        url: z.string(),
        changeset: z.iso.datetime(),
        type: z.enum(['production', 'test']),
        formats: z.array(z.string()),
      }),
    ),
  })
  .meta({ id: 'Open311Discovery' });
