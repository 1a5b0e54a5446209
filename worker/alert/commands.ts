// Executes alert commands: load snapshot → ask the domain → commit the writes and
// their audit entries in one batch. Runs only inside the alert's Durable Object, which
// serialises commands per alert (single writer), so decisions never race each other.
import { and, eq, isNull } from "drizzle-orm";
import { erasePersonalData, loadSnapshot, nextVersionNumber, photoKeys } from "../db/alerts.ts";
import { userById } from "../db/auth.ts";
import { purgeDeletedPosts } from "../db/social.ts";
import { commit, type AuditInput, type Db, type Stmt } from "../db/client.ts";
import { addressesTold, mailboxes, noticeStmt } from "../db/notices.ts";
import {
  alerts,
  alertVersions,
  caseMembers,
  consents,
  foreignRequests,
  objections,
  signOffs,
} from "../db/schema.ts";
import {
  type AlertContent,
  type AlertSnapshot,
  publishableContent,
  type VersionView,
  type AlertState,
  canonicalJson,
  checkCancel,
  checkConsent,
  checkExtend,
  checkLaunch,
  checkLiftObjection,
  checkObjection,
  checkSignOff,
  checkStop,
  type ConsentBasis,
  contentHash,
  decideEdit,
  decideSubmit,
  extendEndsAt,
  hotlineChangeAllowed,
  initialEndsAt,
  isExpired,
  abandonment,
  PRE_LAUNCH_STATES,
  type ObjectionKind,
  purgeAt,
  reviewAt,
  type Role,
  type SignOffDecision,
  type SignOffKind,
  stateAfterSignOff,
  type StopReason,
  endingEvent,
  type InformEvent,
  whoIsInformed,
  signOffRequested,
  type RuleNineEvent,
  edition,
  ERASED_BY_PURGE,
  type Actor,
  type Assignment,
  checkAssignment,
  ENDED_STATES,
  checkClosable,
  checkMagistrateInCharge,
  type JudicialFileInput,
  checkForeignGrant,
} from "../domain/index.ts";
import { type BroadcastIntent, recordIntent } from "../db/broadcasts.ts";
import type { BroadcastEvent, BroadcastSource } from "../channels/channel.ts";
import { assertPhotosBelong } from "./photos.ts";
import { AppError } from "../errors.ts";

export type { Actor };

/** The WebAuthn assertion a sign-off was verified from, stored as evidence. */
export interface SignOffEvidence {
  credentialId: string;
  challenge: string;
  authenticatorData: string;
  clientDataJson: string;
  signature: string;
}

export type AlertCommand =
  | { type: "create"; actor: Actor; exercise: boolean; content: AlertContent; file?: JudicialFileInput }
  | { type: "edit"; actor: Actor; content: AlertContent }
  | { type: "submit"; actor: Actor }
  | {
      type: "signOff";
      actor: Actor;
      kind: SignOffKind;
      versionId: string;
      contentHash: string;
      evidence: SignOffEvidence;
      decision?: SignOffDecision;
    }
  | { type: "consent"; actor: Actor; basis: ConsentBasis; note?: string }
  | { type: "object"; actor: Actor; kind: ObjectionKind; reason: string }
  | { type: "lift"; actor: Actor; objectionId: string }
  | { type: "launch"; actor: Actor }
  | { type: "stop"; actor: Actor; reason: StopReason }
  | { type: "extend"; actor: Actor }
  | { type: "cancel"; actor: Actor }
  /** The case's people (domain/case.ts): name an investigator or the magistrate in charge, or remove an investigator. */
  | { type: "assign"; actor: Actor; change: Assignment }
  /** The judicial file (domain/file.ts): its PV number before submission; whom the magistrate in charge closes it to. */
  | { type: "file"; actor: Actor; file: JudicialFileInput }
  | { type: "closeFile"; actor: Actor; closedTo: string[] }
  /** Protocol §2.3.3.4: a foreign organisation asks for the posters; granted once the federal prosecutor's office and the cell are informed. */
  | { type: "foreignRequest"; actor: Actor; requestId: string; organisation: string; country: string }
  | { type: "grantForeign"; actor: Actor; requestId: string }
  /** System commands, from the Durable Object's alarm (or the cron safety net). */
  | { type: "tick" };

/** Timers the Durable Object must hold after a command (absolute ISO times; null clears). */
export interface Timers {
  review?: string | null;
  expiry?: string | null;
  purge?: string | null;
}

/** Background work a command asks for once it has committed (sent to the FANOUT queue). */
export type Job =
  | { type: "render_posters"; alertId: string; versionId: string }
  | { type: "mail_notices"; alertId: string }
  | { type: "anchor_audit"; reason: string };

/** A broadcast just recorded, with what it is made of (so planning it right away reads nothing again). */
export interface RecordedBroadcast {
  intent: BroadcastIntent;
  source: BroadcastSource;
}

/**
 * A broadcast intent for the outbox: its statement joins the command's batch, so the
 * broadcast is recorded if and only if the state change is.
 */
function broadcast(
  ctx: CommandContext,
  s: AlertSnapshot,
  event: BroadcastEvent,
  version: VersionView,
  o: { extensions: number; endsAt: string | null; stopReason?: string },
): { recorded: RecordedBroadcast; stmt: Stmt } {
  const intent: BroadcastIntent = {
    id: crypto.randomUUID(),
    alertId: s.id,
    event,
    versionId: version.id,
    version: edition(version.number, o.extensions),
    stopReason: o.stopReason ?? null,
    createdAt: ctx.now.toISOString(),
    plannedAt: null,
  };
  const content = event === "stop" ? undefined : publishableContent(s, version);
  const source: BroadcastSource = { exercise: s.exercise, endsAt: event === "stop" ? null : o.endsAt, ...(content ? { content } : {}) };
  return { recorded: { intent, source }, stmt: recordIntent(ctx.db, intent) };
}

export interface CommandResult {
  alertId: string;
  state: AlertState;
  versionId?: string;
  contentHash?: string;
  endsAt?: string | null;
  timers?: Timers;
  jobs?: Job[];
  /** Broadcasts recorded in the outbox with this command's commit. */
  broadcasts?: RecordedBroadcast[];
  changed: boolean;
}

export interface CommandContext {
  db: Db;
  media: R2Bucket;
  retentionHours: number;
  /** Hours without activity before an unfinished alert is purged (rule 14). */
  inactiveRetentionHours: number;
  now: Date;
  /**
   * Called once the rules have accepted ending a live alert (stop, expiry), before the
   * commit: the alert's object closes the stop fence there. Returns when the end takes effect.
   */
  beforeEndingLive?: () => Promise<Date>;
  /** What the command recorded that needs work once committed (shared by copies of the context). */
  after?: { mailNotices: boolean };
}

export async function executeCommand(ctx: CommandContext, alertId: string, cmd: AlertCommand): Promise<CommandResult> {
  const after = { mailNotices: false };
  const dispatched = await dispatch({ ...ctx, after }, alertId, cmd);
  // Notices recorded: their e-mails go out once the commit stands.
  let result = after.mailNotices ? { ...dispatched, jobs: [...(dispatched.jobs ?? []), { type: "mail_notices" as const, alertId }] } : dispatched;
  // A launch, a published update, an extension or a stop: the audit chain's head is anchored once committed.
  const broadcast = result.broadcasts?.[0]?.intent.event;
  if (broadcast) result = { ...result, jobs: [...(result.jobs ?? []), { type: "anchor_audit" as const, reason: cmd.type === "extend" ? "extension" : broadcast }] };
  // Rule 14: activity on an unfinished alert moves its inactivity purge (the notice a day before) out again.
  if (cmd.type !== "tick" && result.changed && PRE_LAUNCH_STATES.includes(result.state)) {
    return { ...result, timers: { ...result.timers, purge: abandonment(ctx.now, ctx.inactiveRetentionHours).noticeAt.toISOString() } };
  }
  return result;
}

async function dispatch(ctx: CommandContext, alertId: string, cmd: AlertCommand): Promise<CommandResult> {
  if (cmd.type === "create") return create(ctx, alertId, cmd);
  const { row, snapshot: s } = await loadSnapshot(ctx.db, alertId);
  switch (cmd.type) {
    case "edit":
      return edit(ctx, s, cmd);
    case "submit":
      return submit(ctx, s, cmd.actor);
    case "signOff":
      return signOff(ctx, s, cmd);
    case "consent":
      return recordConsent(ctx, s, cmd);
    case "object":
      return object(ctx, s, cmd);
    case "lift":
      return lift(ctx, s, cmd);
    case "launch":
      return launch(ctx, s, cmd.actor);
    case "stop":
      // A live alert is stopped; an authorised one that never went out is withdrawn (cancelled), its reason kept.
      return end(ctx, s, checkStop(s, cmd.reason), cmd.actor, { reason: cmd.reason });
    case "extend":
      return extend(ctx, s, row.launchedAt, cmd.actor);
    case "cancel":
      checkCancel(s);
      return end(ctx, s, "cancelled", cmd.actor, {});
    case "tick":
      return tick(ctx, s, row);
    case "assign":
      return assign(ctx, s, cmd);
    case "file":
      return setFile(ctx, s, cmd);
    case "closeFile":
      return closeFile(ctx, s, cmd);
    case "foreignRequest":
      return foreignRequest(ctx, s, cmd);
    case "grantForeign":
      return grantForeign(ctx, s, cmd);
  }
}

/** Names or removes one of the case's people; a new magistrate in charge replaces the previous one (a hand-over). */
async function assign(ctx: CommandContext, s: AlertSnapshot, cmd: Extract<AlertCommand, { type: "assign" }>) {
  if (ENDED_STATES.includes(s.state)) throw new AppError("E_INVALID_TRANSITION", `the case's people are not changed once the alert is ${s.state}`);
  const change = cmd.change;
  const target = change.type === "add" ? await userById(ctx.db, change.userId) : undefined;
  const after = checkAssignment(s.members, cmd.actor, change, target ? { role: target.role as Role, active: !target.disabledAt } : null);
  const unchanged = after.magistrate === s.members.magistrate && after.investigators.length === s.members.investigators.length;
  if (unchanged) return { alertId: s.id, state: s.state, changed: false };
  const statements: Stmt[] = [];
  let action: string;
  let details: Record<string, unknown>;
  if (change.type === "remove") {
    statements.push(ctx.db.delete(caseMembers).where(and(eq(caseMembers.alertId, s.id), eq(caseMembers.userId, change.userId))));
    action = "case_member_removed";
    details = { userId: change.userId, role: "investigator" };
  } else {
    if (change.role === "magistrate" && s.members.magistrate) {
      statements.push(ctx.db.delete(caseMembers).where(and(eq(caseMembers.alertId, s.id), eq(caseMembers.userId, s.members.magistrate))));
    }
    statements.push(ctx.db.insert(caseMembers).values({ alertId: s.id, userId: change.userId, role: change.role, assignedBy: cmd.actor.userId, assignedAt: ctx.now.toISOString() }));
    action = change.role === "magistrate" ? (s.members.magistrate ? "case_handed_over" : "case_magistrate_named") : "case_member_added";
    details = { userId: change.userId, role: change.role, ...(change.role === "magistrate" && s.members.magistrate ? { from: s.members.magistrate } : {}) };
  }
  await commit(ctx.db, [...statements, setAlert(ctx, s.id, {})], [audit(s, cmd.actor, action, details)], ctx.now);
  return { alertId: s.id, state: s.state, changed: true };
}

/**
 * The PV number (and the magistrate's reference) of the case: given while the alert is a
 * draft, fixed once submitted — every sign-off was given against it.
 */
async function setFile(ctx: CommandContext, s: AlertSnapshot, cmd: Extract<AlertCommand, { type: "file" }>) {
  const draft = s.state === "draft" || (s.state === "blocked" && s.objections.some((o) => !o.lifted && o.fromState === "draft"));
  if (!draft) throw new AppError("E_INVALID_TRANSITION", "the judicial file is fixed once the alert is submitted: every sign-off was given against it");
  const next = { pvNumber: cmd.file.pvNumber, magistrateRef: cmd.file.magistrateRef ?? null };
  if (next.pvNumber === s.file.pvNumber && next.magistrateRef === s.file.magistrateRef) return { alertId: s.id, state: s.state, changed: false };
  await commit(ctx.db, [setAlert(ctx, s.id, next)], [audit(s, cmd.actor, "file_named", { ...(s.file.pvNumber ? { changed: true } : {}) })], ctx.now);
  return { alertId: s.id, state: s.state, changed: true };
}

/** Protocol §2.2.6: the magistrate in charge closes the file to non-signing roles (or opens it again). */
async function closeFile(ctx: CommandContext, s: AlertSnapshot, cmd: Extract<AlertCommand, { type: "closeFile" }>) {
  if (s.state === "purged") throw new AppError("E_INVALID_TRANSITION", "the file of a purged alert holds nothing to close");
  checkMagistrateInCharge(s.members, cmd.actor, "close the file");
  const closedTo = checkClosable(cmd.closedTo);
  if (closedTo.length === s.file.closedTo.length && closedTo.every((r) => s.file.closedTo.includes(r))) return { alertId: s.id, state: s.state, changed: false };
  await commit(ctx.db, [setAlert(ctx, s.id, { fileClosedTo: closedTo })], [audit(s, cmd.actor, "file_access_changed", { closedTo, before: s.file.closedTo })], ctx.now);
  return { alertId: s.id, state: s.state, changed: true };
}

/**
 * A foreign organisation's request to publish the posters (protocol §2.3.3.4): recorded
 * with its notice to the cell — whose e-mail also goes to the federal prosecutor's
 * office's and the cell's mailboxes — in one transaction.
 */
async function foreignRequest(ctx: CommandContext, s: AlertSnapshot, cmd: Extract<AlertCommand, { type: "foreignRequest" }>) {
  if (s.state !== "live") throw new AppError("E_INVALID_TRANSITION", "posters are shared abroad only while the alert is live");
  await commit(
    ctx.db,
    [
      ctx.db.insert(foreignRequests).values({ id: cmd.requestId, alertId: s.id, organisation: cmd.organisation, country: cmd.country, requestedBy: cmd.actor.userId, requestedAt: ctx.now.toISOString() }),
      ...notify(ctx, s.id, "foreign_poster_request", whoIsInformed("foreign_poster_request"), cmd.requestId),
    ],
    [audit(s, cmd.actor, "foreign_request_recorded", { requestId: cmd.requestId, organisation: cmd.organisation, country: cmd.country })],
    ctx.now,
  );
  return { alertId: s.id, state: s.state, changed: true };
}

/** Granted only once both authorities' mailboxes accepted the notice, and only to a country rule 13 allows. */
async function grantForeign(ctx: CommandContext, s: AlertSnapshot, cmd: Extract<AlertCommand, { type: "grantForeign" }>) {
  const [request] = await ctx.db.select().from(foreignRequests).where(and(eq(foreignRequests.id, cmd.requestId), eq(foreignRequests.alertId, s.id)));
  if (!request) throw new AppError("E_NOT_FOUND", "no such request for this alert");
  if (request.grantedAt) return { alertId: s.id, state: s.state, changed: false };
  if (s.state !== "live") throw new AppError("E_INVALID_TRANSITION", "posters are shared abroad only while the alert is live");
  const [told, boxes] = await Promise.all([addressesTold(ctx.db, s.id, "foreign_poster_request", request.id, "cell"), mailboxes(ctx.db)]);
  const reached = (k: "federal_prosecutor" | "cell") => boxes[k].some((a) => told.has(a));
  checkForeignGrant({ country: request.country, told: { federal_prosecutor: reached("federal_prosecutor"), cell: reached("cell") } });
  await commit(
    ctx.db,
    [ctx.db.update(foreignRequests).set({ grantedBy: cmd.actor.userId, grantedAt: ctx.now.toISOString() }).where(eq(foreignRequests.id, request.id))],
    [audit(s, cmd.actor, "foreign_request_granted", { requestId: request.id, country: request.country })],
    ctx.now,
  );
  return { alertId: s.id, state: s.state, changed: true };
}

// ------------------------------------------------------------------ helpers

const id = () => crypto.randomUUID();

function audit(s: { id: string }, actor: Actor | null, action: string, details: Record<string, unknown> = {}): AuditInput {
  return { alertId: s.id, actorUserId: actor?.userId ?? null, actorRole: actor?.role ?? "system", action, details };
}

/**
 * Rule 9: the authorities are informed in the same transaction as the event itself. The
 * notices are the outbox of their e-mails: the command's result asks for them to be sent.
 */
const inform = (ctx: CommandContext, alertId: string, event: RuleNineEvent): Stmt[] => notify(ctx, alertId, event, whoIsInformed(event), ctx.now.toISOString());

/** Rule 2: a version that needs signatures asks the parties whose sign-off it awaits. */
const requestSignOffs = (ctx: CommandContext, alertId: string, stateAfter: AlertState, versionId: string): Stmt[] =>
  notify(ctx, alertId, "signoff_requested", signOffRequested(stateAfter), versionId);

/** `occurrence` tells two notices of one event apart. */
function notify(ctx: CommandContext, alertId: string, event: InformEvent, roles: readonly Role[], occurrence: string): Stmt[] {
  if (roles.length === 0) return [];
  if (ctx.after) ctx.after.mailNotices = true;
  return [noticeStmt(ctx.db, alertId, event, roles, occurrence, ctx.now)];
}

function setAlert(ctx: CommandContext, alertId: string, values: Partial<typeof alerts.$inferInsert>): Stmt {
  return ctx.db
    .update(alerts)
    .set({ ...values, updatedAt: ctx.now.toISOString() })
    .where(eq(alerts.id, alertId));
}

// ------------------------------------------------------------------ commands

/** Submitted for the concertation: every signing party is asked for its sign-off (rule 2). */
async function submit(ctx: CommandContext, s: AlertSnapshot, actor: Actor) {
  const to = decideSubmit(s);
  const version = s.current;
  await commit(
    ctx.db,
    [setAlert(ctx, s.id, { state: to }), ...(version ? requestSignOffs(ctx, s.id, to, version.id) : [])],
    [audit(s, actor, "submitted", { from: s.state, to })],
    ctx.now,
  );
  return { alertId: s.id, state: to, changed: true };
}

async function create(ctx: CommandContext, alertId: string, cmd: Extract<AlertCommand, { type: "create" }>) {
  if (!hotlineChangeAllowed(cmd.actor.role, null, cmd.content)) {
    throw new AppError("E_FORBIDDEN_ROLE", "only the operator may leave the hotline numbers out (rule 8)");
  }
  await assertPhotosBelong(ctx.db, alertId, cmd.content.child.photos);
  const hash = await contentHash(alertId, cmd.exercise, cmd.content);
  const versionId = id();
  await commit(
    ctx.db,
    [
      ctx.db.insert(alerts).values({
        id: alertId,
        state: "draft",
        exercise: cmd.exercise,
        createdBy: cmd.actor.userId,
        currentVersionId: versionId,
        createdAt: ctx.now.toISOString(),
        updatedAt: ctx.now.toISOString(),
        pvNumber: cmd.file?.pvNumber ?? null,
        magistrateRef: cmd.file?.magistrateRef ?? null,
      }),
      ctx.db.insert(alertVersions).values({
        id: versionId,
        alertId,
        number: 1,
        content: canonicalJson(cmd.content),
        contentHash: hash,
        createdBy: cmd.actor.userId,
        createdAt: ctx.now.toISOString(),
      }),
      // An investigator who drafts the alert is on its case from the start.
      ...(cmd.actor.role === "investigator"
        ? [ctx.db.insert(caseMembers).values({ alertId, userId: cmd.actor.userId, role: "investigator" as const, assignedBy: cmd.actor.userId, assignedAt: ctx.now.toISOString() })]
        : []),
    ],
    [audit({ id: alertId }, cmd.actor, "created", { exercise: cmd.exercise, version: 1, contentHash: hash })],
    ctx.now,
  );
  return {
    alertId,
    state: "draft" as const,
    versionId,
    contentHash: hash,
    changed: true,
    jobs: [{ type: "render_posters" as const, alertId, versionId }],
  };
}

async function edit(ctx: CommandContext, s: AlertSnapshot, cmd: Extract<AlertCommand, { type: "edit" }>) {
  const previous = (s.state === "live" ? (s.pending ?? s.current) : s.current)?.content ?? null;
  if (!hotlineChangeAllowed(cmd.actor.role, previous, cmd.content)) {
    throw new AppError("E_FORBIDDEN_ROLE", "only the operator may leave the hotline numbers out (rule 8)");
  }
  await assertPhotosBelong(ctx.db, s.id, cmd.content.child.photos);
  const hash = await contentHash(s.id, s.exercise, cmd.content);
  const outcome = decideEdit(s, hash, cmd.content);
  if (outcome.kind === "unchanged") {
    const v = s.state === "live" ? (s.pending ?? s.current) : s.current;
    return { alertId: s.id, state: s.state, versionId: v?.id, contentHash: hash, changed: false };
  }
  const versionId = id();
  const number = await nextVersionNumber(ctx.db, s.id);
  const resetSignOffs = s.signOffs.filter((o) => !o.voided).length;
  await commit(
    ctx.db,
    [
      ctx.db.insert(alertVersions).values({
        id: versionId,
        alertId: s.id,
        number,
        content: canonicalJson(cmd.content),
        contentHash: hash,
        createdBy: cmd.actor.userId,
        createdAt: ctx.now.toISOString(),
      }),
      setAlert(
        ctx,
        s.id,
        outcome.asPending ? { pendingVersionId: versionId } : { currentVersionId: versionId, state: outcome.nextState },
      ),
      // A new version under review needs every signature again: the signing parties are asked.
      ...requestSignOffs(ctx, s.id, outcome.nextState, versionId),
    ],
    [
      audit(s, cmd.actor, outcome.asPending ? "update_drafted" : "version_saved", {
        version: number,
        contentHash: hash,
        from: s.state,
        to: outcome.nextState,
        // Sign-offs on the previous hash no longer count (rule 2).
        signOffsReset: outcome.asPending ? 0 : resetSignOffs,
      }),
    ],
    ctx.now,
  );
  return {
    alertId: s.id,
    state: outcome.nextState,
    versionId,
    contentHash: hash,
    changed: true,
    jobs: [{ type: "render_posters" as const, alertId: s.id, versionId }],
  };
}

async function signOff(ctx: CommandContext, s: AlertSnapshot, cmd: Extract<AlertCommand, { type: "signOff" }>) {
  const { version } = checkSignOff(s, cmd.kind, cmd.actor, cmd.decision);
  // The assertion was made over this exact version; if anything changed since, it approves nothing.
  if (version.id !== cmd.versionId || version.contentHash !== cmd.contentHash) {
    throw new AppError("E_CONTENT_CHANGED", "the version you signed is no longer the one under review");
  }
  const { state, publishPending } = stateAfterSignOff(s, cmd.kind);
  const statements: Stmt[] = [
    ctx.db.insert(signOffs).values({
      id: id(),
      alertId: s.id,
      versionId: version.id,
      contentHash: version.contentHash,
      kind: cmd.kind,
      userId: cmd.actor.userId,
      role: cmd.actor.role,
      ...cmd.evidence,
      decision: cmd.decision ? JSON.stringify(cmd.decision) : null,
      createdAt: ctx.now.toISOString(),
    }),
  ];
  const auditRows = [
    audit(s, cmd.actor, "signed_off", {
      kind: cmd.kind,
      version: version.number,
      contentHash: version.contentHash,
      credentialId: cmd.evidence.credentialId,
      ...(cmd.kind === "authorisation" && cmd.decision ? { criteria: cmd.decision.criteria } : {}),
    }),
  ];
  if (state !== s.state) {
    statements.push(setAlert(ctx, s.id, { state }));
    auditRows.push(audit(s, cmd.actor, "authorised", { from: s.state, to: state, contentHash: version.contentHash }));
  }
  const update = publishPending ? broadcast(ctx, s, "update", version, { extensions: s.extensions, endsAt: s.endsAt }) : null;
  if (update) {
    statements.push(
      update.stmt,
      setAlert(ctx, s.id, { currentVersionId: version.id, pendingVersionId: null }),
      ctx.db.update(alertVersions).set({ publishedAt: ctx.now.toISOString() }).where(eq(alertVersions.id, version.id)),
      ...inform(ctx, s.id, "updated"),
    );
    auditRows.push(audit(s, cmd.actor, "update_published", { version: version.number, contentHash: version.contentHash }));
  }
  await commit(ctx.db, statements, auditRows, ctx.now);
  // The accompanying-person section may now be published: its posters are rendered too.
  const jobs: Job[] = cmd.kind === "accompanying_person" ? [{ type: "render_posters", alertId: s.id, versionId: version.id }] : [];
  return { alertId: s.id, state, versionId: version.id, contentHash: version.contentHash, changed: true, jobs, ...(update ? { broadcasts: [update.recorded] } : {}) };
}

async function recordConsent(ctx: CommandContext, s: AlertSnapshot, cmd: Extract<AlertCommand, { type: "consent" }>) {
  checkConsent(s, cmd.basis, cmd.actor.role, cmd.note);
  await commit(
    ctx.db,
    [
      ctx.db.insert(consents).values({
        id: id(),
        alertId: s.id,
        basis: cmd.basis,
        note: cmd.note ?? null,
        recordedBy: cmd.actor.userId,
        recordedRole: cmd.actor.role,
        createdAt: ctx.now.toISOString(),
      }),
    ],
    [audit(s, cmd.actor, "consent_recorded", { basis: cmd.basis })],
    ctx.now,
  );
  return { alertId: s.id, state: s.state, changed: true };
}

async function object(ctx: CommandContext, s: AlertSnapshot, cmd: Extract<AlertCommand, { type: "object" }>) {
  const to = checkObjection(s, cmd.kind, cmd.actor, cmd.reason);
  const statements: Stmt[] = [
    ctx.db.insert(objections).values({
      id: id(),
      alertId: s.id,
      kind: cmd.kind,
      reason: cmd.reason,
      userId: cmd.actor.userId,
      fromState: s.state,
      createdAt: ctx.now.toISOString(),
    }),
    setAlert(ctx, s.id, { state: to }),
  ];
  // A block voids an authorisation given before it: after the block is lifted, the magistrate decides anew.
  if (s.current) {
    statements.push(
      ctx.db
        .update(signOffs)
        .set({ voidedAt: ctx.now.toISOString() })
        .where(and(eq(signOffs.versionId, s.current.id), eq(signOffs.kind, "authorisation"), isNull(signOffs.voidedAt))),
    );
  }
  await commit(ctx.db, statements, [audit(s, cmd.actor, "blocked", { kind: cmd.kind, from: s.state, to })], ctx.now);
  return { alertId: s.id, state: to, changed: true };
}

async function lift(ctx: CommandContext, s: AlertSnapshot, cmd: Extract<AlertCommand, { type: "lift" }>) {
  const objection = s.objections.find((o) => o.id === cmd.objectionId);
  if (!objection) throw new AppError("E_NOT_FOUND", "objection not found");
  const to = checkLiftObjection(s, objection, cmd.actor);
  await commit(
    ctx.db,
    [
      ctx.db
        .update(objections)
        .set({ liftedAt: ctx.now.toISOString(), liftedBy: cmd.actor.userId })
        .where(eq(objections.id, objection.id)),
      setAlert(ctx, s.id, { state: to }),
    ],
    [audit(s, cmd.actor, "objection_lifted", { kind: objection.kind, from: s.state, to })],
    ctx.now,
  );
  return { alertId: s.id, state: to, changed: true };
}

async function launch(ctx: CommandContext, s: AlertSnapshot, actor: Actor) {
  checkLaunch(s);
  const endsAt = initialEndsAt(ctx.now);
  const version = s.current!;
  const alert = broadcast(ctx, s, "alert", version, { extensions: s.extensions, endsAt: endsAt.toISOString() });
  await commit(
    ctx.db,
    [
      alert.stmt,
      setAlert(ctx, s.id, { state: "live", launchedAt: ctx.now.toISOString(), endsAt: endsAt.toISOString() }),
      ctx.db.update(alertVersions).set({ publishedAt: ctx.now.toISOString() }).where(eq(alertVersions.id, version.id)),
      ...inform(ctx, s.id, "launched"),
    ],
    [
      audit(s, actor, "launched", {
        version: version.number,
        contentHash: version.contentHash,
        exercise: s.exercise,
        endsAt: endsAt.toISOString(),
      }),
    ],
    ctx.now,
  );
  return {
    alertId: s.id,
    state: "live" as const,
    versionId: version.id,
    endsAt: endsAt.toISOString(),
    // The inactivity purge of an unfinished alert no longer applies.
    timers: { review: reviewAt(endsAt).toISOString(), expiry: endsAt.toISOString(), purge: null },
    broadcasts: [alert.recorded],
    changed: true,
  };
}

async function extend(ctx: CommandContext, s: AlertSnapshot, launchedAt: string | null, actor: Actor) {
  const live = checkExtend(s, launchedAt);
  const endsAt = extendEndsAt(live.launchedAt, live.endsAt, s.extensions, ctx.now);
  const extensions = s.extensions + 1;
  // The new end time is re-announced on every channel: a new edition of the same content.
  const reannounce = broadcast(ctx, s, "update", s.current!, { extensions, endsAt: endsAt.toISOString() });
  await commit(
    ctx.db,
    [setAlert(ctx, s.id, { endsAt: endsAt.toISOString(), extensions, reviewPromptedAt: null }), ...inform(ctx, s.id, "extended"), reannounce.stmt],
    [audit(s, actor, "extended", { extensions, endsAt: endsAt.toISOString() })],
    ctx.now,
  );
  return {
    alertId: s.id,
    state: s.state,
    endsAt: endsAt.toISOString(),
    timers: { review: reviewAt(endsAt).toISOString(), expiry: endsAt.toISOString() },
    broadcasts: [reannounce.recorded],
    changed: true,
  };
}

/** Stop (found, withdrawn, expired) or cancel: the alert ends and the purge is scheduled. */
async function end(
  ctx: CommandContext,
  s: AlertSnapshot,
  to: "stopped" | "cancelled",
  actor: Actor | null,
  details: { reason?: StopReason },
) {
  if (s.state === "live" && ctx.beforeEndingLive) ctx = { ...ctx, now: await ctx.beforeEndingLive() };
  const purge = purgeAt(ctx.now, ctx.retentionHours).toISOString();
  const statements: Stmt[] = [
    setAlert(ctx, s.id, {
      state: to,
      stoppedAt: ctx.now.toISOString(),
      stopReason: details.reason ?? "cancelled",
      purgeAt: purge,
      pendingVersionId: null,
    }),
  ];
  const told = endingEvent(s.state, to, details.reason);
  if (told) statements.push(...inform(ctx, s.id, told));
  // Retraction on every channel that carried the alert.
  const retraction =
    to === "stopped" && s.state === "live" && s.current ? broadcast(ctx, s, "stop", s.current, { extensions: s.extensions, endsAt: null, stopReason: details.reason }) : null;
  if (retraction) statements.push(retraction.stmt);
  await commit(ctx.db, statements, [audit(s, actor, to, { from: s.state, ...details, purgeAt: purge })], ctx.now);
  return { alertId: s.id, state: to, timers: { review: null, expiry: null, purge }, changed: true, ...(retraction ? { broadcasts: [retraction.recorded] } : {}) };
}

/** Due timers: the review prompt, expiry (ends like a stop), and the retention purge. */
async function tick(
  ctx: CommandContext,
  s: AlertSnapshot,
  row: { reviewPromptedAt: string | null; purgeAt: string | null; purgedAt: string | null; updatedAt: string; purgeNoticeAt: string | null },
) {
  if (s.state === "live" && s.endsAt) {
    const endsAt = new Date(s.endsAt);
    if (isExpired(endsAt, ctx.now)) return end(ctx, s, "stopped", null, { reason: "expired" });
    if (ctx.now >= reviewAt(endsAt) && !row.reviewPromptedAt) {
      await commit(
        ctx.db,
        [setAlert(ctx, s.id, { reviewPromptedAt: ctx.now.toISOString() }), ...inform(ctx, s.id, "review_due")],
        [audit(s, null, "review_due", { endsAt: s.endsAt, extensions: s.extensions })],
        ctx.now,
      );
      return { alertId: s.id, state: s.state, timers: { review: null, expiry: s.endsAt }, changed: true };
    }
    return { alertId: s.id, state: s.state, timers: { review: row.reviewPromptedAt ? null : reviewAt(endsAt).toISOString(), expiry: s.endsAt }, changed: false };
  }
  if (PRE_LAUNCH_STATES.includes(s.state)) {
    // Rule 14: an unfinished alert left without activity is purged; the cell is told a day before.
    const { noticeAt, purgeAt: due } = abandonment(new Date(row.updatedAt), ctx.inactiveRetentionHours);
    if (ctx.now >= due) return purge(ctx, s, "abandoned");
    const noticed = row.purgeNoticeAt !== null && row.purgeNoticeAt >= row.updatedAt;
    if (ctx.now >= noticeAt && !noticed) {
      await commit(
        ctx.db,
        // Not setAlert: the notice is not activity (it must not postpone the purge).
        [ctx.db.update(alerts).set({ purgeNoticeAt: ctx.now.toISOString() }).where(eq(alerts.id, s.id)), ...inform(ctx, s.id, "purge_soon")],
        [audit(s, null, "purge_notice", { state: s.state, purgeAt: due.toISOString() })],
        ctx.now,
      );
      return { alertId: s.id, state: s.state, timers: { purge: due.toISOString() }, changed: true };
    }
    return { alertId: s.id, state: s.state, timers: { purge: (noticed ? due : noticeAt).toISOString() }, changed: false };
  }
  if ((s.state === "stopped" || s.state === "cancelled") && row.purgeAt && !row.purgedAt) {
    if (ctx.now >= new Date(row.purgeAt)) return purge(ctx, s);
    return { alertId: s.id, state: s.state, timers: { purge: row.purgeAt }, changed: false };
  }
  return { alertId: s.id, state: s.state, timers: { review: null, expiry: null, purge: null }, changed: false };
}

/**
 * Rule 14: after retention, erase what the domain lists in ERASED_BY_PURGE and keep only
 * the PII-free skeleton (ids, hashes, states, times, audit). R2 first: if it fails, the
 * alarm retries and D1 still says "not purged". (The Durable Object drops its prepared
 * messages when it sees the purge.)
 */
async function purge(ctx: CommandContext, s: AlertSnapshot, reason: "retention" | "abandoned" = "retention") {
  const keys = new Set(await photoKeys(ctx.db, s.id));
  let cursor: string | undefined;
  do {
    const page = await ctx.media.list({ prefix: ERASED_BY_PURGE.mediaPrefix(s.id), cursor });
    for (const o of page.objects) keys.add(o.key);
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  const all = [...keys];
  for (let i = 0; i < all.length; i += 1000) await ctx.media.delete(all.slice(i, i + 1000));

  const versions = await ctx.db.select({ id: alertVersions.id }).from(alertVersions).where(eq(alertVersions.alertId, s.id));
  await commit(
    ctx.db,
    [
      ...erasePersonalData(ctx.db, s.id),
      // Receipts of deleted social posts go too; one still up stays listed until someone removes it.
      purgeDeletedPosts(ctx.db, s.id),
      setAlert(ctx, s.id, { state: "purged", purgedAt: ctx.now.toISOString() }),
    ],
    [audit(s, null, "purged", { from: s.state, reason, versions: versions.length, mediaObjects: all.length })],
    ctx.now,
  );
  return { alertId: s.id, state: "purged" as const, timers: { review: null, expiry: null, purge: null }, changed: true };
}
