// Social accounts (the social channels' recipients, paged by seq per network) and the
// receipts of what was posted, kept until each post is confirmed gone.
import { and, asc, eq, gte, inArray, isNull, lt, ne, sql } from "drizzle-orm";
import { type Db, slices } from "./client.ts";
import { socialAccounts, socialPosts } from "./schema.ts";

export type SocialAccountRow = typeof socialAccounts.$inferSelect;
export type SocialPostRow = typeof socialPosts.$inferSelect;
export type { SocialNetwork } from "../domain/social.ts";
import type { SocialNetwork } from "../domain/social.ts";

const live = (network: SocialNetwork) => and(eq(socialAccounts.network, network), isNull(socialAccounts.disabledAt));

export async function accountPageStarts(db: Db, network: SocialNetwork, pageSize: number): Promise<{ starts: number[]; end: number }> {
  const rows = await db.all<{ seq: number }>(
    sql`SELECT seq FROM (SELECT seq, row_number() OVER (ORDER BY seq) AS rn FROM ${socialAccounts} WHERE ${live(network)}) WHERE (rn - 1) % ${pageSize} = 0 ORDER BY seq`,
  );
  const [max] = await db.select({ m: sql<number>`coalesce(max(${socialAccounts.seq}), 0)` }).from(socialAccounts);
  return { starts: rows.map((r) => r.seq), end: (max?.m ?? 0) + 1 };
}

export const accountPage = (db: Db, network: SocialNetwork, from: number, to: number) =>
  db.select().from(socialAccounts).where(and(live(network), gte(socialAccounts.seq, from), lt(socialAccounts.seq, to)));

export async function accountsBySeq(db: Db, network: SocialNetwork, seqs: number[]): Promise<SocialAccountRow[]> {
  const out: SocialAccountRow[] = [];
  for (const slice of slices(seqs)) out.push(...(await db.select().from(socialAccounts).where(and(live(network), inArray(socialAccounts.seq, slice)))));
  return out;
}

export async function accountCount(db: Db, network: SocialNetwork): Promise<number> {
  const [r] = await db.select({ n: sql<number>`count(*)` }).from(socialAccounts).where(live(network));
  return r?.n ?? 0;
}

export const accountById = async (db: Db, id: string) => (await db.select().from(socialAccounts).where(eq(socialAccounts.id, id)))[0];
export const listAccounts = (db: Db) => db.select().from(socialAccounts).orderBy(socialAccounts.network, socialAccounts.seq);

/** The account's posts for one alert that are not confirmed gone, oldest first. */
export const openPosts = (db: Db, accountId: string, alertId: string) =>
  db
    .select()
    .from(socialPosts)
    .where(and(eq(socialPosts.accountId, accountId), eq(socialPosts.alertId, alertId), ne(socialPosts.state, "deleted")))
    .orderBy(asc(socialPosts.createdAt), asc(socialPosts.version));

/** Has the account alert posts not yet deleted (the retraction still needs it)? */
export async function hasOpenContentPosts(db: Db, accountId: string): Promise<boolean> {
  const rows = await db
    .select({ id: socialPosts.id })
    .from(socialPosts)
    .where(and(eq(socialPosts.accountId, accountId), eq(socialPosts.kind, "content"), ne(socialPosts.state, "deleted")))
    .limit(1);
  return rows.length > 0;
}

export const postsOfAlert = (db: Db, alertId: string) =>
  db.select().from(socialPosts).where(eq(socialPosts.alertId, alertId)).orderBy(asc(socialPosts.createdAt));

export const postById = async (db: Db, id: string) => (await db.select().from(socialPosts).where(eq(socialPosts.id, id)))[0];

export interface NewPost {
  accountId: string;
  network: string;
  alertId: string;
  version: number;
  kind: "content" | "stop";
  postId: string;
  url: string | null;
}

/** Written the moment the network accepted the post: the receipt the retraction needs. */
export async function recordPost(db: Db, p: NewPost, now = new Date()): Promise<string> {
  const id = crypto.randomUUID();
  await db.insert(socialPosts).values({ id, ...p, state: "live", createdAt: now.toISOString() });
  return id;
}

/** An edit in place: the same post now shows this version. */
export const postEdited = (db: Db, id: string, version: number) => db.update(socialPosts).set({ version, lastError: null }).where(eq(socialPosts.id, id));

export const postDeleted = (db: Db, id: string, now = new Date()) =>
  db.update(socialPosts).set({ state: "deleted", deletedAt: now.toISOString(), lastError: null }).where(eq(socialPosts.id, id));

/** A deletion that failed: `stuck` when the network refused for good (the operator acts), else still live. */
export const postNotDeleted = (db: Db, id: string, error: string, stuck: boolean) =>
  db.update(socialPosts).set({ lastError: error.slice(0, 200), ...(stuck ? { state: "stuck" as const } : {}) }).where(eq(socialPosts.id, id));

/** The retention purge: receipts of deleted posts go; a post still up stays listed until someone removes it. */
export const purgeDeletedPosts = (db: Db, alertId: string) => db.delete(socialPosts).where(and(eq(socialPosts.alertId, alertId), eq(socialPosts.state, "deleted")));
