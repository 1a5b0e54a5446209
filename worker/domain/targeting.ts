// Who receives an alert (DOMAIN "Channels": targeting by region and language; exercises
// only to those who opted in). Pure.
import type { Language, Region } from "./content.ts";

export interface Audience {
  regions: readonly Region[];
  languages: readonly Language[];
  exercise: boolean;
  /** Issue 29: set for a search notice (the partners' webhooks go only to those who chose search notices). */
  kind?: "search_notice";
}

export interface Recipient {
  regions: readonly string[];
  lang: string;
  exercise: boolean;
  /** Issue 29: what a partner takes ("child_alert" or "both"); absent: Child Alerts only. */
  takes?: string;
  /** Issue 29: a citizen who opted in to the search notices of their regions. */
  notices?: boolean;
}

/**
 * The opt-ins a broadcast needs of a citizen, whatever else is targeted: a drill reaches
 * only those who opted in to exercises, a search notice only those who opted in to
 * notices. A channel whose rows carry these opt-ins cuts its pages over the rows that have
 * them (a drill does not read a million subscriptions to find its testers); `isRecipient`
 * still decides each one.
 */
export interface OptIns {
  exercise: boolean;
  notices: boolean;
}
export const optInsOf = (audience: Audience | null): OptIns => ({ exercise: !!audience?.exercise, notices: audience?.kind === "search_notice" });

const inBelgium = (r: string) => r === "BE" || r.startsWith("BE-");

/** A subscriber's region matches when it is targeted, or when the whole country is. */
export function regionMatches(subscriber: readonly string[], targeted: readonly string[]): boolean {
  return subscriber.some((r) => {
    if (targeted.includes(r)) return true;
    // A "whole of Belgium" alert reaches every Belgian region; a "whole of Belgium"
    // subscriber receives every alert targeting any Belgian region.
    if (inBelgium(r) && targeted.includes("BE")) return true;
    if (r === "BE" && targeted.some(inBelgium)) return true;
    return false;
  });
}

export function isRecipient(sub: Recipient, audience: Audience): boolean {
  if (audience.exercise && !sub.exercise) return false;
  // A search notice reaches only the partners who chose search notices too, and the citizens who opted in to them
  // (a recipient with no such choice — an official social account — is decided by the channel: domain/kinds.ts kindCarriedOn).
  if (audience.kind === "search_notice") {
    if (sub.takes !== undefined && sub.takes !== "both") return false;
    if (sub.notices !== undefined && !sub.notices) return false;
  }
  if (!audience.languages.includes(sub.lang as Language)) return false;
  return regionMatches(sub.regions, audience.regions);
}
