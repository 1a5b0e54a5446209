// E-mail subscriber queries. Double opt-in: a request stores the wanted preferences and a
// hashed, expiring, single-use confirmation token; only confirmed ("active") subscribers
// are recipients. The fan-out reads pages of active subscribers by seq range and writes
// aggregates per page (never one row per delivery).
import { and, eq, gt, gte, inArray, lt, sql } from "drizzle-orm";
import { type Db, inKeys, slices } from "./client.ts";
import { emailSubscribers } from "./schema.ts";
import type { OptIns } from "../domain/targeting.ts";
import { optInTerms } from "./subscriptions.ts";

export type EmailSubscriberRow = typeof emailSubscribers.$inferSelect;
export interface EmailPrefs {
  lang: string;
  regions: string[];
  exercise: boolean;
  /** Issue 29: also the search notices of these regions. */
  notices?: boolean;
}

const active = eq(emailSubscribers.status, "active");

/**
 * Records a subscription request for an address: new → pending; unsubscribed or bounced
 * → pending again; active → keeps receiving with its current preferences until the new
 * ones are confirmed. Returns the subscriber's id and when a confirmation was last sent.
 */
export async function requestEmailSubscription(db: Db, address: string, prefs: EmailPrefs): Promise<{ id: string; confirmSentAt: string | null }> {
  const id = crypto.randomUUID();
  const pending = JSON.stringify(prefs);
  const [row] = await db
    .insert(emailSubscribers)
    .values({ id, address, lang: prefs.lang, regions: JSON.stringify(prefs.regions), exercise: prefs.exercise, notices: prefs.notices ?? false, status: "pending", pending })
    .onConflictDoUpdate({
      target: emailSubscribers.address,
      set: { pending, status: sql`CASE WHEN ${emailSubscribers.status} = 'active' THEN 'active' ELSE 'pending' END` },
    })
    .returning({ id: emailSubscribers.id, confirmSentAt: emailSubscribers.confirmSentAt });
  return row!;
}

/** Stores a new confirmation token (its hash): the previous one no longer works. */
export async function storeConfirmation(db: Db, id: string, tokenHash: string, expiresAt: Date, now: Date) {
  const [row] = await db
    .update(emailSubscribers)
    .set({ confirmHash: tokenHash, confirmExpiresAt: expiresAt.toISOString(), confirmSentAt: now.toISOString() })
    .where(eq(emailSubscribers.id, id))
    .returning({ address: emailSubscribers.address, pending: emailSubscribers.pending, lang: emailSubscribers.lang });
  return row;
}

/**
 * Confirms with a token, atomically and once: one UPDATE matches the unexpired hash and
 * clears it, so a second use (even in parallel) matches nothing.
 */
export async function confirmEmailSubscription(db: Db, tokenHash: string, now: Date): Promise<{ id: string; lang: string } | null> {
  const [row] = await db
    .update(emailSubscribers)
    .set({
      status: "active",
      lang: sql`coalesce(json_extract(${emailSubscribers.pending}, '$.lang'), ${emailSubscribers.lang})`,
      regions: sql`coalesce(json_extract(${emailSubscribers.pending}, '$.regions'), ${emailSubscribers.regions})`,
      exercise: sql`coalesce(json_extract(${emailSubscribers.pending}, '$.exercise'), ${emailSubscribers.exercise})`,
      notices: sql`coalesce(json_extract(${emailSubscribers.pending}, '$.notices'), ${emailSubscribers.notices})`,
      pending: null,
      confirmHash: null,
      confirmExpiresAt: null,
      confirmedAt: now.toISOString(),
      failureCount: 0,
    })
    .where(and(eq(emailSubscribers.confirmHash, tokenHash), gt(emailSubscribers.confirmExpiresAt, now.toISOString())))
    .returning({ id: emailSubscribers.id, lang: emailSubscribers.lang });
  return row ?? null;
}

/** Unsubscribes (idempotent). The address stays only as a tombstone so a resend needs a new opt-in. */
export async function unsubscribeEmail(db: Db, id: string): Promise<{ lang: string } | null> {
  const [row] = await db
    .update(emailSubscribers)
    .set({ status: "unsubscribed", pending: null, confirmHash: null, confirmExpiresAt: null })
    .where(eq(emailSubscribers.id, id))
    .returning({ lang: emailSubscribers.lang });
  return row ?? null;
}

export async function emailSubscriberById(db: Db, id: string): Promise<EmailSubscriberRow | undefined> {
  const [row] = await db.select().from(emailSubscribers).where(eq(emailSubscribers.id, id));
  return row;
}

async function maxActiveSeq(db: Db): Promise<number> {
  const [row] = await db.select({ max: sql<number>`coalesce(max(${emailSubscribers.seq}), 0)` }).from(emailSubscribers).where(active);
  return row?.max ?? 0;
}

/** Active subscribers with the opt-ins a broadcast needs (as the partial indexes email_subscribers_exercise/_notices are written). */
const activeWithOptIns = (o: OptIns) => sql.join([sql`status = 'active'`, ...optInTerms(o)], sql` AND `);

/** Page boundaries over the active subscribers with the broadcast's opt-ins (domain OptIns), one query: every `pageSize`-th seq. */
export async function emailPageStarts(db: Db, pageSize: number, optIns: OptIns): Promise<{ starts: number[]; end: number }> {
  const rows = await db.all<{ seq: number }>(
    sql`SELECT seq FROM (SELECT seq, row_number() OVER (ORDER BY seq) AS rn FROM ${emailSubscribers} WHERE ${activeWithOptIns(optIns)}) WHERE (rn - 1) % ${pageSize} = 0 ORDER BY seq`,
  );
  return { starts: rows.map((r) => r.seq), end: (await maxActiveSeq(db)) + 1 };
}

export function emailPage(db: Db, fromSeq: number, toSeq: number, optIns: OptIns): Promise<EmailSubscriberRow[]> {
  return db.select().from(emailSubscribers).where(and(gte(emailSubscribers.seq, fromSeq), lt(emailSubscribers.seq, toSeq), activeWithOptIns(optIns)));
}

/** Explicit keys (retries, retractions): active subscribers only — who left or bounced gets nothing more, not even the stop. */
export async function emailSubscribersBySeq(db: Db, seqs: number[]): Promise<EmailSubscriberRow[]> {
  const out: EmailSubscriberRow[] = [];
  for (const slice of slices(seqs)) out.push(...(await db.select().from(emailSubscribers).where(and(active, inArray(emailSubscribers.seq, slice)))));
  return out;
}

/** One page's outcome: bounced addresses (5xx) stop receiving, successes and transient failures noted. */
export async function recordEmailOutcome(db: Db, o: { delivered: number[]; bounced: number[]; failed: number[] }, now: Date) {
  const stmts = [
    ...(o.bounced.length ? [db.update(emailSubscribers).set({ status: "bounced" }).where(inKeys(emailSubscribers.seq, o.bounced))] : []),
    ...(o.delivered.length ? [db.update(emailSubscribers).set({ lastSuccessAt: now.toISOString(), failureCount: 0 }).where(inKeys(emailSubscribers.seq, o.delivered))] : []),
    ...(o.failed.length ? [db.update(emailSubscribers).set({ failureCount: sql`${emailSubscribers.failureCount} + 1` }).where(inKeys(emailSubscribers.seq, o.failed))] : []),
  ];
  if (stmts.length) await db.batch(stmts as [(typeof stmts)[number], ...(typeof stmts)[number][]]);
}

export async function activeEmailCount(db: Db): Promise<number> {
  const row = await db.select({ n: sql<number>`count(*)` }).from(emailSubscribers).where(active).get();
  return row?.n ?? 0;
}

/**
 * Addresses that no longer receive alerts are not kept (issue 23): unsubscribed, bounced,
 * and never confirmed once their request is older than `unconfirmedBefore`. No
 * suppression list is needed: a new request is a new double opt-in, and a confirmation
 * can only come from the mailbox itself. Returns how many went (at most `limit` a run).
 */
export async function deleteDeadEmailAddresses(db: Db, unconfirmedBefore: Date, limit: number): Promise<number> {
  const res = await db.run(sql`DELETE FROM email_subscribers WHERE seq IN (SELECT seq FROM email_subscribers
    WHERE status IN ('unsubscribed', 'bounced') OR (status = 'pending' AND confirmed_at IS NULL AND created_at < ${unconfirmedBefore.toISOString()}) LIMIT ${limit})`);
  return res.meta.changes ?? 0;
}
