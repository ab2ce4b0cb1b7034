import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { bearer, call, createTestApp, type TestApp } from './app.ts';
import { createIsolatedDatabase } from './database.ts';
import { createWard } from './fixtures.ts';
import { uid } from './ids.ts';

/**
 * The chairman's digest's setting: a real SMTP server in this process, a database of its own (a
 * digest run serves every ward of its database, so on the run's shared database it would notify other
 * test files' chairmen) and an app on it that sends through that server.
 */

export type Mail = { to: string; messageId: string; subject: string; text: string; html: string };

/** A real SMTP server in this process; `refuse` answers an address's first RCPT TOs with a code. */
export function mailbox() {
  const received: Mail[] = [];
  const refuse = new Map<string, { code: number; times: number }>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const rule = refuse.get(address.address);
      if (rule && rule.times > 0) {
        rule.times -= 1;
        const err = Object.assign(new Error(rule.code >= 500 ? 'Không có hộp thư này' : 'Thử lại sau'), {
          responseCode: rule.code,
        });
        return callback(err);
      }
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          for (const rcpt of session.envelope.rcptTo)
            received.push({
              to: rcpt.address,
              messageId: mail.messageId ?? '',
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              html: typeof mail.html === 'string' ? mail.html : '',
            });
          callback();
        })
        .catch(callback);
    },
  });
  return {
    received,
    refuse,
    listen: () =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () =>
          resolve(`smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`),
        ),
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type DigestSetting = {
  smtp: ReturnType<typeof mailbox>;
  smtpUrl: string;
  database: { url: string; drop: () => Promise<void> };
  t: TestApp;
  close: () => Promise<void>;
};

/** The SMTP server listening, the database created and the app on it (beforeAll); `close()` afterAll. */
export async function digestSetting(): Promise<DigestSetting> {
  const smtp = mailbox();
  const smtpUrl = await smtp.listen();
  const database = await createIsolatedDatabase();
  const t = await createTestApp({
    DATABASE_URL: database.url,
    SMTP_URL: smtpUrl,
    SMTP_FROM: 'PAKN phường <pakn@hp.test>',
  });
  return {
    smtp,
    smtpUrl,
    database,
    t,
    async close() {
      await t.close();
      await database.drop();
      await smtp.close();
    },
  };
}

/** A ward set up a while ago (so past occurrences count), its chairman with an e-mail address. */
export async function wardWithChairman(
  t: TestApp,
  email: string | null = `chu-tich-${uid().toLowerCase()}@hp.test`,
) {
  const ward = await createWard(t);
  await sql`UPDATE wards SET created_at = '2026-01-01T00:00:00Z' WHERE id = ${ward.id}`.execute(
    t.container.db,
  );
  const chairman = await t.container.db
    .selectFrom('users')
    .select('id')
    .where('ward_id', '=', ward.id)
    .where('role', '=', 'chairman')
    .executeTakeFirstOrThrow();
  if (email)
    await call(
      t.app,
      {
        method: 'PATCH',
        url: `/api/v1/users/${chairman.id}`,
        headers: bearer(t.adminToken),
        payload: { email, fullName: 'Phạm Văn Chủ' },
      },
      200,
    );
  return { ward, chairmanId: chairman.id, email };
}
