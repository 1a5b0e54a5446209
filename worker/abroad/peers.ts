// The cross-border hand-off (issue 28, protocol §2.3.3.4): an alert that targets a country
// whose alerting system is registered as a peer goes to that system as our signed CAP
// (Alert, Update, Cancel) — but only once the federal prosecutor's office and the cell have
// been informed (the peer_handoff notice, its e-mail accepted by both mailboxes), and a
// peer in a country without adequate protection (rule 13) gets no personal data: only that
// an alert is in progress, with the public page. Every message sent is a receipt on the
// alert screen. Run by the queue (job `peer_handoff`) after each change of what is published.
import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import { boardStub } from "../board/object.ts";
import { targetPolicy, webhookTargetRefusal } from "../channels/webhooks/targets.ts";
import { commit, makeDb } from "../db/client.ts";
import { addressesTold, mailboxes, noticeStmt } from "../db/notices.ts";
import { peerHandoffs, peerReceipts, peers } from "../db/schema.ts";
import { mayReceivePersonalData, whoIsInformed } from "../domain/index.ts";
import { AppError } from "../errors.ts";
import { log } from "../log.ts";
import { capMessage } from "../partners/feeds.ts";
import { signCap } from "../publication/cap-signature.ts";

/** A hand-off that must wait (the authorities not yet informed, or the peer asked us to come back). */
export class HandoffPending extends Error {}

const PEER_TIMEOUT_MS = 10_000;

export async function handOff(env: Env, alertId: string, now = new Date()): Promise<{ peers: number; sent: number; waiting: number }> {
  const db = makeDb(env.DB);
  const rec = await boardStub(env).publicAlert(alertId);
  if (!rec?.messages.length) return { peers: 0, sent: 0, waiting: 0 };
  const regions: readonly string[] = rec.content?.targeting.regions ?? [];
  const registered = await db.select().from(peers).where(isNull(peers.revokedAt));
  const existing = await db.select().from(peerHandoffs).where(eq(peerHandoffs.alertId, alertId));
  // While live: the peers of the countries it targets; after the stop, those it went to (they get the Cancel).
  const targeted = registered.filter((p) => (rec.face === "alert" && regions.includes(p.country)) || existing.some((h) => h.peerId === p.id));
  const fresh = targeted.filter((p) => !existing.some((h) => h.peerId === p.id));
  if (fresh.length) {
    const rows = fresh.map((p) => ({ id: crypto.randomUUID(), alertId, peerId: p.id, createdAt: now.toISOString() }));
    await commit(
      db,
      [...rows.map((r) => db.insert(peerHandoffs).values(r).onConflictDoNothing()), ...fresh.map((p) => noticeStmt(db, alertId, "peer_handoff", whoIsInformed("peer_handoff"), p.id, now))],
      fresh.map((p) => ({ actorUserId: null, actorRole: null, alertId, action: "peer_handoff_recorded", details: { peerId: p.id, country: p.country, personalData: mayReceivePersonalData(p.country) } })),
      now,
    );
    existing.push(...rows);
    await env.FANOUT.send({ type: "mail_notices", alertId });
  }
  const boxes = await mailboxes(db);
  const message = rec.messages.at(-1)!;
  let sent = 0;
  let waiting = 0;
  for (const peer of targeted) {
    const handoff = existing.find((h) => h.peerId === peer.id)!;
    const told = await addressesTold(db, alertId, "peer_handoff", peer.id, "cell");
    const informed = boxes.federal_prosecutor.some((a) => told.has(a)) && boxes.cell.some((a) => told.has(a));
    if (!informed) {
      waiting++;
      continue;
    }
    const done = await db
      .select()
      .from(peerReceipts)
      // Answered for good (accepted, or refused: by the peer, or by the private-network rule): not sent again.
      .where(and(eq(peerReceipts.handoffId, handoff.id), eq(peerReceipts.identifier, message.identifier), inArray(peerReceipts.outcome, ["accepted", "refused"])))
      .get();
    if (done) continue;
    const personal = mayReceivePersonalData(peer.country);
    const receipt = { id: crypto.randomUUID(), handoffId: handoff.id, identifier: message.identifier, personalData: personal && message.msgType !== "Cancel", at: new Date().toISOString() };
    const refusal = webhookTargetRefusal(peer.capEndpoint, targetPolicy(env));
    if (refusal) {
      await db.insert(peerReceipts).values({ ...receipt, outcome: "refused", status: null });
      continue;
    }
    let status: number | null = null;
    try {
      const res = await fetch(peer.capEndpoint, {
        method: "POST",
        headers: { "Content-Type": "application/cap+xml; charset=utf-8", "User-Agent": "Child-Alert-CAP/1" },
        body: await signCap(env, capMessage(rec, env.APP_ORIGIN, { personal })),
        redirect: "manual",
        signal: AbortSignal.timeout(PEER_TIMEOUT_MS),
      });
      await res.body?.cancel();
      status = res.status;
    } catch (err) {
      log.warn("peer_handoff_failed", { alertId, peerId: peer.id, error: err });
    }
    const outcome = status !== null && status >= 200 && status < 300 ? "accepted" : status !== null && status >= 400 && status < 500 && status !== 429 ? "refused" : "retry";
    await db.insert(peerReceipts).values({ ...receipt, outcome, status });
    if (outcome === "accepted") sent++;
    else if (outcome === "retry") waiting++;
  }
  if (waiting) throw new HandoffPending(`${waiting} peer hand-off(s) waiting`);
  return { peers: targeted.length, sent, waiting };
}

/**
 * The cron's safety net: every alert with a hand-off, live or stopped within a day, gets
 * its hand-off job again (idempotent: a message a peer accepted is not sent twice), so a
 * hand-off whose job ran out of retries while the authorities were not yet informed goes
 * out once they are.
 */
export async function resendHandoffs(env: Env, now: Date): Promise<number> {
  const db = makeDb(env.DB);
  const since = new Date(now.getTime() - 24 * 3600_000).toISOString();
  const rows = await db.all<{ alertId: string }>(sql`
    SELECT DISTINCT h.alert_id AS alertId FROM peer_handoffs h JOIN alerts a ON a.id = h.alert_id
    WHERE a.state = 'live' OR (a.state = 'stopped' AND a.stopped_at > ${since}) LIMIT 100`);
  for (const { alertId } of rows) await env.FANOUT.send({ type: "peer_handoff", alertId });
  return rows.length;
}

export type PeerRow = typeof peers.$inferSelect;

/**
 * The admin (or the operator) registers a peer system; audited. With its signing key (PEM),
 * the peer's own CAP messages are taken at /api/v1/peers/{id}/cap (abroad/requests.ts).
 */
export async function registerPeer(env: Env, actor: { userId: string; role: string }, p: { name: string; country: string; capEndpoint: string; publicKey?: string | undefined }, now = new Date()): Promise<PeerRow> {
  const db = makeDb(env.DB);
  const row: PeerRow = { id: crypto.randomUUID(), name: p.name, country: p.country, capEndpoint: p.capEndpoint, publicKey: p.publicKey ?? null, createdAt: now.toISOString(), revokedAt: null };
  await commit(db, [db.insert(peers).values(row)], [{ actorUserId: actor.userId, actorRole: actor.role, action: "peer_registered", details: { peerId: row.id, country: row.country, key: !!row.publicKey } }], now);
  return row;
}

/** A peer revoked: nothing more is handed off to it, none of its messages is taken; audited. */
export async function revokePeer(env: Env, actor: { userId: string; role: string }, peerId: string, now = new Date()): Promise<void> {
  const db = makeDb(env.DB);
  const row = await db.select().from(peers).where(eq(peers.id, peerId)).get();
  if (!row) throw new AppError("E_NOT_FOUND", "no such peer");
  if (row.revokedAt) return;
  await commit(db, [db.update(peers).set({ revokedAt: now.toISOString() }).where(eq(peers.id, peerId))], [{ actorUserId: actor.userId, actorRole: actor.role, action: "peer_revoked", details: { peerId } }], now);
}

export const listPeers = (env: Env) => makeDb(env.DB).select().from(peers).orderBy(asc(peers.createdAt));

/** An alert's hand-offs, each with the peer and every message's receipt (oldest first). */
export async function handoffsOf(env: Env, alertId: string) {
  const db = makeDb(env.DB);
  const rows = await db.select({ h: peerHandoffs, p: peers }).from(peerHandoffs).innerJoin(peers, eq(peers.id, peerHandoffs.peerId)).where(eq(peerHandoffs.alertId, alertId));
  const receipts = rows.length ? await db.select().from(peerReceipts).where(inArray(peerReceipts.handoffId, rows.map((x) => x.h.id))).orderBy(asc(peerReceipts.at)) : [];
  return rows.map(({ h, p }) => ({
    peer: p.name,
    country: p.country,
    since: h.createdAt,
    receipts: receipts.filter((r) => r.handoffId === h.id).map((r) => ({ identifier: r.identifier, outcome: r.outcome, status: r.status, personalData: r.personalData, at: r.at })),
  }));
}
