// The official accounts' changes (issue 15): add, change, stop using — each one D1 batch
// with its audit entry; credentials sealed at once and never shown back. The routes
// (routes/social.ts) validate the request and shape the answer; the rules and writes are here.
import { eq } from "drizzle-orm";
import { commit, type Db } from "../../db/client.ts";
import { accountById, hasOpenContentPosts, postById, type SocialAccountRow } from "../../db/social.ts";
import { socialAccounts } from "../../db/schema.ts";
import type { Actor, Language, Region, SocialNetwork } from "../../domain/index.ts";
import { AppError } from "../../errors.ts";
import { webhookTargetRefusal } from "../webhooks/targets.ts";
import { connect, deletePost, socialTargetPolicy, toAccount } from "./channel.ts";
import { credentialsKeySet, sealCredentials } from "./credentials.ts";
import { SOCIAL_SPECS } from "./networks.ts";

export interface NewAccount {
  network: SocialNetwork;
  name: string;
  lang: Language;
  regions: Region[];
  exercise: boolean;
  target: string;
  credentials: Record<string, unknown>;
}

const audit = (actor: Actor, action: string, details: Record<string, unknown>) => ({ actorUserId: actor.userId, actorRole: actor.role, action, details });

function requireKey(env: Env) {
  if (!credentialsKeySet(env)) throw new AppError("E_CONFLICT", "the Worker secret SOCIAL_CREDENTIALS_KEY is not set: credentials cannot be stored (see README, Social networks)");
}

/** An instance or a PDS is a public https host, like a webhook's target. */
function checkTarget(env: Env, network: SocialNetwork, target: string) {
  if (network !== "mastodon" && network !== "bluesky") return;
  const refusal = webhookTargetRefusal(target, socialTargetPolicy(env));
  if (refusal) throw new AppError("E_VALIDATION", "see errors for each invalid field", { errors: [{ path: "target", message: refusal }] });
}

export async function existingAccount(db: Db, id: string): Promise<SocialAccountRow> {
  const a = await accountById(db, id);
  if (!a) throw new AppError("E_NOT_FOUND", "no such account");
  return a;
}

export async function addSocialAccount(env: Env, db: Db, actor: Actor, body: NewAccount, now = new Date()): Promise<SocialAccountRow> {
  requireKey(env);
  checkTarget(env, body.network, body.target);
  const id = crypto.randomUUID();
  const row = {
    id,
    network: body.network,
    name: body.name,
    lang: body.lang,
    regions: JSON.stringify([...new Set(body.regions)]),
    exercise: body.exercise,
    target: body.target.replace(/\/+$/, ""),
    credentials: await sealCredentials(env, id, body.credentials),
    createdAt: now.toISOString(),
  };
  await commit(db, [db.insert(socialAccounts).values(row)], [audit(actor, "social_account_added", { accountId: id, network: body.network })], now);
  return (await accountById(db, id))!;
}

/** Changes an account; new credentials (in the network's own shape) replace the old ones. */
export async function changeSocialAccount(
  env: Env,
  db: Db,
  actor: Actor,
  id: string,
  change: { name?: string; lang?: Language; regions?: Region[]; exercise?: boolean; credentials?: Record<string, string> },
  now = new Date(),
): Promise<SocialAccountRow> {
  const a = await existingAccount(db, id);
  let sealed: string | undefined;
  if (change.credentials) {
    requireKey(env);
    const parsed = SOCIAL_SPECS[a.network].fields.credentials.safeParse(change.credentials);
    if (!parsed.success) throw new AppError("E_VALIDATION", "see errors for each invalid field", { errors: parsed.error.issues.map((i) => ({ path: ["credentials", ...i.path].join("."), message: i.message })) });
    sealed = await sealCredentials(env, id, parsed.data as Record<string, string>);
  }
  const set: Partial<typeof socialAccounts.$inferInsert> = {
    ...(change.name !== undefined ? { name: change.name } : {}),
    ...(change.lang ? { lang: change.lang } : {}),
    ...(change.regions ? { regions: JSON.stringify([...new Set(change.regions)]) } : {}),
    ...(change.exercise !== undefined ? { exercise: change.exercise } : {}),
    ...(sealed ? { credentials: sealed } : {}),
  };
  await commit(db, [db.update(socialAccounts).set(set).where(eq(socialAccounts.id, id))], [audit(actor, "social_account_changed", { accountId: id, fields: Object.keys(change) })], now);
  return (await accountById(db, id))!;
}

/** Stops posting on an account; refused while it holds posts not yet deleted (the retraction needs it). */
export async function disableSocialAccount(db: Db, actor: Actor, id: string, now = new Date()): Promise<SocialAccountRow> {
  const a = await existingAccount(db, id);
  if (await hasOpenContentPosts(db, id)) throw new AppError("E_CONFLICT", "the account still has alert posts that are not deleted: wait for the retraction (or delete them) first");
  if (!a.disabledAt) await commit(db, [db.update(socialAccounts).set({ disabledAt: now.toISOString() }).where(eq(socialAccounts.id, id))], [audit(actor, "social_account_disabled", { accountId: id })], now);
  return (await accountById(db, id))!;
}

/** Tries again to delete a post the retraction could not (a post removed by hand counts as deleted); audited. */
export async function retryPostDeletion(env: Env, db: Db, actor: Actor, alertId: string, postId: string, now = new Date()): Promise<void> {
  const p = await postById(db, postId);
  if (!p || p.alertId !== alertId) throw new AppError("E_NOT_FOUND", "no such post on this alert");
  if (p.state === "deleted") return;
  const a = await existingAccount(db, p.accountId);
  const spec = SOCIAL_SPECS[a.network];
  const conn = await connect(env, spec, toAccount(a), new Map()).catch(() => {
    throw new AppError("E_CONFLICT", "the account's credentials do not open (the sealing key changed?): enter them again in the admin screen, or delete the post by hand from its link");
  });
  await deletePost(env, spec, conn, p);
  const after = (await postById(db, postId))!;
  await commit(db, [], [{ ...audit(actor, "social_post_delete_retried", { postId, network: p.network, state: after.state }), alertId }], now);
}
