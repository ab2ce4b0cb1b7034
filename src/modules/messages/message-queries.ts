import type { Db } from '../../db/database.ts';
import type { Principal } from '../auth/principal.ts';
import type { CaseService } from '../cases/case-service.ts';
import { TOKEN_PLACEHOLDER } from './message-dispatch.ts';

const iso = (d: Date | null) => d?.toISOString() ?? null;

export type MessageQueries = ReturnType<typeof createMessageQueries>;

export function createMessageQueries(deps: { db: Db; cases: Pick<CaseService, 'requireVisible'> }) {
  const { db } = deps;
  return {
    /** The status messages sent to the case's reporter, oldest first: the delivery log. */
    async forCase(caller: Principal, caseId: string) {
      await deps.cases.requireVisible(caller, caseId);
      const rows = await db
        .selectFrom('citizen_messages')
        .selectAll()
        .where('case_id', '=', caseId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return {
        items: rows.map((m) => ({
          id: m.id,
          kind: m.kind,
          status: m.status,
          provider: m.provider,
          text: m.body?.replaceAll(TOKEN_PLACEHOLDER, '…') ?? null,
          encoding: m.encoding,
          segments: m.segments,
          attempts: m.attempts,
          lastStatusCode: m.last_status_code,
          lastError: m.last_error,
          createdAt: m.created_at.toISOString(),
          lastAttemptAt: iso(m.last_attempt_at),
          deliveredAt: iso(m.delivered_at),
        })),
      };
    },
  };
}
