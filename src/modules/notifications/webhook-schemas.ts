import { z } from 'zod';
import { listQuery, storableString } from '../../shared/http.ts';
import { webhookEvents } from './webhook-outbox.ts';

const webhookEventSchema = z.enum(webhookEvents).meta({ id: 'WebhookEvent' });

const deliveryStatusSchema = z.enum(['pending', 'delivered', 'failed']);

/** http(s) only, kept in the URL standard's spelling (so the scheme is lower case, as the table requires). */
const webhookUrl = z
  .string()
  .trim()
  .max(2000)
  .pipe(z.url({ protocol: /^https?$/, error: 'Địa chỉ phải là URL http:// hoặc https://' }))
  .transform((u) => new URL(u).href)
  .pipe(z.string().max(2000));

export const webhookBody = z.object({
  url: webhookUrl.meta({
    description:
      'Receiver URL (http or https, no credentials) at a public address (WEBHOOK_ALLOW_PRIVATE aside); redirects are not followed',
  }),
  events: z
    .array(webhookEventSchema)
    .min(1)
    .max(20)
    .transform((events) => [...new Set(events)]),
  secret: storableString().min(16).max(200).meta({
    description:
      'HMAC-SHA256 key: each delivery carries `X-Pakn-Signature: sha256=<hex HMAC of the raw body>`. Never shown again.',
  }),
});

export const webhookSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(webhookEventSchema),
    active: z.boolean(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Webhook' });
export type WebhookView = z.infer<typeof webhookSchema>;

export const webhookDeliverySchema = z
  .object({
    id: z
      .uuid()
      .meta({ description: 'Sent as `X-Pakn-Delivery` on every try: the receiver’s idempotency key' }),
    event: z.string(),
    status: deliveryStatusSchema,
    attempts: z.number().int(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.iso.datetime(),
    lastAttemptAt: z.iso.datetime().nullable(),
    deliveredAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'WebhookDelivery' });
export type WebhookDeliveryView = z.infer<typeof webhookDeliverySchema>;

export const deliveriesQuery = listQuery.extend({
  status: deliveryStatusSchema.optional().meta({ description: 'Only deliveries in this state' }),
});
export type DeliveriesQuery = z.output<typeof deliveriesQuery>;
