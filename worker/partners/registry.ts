// The partner registry's changes (issue 13): register, change, rotate the key, revoke —
// each one D1 batch with its audit entry. The routes (routes/partners.ts) validate the
// request and shape the answer; the rules and writes are here. An API key is stored as
// its SHA-256 and shown once; a webhook secret is stored sealed and shown once.
import { eq } from "drizzle-orm";
import { commit, type Db } from "../db/client.ts";
import { partnerById, type PartnerRow } from "../db/partners.ts";
import { partners } from "../db/schema.ts";
import { type Actor, type Language, type PartnerKinds, type Region, sha256Hex } from "../domain/index.ts";
import { AppError } from "../errors.ts";
import { newWebhookSecret } from "../channels/webhooks/signing.ts";
import { sealWebhookSecret, webhookSealingReady } from "../channels/webhooks/secrets.ts";
import { targetPolicy, webhookTargetRefusal } from "../channels/webhooks/targets.ts";

export interface PartnerFields {
  name: string;
  domains: string[];
  country: string;
  languages: Language[];
  regions: Region[];
  exercise: boolean;
  /** Issue 29: Child Alerts only, or search notices too. */
  kinds?: PartnerKinds;
  webhookUrl: string | null;
}

/** A webhook secret is stored sealed: without the sealing key, none is made. */
function checkSealing(env: Env): void {
  if (!webhookSealingReady(env)) throw new AppError("E_CONFLICT", "the Worker secret SOCIAL_CREDENTIALS_KEY is not set: webhook secrets cannot be stored sealed (see README, Deploying)");
}

/** A webhook target must be an https public host (checked again before every delivery). */
function checkTarget(env: Env, url: string | null | undefined) {
  if (!url) return;
  const refusal = webhookTargetRefusal(url, targetPolicy(env));
  if (refusal) throw new AppError("E_VALIDATION", "see errors for each invalid field", { errors: [{ path: "webhookUrl", message: refusal }] });
}

/** A new API key: "cap_" + 32 random bytes (base64url); only its hash is stored. */
async function newApiKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const key = `cap_${btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
  return { key, hash: await sha256Hex(key), prefix: key.slice(0, 10) };
}

const audit = (actor: Actor, action: string, details: Record<string, unknown>) => ({ actorUserId: actor.userId, actorRole: actor.role, action, details });

export async function existingPartner(db: Db, id: string): Promise<PartnerRow> {
  const p = await partnerById(db, id);
  if (!p) throw new AppError("E_NOT_FOUND", "no such partner");
  return p;
}

function livePartner(p: PartnerRow): PartnerRow {
  if (p.revokedAt) throw new AppError("E_CONFLICT", "the partner is revoked");
  return p;
}

/** Registers a partner; returns its row and what is shown once (the API key, the webhook secret). */
export async function registerPartner(env: Env, db: Db, actor: Actor, f: PartnerFields, now = new Date()) {
  checkTarget(env, f.webhookUrl);
  const key = await newApiKey();
  const secret = f.webhookUrl ? newWebhookSecret() : null;
  if (secret) checkSealing(env);
  const id = crypto.randomUUID();
  const row = {
    id,
    name: f.name,
    domains: JSON.stringify([...new Set(f.domains)]),
    country: f.country,
    languages: JSON.stringify([...new Set(f.languages)]),
    lang: f.languages[0]!,
    regions: JSON.stringify([...new Set(f.regions)]),
    exercise: f.exercise,
    kinds: f.kinds ?? "child_alert",
    keyHash: key.hash,
    keyPrefix: key.prefix,
    webhookUrl: f.webhookUrl,
    webhookSecret: secret ? await sealWebhookSecret(env, id, secret) : null,
    createdAt: now.toISOString(),
  };
  await commit(db, [db.insert(partners).values(row)], [audit(actor, "partner_registered", { partnerId: id, country: row.country })], now);
  return { partner: (await partnerById(db, id))!, apiKey: key.key, webhookSecret: secret };
}

/** Changes a partner; a new webhook URL gets a new secret (shown once); `webhookEnabled` switches a disabled webhook on again. */
export async function changePartner(env: Env, db: Db, actor: Actor, id: string, change: Partial<PartnerFields> & { webhookEnabled?: true }, now = new Date()) {
  const p = livePartner(await existingPartner(db, id));
  checkTarget(env, change.webhookUrl);
  const urlChanged = change.webhookUrl !== undefined && change.webhookUrl !== p.webhookUrl;
  const secret = urlChanged && change.webhookUrl ? newWebhookSecret() : null;
  if (secret) checkSealing(env);
  const sealed = secret ? await sealWebhookSecret(env, id, secret) : null;
  const set: Partial<typeof partners.$inferInsert> = {
    ...(change.name !== undefined ? { name: change.name } : {}),
    ...(change.domains ? { domains: JSON.stringify([...new Set(change.domains)]) } : {}),
    ...(change.country ? { country: change.country } : {}),
    ...(change.languages ? { languages: JSON.stringify([...new Set(change.languages)]), lang: change.languages[0]! } : {}),
    ...(change.regions ? { regions: JSON.stringify([...new Set(change.regions)]) } : {}),
    ...(change.exercise !== undefined ? { exercise: change.exercise } : {}),
    ...(change.kinds ? { kinds: change.kinds } : {}),
    ...(urlChanged ? { webhookUrl: change.webhookUrl, webhookSecret: sealed, webhookFailures: 0, webhookDisabledAt: null } : {}),
    ...(change.webhookEnabled ? { webhookFailures: 0, webhookDisabledAt: null } : {}),
  };
  await commit(db, [db.update(partners).set(set).where(eq(partners.id, id))], [audit(actor, "partner_changed", { partnerId: id, fields: Object.keys(change) })], now);
  return { partner: (await partnerById(db, id))!, webhookSecret: secret };
}

/** A new API key (the old one stops working now); shown once. */
export async function rotatePartnerKey(db: Db, actor: Actor, id: string, now = new Date()) {
  livePartner(await existingPartner(db, id));
  const key = await newApiKey();
  await commit(db, [db.update(partners).set({ keyHash: key.hash, keyPrefix: key.prefix }).where(eq(partners.id, id))], [audit(actor, "partner_key_rotated", { partnerId: id })], now);
  return { apiKey: key.key, keyPrefix: key.prefix };
}

/** Revokes a partner (its key stops working, its webhook receives nothing more); once. */
export async function revokePartner(db: Db, actor: Actor, id: string, now = new Date()): Promise<void> {
  const p = await existingPartner(db, id);
  if (p.revokedAt) return;
  await commit(db, [db.update(partners).set({ revokedAt: now.toISOString() }).where(eq(partners.id, id))], [audit(actor, "partner_revoked", { partnerId: id })], now);
}
