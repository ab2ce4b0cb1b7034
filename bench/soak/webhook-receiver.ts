/**
 * A webhook receiver on 127.0.0.1 for the soak: checks each delivery's signature, notes its
 * X-Pakn-Delivery id (a retry carries the same id) and answers 204.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';

export async function startWebhookReceiver(secret: string) {
  const seen = new Map<string, number>();
  let requests = 0;
  let badSignatures = 0;
  let malformed = 0;
  const events: Record<string, number> = {};

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      const body = Buffer.concat(chunks);
      const want = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
      const got = Buffer.from(String(req.headers['x-pakn-signature'] ?? ''));
      const id = String(req.headers['x-pakn-delivery'] ?? '');
      if (got.length !== want.length || !timingSafeEqual(got, want)) badSignatures++;
      try {
        const event = String((JSON.parse(body.toString('utf8')) as { event?: unknown }).event ?? 'unknown');
        events[event] = (events[event] ?? 0) + 1;
      } catch {
        malformed++;
      }
      if (!id) malformed++;
      else seen.set(id, (seen.get(id) ?? 0) + 1);
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;

  return {
    url: `http://127.0.0.1:${port}/pakn-webhook`,
    seen,
    stats: () => ({
      requests,
      distinctDeliveries: seen.size,
      repeated: [...seen.values()].filter((n) => n > 1).length,
      badSignatures,
      malformed,
      events: { ...events },
    }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
