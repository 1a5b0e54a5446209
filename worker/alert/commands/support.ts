// What every command uses: the outbox intent (a broadcast), the audit entry, rule 9's notices, the alert row's update.
import { eq } from "drizzle-orm";
import type { AuditInput, Stmt } from "../../db/client.ts";
import { noticeStmt } from "../../db/notices.ts";
import { alerts } from "../../db/schema.ts";
import { type AlertSnapshot, publishableContent, type VersionView, type AlertState, type Role, type InformEvent, whoIsInformed, signOffRequested, type RuleNineEvent, edition, type Actor } from "../../domain/index.ts";
import { type BroadcastIntent, recordIntent } from "../../db/broadcasts.ts";
import type { BroadcastEvent, BroadcastSource } from "../../channels/channel.ts";
import type { RecordedBroadcast, CommandContext } from "./types.ts";

/**
 * A broadcast intent for the outbox: its statement joins the command's batch, so the
 * broadcast is recorded if and only if the state change is.
 */
export function broadcast(
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
  const source: BroadcastSource = { exercise: s.exercise, kind: s.kind, socialRequested: s.socialRequested, endsAt: event === "stop" ? null : o.endsAt, ...(content ? { content } : {}) };
  return { recorded: { intent, source }, stmt: recordIntent(ctx.db, intent) };
}

export const id = () => crypto.randomUUID();

export function audit(s: { id: string }, actor: Actor | null, action: string, details: Record<string, unknown> = {}): AuditInput {
  return { alertId: s.id, actorUserId: actor?.userId ?? null, actorRole: actor?.role ?? "system", action, details };
}

/**
 * Rule 9: the authorities are informed in the same transaction as the event itself. The
 * notices are the outbox of their e-mails: the command's result asks for them to be sent.
 */
export const inform = (ctx: CommandContext, alertId: string, event: RuleNineEvent): Stmt[] => notify(ctx, alertId, event, whoIsInformed(event), ctx.now.toISOString());

/** Rule 2: a version that needs signatures asks the parties whose sign-off it awaits. */
export const requestSignOffs = (ctx: CommandContext, alertId: string, stateAfter: AlertState, versionId: string): Stmt[] =>
  notify(ctx, alertId, "signoff_requested", signOffRequested(stateAfter), versionId);

/** `occurrence` tells two notices of one event apart. */
export function notify(ctx: CommandContext, alertId: string, event: InformEvent, roles: readonly Role[], occurrence: string): Stmt[] {
  if (roles.length === 0) return [];
  if (ctx.after) ctx.after.mailNotices = true;
  return [noticeStmt(ctx.db, alertId, event, roles, occurrence, ctx.now)];
}

export function setAlert(ctx: CommandContext, alertId: string, values: Partial<typeof alerts.$inferInsert>): Stmt {
  return ctx.db
    .update(alerts)
    .set({ ...values, updatedAt: ctx.now.toISOString() })
    .where(eq(alerts.id, alertId));
}

