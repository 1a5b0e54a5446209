// Anchoring the audit chain: its head (sequence + hash) signed with the Worker's Ed25519
// key (secret AUDIT_SIGNING_KEY, PKCS#8 base64url) and written to the AUDIT_ANCHORS
// bucket as one object per head, never overwritten. Published at every launch, update,
// extension and stop (a queue job after the commit) and by the 5-minute cron whenever the
// chain grew since the last head.
// In production the bucket carries an R2 bucket lock (no overwrite, no delete), so not
// even the Worker's own credentials can take a head back.
import { desc } from "drizzle-orm";
import { b64url, unb64url } from "../bytes.ts";
import type { Db } from "../db/client.ts";
import { auditEntries } from "../db/schema.ts";
import { type ChainHead, headPayload } from "../domain/index.ts";
import { log } from "../log.ts";

export interface SignedHead extends ChainHead {
  /** Ed25519 over headPayload, base64url. */
  signature: string;
}

/** One object per sequence number: `heads/000000001234.json`. */
export const headKey = (seq: number) => `heads/${String(seq).padStart(12, "0")}.json`;

type AnchorEnv = { AUDIT_ANCHORS?: R2Bucket; AUDIT_SIGNING_KEY?: string };

async function signingKey(pkcs8: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("pkcs8", unb64url(pkcs8), { name: "Ed25519" }, false, ["sign"]);
}

/** Publishes the current head unless that sequence is already anchored; returns it, or null (nothing new, or anchoring not configured). */
export async function publishHead(env: AnchorEnv, db: Db, reason: string, now = new Date()): Promise<SignedHead | null> {
  if (!env.AUDIT_ANCHORS || !env.AUDIT_SIGNING_KEY) {
    log.warn("audit_anchor_not_configured", { reason });
    return null;
  }
  const [top] = await db.select({ seq: auditEntries.seq, hash: auditEntries.hash }).from(auditEntries).orderBy(desc(auditEntries.seq)).limit(1);
  if (!top) return null;
  const key = headKey(top.seq);
  if (await env.AUDIT_ANCHORS.head(key)) return null; // this head is anchored already: never overwritten
  const head: ChainHead = { seq: top.seq, hash: top.hash, at: now.toISOString(), reason };
  const signature = new Uint8Array(await crypto.subtle.sign("Ed25519", await signingKey(env.AUDIT_SIGNING_KEY), new TextEncoder().encode(headPayload(head))));
  const signed: SignedHead = { ...head, signature: b64url(signature) };
  await env.AUDIT_ANCHORS.put(key, JSON.stringify(signed), { httpMetadata: { contentType: "application/json" } });
  log.info("audit_head_anchored", { seq: head.seq, reason });
  return signed;
}

/**
 * The cron's part (every 5 minutes): the current head, if the chain grew since the last
 * one anchored — at least hourly as asked, without listing the store to find the newest.
 */
export function anchorPeriodically(env: AnchorEnv, db: Db, now: Date): Promise<SignedHead | null> {
  return publishHead(env, db, "periodic", now);
}

/** Every published head, oldest first, with whether its signature verifies under the public key (raw, base64url). */
export async function readHeads(bucket: R2Bucket, publicKey: string): Promise<(SignedHead & { signatureOk: boolean })[]> {
  const key = await crypto.subtle.importKey("raw", unb64url(publicKey), { name: "Ed25519" }, false, ["verify"]);
  const out: (SignedHead & { signatureOk: boolean })[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: "heads/", cursor });
    for (const o of page.objects) {
      const obj = await bucket.get(o.key);
      if (!obj) continue;
      const h = (await obj.json()) as SignedHead;
      const signatureOk = await crypto.subtle.verify("Ed25519", key, unb64url(h.signature), new TextEncoder().encode(headPayload(h)));
      out.push({ ...h, signatureOk });
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return out;
}
