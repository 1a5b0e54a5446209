// Staff devices woken by a new tip (issue 14): subscriptions per person; only active
// accounts are reached.
import { and, eq, inArray, isNull, or } from "drizzle-orm";
import type { Db } from "./client.ts";
import { staffPush, users } from "./schema.ts";

export const saveStaffPush = (db: Db, userId: string, s: { endpoint: string; p256dh: string; auth: string }) =>
  db.insert(staffPush).values({ userId, ...s }).onConflictDoUpdate({ target: staffPush.endpoint, set: { userId, p256dh: s.p256dh, auth: s.auth } });

export const dropStaffPush = (db: Db, endpoint: string, userId?: string) =>
  db.delete(staffPush).where(and(eq(staffPush.endpoint, endpoint), userId ? eq(staffPush.userId, userId) : undefined));

export const staffPushOf = (db: Db, userId: string) => db.select({ endpoint: staffPush.endpoint }).from(staffPush).where(eq(staffPush.userId, userId)).all();

/** The devices of these people and of everyone with these roles, active accounts only. */
export const staffPushFor = (db: Db, userIds: string[], roles: string[]) =>
  db
    .select({ endpoint: staffPush.endpoint, p256dh: staffPush.p256dh, auth: staffPush.auth })
    .from(staffPush)
    .innerJoin(users, eq(users.id, staffPush.userId))
    .where(and(isNull(users.disabledAt), or(userIds.length ? inArray(users.id, userIds.slice(0, 90)) : undefined, roles.length ? inArray(users.role, roles as never[]) : undefined)))
    .all();
