import type { FastifyInstance } from 'fastify';
import { bearer, call, type TestApp } from './app.ts';
import { briefCaseBody } from './case-body.ts';
import type { LeanWard, Ward } from './fixtures.ts';
import { uid } from './ids.ts';

/** Cases through the API: filing them, reading them back, counting them. */

export type CaseJson = {
  id: string;
  code: string;
  wardId: string;
  status: string;
  departmentId: string | null;
  categoryCode: string | null;
  channel: string;
  title: string | null;
  description: string;
  reporter: { name: string | null; phone: string; confidential: boolean } | null;
  overdue: boolean;
  receivedAt: string;
  acceptDueAt: string | null;
  dueAt: string | null;
  version: number;
  publication?: 'public' | 'status_only';
  answerPublished?: boolean | null;
  publicAnswer?: string | null;
};

/** Posts a case and returns its body, failing loudly on any other status than 201. */
export async function postCase(
  app: FastifyInstance,
  headers: Record<string, string>,
  body: Record<string, unknown>,
): Promise<CaseJson> {
  return (await call(app, { method: 'POST', url: '/api/v1/cases', headers, payload: body }, 201)).json();
}

/**
 * Files a brief case (`briefCaseBody`) in the ward: at the counter by its intake officer where its
 * staff are signed in, through its API key otherwise. Without `categoryCode` it waits in received.
 */
export function reportCase(t: TestApp, ward: Ward | LeanWard, categoryCode?: string): Promise<CaseJson> {
  const body = briefCaseBody(ward.code, { externalId: `esc-${uid()}`, categoryCode });
  return 'tokens' in ward
    ? postCase(t.app, bearer(ward.tokens.intake), { ...body, channel: 'walk_in' })
    : postCase(t.app, { 'x-api-key': ward.apiKey }, body);
}

export async function countCases(t: TestApp, wardId: string): Promise<number> {
  const row = await t.container.db
    .selectFrom('cases')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('ward_id', '=', wardId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Every item of a list endpoint, following nextCursor. */
export async function listAll<T = CaseJson>(
  app: FastifyInstance,
  url: string,
  headers: Record<string, string>,
  limit = 200,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 1000; i++) {
    const sep = url.includes('?') ? '&' : '?';
    const res = await call(
      app,
      {
        method: 'GET',
        url: `${url}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        headers,
      },
      200,
    );
    const body = res.json() as { items: T[]; nextCursor: string | null };
    items.push(...body.items);
    cursor = body.nextCursor;
    if (!cursor) return items;
  }
  throw new Error('pagination did not end');
}
