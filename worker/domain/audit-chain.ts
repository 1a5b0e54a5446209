// The tamper-evident audit chain: each entry's hash covers the previous entry's hash
// and the entry's own fields, so changing, removing or reordering any stored entry
// breaks every hash after it. Pure: the same code verifies in the Worker and the CLI.
import { canonicalJson, sha256Hex } from "./content.ts";

export const GENESIS_HASH = "0".repeat(64);

export interface AuditFields {
  seq: number;
  at: string;
  alertId: string | null;
  actorUserId: string | null;
  actorRole: string | null;
  action: string;
  /** Canonical JSON string of PII-free details. */
  details: string;
}

export interface StoredAuditEntry extends AuditFields {
  prevHash: string;
  hash: string;
}

export function auditHash(prevHash: string, e: AuditFields): Promise<string> {
  return sha256Hex(
    `${prevHash}\n${canonicalJson({
      seq: e.seq,
      at: e.at,
      alertId: e.alertId,
      actorUserId: e.actorUserId,
      actorRole: e.actorRole,
      action: e.action,
      details: e.details,
    })}`,
  );
}

export type ChainVerdict =
  | { ok: true; entries: number; head: string }
  | { ok: false; entries: number; firstBroken: number; reason: "hash_mismatch" | "prev_mismatch" | "gap" };

/** Walks the chain in seq order; names the first entry that does not hold. */
export async function verifyChain(entries: readonly StoredAuditEntry[]): Promise<ChainVerdict> {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  for (const e of entries) {
    if (e.seq !== expectedSeq) return { ok: false, entries: entries.length, firstBroken: expectedSeq, reason: "gap" };
    if (e.prevHash !== prev) return { ok: false, entries: entries.length, firstBroken: e.seq, reason: "prev_mismatch" };
    if ((await auditHash(prev, e)) !== e.hash) {
      return { ok: false, entries: entries.length, firstBroken: e.seq, reason: "hash_mismatch" };
    }
    prev = e.hash;
    expectedSeq++;
  }
  return { ok: true, entries: entries.length, head: prev };
}

/**
 * A published chain head: the newest entry's sequence number and hash at a moment, signed
 * by the Worker's anchor key and written to a store the Worker only appends to. A chain
 * that no longer reaches a published head was cut off; one whose entry at a head's
 * sequence has another hash was rewritten.
 */
export interface ChainHead {
  seq: number;
  hash: string;
  at: string;
  /** Why it was published: alert (launch), update, stop, extension, periodic (the cron). */
  reason: string;
}

/** The bytes a head's signature covers. */
export const headPayload = (h: ChainHead) => canonicalJson({ seq: h.seq, hash: h.hash, at: h.at, reason: h.reason });

export type AnchorProblem = { head: ChainHead; kind: "truncated" | "rewritten" };

/** Checks the stored chain against the published heads (the chain itself verified by verifyChain). */
export function checkAgainstHeads(entries: readonly StoredAuditEntry[], heads: readonly ChainHead[]): AnchorProblem[] {
  const bySeq = new Map(entries.map((e) => [e.seq, e.hash]));
  const problems: AnchorProblem[] = [];
  for (const head of heads) {
    const stored = bySeq.get(head.seq);
    if (stored === undefined) problems.push({ head, kind: "truncated" });
    else if (stored !== head.hash) problems.push({ head, kind: "rewritten" });
  }
  return problems;
}
