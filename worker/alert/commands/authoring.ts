// Authoring: create, edit (a new version), submit for concertation; the judicial file; the case's people.
import { and, eq } from "drizzle-orm";
import { nextVersionNumber } from "../../db/alerts.ts";
import { userById } from "../../db/auth.ts";
import { commit, type Stmt } from "../../db/client.ts";
import { alerts, alertVersions, caseMembers } from "../../db/schema.ts";
import { checkDrafter, type AlertSnapshot, canonicalJson, contentHash, decideEdit, decideSubmit, hotlineChangeAllowed, type Role, type Actor, checkAssignment, ENDED_STATES, checkClosable, checkMagistrateInCharge } from "../../domain/index.ts";
import { assertPhotosBelong } from "../photos.ts";
import { AppError } from "../../errors.ts";
import type { AlertCommand, CommandContext } from "./types.ts";
import { id, audit, requestSignOffs, setAlert } from "./support.ts";

/** The people a new alert's case starts with: its drafting investigator, and the people of the alert it comes from. */
function caseOfNew(cmd: Extract<AlertCommand, { type: "create" }>): { userId: string; role: "magistrate" | "investigator" }[] {
  const carried = cmd.origin?.members;
  const people = [
    ...(carried?.magistrate ? [{ userId: carried.magistrate, role: "magistrate" as const }] : []),
    ...(carried?.investigators ?? []).map((userId) => ({ userId, role: "investigator" as const })),
    ...(cmd.actor.role === "investigator" ? [{ userId: cmd.actor.userId, role: "investigator" as const }] : []),
  ];
  return people.filter((p, i) => people.findIndex((q) => q.userId === p.userId) === i);
}

export async function create(ctx: CommandContext, alertId: string, cmd: Extract<AlertCommand, { type: "create" }>) {
  const kind = cmd.kind ?? "child_alert";
  // A Child Alert that ended unfound continues as a notice when the magistrate decides so; otherwise the kind's drafters draft.
  if (cmd.origin?.how === "continued") {
    if (cmd.actor.role !== "magistrate") throw new AppError("E_FORBIDDEN_ROLE", "the magistrate decides that a Child Alert continues as a search notice");
  } else if (!(cmd.drill && cmd.exercise)) checkDrafter(kind, cmd.actor.role);
  if (kind === "search_notice" && !cmd.initiative) throw new AppError("E_RULE", "a search notice records whose initiative it is (§2.3.3.1): magistrate, police, parents, relatives or foundation");
  if (!hotlineChangeAllowed(cmd.actor.role, null, cmd.content)) {
    throw new AppError("E_FORBIDDEN_ROLE", "only the operator may leave the hotline numbers out (rule 8)");
  }
  await assertPhotosBelong(ctx.db, alertId, cmd.content.child.photos);
  const hash = await contentHash(alertId, cmd.exercise, cmd.content);
  const people = caseOfNew(cmd);
  const versionId = id();
  await commit(
    ctx.db,
    [
      ctx.db.insert(alerts).values({
        id: alertId,
        state: "draft",
        exercise: cmd.exercise,
        kind,
        initiative: kind === "search_notice" ? cmd.initiative! : null,
        originAlertId: cmd.origin?.alertId ?? null,
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
      // An investigator who drafts the alert is on its case from the start; an escalated or continued one keeps its case's people.
      ...people.map((m) => ctx.db.insert(caseMembers).values({ alertId, userId: m.userId, role: m.role, assignedBy: cmd.actor.userId, assignedAt: ctx.now.toISOString() })),
    ],
    [
      audit({ id: alertId }, cmd.actor, "created", { exercise: cmd.exercise, version: 1, contentHash: hash, kind, ...(cmd.initiative && kind === "search_notice" ? { initiative: cmd.initiative } : {}), ...(cmd.origin ? { from: cmd.origin.alertId, ...(cmd.origin.members ? { members: people } : {}) } : {}) }),
      ...(cmd.origin ? [audit({ id: cmd.origin.alertId }, cmd.actor, cmd.origin.how, { to: alertId, kind })] : []),
    ],
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

export async function edit(ctx: CommandContext, s: AlertSnapshot, cmd: Extract<AlertCommand, { type: "edit" }>) {
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

/** Submitted for the concertation: every signing party is asked for its sign-off (rule 2). */
export async function submit(ctx: CommandContext, s: AlertSnapshot, actor: Actor) {
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

/**
 * The PV number (and the magistrate's reference) of the case: given while the alert is a
 * draft, fixed once submitted — every sign-off was given against it.
 */
export async function setFile(ctx: CommandContext, s: AlertSnapshot, cmd: Extract<AlertCommand, { type: "file" }>) {
  const draft = s.state === "draft" || (s.state === "blocked" && s.objections.some((o) => !o.lifted && o.fromState === "draft"));
  if (!draft) throw new AppError("E_INVALID_TRANSITION", "the judicial file is fixed once the alert is submitted: every sign-off was given against it");
  const next = { pvNumber: cmd.file.pvNumber, magistrateRef: cmd.file.magistrateRef ?? null };
  if (next.pvNumber === s.file.pvNumber && next.magistrateRef === s.file.magistrateRef) return { alertId: s.id, state: s.state, changed: false };
  await commit(ctx.db, [setAlert(ctx, s.id, next)], [audit(s, cmd.actor, "file_named", { ...(s.file.pvNumber ? { changed: true } : {}) })], ctx.now);
  return { alertId: s.id, state: s.state, changed: true };
}

/** Protocol §2.2.6: the magistrate in charge closes the file to non-signing roles (or opens it again). */
export async function closeFile(ctx: CommandContext, s: AlertSnapshot, cmd: Extract<AlertCommand, { type: "closeFile" }>) {
  if (s.state === "purged") throw new AppError("E_INVALID_TRANSITION", "the file of a purged alert holds nothing to close");
  checkMagistrateInCharge(s.members, cmd.actor, "close the file");
  const closedTo = checkClosable(cmd.closedTo);
  if (closedTo.length === s.file.closedTo.length && closedTo.every((r) => s.file.closedTo.includes(r))) return { alertId: s.id, state: s.state, changed: false };
  await commit(ctx.db, [setAlert(ctx, s.id, { fileClosedTo: closedTo })], [audit(s, cmd.actor, "file_access_changed", { closedTo, before: s.file.closedTo })], ctx.now);
  return { alertId: s.id, state: s.state, changed: true };
}

/** Names or removes one of the case's people; a new magistrate in charge replaces the previous one (a hand-over). */
export async function assign(ctx: CommandContext, s: AlertSnapshot, cmd: Extract<AlertCommand, { type: "assign" }>) {
  if (ENDED_STATES.includes(s.state)) throw new AppError("E_INVALID_TRANSITION", `the case's people are not changed once the alert is ${s.state}`);
  const change = cmd.change;
  const target = change.type === "add" ? await userById(ctx.db, change.userId) : undefined;
  const after = checkAssignment(s.members, cmd.actor, change, target ? { role: target.role as Role, active: !target.disabledAt, drillSeat: target.drillSeat } : null, s);
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
