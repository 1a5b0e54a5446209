// The two kinds of broadcast (issue 29; DOMAIN "Search notices"): the Child Alert — an
// abducted child in immediate danger, everything at once for hours — and the search notice
// of protocol §2.3.3.1, the foundation's everyday public search campaign. Both follow the
// same concertation (the police service, the cell, the foundation, then the magistrate),
// the same parents' side (consent, or the magistrate's requisition, or the foundation's
// danger assessment), the same refusal and opposition, the same purpose and the same
// accompanying-person rule, the same stop and purge. What differs is decided here.
import { AppError } from "../errors.ts";
import type { Role } from "./roles.ts";

export const ALERT_KINDS = ["child_alert", "search_notice"] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** §2.3.3.1 "Initiative": the judicial authorities, the parents, the child's relatives, or the foundation itself (and the police service, who asks through the case). */
export const INITIATIVES = ["magistrate", "police", "parents", "relatives", "foundation"] as const;
export type Initiative = (typeof INITIATIVES)[number];

/** Who drafts each kind: a Child Alert the cell and the investigators; a search notice the foundation too (it records the parents' or its own initiative). */
export const DRAFTERS: Record<AlertKind, readonly Role[]> = {
  child_alert: ["cell", "investigator"],
  search_notice: ["cell", "investigator", "operator"],
};

export function checkDrafter(kind: AlertKind, role: Role): void {
  if (!DRAFTERS[kind].includes(role)) throw new AppError("E_FORBIDDEN_ROLE", `a ${kind === "search_notice" ? "search notice" : "Child Alert"} is drafted by: ${DRAFTERS[kind].join(", ")}`);
}

/**
 * The channels that carry each kind. A search notice is never pushed to every subscriber's
 * browser or mailbox (that is the Child Alert's alone): web push and e-mail carry it only to
 * the citizens who opted in to the search notices of their regions (domain/targeting.ts
 * isRecipient); it goes on posters, the public site, the partners who chose search notices,
 * and the social networks only at the magistrate's request (§2.3.3.1: "à la demande du
 * magistrat … une campagne via les médias sociaux").
 */
export function kindCarriedOn(kind: AlertKind, channel: string, socialRequested: boolean): boolean {
  if (kind === "child_alert") return true;
  if (channel === "push" || channel === "email" || channel === "webhooks") return true; // each subscriber's and partner's own choice is applied per recipient
  return socialRequested; // the social networks
}

/** What a partner takes: Child Alerts only (the default), or search notices too. */
export const PARTNER_KINDS = ["child_alert", "both"] as const;
export type PartnerKinds = (typeof PARTNER_KINDS)[number];
export const partnerTakes = (takes: PartnerKinds | string | null | undefined, kind: AlertKind) => kind === "child_alert" || takes === "both";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * How long each kind runs and how its review works. A Child Alert: 6 h, extended by the
 * magistrate up to three times, 24 h at most (DOMAIN "Duration"). A search notice lives for
 * weeks: 14 days, then "still needed?" — the magistrate or the foundation confirms it for 14
 * more, as often as needed; unconfirmed, it ends.
 */
export const DURATION: Record<AlertKind, { initialMs: number; extensionMs: number; maxExtensions: number; maxTotalMs: number; reviewLeadMs: number; extenders: readonly Role[] }> = {
  child_alert: { initialMs: 6 * HOUR, extensionMs: 6 * HOUR, maxExtensions: 3, maxTotalMs: 24 * HOUR, reviewLeadMs: 30 * 60_000, extenders: ["magistrate"] },
  search_notice: { initialMs: 14 * DAY, extensionMs: 14 * DAY, maxExtensions: Number.POSITIVE_INFINITY, maxTotalMs: Number.POSITIVE_INFINITY, reviewLeadMs: 2 * DAY, extenders: ["magistrate", "operator"] },
};

/** The magistrate's decision: a Child Alert's authorisation checks the four launch criteria; a search notice's evaluation does not (no immediate danger is required). */
export const needsLaunchCriteria = (kind: AlertKind) => kind === "child_alert";

/**
 * Escalation and continuation (issue 29): a search notice becomes a Child Alert draft (its
 * agreed content carried over; its own concertation, with the four criteria, follows), and a
 * Child Alert that ended without the child found safe continues as a search notice draft when
 * the magistrate decides so.
 */
export function checkEscalate(kind: AlertKind, state: string): void {
  if (kind !== "search_notice") throw new AppError("E_INVALID_TRANSITION", "only a search notice is escalated to a Child Alert");
  if (["cancelled", "purged"].includes(state)) throw new AppError("E_INVALID_TRANSITION", `a search notice in state "${state}" has no content to carry over`);
}
export function checkContinue(kind: AlertKind, state: string, stopReason: string | null): void {
  if (kind !== "child_alert") throw new AppError("E_INVALID_TRANSITION", "only a Child Alert continues as a search notice");
  if (state !== "stopped") throw new AppError("E_INVALID_TRANSITION", "a Child Alert continues as a search notice once it has ended");
  if (stopReason === "found_safe") throw new AppError("E_RULE", "the child was found safe: there is nothing left to search for");
}
