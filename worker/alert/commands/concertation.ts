// The concertation: sign-offs (bound to content, kind and decision), the parents' side, refusals and oppositions, their lifting.
import { and, eq, isNull } from "drizzle-orm";
import { commit, type Stmt } from "../../db/client.ts";
import { alertVersions, consents, objections, signOffs } from "../../db/schema.ts";
import { type AlertSnapshot, checkConsent, checkLiftObjection, checkMagistrateInCharge, checkObjection, checkSignOff, PRE_LAUNCH_STATES, stateAfterSignOff } from "../../domain/index.ts";
import { AppError } from "../../errors.ts";
import type { AlertCommand, Job, CommandContext } from "./types.ts";
import { broadcast, id, audit, inform, setAlert } from "./support.ts";

export async function signOff(ctx: CommandContext, s: AlertSnapshot, cmd: Extract<AlertCommand, { type: "signOff" }>) {
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

export async function recordConsent(ctx: CommandContext, s: AlertSnapshot, cmd: Extract<AlertCommand, { type: "consent" }>) {
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

export async function object(ctx: CommandContext, s: AlertSnapshot, cmd: Extract<AlertCommand, { type: "object" }>) {
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

export async function lift(ctx: CommandContext, s: AlertSnapshot, cmd: Extract<AlertCommand, { type: "lift" }>) {
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

/**
 * Issue 29, §2.3.3.1: "à la demande du magistrat", a search notice also goes on the social
 * networks. The magistrate in charge asks, before it is published (the request is part of the
 * decision on its terms); audited.
 */
export async function requestSocial(ctx: CommandContext, s: AlertSnapshot, cmd: Extract<AlertCommand, { type: "requestSocial" }>) {
  if (cmd.actor.role !== "magistrate") throw new AppError("E_FORBIDDEN_ROLE", "the magistrate asks for the social networks");
  checkMagistrateInCharge(s.members, cmd.actor, "ask for the social networks");
  if (s.kind !== "search_notice") throw new AppError("E_RULE", "a Child Alert goes on the social networks anyway: only a search notice needs the magistrate's request");
  if (!PRE_LAUNCH_STATES.includes(s.state)) throw new AppError("E_INVALID_TRANSITION", `the social networks are asked for before publication, not in state "${s.state}"`);
  if (s.socialRequested) return { alertId: s.id, state: s.state, changed: false };
  await commit(ctx.db, [setAlert(ctx, s.id, { socialRequestedAt: ctx.now.toISOString() })], [audit(s, cmd.actor, "social_requested", {})], ctx.now);
  return { alertId: s.id, state: s.state, changed: true };
}
