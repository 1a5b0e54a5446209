// The alert's life once authorised: launch, extend, end (stop, expiry, cancel); foreign organisations' poster requests.
import { and, eq } from "drizzle-orm";
import { commit, type Stmt } from "../../db/client.ts";
import { addressesTold, mailboxes } from "../../db/notices.ts";
import { alertVersions, foreignRequests } from "../../db/schema.ts";
import { DURATION, type AlertSnapshot, checkExtend, checkLaunch, extendEndsAt, initialEndsAt, purgeAt, reviewAt, type StopReason, endingEvent, whoIsInformed, type Actor, checkForeignGrant } from "../../domain/index.ts";
import { AppError } from "../../errors.ts";
import type { AlertCommand, CommandContext } from "./types.ts";
import { broadcast, audit, inform, notify, setAlert } from "./support.ts";


export async function launch(ctx: CommandContext, s: AlertSnapshot, actor: Actor) {
  checkLaunch(s);
  const endsAt = initialEndsAt(ctx.now, s.kind);
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
    timers: { review: reviewAt(endsAt, s.kind).toISOString(), expiry: endsAt.toISOString(), purge: null },
    broadcasts: [alert.recorded],
    changed: true,
  };
}

export async function extend(ctx: CommandContext, s: AlertSnapshot, launchedAt: string | null, actor: Actor) {
  const live = checkExtend(s, launchedAt);
  // A Child Alert is extended by the magistrate; a search notice's "still needed?" is answered by the magistrate or the foundation.
  if (!DURATION[s.kind].extenders.includes(actor.role)) throw new AppError("E_FORBIDDEN_ROLE", `extended by: ${DURATION[s.kind].extenders.join(", ")}`);
  const endsAt = extendEndsAt(live.launchedAt, live.endsAt, s.extensions, ctx.now, s.kind);
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
    timers: { review: reviewAt(endsAt, s.kind).toISOString(), expiry: endsAt.toISOString() },
    broadcasts: [reannounce.recorded],
    changed: true,
  };
}

/** Stop (found, withdrawn, expired) or cancel: the alert ends and the purge is scheduled. */
export async function end(
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

/**
 * A foreign organisation's request to publish the posters (protocol §2.3.3.4): recorded
 * with its notice to the cell — whose e-mail also goes to the federal prosecutor's
 * office's and the cell's mailboxes — in one transaction.
 */
export async function foreignRequest(ctx: CommandContext, s: AlertSnapshot, cmd: Extract<AlertCommand, { type: "foreignRequest" }>) {
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
export async function grantForeign(ctx: CommandContext, s: AlertSnapshot, cmd: Extract<AlertCommand, { type: "grantForeign" }>) {
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

