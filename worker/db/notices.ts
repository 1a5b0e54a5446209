// Notices to staff (rule 9, sign-off requests, review prompts): who a notice is for, the
// inbox of one person, what was read, which addresses a notice's e-mail reached, and the
// authorities' mailboxes. A notice is addressed to a role; for the case-scoped roles
// (domain CASE_SCOPED_ROLES) it is for the people of that role named on the case
// (its magistrate in charge, its investigators), or everyone of the role while none is.
import { and, asc, eq, inArray, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import { CASE_SCOPED_ROLES, type InformEvent, type Role } from "../domain/index.ts";
import type { Db, Stmt } from "./client.ts";
import { AUTHORITY_MAILBOXES, authorityMailboxes, noticeMails, notifications } from "./schema.ts";

export type NoticeRow = typeof notifications.$inferSelect;
export type MailboxKind = (typeof AUTHORITY_MAILBOXES)[number];

/**
 * SQL condition: notice `n` (columns n.alert_id, n.recipient_role) is for the person
 * `userId` of `role`. One definition for the inbox and the e-mail.
 */
function isFor(userId: string | SQL, role: string): SQL {
  // A notice for one person (an account notice to the person concerned) is theirs alone.
  const person = sql`(n.recipient_user_id IS NULL OR n.recipient_user_id = ${userId})`;
  if (!(CASE_SCOPED_ROLES as readonly string[]).includes(role)) return sql`n.recipient_role = ${role} AND ${person}`;
  // The people named on the case (issue 23); while none of the role is named, everyone of
  // the role (a sign-off request must reach a magistrate who can take charge).
  return sql`n.recipient_role = ${role} AND ${person} AND (
    EXISTS (SELECT 1 FROM case_members m WHERE m.alert_id = n.alert_id AND m.user_id = ${userId} AND m.role = ${role})
    OR NOT EXISTS (SELECT 1 FROM case_members m JOIN users v ON v.id = m.user_id
                   WHERE m.alert_id = n.alert_id AND m.role = ${role} AND v.disabled_at IS NULL))`;
}

/** SQL condition: notice `n` is about an exercise alert — all a drill seat is told of (domain/drill.ts). */
const ABOUT_EXERCISE = sql`EXISTS (SELECT 1 FROM alerts a WHERE a.id = n.alert_id AND a.exercise = 1)`;
const forSeat = (drillSeat: boolean | undefined) => (drillSeat ? sql` AND ${ABOUT_EXERCISE}` : sql``);

/** The active staff a notice is for, with their addresses. */
export async function noticePeople(db: Db, notice: Pick<NoticeRow, "id" | "recipientRole">): Promise<{ id: string; email: string }[]> {
  const role = notice.recipientRole;
  return db.all<{ id: string; email: string }>(sql`SELECT u.id AS id, u.email AS email FROM users u, notifications n
    WHERE n.id = ${notice.id} AND u.role = ${role} AND u.disabled_at IS NULL AND ${isFor(sql`u.id`, role)} AND (u.drill_seat = 0 OR ${ABOUT_EXERCISE})
    ORDER BY u.id`);
}

export interface InboxItem {
  id: string;
  alertId: string;
  event: InformEvent;
  createdAt: string;
  readAt: string | null;
}

/** One person's notices, newest first, and how many are unread. */
export async function inbox(db: Db, user: { id: string; role: Role; drillSeat?: boolean }, limit = 50): Promise<{ unread: number; items: InboxItem[] }> {
  const [items, count] = await Promise.all([
    db.all<InboxItem>(sql`SELECT n.id AS id, n.alert_id AS alertId, n.event AS event, n.created_at AS createdAt, r.read_at AS readAt
      FROM notifications n LEFT JOIN notice_reads r ON r.notification_id = n.id AND r.user_id = ${user.id}
      WHERE ${isFor(user.id, user.role)}${forSeat(user.drillSeat)}
      ORDER BY n.created_at DESC, n.id LIMIT ${limit}`),
    db.get<{ unread: number }>(sql`SELECT count(*) AS unread FROM notifications n
      WHERE ${isFor(user.id, user.role)}${forSeat(user.drillSeat)}
        AND NOT EXISTS (SELECT 1 FROM notice_reads r WHERE r.notification_id = n.id AND r.user_id = ${user.id})`),
  ]);
  return { unread: count?.unread ?? 0, items };
}

/** Marks notices read for one person: the given ones (only those that are theirs), or all. */
export async function markRead(db: Db, user: { id: string; role: Role; drillSeat?: boolean }, ids: string[] | "all", at: Date): Promise<number> {
  const which = ids === "all" ? sql`1 = 1` : ids.length ? sql`n.id IN (${sql.join(ids.map((i) => sql`${i}`), sql`, `)})` : sql`0 = 1`;
  const res = await db.run(sql`INSERT OR IGNORE INTO notice_reads (notification_id, user_id, read_at)
    SELECT n.id, ${user.id}, ${at.toISOString()} FROM notifications n WHERE ${isFor(user.id, user.role)}${forSeat(user.drillSeat)} AND ${which}`);
  return res.meta.changes ?? 0;
}

/** The alert's notices whose e-mail is still to be sent. */
export const unmailedNotices = (db: Db, alertId: string): Promise<NoticeRow[]> =>
  db.select().from(notifications).where(and(eq(notifications.alertId, alertId), isNull(notifications.mailedAt))).orderBy(asc(notifications.createdAt));

/** Alerts with notices left unmailed since before `olderThan` (the cron's safety net). */
export async function alertsWithUnmailedNotices(db: Db, olderThan: Date): Promise<string[]> {
  const rows = await db
    .selectDistinct({ alertId: notifications.alertId })
    .from(notifications)
    .where(and(isNull(notifications.mailedAt), lt(notifications.createdAt, olderThan.toISOString())))
    .limit(100);
  return rows.map((r) => r.alertId);
}

/** The addresses that accepted the e-mail of one occurrence of an event, for one role's notice. */
export async function addressesTold(db: Db, alertId: string, event: InformEvent, occurrence: string, role: Role): Promise<Set<string>> {
  const rows = await db
    .select({ address: noticeMails.address })
    .from(noticeMails)
    .innerJoin(notifications, eq(notifications.id, noticeMails.notificationId))
    .where(eq(notifications.dedupeKey, `${alertId}:${event}:${occurrence}:${role}`));
  return new Set(rows.map((r) => r.address));
}

export async function mailedAddresses(db: Db, noticeId: string): Promise<Set<string>> {
  const rows = await db.select({ address: noticeMails.address }).from(noticeMails).where(eq(noticeMails.notificationId, noticeId));
  return new Set(rows.map((r) => r.address));
}

export const recordMailed = (db: Db, notice: { id: string; alertId: string }, address: string, at: Date) =>
  db.insert(noticeMails).values({ notificationId: notice.id, alertId: notice.alertId, address, sentAt: at.toISOString() }).onConflictDoNothing();

/** Claims a notice for this run's sending (false: mailed already, or another run holds it). */
export async function claimNotice(db: Db, noticeId: string, now: Date, forMs: number): Promise<boolean> {
  const res = await db
    .update(notifications)
    .set({ mailClaimUntil: new Date(now.getTime() + forMs).toISOString() })
    .where(and(eq(notifications.id, noticeId), isNull(notifications.mailedAt), or(isNull(notifications.mailClaimUntil), lt(notifications.mailClaimUntil, now.toISOString()))))
    .run();
  return (res.meta.changes ?? 0) === 1;
}

export const releaseNotice = (db: Db, noticeId: string) => db.update(notifications).set({ mailClaimUntil: null }).where(eq(notifications.id, noticeId));

export const markNoticeMailed = (db: Db, noticeId: string, status: NonNullable<NoticeRow["mailStatus"]>, at: Date) =>
  db.update(notifications).set({ mailedAt: at.toISOString(), mailStatus: status, mailClaimUntil: null }).where(eq(notifications.id, noticeId));

export async function mailboxes(db: Db): Promise<Record<MailboxKind, string[]>> {
  const rows = await db.select().from(authorityMailboxes).orderBy(asc(authorityMailboxes.address));
  return Object.fromEntries(AUTHORITY_MAILBOXES.map((k) => [k, rows.filter((r) => r.kind === k).map((r) => r.address)])) as Record<MailboxKind, string[]>;
}

/** Replaces the mailboxes of every kind given (statements for one batch with their audit entry). */
export function setMailboxes(db: Db, value: Partial<Record<MailboxKind, string[]>>, userId: string, at: Date): Stmt[] {
  const kinds = AUTHORITY_MAILBOXES.filter((k) => value[k] !== undefined);
  if (!kinds.length) return [];
  const rows = kinds.flatMap((kind) => value[kind]!.map((address) => ({ kind, address, updatedBy: userId, updatedAt: at.toISOString() })));
  return [db.delete(authorityMailboxes).where(inArray(authorityMailboxes.kind, kinds)), ...(rows.length ? [db.insert(authorityMailboxes).values(rows)] : [])];
}

/**
 * Records a notice of `event` on an alert for each role (one per role and occurrence, however
 * often this runs: `occurrence` tells two notices of one event apart). Its e-mail follows
 * through the job `mail_notices` (or the cron).
 */
export function noticeStmt(db: Db, alertId: string, event: InformEvent, roles: readonly Role[], occurrence: string, now: Date): Stmt {
  return db
    .insert(notifications)
    .values(roles.map((r) => ({ id: crypto.randomUUID(), alertId, recipientRole: r, event, dedupeKey: `${alertId}:${event}:${occurrence}:${r}`, createdAt: now.toISOString() })))
    .onConflictDoNothing();
}

/**
 * An account notice (domain ACCOUNT_EVENTS) about request `requestId` (an account request
 * or an invitation): one for every admin, and one for the person concerned when they have
 * an account (not an admin: they are told as one already).
 */
export function accountNoticeStmt(db: Db, requestId: string, event: InformEvent, person: { id: string; role: Role } | null, now: Date): Stmt {
  const row = (recipientRole: Role, recipientUserId: string | null) => ({
    id: crypto.randomUUID(),
    alertId: requestId,
    recipientRole,
    recipientUserId,
    event,
    dedupeKey: `${requestId}:${event}:${recipientUserId ?? recipientRole}`,
    createdAt: now.toISOString(),
  });
  return db
    .insert(notifications)
    .values([row("admin", null), ...(person && person.role !== "admin" ? [row(person.role, person.id)] : [])])
    .onConflictDoNothing();
}
