/**
 * What the app sends to Postgres: every statement any pg client of this process runs (Kysely's and the
 * app's own named statements alike), with its parameters and its round-trip time, while a recording
 * is open. Instruments pg.Client.prototype.query, so src/ is used unchanged.
 */
import pg from 'pg';

export type Statement = { text: string; values: unknown[]; ms: number };

let recording: Statement[] | null = null;
let installed = false;

type QueryConfig = { text: string; values?: unknown[] };
type Query = (this: pg.Client, ...args: unknown[]) => unknown;

export function installCapture(): void {
  if (installed) return;
  installed = true;
  const original = pg.Client.prototype.query as unknown as Query;
  (pg.Client.prototype as unknown as { query: Query }).query = function (
    this: pg.Client,
    ...args: unknown[]
  ) {
    const into = recording;
    const result = original.apply(this, args);
    if (!into || !(result instanceof Promise)) return result;
    const [first, second] = args;
    const text = typeof first === 'string' ? first : (first as QueryConfig).text;
    const values = (typeof first === 'string' ? second : (first as QueryConfig).values) as
      | unknown[]
      | undefined;
    const start = performance.now();
    return result.then((r: unknown) => {
      into.push({ text, values: values ?? [], ms: performance.now() - start });
      return r;
    });
  };
}

/** Runs `fn` and returns the statements it sent. Not re-entrant: one recording at a time. */
export async function record<T>(fn: () => Promise<T>): Promise<{ result: T; statements: Statement[] }> {
  const statements: Statement[] = [];
  recording = statements;
  try {
    return { result: await fn(), statements };
  } finally {
    recording = null;
  }
}
