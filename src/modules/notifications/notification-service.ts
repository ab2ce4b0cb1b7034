import type { Db } from '../../db/database.ts';
import { notFound } from '../../shared/errors.ts';
import { decodeCursor, page } from '../../shared/http.ts';
import type { UserPrincipal } from '../auth/principal.ts';
import { countUnread, listInbox, markRead, type NotificationRow } from './notification-repository.ts';
import type { InboxQuery, NotificationView } from './notification-schemas.ts';

export type NotificationService = ReturnType<typeof createNotificationService>;

const toView = (n: NotificationRow): NotificationView => ({
  id: n.id,
  type: n.type,
  caseId: n.case_id,
  caseCode: n.case_code,
  step: n.step,
  createdAt: n.created_at.toISOString(),
  readAt: n.read_at?.toISOString() ?? null,
  title: n.title,
  body: n.body,
});

/** The in-app inbox: each staff user sees and marks only their own notifications. */
export function createNotificationService(deps: { db: Db }) {
  const { db } = deps;
  return {
    async inbox(user: UserPrincipal, query: InboxQuery) {
      const rows = await listInbox(db, user.userId, {
        beforeId: decodeCursor(query.cursor),
        limit: query.limit + 1,
        unreadOnly: query.unread === true,
      });
      return page(rows, query.limit, toView);
    },

    /** How many of the user's notifications are unread, at most `cap` (the navigation's badge). */
    unreadCount(user: UserPrincipal, cap: number): Promise<number> {
      return countUnread(db, user.userId, cap);
    },

    async markRead(user: UserPrincipal, id: string): Promise<NotificationView> {
      const row = await markRead(db, user.userId, id);
      if (!row) throw notFound('Không tìm thấy thông báo.');
      return toView(row);
    },
  };
}
