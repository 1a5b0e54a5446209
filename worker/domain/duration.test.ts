import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import { extendEndsAt, initialEndsAt, isExpired, MAX_EXTENSIONS, purgeAt, reviewAt } from "./duration.ts";
import { GENESIS_HASH, auditHash, verifyChain, type StoredAuditEntry } from "./audit-chain.ts";

const H = 3_600_000;
const t0 = new Date("2026-11-23T02:00:00Z");

describe("duration (6 h, three extensions, 24 h at most)", () => {
  it("runs 6 hours by default, with the review prompt 30 minutes before", () => {
    const end = initialEndsAt(t0);
    expect(end.getTime() - t0.getTime()).toBe(6 * H);
    expect(end.getTime() - reviewAt(end).getTime()).toBe(30 * 60_000);
  });
  it("extends three times to exactly 24 hours, then refuses", () => {
    let end = initialEndsAt(t0);
    for (let i = 0; i < MAX_EXTENSIONS; i++) end = extendEndsAt(t0, end, i, new Date(t0.getTime() + H));
    expect(end.getTime() - t0.getTime()).toBe(24 * H);
    expect(() => extendEndsAt(t0, end, 3, new Date(t0.getTime() + H))).toThrow(AppError);
  });
  it("does not extend an alert that has already expired", () => {
    const end = initialEndsAt(t0);
    expect(() => extendEndsAt(t0, end, 0, new Date(end.getTime() + 1))).toThrow(/expired/);
  });
  it("expires at the end time, not before", () => {
    const end = initialEndsAt(t0);
    expect(isExpired(end, new Date(end.getTime() - 1))).toBe(false);
    expect(isExpired(end, end)).toBe(true);
  });
  it("purges a configurable time after the end (rule 14)", () => {
    expect(purgeAt(t0, 720).getTime() - t0.getTime()).toBe(720 * H);
  });
});

describe("audit chain", () => {
  async function chain(n: number): Promise<StoredAuditEntry[]> {
    const out: StoredAuditEntry[] = [];
    let prev = GENESIS_HASH;
    for (let seq = 1; seq <= n; seq++) {
      const e = { seq, at: t0.toISOString(), alertId: "a1", actorUserId: "u1", actorRole: "cell", action: `step${seq}`, details: "{}" };
      const hash = await auditHash(prev, e);
      out.push({ ...e, prevHash: prev, hash });
      prev = hash;
    }
    return out;
  }
  it("verifies an intact chain", async () => {
    expect(await verifyChain(await chain(5))).toMatchObject({ ok: true, entries: 5 });
  });
  it("names the first altered entry", async () => {
    const c = await chain(5);
    c[2] = { ...c[2]!, action: "launched" };
    expect(await verifyChain(c)).toMatchObject({ ok: false, firstBroken: 3, reason: "hash_mismatch" });
  });
  it("detects a removed entry", async () => {
    const c = await chain(5);
    c.splice(1, 1);
    expect(await verifyChain(c)).toMatchObject({ ok: false, firstBroken: 2, reason: "gap" });
  });
  it("detects a rewritten suffix that was re-hashed from a forged point", async () => {
    const c = await chain(4);
    const forged = { ...c[1]!, details: '{"x":1}' };
    forged.hash = await auditHash(forged.prevHash, forged);
    c[1] = forged;
    expect(await verifyChain(c)).toMatchObject({ ok: false, firstBroken: 3, reason: "prev_mismatch" });
  });
});
