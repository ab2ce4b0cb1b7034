import { randomUUID } from 'node:crypto';
import type { Conn } from '../../db/database.ts';
import { paragraphsHtml } from '../../shared/html.ts';
import { notifyUsers } from '../notifications/notification-repository.ts';

/** The domain of an address such as `PAKN <no-reply@pakn.local>`, for Message-IDs. */
const domainOf = (from: string) => /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'pakn.local';

/**
 * Records one e-mail in the outbox (`email_deliveries`), inside the caller's transaction, rendered
 * once: every try sends the same bytes under the same Message-ID. Returns its id, for the queue.
 */
export async function recordEmail(
  db: Conn,
  email: {
    /** What the e-mail is about, for its Message-ID: `digest-12`, `calendar-3`. */
    topic: string;
    from: string;
    userId: string;
    to: string;
    subject: string;
    text: string;
    html: string;
    digestId?: string;
  },
): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('email_deliveries')
    .values({
      id,
      digest_id: email.digestId ?? null,
      user_id: email.userId,
      to_address: email.to,
      message_id: `<${email.topic}-${id}@${domainOf(email.from)}>`,
      subject: email.subject,
      body_text: email.text,
      body_html: email.html,
    })
    .execute();
  return id;
}

/**
 * A notice to users in their inbox and, when e-mail is on (`from` set), by e-mail to those who have an
 * address — in the caller's transaction. Returns the e-mails' ids, for the queue.
 */
export async function notifyWithEmail(
  db: Conn,
  users: readonly { id: string; email: string | null }[],
  notice: { type: string; title: string; body: string },
  email: { topic: string; from: string | undefined },
): Promise<string[]> {
  if (users.length === 0) return [];
  await notifyUsers(
    db,
    users.map((u) => u.id),
    notice,
  );
  const ids: string[] = [];
  if (email.from)
    for (const u of users)
      if (u.email)
        ids.push(
          await recordEmail(db, {
            topic: email.topic,
            from: email.from,
            userId: u.id,
            to: u.email,
            subject: notice.title,
            text: notice.body,
            html: paragraphsHtml(notice.title, [notice.body]),
          }),
        );
  return ids;
}
