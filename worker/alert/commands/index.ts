// Executes alert commands: load snapshot → ask the domain → commit the writes and
// their audit entries in one batch. Runs only inside the alert's Durable Object, which
// serialises commands per alert (single writer), so decisions never race each other.
// One file per stage of the alert's life (authoring, concertation, lifecycle, housekeeping).
import { loadSnapshot } from "../../db/alerts.ts";
import { checkCancel, checkStop, abandonment, PRE_LAUNCH_STATES, type Actor } from "../../domain/index.ts";
import type { AlertCommand, CommandResult, CommandContext } from "./types.ts";

import { create, edit, submit, setFile, closeFile, assign } from "./authoring.ts";
import { signOff, recordConsent, object, lift, requestSocial } from "./concertation.ts";
import { launch, extend, end, foreignRequest, grantForeign } from "./lifecycle.ts";
import { tick } from "./housekeeping.ts";

export type { Actor };
export type { AlertCommand, CommandContext, CommandResult, Job, RecordedBroadcast, SignOffEvidence, Timers } from "./types.ts";

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
    case "requestSocial":
      return requestSocial(ctx, s, cmd);
  }
}
