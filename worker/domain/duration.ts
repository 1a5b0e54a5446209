// How long a live alert runs (DOMAIN "Duration"): 6 h by default, extended by the
// magistrate up to three times, 24 h at most; a review prompt before expiry.
import { AppError } from "../errors.ts";
import { type AlertKind, DURATION } from "./kinds.ts";

const HOUR = 3_600_000;

/** Belgian protocol default. */
export const DEFAULT_DURATION_MS = 6 * HOUR;
/** The magistrate may extend up to three times. */
export const MAX_EXTENSIONS = 3;
/** Each extension adds the default duration again. */
export const EXTENSION_MS = 6 * HOUR;
/** Never more than 24 hours in all. */
export const MAX_TOTAL_MS = 24 * HOUR;
/** The magistrate is prompted this long before the end: time to decide without haste. */
export const REVIEW_LEAD_MS = 30 * 60_000;

/** A search notice (issue 29) lives for weeks, reviewed every 14 days: domain/kinds.ts DURATION. */
export function initialEndsAt(launchedAt: Date, kind: AlertKind = "child_alert"): Date {
  return new Date(launchedAt.getTime() + DURATION[kind].initialMs);
}

export function reviewAt(endsAt: Date, kind: AlertKind = "child_alert"): Date {
  return new Date(endsAt.getTime() - DURATION[kind].reviewLeadMs);
}

export function extendEndsAt(launchedAt: Date, endsAt: Date, extensions: number, now: Date, kind: AlertKind = "child_alert"): Date {
  const d = DURATION[kind];
  if (extensions >= d.maxExtensions) {
    throw new AppError("E_EXTENSIONS_EXHAUSTED", `already extended ${d.maxExtensions} times (${d.maxTotalMs / HOUR} h at most)`);
  }
  if (now.getTime() >= endsAt.getTime()) throw new AppError("E_INVALID_TRANSITION", "the alert has already expired");
  const cap = launchedAt.getTime() + d.maxTotalMs;
  return new Date(Math.min(endsAt.getTime() + d.extensionMs, cap));
}

/**
 * The edition of what the public sees: it grows with every published version and every
 * extension (a new end time is re-announced), so a device keeps the newest whatever came
 * first. Version numbers only grow, and so do extensions.
 */
export function edition(versionNumber: number, extensions: number): number {
  return versionNumber + extensions;
}

export function isExpired(endsAt: Date, now: Date): boolean {
  return now.getTime() >= endsAt.getTime();
}

/** When the child's personal data are purged after the alert ended (rule 14). */
export function purgeAt(endedAt: Date, retentionHours: number): Date {
  return new Date(endedAt.getTime() + retentionHours * HOUR);
}

/**
 * Rule 14 for alerts that never went live: drafts, alerts left in concertation, authorised
 * and never launched, or blocked are purged after this long without activity (configurable).
 */
export const DEFAULT_INACTIVE_RETENTION_HOURS = 720;
/** The cell is told this long before such a purge, so anyone still working on it can act. */
export const PURGE_NOTICE_LEAD_MS = 24 * HOUR;

/** When an unfinished alert last touched at `lastActivity` is purged, and when the cell is told. */
export function abandonment(lastActivity: Date, retentionHours: number): { noticeAt: Date; purgeAt: Date } {
  const purge = lastActivity.getTime() + retentionHours * HOUR;
  return { purgeAt: new Date(purge), noticeAt: new Date(Math.max(lastActivity.getTime(), purge - PURGE_NOTICE_LEAD_MS)) };
}

/** Push subscriptions that failed this many times in a row are removed. */
export const SUBSCRIPTION_MAX_FAILURES = 5;
/** Push subscriptions with no successful delivery (or, if never used, created) for this long are removed. */
export const SUBSCRIPTION_IDLE_MS = 365 * 24 * HOUR;
/** A photo no version refers to is deleted after this grace (the editor may still be about to use it). */
export const ORPHAN_PHOTO_GRACE_MS = 24 * HOUR;

/**
 * Rule 14: what the purge erases — every place the child's or the family's personal data
 * live. What stays is the PII-free skeleton: ids, hashes, states, times, counters, audit.
 */
export const ERASED_BY_PURGE = {
  /** Columns emptied (set to null), by table. */
  columns: {
    alert_versions: ["content"],
    // The judicial file's references (issue 24.5): they name a case.
    alerts: ["pv_number", "magistrate_ref"],
    consents: ["note"],
    objections: ["reason"],
    sign_offs: ["decision"],
    // Rule 10: what the tip said and who said it; the row stays as PII-free figures.
    tips: ["text", "seen_where", "seen_at", "contact_name", "contact_phone", "contact_email", "photo_key", "call_sid"],
  },
  /** Rows deleted, by table: the photos' records, the open sign-off challenges, and the staff addresses each notice was mailed to. */
  rows: ["photos", "challenges", "notice_mails"],
  /** Every object under the alert's prefix in the media store (photos, posters). */
  mediaPrefix: (alertId: string) => `alerts/${alertId}/`,
  /** In the alert's Durable Object: the messages prepared for the fan-out (they name the child); counters stay. */
  preparedMessages: true,
  /** In the alert's Durable Object: the intake line's callers (their numbers); the call counts stay. */
  callers: true,
} as const;
