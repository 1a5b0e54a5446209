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
