import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';

/** Asserts an RFC 9457 problem response and returns its body. */
export function expectProblem(
  res: LightMyRequestResponse,
  status: number,
  fieldPath?: string,
): { status: number; errors?: { path: string; message: string }[] } {
  if (res.statusCode !== status)
    throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body.slice(0, 500)}`);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body.status).toBe(status);
  expect(typeof body.type).toBe('string');
  expect(typeof body.title).toBe('string');
  if (fieldPath !== undefined) {
    expect(Array.isArray(body.errors) && body.errors.length > 0, res.body).toBe(true);
    // The path names the field itself or an element inside it (`status.1` for the 2nd status).
    const paths: string[] = body.errors.map((e: { path: string }) => e.path);
    expect(
      paths.some((p) => p === fieldPath || p.startsWith(`${fieldPath}.`)),
      `errors[].path ${JSON.stringify(paths)} should name ${fieldPath}`,
    ).toBe(true);
  }
  return body;
}
