// Partner queries: the registry (admin), the webhooks channel's recipients (live
// webhooks only, paged by seq) and its delivery log.
import { and, desc, eq, gte, inArray, isNotNull, isNull, lt, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type Db, slices } from "./client.ts";
import { partners, webhookDeliveries } from "./schema.ts";

export type PartnerRow = typeof partners.$inferSelect;

/** Partners whose webhook is on: configured, not switched off after failures, partner not revoked. */
const liveWebhook = and(isNotNull(partners.webhookUrl), isNull(partners.webhookDisabledAt), isNull(partners.revokedAt));

export async function webhookPageStarts(db: Db, pageSize: number): Promise<{ starts: number[]; end: number }> {
  const rows = await db.all<{ seq: number }>(
    sql`SELECT seq FROM (SELECT seq, row_number() OVER (ORDER BY seq) AS rn FROM ${partners} WHERE ${liveWebhook}) WHERE (rn - 1) % ${pageSize} = 0 ORDER BY seq`,
  );
  const [max] = await db.select({ m: sql<number>`coalesce(max(${partners.seq}), 0)` }).from(partners);
  return { starts: rows.map((r) => r.seq), end: (max?.m ?? 0) + 1 };
}

export async function webhookPage(db: Db, from: number, to: number): Promise<PartnerRow[]> {
  return db.select().from(partners).where(and(liveWebhook, gte(partners.seq, from), lt(partners.seq, to)));
}

export async function webhooksBySeq(db: Db, seqs: number[]): Promise<PartnerRow[]> {
  const out: PartnerRow[] = [];
  for (const slice of slices(seqs)) out.push(...(await db.select().from(partners).where(and(liveWebhook, inArray(partners.seq, slice)))));
  return out;
}

export async function webhookCount(db: Db): Promise<number> {
  const [r] = await db.select({ n: sql<number>`count(*)` }).from(partners).where(liveWebhook);
  return r?.n ?? 0;
}

export const partnerById = async (db: Db, id: string) => (await db.select().from(partners).where(eq(partners.id, id)))[0];
export const partnerByKeyHash = async (db: Db, keyHash: string) => (await db.select().from(partners).where(and(eq(partners.keyHash, keyHash), isNull(partners.revokedAt))))[0];
/** A registered, not revoked partner by its public id (the widget's `data-partner`). */
export const livePartnerById = async (db: Db, id: string) => (await db.select().from(partners).where(and(eq(partners.id, id), isNull(partners.revokedAt))))[0];
export const listPartners = (db: Db) => db.select().from(partners).orderBy(partners.seq);

export interface DeliveryRecord {
  partnerId: string;
  alertId: string;
  type: string;
  version: number;
  outcome: string;
  status: number | null;
  detail: string | null;
}

/**
 * One page's webhook outcomes: a log row per delivery; a success resets the partner's
 * failure count, a failure adds one, and `disableAfter` consecutive ones (or a 410)
 * switch the webhook off. Returns the partners switched off now.
 */
export async function recordWebhookOutcomes(db: Db, records: DeliveryRecord[], disableAfter: number, now: Date): Promise<string[]> {
  if (!records.length) return [];
  const at = now.toISOString();
  const stmts: BatchItem<"sqlite">[] = [];
  for (let i = 0; i < records.length; i += 10) {
    stmts.push(db.insert(webhookDeliveries).values(records.slice(i, i + 10).map((r) => ({ id: crypto.randomUUID(), ...r, at }))));
  }
  const ok = [...new Set(records.filter((r) => r.outcome === "sent").map((r) => r.partnerId))];
  const bad = [...new Set(records.filter((r) => r.outcome === "failed" || r.outcome === "retry").map((r) => r.partnerId))];
  const gone = [...new Set(records.filter((r) => r.outcome === "gone").map((r) => r.partnerId))];
  for (const c of slices(ok)) stmts.push(db.update(partners).set({ webhookFailures: 0 }).where(inArray(partners.id, c)));
  for (const c of slices(bad)) stmts.push(db.update(partners).set({ webhookFailures: sql`${partners.webhookFailures} + 1` }).where(inArray(partners.id, c)));
  for (const c of slices(gone)) stmts.push(db.update(partners).set({ webhookDisabledAt: at }).where(and(inArray(partners.id, c), isNull(partners.webhookDisabledAt))));
  const disable = db
    .update(partners)
    .set({ webhookDisabledAt: at })
    .where(and(gte(partners.webhookFailures, disableAfter), isNull(partners.webhookDisabledAt)))
    .returning({ id: partners.id });
  const results = await db.batch([...stmts, disable] as unknown as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  const disabled = (results.at(-1) as unknown as { id: string }[]).map((r) => r.id);
  return [...new Set([...disabled, ...gone])];
}

export async function deliveriesOf(db: Db, partnerId: string, limit = 100) {
  return db.select().from(webhookDeliveries).where(eq(webhookDeliveries.partnerId, partnerId)).orderBy(desc(webhookDeliveries.at)).limit(limit);
}

/** Every partner with a webhook (not revoked), with its latest delivery, if any (channel health, issue 27). */
export async function webhooksWithLastDelivery(db: Db) {
  return db.all<{ id: string; name: string; disabledAt: string | null; failures: number; outcome: string | null; status: number | null; at: string | null }>(sql`
    SELECT p.id AS id, p.name AS name, p.webhook_disabled_at AS disabledAt, p.webhook_failures AS failures, d.outcome AS outcome, d.status AS status, d.at AS at
    FROM partners p
    LEFT JOIN webhook_deliveries d ON d.id = (SELECT w.id FROM webhook_deliveries w WHERE w.partner_id = p.id ORDER BY w.at DESC LIMIT 1)
    WHERE p.webhook_url IS NOT NULL AND p.revoked_at IS NULL
    ORDER BY p.seq`);
}
