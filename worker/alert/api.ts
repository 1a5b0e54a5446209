// The API's view of alerts: sends commands to the alert's Durable Object (the single
// writer) and composes the read models the dashboard shows.
import { alertDetail, type AlertRow, listAlerts, loadSnapshot } from "../db/alerts.ts";
import { activeUserIds } from "../db/members.ts";
import type { Db } from "../db/client.ts";
import { type Actor, type AlertSnapshot, checkContinue, checkEscalate, checkFileOpenTo, type Initiative, publishableContent, readiness, type Role, validSignOffs } from "../domain/index.ts";
import { AppError } from "../errors.ts";
import { copyPhotos } from "./photos.ts";
import { userById } from "../db/auth.ts";
import { purgeEdge } from "../partners/edge-cache.ts";
import type { CommandOutcome } from "./object.ts";
import { fromPayload } from "../errors.ts";
import type { AlertCommand, CommandResult } from "./commands/index.ts";

export function alertStub(env: Env, alertId: string) {
  return env.ALERT.get(env.ALERT.idFromName(alertId)) as DurableObjectStub<import("./object.ts").AlertObject>;
}

/** Runs a command in the alert's Durable Object; refusals come back as AppErrors. */
export async function alertCommand(env: Env, alertId: string, cmd: AlertCommand): Promise<CommandResult> {
  const outcome = (await alertStub(env, alertId).command(alertId, cmd)) as CommandOutcome;
  if (!outcome.ok) throw fromPayload(outcome.error);
  const result = outcome.result as CommandResult;
  // The board holds the new public record already: this data centre's cached pages and
  // feeds go now, the others within PUBLIC_TTL_S.
  if (outcome.publicUrls?.length) await purgeEdge(env.APP_ORIGIN, outcome.publicUrls);
  return result;
}

const header = (row: AlertRow, snapshot: AlertSnapshot) => ({
  id: row.id,
  kind: row.kind,
  initiative: row.initiative as Initiative | null,
  originAlertId: row.originAlertId,
  socialRequested: snapshot.socialRequested,
  state: row.state,
  exercise: row.exercise,
  createdAt: row.createdAt,
  launchedAt: row.launchedAt,
  endsAt: row.endsAt,
  stoppedAt: row.stoppedAt,
  readiness: readiness(snapshot),
});

/** The alerts as one role sees them: a file closed to that role shows no name (protocol §2.2.6). */
export async function alertSummaries(db: Db, role: Role, drillSeat = false) {
  // A drill seat sees exercises only (domain/drill.ts): for it a real alert does not exist.
  const rows = (await listAlerts(db)).filter((r) => !drillSeat || r.exercise);
  return Promise.all(
    rows.map(async (row) => {
      const { snapshot } = await loadSnapshot(db, row.id);
      const closed = snapshot.file.closedTo.includes(role);
      return { ...header(row, snapshot), firstName: closed ? null : (snapshot.current?.content?.child.firstName ?? null), fileClosed: closed };
    }),
  );
}

/** One alert's file, for a role it is open to (E_FILE_CLOSED otherwise). */
export async function alertView(db: Db, alertId: string, role: Role) {
  const [{ snapshot }, detail] = await Promise.all([loadSnapshot(db, alertId), alertDetail(db, alertId)]);
  checkFileOpenTo(snapshot.file, role);
  const { row } = detail;
  // A sign-off counts while it is on the published or the pending version's hash and not voided.
  const valid = new Set(
    [snapshot.current, snapshot.pending].flatMap((v) => validSignOffs(snapshot, v)).map((o) => `${o.versionId}:${o.kind}`),
  );
  return {
    ...header(row, snapshot),
    extensions: row.extensions,
    stopReason: row.stopReason,
    purgeAt: row.purgeAt,
    currentVersionId: row.currentVersionId,
    pendingVersionId: row.pendingVersionId,
    publishable: snapshot.current ? publishableContent(snapshot, snapshot.current) : null,
    versions: detail.versions.map((v) => ({
      id: v.id,
      number: v.number,
      contentHash: v.contentHash,
      content: v.content ? (JSON.parse(v.content) as Record<string, unknown>) : null,
      createdAt: v.createdAt,
      publishedAt: v.publishedAt,
    })),
    signOffs: detail.signOffs.map((o) => ({
      id: o.id,
      kind: o.kind,
      versionId: o.versionId,
      contentHash: o.contentHash,
      signer: o.signer,
      role: o.role,
      createdAt: o.createdAt,
      voidedAt: o.voidedAt,
      valid: valid.has(`${o.versionId}:${o.kind}`) && !o.voidedAt,
    })),
    consents: detail.consents.map((c) => ({ id: c.id, basis: c.basis, recordedRole: c.recordedRole, createdAt: c.createdAt })),
    objections: detail.objections.map((o) => ({
      id: o.id,
      kind: o.kind,
      reason: o.reason,
      createdAt: o.createdAt,
      liftedAt: o.liftedAt,
    })),
    file: { ...(await fileForSigners(db, snapshot)), closedTo: [...snapshot.file.closedTo] },
  };
}

/**
 * Issue 29: a search notice escalated to a Child Alert, or an ended Child Alert continued as
 * a search notice — a new draft of the other kind with the agreed content, its photos and
 * the judicial file carried over; it then goes through its own concertation.
 */
export async function carryOver(env: Env, db: Db, fromId: string, actor: Actor, how: "escalated" | "continued", initiative?: Initiative): Promise<CommandResult> {
  const { row, snapshot } = await loadSnapshot(db, fromId);
  if (how === "escalated") checkEscalate(snapshot.kind, snapshot.state);
  else checkContinue(snapshot.kind, snapshot.state, row.stopReason);
  checkFileOpenTo(snapshot.file, actor.role);
  const content = snapshot.current?.content;
  if (!content) throw new AppError("E_INVALID_TRANSITION", "no content left to carry over (purged)");
  const alertId = crypto.randomUUID();
  await copyPhotos(db, env.MEDIA, fromId, alertId, content.child.photos);
  const file = snapshot.file.pvNumber ? { pvNumber: snapshot.file.pvNumber, ...(snapshot.file.magistrateRef ? { magistrateRef: snapshot.file.magistrateRef } : {}) } : undefined;
  return alertCommand(env, alertId, {
    type: "create",
    actor,
    exercise: snapshot.exercise,
    content,
    ...(file ? { file } : {}),
    kind: how === "escalated" ? "child_alert" : "search_notice",
    ...(how === "continued" ? { initiative: initiative ?? "magistrate" } : {}),
    origin: { alertId: fromId, how, members: await activeMembers(db, snapshot.members) },
  });
}

/** The case's people who still have an active account (a disabled one is not carried to a new alert). */
async function activeMembers(db: Db, m: AlertSnapshot["members"]): Promise<AlertSnapshot["members"]> {
  const active = await activeUserIds(db, [...(m.magistrate ? [m.magistrate] : []), ...m.investigators]);
  return { magistrate: m.magistrate && active.has(m.magistrate) ? m.magistrate : null, investigators: m.investigators.filter((i) => active.has(i)) };
}

/** What every signer sees of the judicial file: the PV number, the magistrate's reference, the magistrate in charge. */
export async function fileForSigners(db: Db, s: Pick<AlertSnapshot, "file" | "members">) {
  return { pvNumber: s.file.pvNumber, magistrateRef: s.file.magistrateRef, magistrateInCharge: await personOf(db, s.members.magistrate) };
}

/** A staff member as the file names them (id and display name). */
async function personOf(db: Db, userId: string | null) {
  if (!userId) return null;
  const u = await userById(db, userId);
  return u ? { userId, name: u.displayName } : null;
}
