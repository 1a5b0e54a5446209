// A peer system's request to relay its alert (issue 28, inbound; protocol §2.3.3.4 read the
// other way round): its CAP message is taken only with a signature that verifies with the
// key registered for that peer, and is shown to the cell — never published by itself.
// Relaying creates a draft from it (the cell gives the child's first name and age, which
// CAP does not carry as fields, and attests the purpose); the draft then goes through the
// whole concertation like any other. The peer's Updates and Cancel join the same request;
// the texts go when the peer withdraws it, or 30 days after its last message.
import { and, desc, eq, inArray, isNull, lt, sql } from "drizzle-orm";
import { commit, makeDb } from "../db/client.ts";
import { noticeStmt } from "../db/notices.ts";
import { peerMessages, peerRequests, peers } from "../db/schema.ts";
import { type Actor, AlertContent, LANGUAGES, type Language, whoIsInformed } from "../domain/index.ts";
import { AppError } from "../errors.ts";
import { log } from "../log.ts";
import { type PeerCap, type PeerInfo, readPeerCap } from "./cap-read.ts";
import { CapRefused, verifyPeerCap } from "./cap-verify.ts";

/** Days a request's texts are kept after its last message. */
export const PEER_REQUEST_KEEP_DAYS = 30;

/** Takes one CAP message from peer `peerId`: verified, recorded, the cell told. A message already taken is not taken twice. */
export async function receivePeerCap(env: Env, peerId: string, xml: string, now = new Date()): Promise<{ requestId: string; identifier: string; duplicate: boolean }> {
  const db = makeDb(env.DB);
  const peer = await db.select().from(peers).where(and(eq(peers.id, peerId), isNull(peers.revokedAt))).get();
  if (!peer) throw new AppError("E_NOT_FOUND", "no such peer");
  let cap: PeerCap;
  try {
    if (!peer.publicKey) throw new CapRefused("bad_key", "no key is registered for this peer: none of its messages is taken");
    cap = readPeerCap(await verifyPeerCap(xml, peer.publicKey));
  } catch (err) {
    if (err instanceof CapRefused) {
      // A refused message is the trace of a forgery or a broken peer: audited (the code only), never read further.
      log.warn("peer_cap_refused", { peerId, code: err.code });
      await commit(db, [], [{ action: "peer_cap_refused", details: { peerId, code: err.code } }], now);
      throw new AppError(err.code === "malformed" || err.code === "not_cap" ? "E_CAP_INVALID" : "E_CAP_SIGNATURE", err.detail, { reason: err.code });
    }
    if (err && typeof err === "object" && "issues" in err) {
      const issues = (err as { issues: { path: PropertyKey[]; message: string }[] }).issues;
      throw new AppError("E_CAP_INVALID", issues.map((i) => `${i.path.join(".") || "message"}: ${i.message}`).join("; "));
    }
    throw err;
  }
  const seen = await db.select().from(peerMessages).where(and(eq(peerMessages.peerId, peerId), eq(peerMessages.identifier, cap.identifier))).get();
  if (seen) return { requestId: seen.requestId, identifier: cap.identifier, duplicate: true };

  // An Update or a Cancel joins the request of the message it refers to.
  const earlier = cap.references.length
    ? await db.select().from(peerMessages).where(and(eq(peerMessages.peerId, peerId), inArray(peerMessages.identifier, cap.references))).get()
    : undefined;
  const at = now.toISOString();
  const cancel = cap.msgType === "Cancel";
  const infos = cancel ? null : JSON.stringify(cap.infos);
  const requestId = earlier?.requestId ?? crypto.randomUUID();
  const messageId = crypto.randomUUID();
  const write = earlier
    ? db
        .update(peerRequests)
        .set({ msgType: cap.msgType, sent: cap.sent, infos, updatedAt: at, ...(cancel ? { cancelledAt: at } : {}) })
        .where(eq(peerRequests.id, requestId))
    : db.insert(peerRequests).values({ id: requestId, peerId, firstIdentifier: cap.identifier, capStatus: cap.status, msgType: cap.msgType, sent: cap.sent, infos, state: "open", cancelledAt: cancel ? at : null, receivedAt: at, updatedAt: at });
  await commit(
    db,
    [
      write,
      db.insert(peerMessages).values({ id: messageId, requestId, peerId, identifier: cap.identifier, msgType: cap.msgType, sent: cap.sent, receivedAt: at }).onConflictDoNothing(),
      noticeStmt(db, requestId, "peer_request", whoIsInformed("peer_request"), messageId, now),
    ],
    [{ action: "peer_request_received", details: { peerId, requestId, msgType: cap.msgType, status: cap.status, country: peer.country } }],
    now,
  );
  await env.FANOUT.send({ type: "mail_notices", alertId: requestId });
  return { requestId, identifier: cap.identifier, duplicate: false };
}

/** The requests, newest first (the last 200). */
export async function listPeerRequests(env: Env) {
  const db = makeDb(env.DB);
  const rows = await db.select({ r: peerRequests, p: peers }).from(peerRequests).innerJoin(peers, eq(peers.id, peerRequests.peerId)).orderBy(desc(peerRequests.updatedAt)).limit(200);
  const counts = rows.length
    ? await db
        .select({ requestId: peerMessages.requestId, n: sql<number>`count(*)` })
        .from(peerMessages)
        .where(inArray(peerMessages.requestId, rows.map((x) => x.r.id)))
        .groupBy(peerMessages.requestId)
    : [];
  return rows.map(({ r, p }) => ({
    id: r.id,
    peer: { id: p.id, name: p.name, country: p.country },
    status: r.capStatus,
    msgType: r.msgType,
    sent: r.sent,
    receivedAt: r.receivedAt,
    updatedAt: r.updatedAt,
    state: r.state as "open" | "relayed" | "dismissed",
    cancelledAt: r.cancelledAt,
    alertId: r.alertId,
    handledAt: r.handledAt,
    reason: r.reason,
    messages: counts.find((c) => c.requestId === r.id)?.n ?? 0,
    infos: r.infos ? (JSON.parse(r.infos) as PeerInfo[]) : null,
  }));
}

const clip = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);
/** Our language for a CAP language tag (fr-FR, nl-NL, de-DE, en-US …), if it is one of ours. */
const ourLanguage = (tag: string): Language | null => {
  const l = tag.slice(0, 2).toLowerCase();
  return (LANGUAGES as readonly string[]).includes(l) ? (l as Language) : null;
};
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The draft's content from the peer's texts: per language of ours the peer wrote in, its
 * description (or headline), the area as the last-seen place, the headline, the peer and its
 * instruction as the circumstances; Belgium as the region. What CAP does not carry as fields
 * — the child's first name and age, the photos — the cell gives or adds in the editor.
 */
export function draftFromPeer(infos: PeerInfo[], sent: string, peer: { name: string; country: string }, given: { firstName: string; age: number }) {
  const byLang = new Map<Language, PeerInfo>();
  for (const i of infos) {
    const l = ourLanguage(i.language);
    if (l && !byLang.has(l)) byLang.set(l, i);
  }
  if (!byLang.size) throw new AppError("E_RULE", "the peer's message has no text in French, Dutch, German or English: write the draft yourselves");
  const per = (pick: (i: PeerInfo) => string | undefined, max: number) => Object.fromEntries([...byLang].map(([l, i]) => [l, clip(pick(i) ?? "—", max)]));
  const first = [...byLang.values()][0]!;
  const at = [first.onset, sent].find((t) => t && ISO_WITH_OFFSET.test(t))!;
  return AlertContent.parse({
    child: { firstName: given.firstName, age: given.age, description: per((i) => i.description ?? i.headline, 600) },
    lastSeen: { place: per((i) => i.areaDesc, 200), at },
    circumstances: per((i) => [i.headline, `${peer.name} (${peer.country})`, i.instruction].filter(Boolean).join(" — "), 1000),
    targeting: { regions: ["BE"], languages: [...byLang.keys()] },
    purposeAttestation: true,
  });
}

/** How a draft is created (the alert's own command, handed in by the caller: alerts sit above this module). */
export type CreateDraft = (alertId: string, draft: { actor: Actor; exercise: boolean; content: AlertContent }) => Promise<unknown>;

/** The cell relays a request: a draft from it (exercise if the peer's message was), which goes through the whole concertation. */
export async function relayPeerRequest(env: Env, actor: Actor, requestId: string, given: { firstName: string; age: number }, createDraft: CreateDraft, now = new Date()): Promise<{ alertId: string }> {
  const db = makeDb(env.DB);
  const row = await db.select({ r: peerRequests, p: peers }).from(peerRequests).innerJoin(peers, eq(peers.id, peerRequests.peerId)).where(eq(peerRequests.id, requestId)).get();
  if (!row) throw new AppError("E_NOT_FOUND", "no such request");
  const { r, p } = row;
  if (r.cancelledAt || !r.infos) throw new AppError("E_INVALID_TRANSITION", "the peer withdrew this request");
  if (r.state !== "open") throw new AppError("E_INVALID_TRANSITION", `the request is already ${r.state}`);
  const content = draftFromPeer(JSON.parse(r.infos) as PeerInfo[], r.sent, p, given);
  const alertId = crypto.randomUUID();
  // Claimed first: two relays at once make one draft.
  const claimed = await db
    .update(peerRequests)
    .set({ state: "relayed", alertId, handledBy: actor.userId, handledAt: now.toISOString() })
    .where(and(eq(peerRequests.id, requestId), eq(peerRequests.state, "open")))
    .returning({ id: peerRequests.id });
  if (!claimed.length) throw new AppError("E_CONFLICT", "someone else handled this request");
  try {
    await createDraft(alertId, { actor, exercise: r.capStatus === "Exercise", content });
  } catch (err) {
    await db.update(peerRequests).set({ state: "open", alertId: null, handledBy: null, handledAt: null }).where(eq(peerRequests.id, requestId));
    throw err;
  }
  await commit(db, [], [{ alertId, actorUserId: actor.userId, actorRole: actor.role, action: "peer_request_relayed", details: { requestId, peerId: p.id, country: p.country } }], now);
  return { alertId };
}

/** The cell declines to relay a request (its reason stays with the request, not in the audit: free text). */
export async function dismissPeerRequest(env: Env, actor: Actor, requestId: string, reason: string, now = new Date()): Promise<void> {
  const db = makeDb(env.DB);
  const done = await db
    .update(peerRequests)
    .set({ state: "dismissed", handledBy: actor.userId, handledAt: now.toISOString(), reason })
    .where(and(eq(peerRequests.id, requestId), eq(peerRequests.state, "open")))
    .returning({ id: peerRequests.id });
  if (!done.length) {
    const exists = await db.select({ id: peerRequests.id }).from(peerRequests).where(eq(peerRequests.id, requestId)).get();
    throw exists ? new AppError("E_INVALID_TRANSITION", "the request is already handled") : new AppError("E_NOT_FOUND", "no such request");
  }
  await commit(db, [], [{ actorUserId: actor.userId, actorRole: actor.role, action: "peer_request_dismissed", details: { requestId } }], now);
}

/** The cron's purge: the texts of requests with no message for PEER_REQUEST_KEEP_DAYS. */
export async function purgePeerRequests(env: Env, now: Date): Promise<number> {
  const db = makeDb(env.DB);
  const before = new Date(now.getTime() - PEER_REQUEST_KEEP_DAYS * 86_400_000).toISOString();
  const rows = await db.update(peerRequests).set({ infos: null }).where(and(lt(peerRequests.updatedAt, before), sql`${peerRequests.infos} IS NOT NULL`)).returning({ id: peerRequests.id });
  return rows.length;
}
