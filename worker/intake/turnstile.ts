// Cloudflare Turnstile, verified server-side (Siteverify API): the public tip form's
// challenge against scripted floods, on top of the per-source rate limit. The token is
// single-use and valid for 300 s; Cloudflare answers { success, "error-codes", hostname… }.
// Locally and in tests TURNSTILE_ORIGIN points at a stand-in that follows the documented
// test keys (e2e/lib/turnstile-standin.mjs); in production only Cloudflare's origin is used.
import { serviceOrigin } from "../config.ts";
import { log } from "../log.ts";

export const TURNSTILE_PRODUCTION_ORIGIN = "https://challenges.cloudflare.com";
/** The form field Turnstile's widget fills in. */
export const TURNSTILE_FIELD = "cf-turnstile-response";
const VERIFY_TIMEOUT_MS = 5_000;

export type TurnstileOutcome = { ok: true; checked: boolean } | { ok: false; codes: string[] };

/** The tip form's widget action: a token solved for another form (or another site using our key) is refused. */
export const TURNSTILE_ACTION = "tip";

/**
 * Cloudflare's documented test secrets answer for the dummy token with a fixed hostname
 * and no action: they cannot be held to ours (local and test use them; `preflight` keeps
 * them out of production).
 */
const TEST_SECRET = /^[123]x0{31}AA$/;

type TurnstileEnv = Pick<Env, "TURNSTILE_SECRET" | "TURNSTILE_ORIGIN" | "TURNSTILE_SITE_KEY" | "ENVIRONMENT" | "APP_ORIGIN">;

/** Where the widget's script and Siteverify are: Cloudflare's, or in local/test the configured stand-in. */
export function turnstileOrigin(env: TurnstileEnv): string {
  return serviceOrigin(env, env.TURNSTILE_ORIGIN, TURNSTILE_PRODUCTION_ORIGIN);
}

export const turnstileEnabled = (env: TurnstileEnv) => !!(env.TURNSTILE_SECRET && env.TURNSTILE_SITE_KEY);

/**
 * Checks a token. Without a configured secret the check is off (the rate limit still
 * applies; the README says to configure it). If Siteverify cannot be reached, the tip is
 * accepted rather than lost (logged, `checked: false`: the tip is marked unverified for
 * the investigators); a flood is still held back by the rate limit.
 */
export async function verifyTurnstile(env: TurnstileEnv, token: string | null | undefined, remoteIp: string | null): Promise<TurnstileOutcome> {
  if (!turnstileEnabled(env)) return { ok: true, checked: false };
  if (!token || token.length > 2048) return { ok: false, codes: ["missing-input-response"] };
  const body = new FormData();
  body.set("secret", env.TURNSTILE_SECRET);
  body.set("response", token);
  if (remoteIp) body.set("remoteip", remoteIp);
  let res: Response;
  try {
    res = await fetch(`${turnstileOrigin(env)}/turnstile/v0/siteverify`, { method: "POST", body, signal: AbortSignal.timeout(VERIFY_TIMEOUT_MS) });
  } catch (err) {
    log.warn("turnstile_unreachable", { error: err });
    return { ok: true, checked: false };
  }
  if (!res.ok) {
    log.warn("turnstile_unavailable", { status: res.status });
    return { ok: true, checked: false };
  }
  const out = (await res.json().catch(() => null)) as { success?: boolean; "error-codes"?: string[]; hostname?: string; action?: string } | null;
  if (out?.success !== true) return { ok: false, codes: out?.["error-codes"] ?? ["invalid-response"] };
  // A valid token is still refused if it was solved on another site that uses our key, or for another form.
  if (!TEST_SECRET.test(env.TURNSTILE_SECRET)) {
    if (out.hostname !== new URL(env.APP_ORIGIN).hostname) return { ok: false, codes: ["hostname-mismatch"] };
    if (out.action !== TURNSTILE_ACTION) return { ok: false, codes: ["action-mismatch"] };
  }
  return { ok: true, checked: true };
}

/** What the investigators are told of a web tip's anti-abuse check (null: the check is not configured). */
export const challengeMark = (env: TurnstileEnv, check: { ok: true; checked: boolean }) =>
  !turnstileEnabled(env) ? null : check.checked ? ("passed" as const) : ("unverified" as const);
