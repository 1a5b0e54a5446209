// Tips (issue 14, rule 10): received from the public web form or recorded by a call-taker,
// stored in D1, forwarded at once to the open screens of those who may read them (through
// the alert's Durable Object, which also starts the acknowledgement clock), confirmed in
// writing (an inbox notice and its e-mail, no content in the e-mail). Investigators
// acknowledge and later say whether the tip was useful.
import { getAlertRow } from "../db/alerts.ts";
import { commit, type Db, isUniqueViolation } from "../db/client.ts";
import { noticeStmt } from "../db/notices.ts";
import { ackStmt, caseInvestigators, insertTip, markForwarded, type NewTip, tipById, tipByClientRef, type TipRow, usefulStmt } from "../db/tips.ts";
import { type AlertState, checkTipAccepted, type Role, sha256Hex, tipScope, whoIsInformed } from "../domain/index.ts";
import { AppError } from "../errors.ts";
import { log } from "../log.ts";
import { normalisePhoto } from "../render/codecs.ts";
import { inspectImage } from "../render/image-format.ts";
import { alertStub } from "../alert/api.ts";
import { pushTipToStaff } from "./staff-push.ts";

export { TipSchema, type TipView } from "./tip-view.ts";
import type { TipView } from "./tip-view.ts";

export function tipView(t: TipRow): TipView {
  return {
    id: t.id,
    alertId: t.alertId,
    source: t.source,
    receivedAt: t.receivedAt,
    urgent: t.urgent,
    text: t.text,
    seenWhere: t.seenWhere,
    seenAt: t.seenAt,
    anonymous: t.anonymous,
    contact: t.anonymous ? null : { name: t.contactName, phone: t.contactPhone, email: t.contactEmail },
    recording: t.recording,
    assessment: t.assessment,
    photoUrl: t.photoKey ? `/api/v1/alerts/${t.alertId}/tips/${t.id}/photo` : null,
    takenBy: t.takenBy,
    forwardedAt: t.forwardedAt,
    ackedAt: t.ackedAt,
    ackedBy: t.ackedBy,
    useful: t.useful,
    escalation: t.escalation,
    challenge: t.challenge ?? null,
  };
}

export const tipPhotoKey = (alertId: string, tipId: string) => `alerts/${alertId}/tips/${tipId}.jpg`;

/** A photo sent with a tip: checked and re-encoded like the alert's photos (no metadata survives), or a clear error. */
export async function normaliseTipPhoto(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const info = inspectImage(bytes);
  try {
    return (await normalisePhoto(bytes, info)).jpeg;
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError("E_BAD_IMAGE", "the image data could not be decoded");
  }
}

export interface Intake {
  env: Env;
  db: Db;
  now: Date;
}

/**
 * Records a tip and forwards it. A web tip resent with the same client reference is the
 * same tip (nothing doubled, nothing lost). The tip is in D1 before anyone is told; the
 * forwarding that fails is retried by the alert's alarm through the acknowledgement clock
 * (the notice and its e-mail are in the same batch as the tip).
 */
export async function receiveTip(ix: Intake, tip: Omit<NewTip, "id" | "receivedAt">, photo?: Uint8Array, actor?: { userId: string; role: Role }) {
  const alert = await getAlertRow(ix.db, tip.alertId);
  checkTipAccepted(alert.state as AlertState);
  if (tip.clientRef) {
    const known = await tipByClientRef(ix.db, tip.alertId, tip.clientRef);
    if (known) return { tip: tipView(known), duplicate: true };
  }
  const id = crypto.randomUUID();
  const row: NewTip = { ...tip, id, receivedAt: ix.now.toISOString(), photoKey: photo ? tipPhotoKey(tip.alertId, id) : null };
  if (photo) await ix.env.MEDIA.put(row.photoKey!, photo, { httpMetadata: { contentType: "image/jpeg" } });
  const event = tip.urgent ? "tip_urgent" : "tip_received";
  // Who reads it is looked up while the tip is written: the forwarding waits for neither twice.
  const readers = caseInvestigators(ix.db, tip.alertId);
  readers.catch(() => undefined);
  try {
    await commit(
      ix.db,
      [insertTip(ix.db, row), noticeStmt(ix.db, tip.alertId, event, whoIsInformed(event), id, ix.now)],
      // A call-taker's record is a staff action: in the audit trail (identifiers only). A web tip is counted in its row.
      actor ? [{ alertId: tip.alertId, actorUserId: actor.userId, actorRole: actor.role, action: "tip_recorded", details: { tipId: id, source: tip.source, urgent: !!tip.urgent } }] : [],
      ix.now,
    );
  } catch (err) {
    if (tip.clientRef && isUniqueViolation(err)) {
      const known = await tipByClientRef(ix.db, tip.alertId, tip.clientRef);
      if (known) return { tip: tipView(known), duplicate: true };
    }
    throw err;
  }
  const stored: TipRow = {
    clientRef: null, urgent: false, text: null, seenWhere: null, seenAt: null, contactName: null, contactPhone: null, contactEmail: null,
    recording: null, assessment: null, photoKey: null, callSid: null, takenBy: null, forwardedAt: null, ackedAt: null, ackedBy: null,
    useful: null, usefulAt: null, escalation: 0,
    ...row,
  } as TipRow;
  const view = await forward(ix, stored, await readers);
  return { tip: view, duplicate: false };
}

/** Sends the tip to the readers' open screens (the alert's object), records when, and asks for the notices' e-mail. */
async function forward(ix: Intake, tip: TipRow, investigators: string[]): Promise<TipView> {
  const readers = [...investigators];
  if (tip.takenBy) readers.push(tip.takenBy);
  const view = tipView(tip);
  try {
    const { forwardedAt } = await alertStub(ix.env, tip.alertId).tipIn(view, readers);
    await markForwarded(ix.db, tip.id, new Date(forwardedAt)).run();
    view.forwardedAt = forwardedAt;
  } catch (err) {
    // The tip and its notice are stored: the inbox and the e-mail still carry it; the screens get it on their next read.
    log.error("tip_forward_failed", { alertId: tip.alertId, tipId: tip.id, error: err });
  }
  await ix.env.FANOUT.send({ type: "mail_notices", alertId: tip.alertId }).catch(() => undefined); // the cron asks again
  // Devices of the readers that opted in are woken (never with the tip's content).
  await pushTipToStaff(ix.env, ix.db, tip.alertId, tip, readers).catch((err) => log.warn("staff_push_failed", { alertId: tip.alertId, error: err }));
  return view;
}

/** What this person may read of the alert's tips; refuses those who may read none. */
export async function readScope(db: Db, alertId: string, user: { id: string; role: Role }): Promise<"all" | "own"> {
  const scope = tipScope(user.role, user.role === "investigator" && (await caseInvestigators(db, alertId)).includes(user.id));
  if (scope === "none") throw new AppError("E_FORBIDDEN_ROLE", "tips are read by the case's investigators, the cell and the call-taker who took them");
  return scope;
}

/** An investigator (or the cell) acknowledges a tip; the first acknowledgement stands. */
export async function acknowledge(ix: Intake, alertId: string, tipId: string, user: { id: string; role: Role }) {
  if ((await readScope(ix.db, alertId, user)) !== "all" || user.role === "calltaker") {
    throw new AppError("E_FORBIDDEN_ROLE", "the case's investigators and the cell acknowledge tips");
  }
  const tip = await tipById(ix.db, alertId, tipId);
  if (!tip) throw new AppError("E_NOT_FOUND", "no such tip on this alert");
  if (!tip.ackedAt) {
    await commit(ix.db, [ackStmt(ix.db, alertId, tipId, user.id, ix.now)], [{ alertId, actorUserId: user.id, actorRole: user.role, action: "tip_acknowledged", details: { tipId } }], ix.now);
  }
  const after = (await tipById(ix.db, alertId, tipId))!;
  await alertStub(ix.env, alertId).tipAcked(tipId, after.ackedAt!);
  return tipView(after);
}

/** Later: was it useful? (Acknowledges it too if that was not done.) */
export async function judge(ix: Intake, alertId: string, tipId: string, useful: boolean, user: { id: string; role: Role }) {
  await acknowledge(ix, alertId, tipId, user);
  await commit(ix.db, [usefulStmt(ix.db, alertId, tipId, useful, ix.now)], [{ alertId, actorUserId: user.id, actorRole: user.role, action: "tip_judged", details: { tipId, useful } }], ix.now);
  const after = (await tipById(ix.db, alertId, tipId))!;
  await alertStub(ix.env, alertId).tipAcked(tipId, after.ackedAt!, useful);
  return tipView(after);
}

/** A citizen's web tip (validated) as the row it makes. */
export function webTipRow(
  alertId: string,
  t: { text: string; seenWhere?: string | undefined; seenAt?: string | undefined; anonymous: boolean; contact?: { name?: string | undefined; phone?: string | undefined; email?: string | undefined } | undefined },
  clientRef: string | null,
  challenge: "passed" | "unverified" | null = null,
): Omit<NewTip, "id" | "receivedAt"> {
  return {
    alertId,
    source: "web",
    clientRef,
    challenge,
    text: t.text,
    seenWhere: t.seenWhere ?? null,
    seenAt: t.seenAt ?? null,
    anonymous: t.anonymous,
    contactName: t.contact?.name ?? null,
    contactPhone: t.contact?.phone ?? null,
    contactEmail: t.contact?.email ?? null,
  };
}

/** A stable reference for a web tip sent without one (the same form sent twice within the minute is one tip). */
export async function derivedClientRef(parts: string[]): Promise<string> {
  return (await sha256Hex(parts.join("\u0000"))).slice(0, 32);
}
