// Defaults in one place, each with the reason for its value.
import { DEFAULT_INACTIVE_RETENTION_HOURS } from "./domain/duration.ts";
import { TIP_ACK_MINUTES_DEFAULT } from "./domain/tips.ts";

/** Staff sessions: one working night plus margin; a shift change means a fresh sign-in. */
export const SESSION_TTL_MS = 12 * 3_600_000;
/**
 * A session left unused this long ends (the dashboard's live panel reloads its data on
 * every event, which counts as use): an unattended signed-in screen does not stay a key.
 */
export const SESSION_IDLE_MS = 2 * 3_600_000;
/** Last use is written at most this often per session (one write per minute, not per request). */
export const SESSION_TOUCH_MS = 60_000;
/** A WebAuthn ceremony takes seconds; five minutes covers a slow authenticator or a phone hand-off. */
export const CHALLENGE_TTL_MS = 5 * 60_000;
/** Invitation links are sent through another channel and may wait a couple of days. */
export const INVITATION_TTL_MS = 72 * 3_600_000;
/** An account change waits this long for a second admin's approval (as an invitation link lives), then lapses. */
export const ACCOUNT_REQUEST_TTL_MS = 72 * 3_600_000;
/** JSON bodies: the largest alert content is ~5 KB; anything near this limit is abuse. */
export const MAX_JSON_BODY_BYTES = 64 * 1024;
/** Retention of the child's personal data after the end, when RETENTION_HOURS is unset (30 days). */
export const DEFAULT_RETENTION_HOURS = 720;

/** `__Host-`: only ever set by this origin over HTTPS, path /, no Domain (no sibling sub-domain can plant or read it). */
export const SESSION_COOKIE = "__Host-ca_session";

/**
 * Retry backoff for transient failures (a queue job, a delivery without Retry-After):
 * 2 s, 4 s, 8 s … doubling per attempt (1 = the first retry), capped at 5 minutes.
 */
export const backoffSeconds = (attempts: number) => Math.min(300, 2 ** Math.max(1, attempts));

/** Hours without activity before an unfinished alert is purged (INACTIVE_RETENTION_HOURS, default 30 days). */
export function inactiveRetentionHours(env: { INACTIVE_RETENTION_HOURS?: string }): number {
  const n = Number(env.INACTIVE_RETENTION_HOURS);
  return Number.isFinite(n) && n > 24 ? n : DEFAULT_INACTIVE_RETENTION_HOURS;
}

/** Minutes before an unacknowledged tip goes up the chain (TIP_ACK_MINUTES, default 5; fractions allowed for drills). */
export function tipAckMinutes(env: { TIP_ACK_MINUTES?: string }): number {
  const n = Number(env.TIP_ACK_MINUTES);
  return Number.isFinite(n) && n > 0 ? n : TIP_ACK_MINUTES_DEFAULT;
}

export function retentionHours(env: { RETENTION_HOURS?: string }): number {
  const n = Number(env.RETENTION_HOURS);
  return Number.isFinite(n) && n >= 0 ? n : DEFAULT_RETENTION_HOURS;
}

/**
 * The origin of an outside service we send secrets to (an API token, a bot token, the
 * telephony account's token): its official one, whatever the configuration says, except
 * in "local" and "test" where a stand-in may take its place. A changed variable in
 * production can never send a credential elsewhere (issue 23).
 */
export function serviceOrigin(env: { ENVIRONMENT?: string }, configured: string | undefined, official: string): string {
  const local = env.ENVIRONMENT === "local" || env.ENVIRONMENT === "test";
  return local && configured ? configured.replace(/\/$/, "") : official;
}

/** Recipient keys per span of the fan-out ledger's shards (LEDGER_SPAN_KEYS; production 4,096, tests 512). */
export const DEFAULT_SPAN_KEYS = 4096;
export const spanKeys = (env: { LEDGER_SPAN_KEYS?: string }) => Number(env.LEDGER_SPAN_KEYS) || DEFAULT_SPAN_KEYS;

/** Seconds the other channels' content pages wait behind push's (PUSH_HEAD_START_S, 0–10; 0 in the Workers-runtime tests). */
export const pushHeadStartS = (env: { PUSH_HEAD_START_S?: string }) => Math.max(0, Math.min(10, Number(env.PUSH_HEAD_START_S ?? 0) || 0));
