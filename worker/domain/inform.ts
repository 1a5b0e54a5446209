// Rule 9: when an alert is launched, updated or stopped, the federal police and the
// missing-persons cell are informed automatically. Who is told of what is decided here;
// the notices are delivered in the dashboard (an inbox per person) and by e-mail.
import { type AlertState, CONCERTATION_KINDS, SIGN_OFF_ROLE } from "./lifecycle.ts";
import type { Role } from "./roles.ts";

export const INFORM_EVENTS = [
  "launched",
  "updated",
  "extended",
  "stopped",
  "expired",
  "withdrawn_before_launch",
  "review_due",
  "purge_soon",
  "signoff_requested",
  "partner_webhook_off",
  "social_post_stuck",
  "tip_received",
  "tip_urgent",
  "tip_unacknowledged",
  "account_approval_needed",
  "account_change_approved",
  "foreign_poster_request",
  "channel_unhealthy",
  "channel_healthy",
  "channel_stalled",
  "channel_recovered",
  "peer_handoff",
  "peer_request",
] as const;
export type InformEvent = (typeof INFORM_EVENTS)[number];

/**
 * Notices about staff accounts (issue 23, four eyes), not about an alert: their
 * notification row carries the account request's id where an alert notice has the
 * alert's, and they go to every admin and to the person concerned.
 */
export const ACCOUNT_EVENTS = ["account_approval_needed", "account_change_approved"] as const satisfies readonly InformEvent[];
export const isAccountEvent = (event: string): boolean => (ACCOUNT_EVENTS as readonly string[]).includes(event);

/**
 * Notices about a channel's health (issue 27), not about an alert: their notification row
 * carries the health incident's id where an alert notice has the alert's.
 */
export const HEALTH_EVENTS = ["channel_unhealthy", "channel_healthy"] as const satisfies readonly InformEvent[];
export const isHealthEvent = (event: string): boolean => (HEALTH_EVENTS as readonly string[]).includes(event);
/** Notices about a peer's request to relay its alert (issue 28): their row carries the request's id. */
export const isPeerEvent = (event: string): boolean => event === "peer_request";
/** Notices about no alert of ours (an account request, a channel's health, a peer's request). */
export const isSystemEvent = (event: string): boolean => isAccountEvent(event) || isHealthEvent(event) || isPeerEvent(event);

/** The investigating police service and the federal missing-persons cell (rule 9). */
const AUTHORITIES = ["cell", "investigator"] as const satisfies readonly Role[];
/**
 * Every seat of the concertation: the end of a live alert reaches them all (rule 12: the
 * authorities and the foundation inform each other at once; the magistrate in charge
 * hears of a stop someone else ordered).
 */
const EVERY_SEAT = ["cell", "investigator", "operator", "magistrate"] as const satisfies readonly Role[];

/** Rule 9's events: launched, updated, stopped — and the extension, expiry and withdrawal that change what is out. */
const RULE_NINE: readonly InformEvent[] = ["launched", "updated", "extended", "stopped", "expired", "withdrawn_before_launch"];

/** The events whose audience is fixed (a sign-off request goes to the parties whose signature is awaited). */
export type RuleNineEvent = Exclude<InformEvent, "signoff_requested">;

export const INFORMED: Readonly<Record<RuleNineEvent, readonly Role[]>> = {
  launched: AUTHORITIES,
  // The foundation runs the channels that publish the update.
  updated: [...AUTHORITIES, "operator"],
  extended: AUTHORITIES,
  stopped: EVERY_SEAT,
  expired: EVERY_SEAT,
  // An authorised alert that never went live is withdrawn: the authorities had been told it was coming.
  withdrawn_before_launch: AUTHORITIES,
  // Only the magistrate decides to extend or end (DOMAIN "Duration").
  review_due: ["magistrate"],
  // An unfinished alert is about to be purged for inactivity (rule 14): the coordinating cell may keep it alive.
  purge_soon: ["cell"],
  // A partner's webhook was switched off after repeated failures (issue 13): the operator runs the channels.
  partner_webhook_off: ["operator"],
  // A social post with the child's face that a network refused to delete (issue 15): those who run the channels remove it by hand.
  social_post_stuck: ["operator", "cell"],
  // Rule 10: a tip's written confirmation to the case's investigators (its content is in the dashboard, never in the e-mail);
  // an urgent one is phoned at once and the cell is told too; one left unacknowledged goes up the chain (the roles per level: domain TIP_ESCALATION).
  tip_received: ["investigator"],
  tip_urgent: ["investigator", "cell"],
  tip_unacknowledged: ["cell"],
  // Four eyes on every seat: every admin hears of a change waiting for a second approval, and of its approval
  // (the person concerned is told as well, by name: db noticeStmt's `person`).
  account_approval_needed: ["admin"],
  account_change_approved: ["admin"],
  // Protocol §2.3.3.4: a foreign organisation asks for the posters — the cell is told (its inbox, and its mailbox with the federal prosecutor's office).
  foreign_poster_request: ["cell"],
  // Issue 27: a channel's far side refuses our credentials (or is unreachable) — those who run
  // the channels fix it, the admin holds the credentials; and again when it is green.
  channel_unhealthy: ["operator", "admin"],
  channel_healthy: ["operator", "admin"],
  // Issue 27: during a live alert a channel fails or stalls — the operator runs the channels, the
  // cell coordinates the alert; and again when it delivers again.
  channel_stalled: ["operator", "cell"],
  channel_recovered: ["operator", "cell"],
  // Issue 28, protocol §2.3.3.4: the alert goes to a peer system abroad only once the cell is told —
  // its inbox, and its mailbox with the federal prosecutor's office.
  peer_handoff: ["cell"],
  // Issue 28, inbound: a peer system abroad sent (or updated, or withdrew) a request to relay its alert — the cell decides.
  peer_request: ["cell"],
};

/** Who is informed of an event. */
export const whoIsInformed = (event: RuleNineEvent): readonly Role[] => INFORMED[event];

/** The event an ending produces for the authorities, if any. */
export function endingEvent(from: AlertState, to: "stopped" | "cancelled", reason?: string): RuleNineEvent | null {
  if (from === "live") return reason === "expired" ? "expired" : "stopped";
  if (from === "authorised") return "withdrawn_before_launch";
  return null;
}

/**
 * Rule 2: a version that needs signatures asks each signing party. Submitted (or changed
 * during the concertation): the investigators, the cell, the operator, then the
 * magistrate's authorisation. A new version while live waits for the magistrate alone.
 */
export function signOffRequested(stateAfter: AlertState): readonly Role[] {
  if (stateAfter === "concertation") return [...new Set([...CONCERTATION_KINDS, "authorisation" as const].map((k) => SIGN_OFF_ROLE[k]))];
  if (stateAfter === "live") return [SIGN_OFF_ROLE.authorisation];
  return [];
}

/**
 * The magistrate "in charge of the case" and "the police service handling the case": a
 * notice for these roles goes to the people of that role who took part in this alert;
 * only while none has, to everyone of the role. The cell and the operator act as units.
 */
export const CASE_SCOPED_ROLES: readonly Role[] = ["magistrate", "investigator"];

/** The authorities' functional mailboxes (set by the admin). */
export const AUTHORITY_MAILBOXES = ["federal_police", "cell", "federal_prosecutor"] as const;
export type MailboxKind = (typeof AUTHORITY_MAILBOXES)[number];

/**
 * Which mailboxes an event's notice e-mail also goes to (on the cell's notice, once):
 * rule 9's events to the federal police's and the cell's; a foreign organisation's poster
 * request (protocol §2.3.3.4) to the federal prosecutor's office's and the cell's. The
 * review prompt, the purge notice and sign-off requests go to no mailbox.
 */
export function mailboxesFor(event: InformEvent): readonly MailboxKind[] {
  if (RULE_NINE.includes(event)) return ["federal_police", "cell"];
  if (event === "foreign_poster_request" || event === "peer_handoff") return ["federal_prosecutor", "cell"];
  // Issue 28: a peer's request to relay its alert reaches the cell's round-the-clock mailbox.
  if (event === "peer_request") return ["cell"];
  return [];
}
