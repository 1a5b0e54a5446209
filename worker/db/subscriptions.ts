// Web-push subscription queries. The fan-out reads pages by seq range and writes
// aggregates per page (never one row per delivery).
import { and, eq, gte, inArray, lt, or, sql } from "drizzle-orm";
import { type Db, inKeys, slices } from "./client.ts";
import { subscriptions } from "./schema.ts";
import type { OptIns } from "../domain/targeting.ts";

export type SubscriptionRow = typeof subscriptions.$inferSelect;

export interface SubscriptionInput {
  endpoint: string;
  p256dh: string;
  auth: string;
  lang: string;
  regions: string[];
  exercise: boolean;
  /** Issue 29: also the search notices of these regions. */
  notices?: boolean;
}

/**
 * Creates a subscription, or updates the one with this endpoint only for whoever holds
 * its auth secret (the same keys again, or `currentAuth` for a key change): knowing an
 * endpoint does not let anyone silence or re-target a subscriber. Says nothing about
 * whether the endpoint existed.
 */
export async function upsertSubscription(db: Db, s: SubscriptionInput, currentAuth?: string): Promise<void> {
  await db
    .insert(subscriptions)
    .values({ id: crypto.randomUUID(), ...s, regions: JSON.stringify(s.regions) })
    .onConflictDoUpdate({
      target: subscriptions.endpoint,
      set: { p256dh: s.p256dh, auth: s.auth, lang: s.lang, regions: JSON.stringify(s.regions), exercise: s.exercise, notices: s.notices ?? false, failureCount: 0 },
      where: currentAuth ? or(eq(subscriptions.auth, s.auth), eq(subscriptions.auth, currentAuth)) : eq(subscriptions.auth, s.auth),
    });
}

/** The subscription, if the caller proves possession with its auth secret. */
export async function findOwned(db: Db, endpoint: string, auth: string): Promise<SubscriptionRow | undefined> {
  const [row] = await db.select().from(subscriptions).where(and(eq(subscriptions.endpoint, endpoint), eq(subscriptions.auth, auth)));
  return row;
}

export const deleteSubscription = (db: Db, seq: number) => db.delete(subscriptions).where(eq(subscriptions.seq, seq));

export async function maxSeq(db: Db): Promise<number> {
  const [row] = await db.select({ max: sql<number>`coalesce(max(${subscriptions.seq}), 0)` }).from(subscriptions);
  return row?.max ?? 0;
}

/**
 * The conditions on a subscriber's opt-ins that a broadcast needs (domain OptIns), written
 * literally as the partial indexes on them are (subscriptions_/email_subscribers_exercise,
 * _notices), so that SQLite uses those indexes. Both subscriber tables have the columns.
 */
export const optInTerms = (o: OptIns) => [...(o.exercise ? [sql`exercise = 1`] : []), ...(o.notices ? [sql`notices = 1`] : [])];
const withOptIns = (o: OptIns) => sql.join([sql`1 = 1`, ...optInTerms(o)], sql` AND `);

/**
 * Page boundaries over the live subscriptions with the broadcast's opt-ins, one query:
 * every `pageSize`-th seq. Pages stay full whatever the churn (deleted rows leave no holes
 * in the plan), and a drill's or a notice's pages hold only those who opted in.
 */
export async function pageStartsBySeq(db: Db, pageSize: number, optIns: OptIns): Promise<{ starts: number[]; end: number }> {
  const rows = await db.all<{ seq: number }>(
    sql`SELECT seq FROM (SELECT seq, row_number() OVER (ORDER BY seq) AS rn FROM ${subscriptions} WHERE ${withOptIns(optIns)}) WHERE (rn - 1) % ${pageSize} = 0 ORDER BY seq`,
  );
  return { starts: rows.map((r) => r.seq), end: (await maxSeq(db)) + 1 };
}

export async function subscriptionPage(db: Db, fromSeq: number, toSeq: number, optIns: OptIns): Promise<SubscriptionRow[]> {
  return db.select().from(subscriptions).where(and(gte(subscriptions.seq, fromSeq), lt(subscriptions.seq, toSeq), withOptIns(optIns)));
}

export async function subscriptionsBySeq(db: Db, seqs: number[]): Promise<SubscriptionRow[]> {
  if (seqs.length === 0) return [];
  const out: SubscriptionRow[] = [];
  for (const slice of slices(seqs)) out.push(...(await db.select().from(subscriptions).where(inArray(subscriptions.seq, slice))));
  return out;
}

/** One page's outcome in three statements at most (one per outcome that occurred): prune gone ones, mark successes and failures. */
export async function recordPageOutcome(db: Db, o: { delivered: number[]; gone: number[]; failed: number[] }, now: Date) {
  const stmts = [
    ...(o.gone.length ? [db.delete(subscriptions).where(inKeys(subscriptions.seq, o.gone))] : []),
    ...(o.delivered.length ? [db.update(subscriptions).set({ lastSuccessAt: now.toISOString(), failureCount: 0 }).where(inKeys(subscriptions.seq, o.delivered))] : []),
    ...(o.failed.length ? [db.update(subscriptions).set({ failureCount: sql`${subscriptions.failureCount} + 1` }).where(inKeys(subscriptions.seq, o.failed))] : []),
  ];
  if (stmts.length) await db.batch(stmts as [(typeof stmts)[number], ...(typeof stmts)[number][]]);
}

/** How many browsers are subscribed (a count for the admin's channel view). */
export async function subscriptionCount(db: Db): Promise<number> {
  const row = await db.select({ n: sql<number>`count(*)` }).from(subscriptions).get();
  return row?.n ?? 0;
}

/** Deletes up to `limit` subscriptions that failed `maxFailures` times in a row or had no delivery (nor creation) since `idleSince`. */
export async function deleteStaleSubscriptions(db: Db, o: { maxFailures: number; idleSince: Date; limit: number }): Promise<number> {
  const stale = db
    .select({ seq: subscriptions.seq })
    .from(subscriptions)
    .where(or(sql`${subscriptions.failureCount} >= ${o.maxFailures}`, lt(sql`coalesce(${subscriptions.lastSuccessAt}, ${subscriptions.createdAt})`, o.idleSince.toISOString())))
    .limit(o.limit);
  const res = await db.delete(subscriptions).where(inArray(subscriptions.seq, stale));
  return (res as unknown as { meta?: { changes?: number } }).meta?.changes ?? 0;
}
