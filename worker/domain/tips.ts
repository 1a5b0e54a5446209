// Rule 10: tips. Everything that reaches the hotline goes to the investigating
// authorities at once; they acknowledge it and later say whether it was useful. A call is
// identified and recorded only if the caller, told so, did not object; an anonymous
// caller's information carries the call-taker's own assessment. Tips are read per case
// only (no search across cases). Pure rules, no I/O.
import { AppError } from "../errors.ts";
import type { AlertState } from "./lifecycle.ts";
import type { Role } from "./roles.ts";

export const TIP_ASSESSMENTS = ["reliable", "plausible", "doubtful"] as const;
export type TipAssessment = (typeof TIP_ASSESSMENTS)[number];

/** Minutes a tip may stay unacknowledged before it goes up the chain (TIP_ACK_MINUTES overrides). */
export const TIP_ACK_MINUTES_DEFAULT = 5;

/**
 * Who an unacknowledged tip reaches, level by level: the case's investigators first, then
 * the missing-persons cell, then the magistrate and the operator. Each level keeps the
 * ones before it informed.
 */
export const TIP_ESCALATION: readonly (readonly Role[])[] = [["investigator"], ["cell"], ["magistrate", "operator"]];
export const TIP_TOP_LEVEL = TIP_ESCALATION.length - 1;

/** When a tip at `level` goes to the next level, or null at the top. */
export function escalationDue(receivedAt: string, level: number, ackMinutes: number): Date | null {
  if (level >= TIP_TOP_LEVEL) return null;
  return new Date(Date.parse(receivedAt) + (level + 1) * ackMinutes * 60_000);
}

/** Tips are taken while the alert is live, and after its stop until the purge: late information still reaches the investigators. */
export function checkTipAccepted(state: AlertState): void {
  if (state === "live" || state === "stopped") return;
  if (state === "purged") throw new AppError("E_NOT_FOUND", "no such alert");
  throw new AppError("E_INVALID_TRANSITION", "this alert is not published: it takes no tips");
}

export interface CallTipFacts {
  anonymous: boolean;
  recording: "given" | "refused";
  assessment?: TipAssessment | null | undefined;
  contact?: { name?: string | null; phone?: string | null; email?: string | null } | null | undefined;
}

/**
 * A tip taken on the phone: a caller who objected to the recording is not identified
 * (no contact details, no number kept); an anonymous caller's information carries the
 * call-taker's assessment of its quality.
 */
export function checkCallTip(t: CallTipFacts): void {
  const hasContact = !!(t.contact && (t.contact.name || t.contact.phone || t.contact.email));
  if (t.recording === "refused" && !t.anonymous) {
    throw new AppError("E_RULE", "the caller objected to the recording: the call is not identified (record it as anonymous)");
  }
  if (t.anonymous && hasContact) throw new AppError("E_RULE", "an anonymous tip carries no contact details");
  if (!t.anonymous && !hasContact) throw new AppError("E_RULE", "an identified caller needs a name, a phone number or an e-mail address");
  if (t.anonymous && !t.assessment) throw new AppError("E_RULE", "an anonymous caller's information needs your assessment of its quality");
}

/** Which tips of a case a person may read: all of them, those they took, or none. */
export function tipScope(role: Role, caseMember: boolean): "all" | "own" | "none" {
  if (role === "cell") return "all";
  if (role === "investigator") return caseMember ? "all" : "none";
  if (role === "calltaker") return "own";
  return "none";
}

/** Median and worst of a list of durations (ms), or nulls. */
export function medianAndWorst(values: number[]): { median: number | null; worst: number | null } {
  if (!values.length) return { median: null, worst: null };
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return { median: s.length % 2 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2), worst: s[s.length - 1]! };
}
