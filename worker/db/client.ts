// The drizzle handle and the one way to write: `commit()` runs a set of statements and
// their audit entries in a single D1 batch (atomic: all or nothing), chained onto the
// audit log's head. Two writers racing for the same audit seq: the loser's whole batch
// rolls back on the primary key and is retried against the new head.
import type { BatchItem } from "drizzle-orm/batch";
import { type Column, desc, type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { auditHash, GENESIS_HASH } from "../domain/audit-chain.ts";
import { canonicalJson } from "../domain/content.ts";
import { AppError } from "../errors.ts";
import * as schema from "./schema.ts";

export type Db = ReturnType<typeof makeDb>;
export const makeDb = (d1: D1Database) => drizzle(d1, { schema });

export type Stmt = BatchItem<"sqlite">;

/** D1 binds at most 100 parameters per statement: lists of ids go in slices of 90. */
export const PARAM_SLICE = 90;
export const slices = <T>(xs: readonly T[], size = PARAM_SLICE): T[][] => Array.from({ length: Math.ceil(xs.length / size) }, (_, i) => xs.slice(i * size, i * size + size));

/**
 * `column IN (the keys)` with one bound parameter however many keys (a JSON array read by
 * SQLite's json_each): a fan-out page's outcome is one statement, not one per 90 keys
 * (D1 runs one statement at a time: bench:national counts them).
 */
export const inKeys = (column: Column, keys: readonly number[]): SQL => sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(keys)}))`;

export interface AuditInput {
  alertId?: string | null;
  actorUserId?: string | null;
  actorRole?: string | null;
  action: string;
  /** PII-free: identifiers, roles, hashes, codes, counts. Never names or free text. */
  details?: Record<string, unknown>;
}

/** Attempts before giving up on the audit head (only contended by simultaneous commands on different alerts). */
const AUDIT_APPEND_ATTEMPTS = 32;

export async function commit(db: Db, statements: Stmt[], audit: AuditInput[], now = new Date()): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const [head] = await db
      .select({ seq: schema.auditEntries.seq, hash: schema.auditEntries.hash })
      .from(schema.auditEntries)
      .orderBy(desc(schema.auditEntries.seq))
      .limit(1);
    let prev = head?.hash ?? GENESIS_HASH;
    let seq = head?.seq ?? 0;
    const auditRows: (typeof schema.auditEntries.$inferInsert)[] = [];
    for (const a of audit) {
      seq++;
      const fields = {
        seq,
        at: now.toISOString(),
        alertId: a.alertId ?? null,
        actorUserId: a.actorUserId ?? null,
        actorRole: a.actorRole ?? null,
        action: a.action,
        details: canonicalJson(a.details ?? {}),
      };
      const hash = await auditHash(prev, fields);
      auditRows.push({ ...fields, prevHash: prev, hash });
      prev = hash;
    }
    const all: Stmt[] = [...statements];
    if (auditRows.length > 0) all.push(db.insert(schema.auditEntries).values(auditRows));
    if (all.length === 0) return;
    try {
      await db.batch(all as [Stmt, ...Stmt[]]);
      return;
    } catch (err) {
      if (isAuditSeqConflict(err) && attempt < AUDIT_APPEND_ATTEMPTS) {
        // Many writers at once (a burst of registrations): a random pause spreads the next tries.
        await new Promise((r) => setTimeout(r, Math.random() * 8 * attempt));
        continue;
      }
      throw err;
    }
  }
}

function isAuditSeqConflict(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if (String((e as Error).message ?? e).includes("audit_entries.seq")) return true;
  }
  return false;
}

/** UNIQUE constraint violations, surfaced by D1 through drizzle's wrapper. */
export function isUniqueViolation(err: unknown, needle = ""): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    const m = String((e as Error).message ?? e);
    if (m.includes("UNIQUE constraint failed") && m.includes(needle)) return true;
  }
  return false;
}

export function assertFound<T>(row: T | undefined, what: string): T {
  if (row === undefined) throw new AppError("E_NOT_FOUND", `${what} not found`);
  return row;
}
