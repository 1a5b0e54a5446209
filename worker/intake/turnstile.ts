// Cloudflare Turnstile, verified server-side (Siteverify API): the public tip form's
// challenge against scripted floods, on top of the per-source rate limit. The token is
// single-use and valid for 300 s; Cloudflare answers { success, "error-codes", hostname… }.
// Locally and in tests TURNSTILE_ORIGIN points at a stand-in that follows the documented
// test keys (e2e/lib/turnstile-standin.mjs); in production only Cloudflare's origin is used.
import { log } from "../log.ts";

export const TURNSTILE_PRODUCTION_ORIGIN = "https://challenges.cloudflare.com";
/** The form field Turnstile's widget fills in. */
export const TURNSTILE_FIELD = "cf-turnstile-response";
const VERIFY_TIMEOUT_MS = 5_000;

export type TurnstileOutcome = { ok: true; checked: boolean } | { ok: false; codes: string[] };

type TurnstileEnv = Pick<Env, "TURNSTILE_SECRET" | "TURNSTILE_ORIGIN" | "TURNSTILE_SITE_KEY" | "ENVIRONMENT">;

/** Where the widget's script and Siteverify are: Cloudflare's, or in local/test the configured stand-in. */
export function turnstileOrigin(env: TurnstileEnv): string {
  const local = env.ENVIRONMENT === "local" || env.ENVIRONMENT === "test";
  return local && env.TURNSTILE_ORIGIN ? env.TURNSTILE_ORIGIN.replace(/\/$/, "") : TURNSTILE_PRODUCTION_ORIGIN;
}

export const turnstileEnabled = (env: TurnstileEnv) => !!(env.TURNSTILE_SECRET && env.TURNSTILE_SITE_KEY);

/**
 * Checks a token. Without a configured secret the check is off (the rate limit still
 * applies; the README says to configure it). If Siteverify cannot be reached, the tip is
 * accepted rather than lost (logged): a flood is still held back by the rate limit.
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
  const out = (await res.json().catch(() => null)) as { success?: boolean; "error-codes"?: string[] } | null;
  if (out?.success === true) return { ok: true, checked: true };
  return { ok: false, codes: out?.["error-codes"] ?? ["invalid-response"] };
}
