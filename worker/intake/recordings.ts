// The 116 000 line's call recordings live at the telephony provider (Twilio's
// <Start><Recording>, or a TwiML-compatible provider's): the purge deletes them there,
// through the provider's REST API (Recording resource: list a call's recordings, delete
// each), authenticated with the account SID the call came from and the line's auth
// token. Nothing of a witness's voice outlives the alert's retention period.
import { b64 } from "../bytes.ts";
import { serviceOrigin } from "../config.ts";

export const TELEPHONY_API_PRODUCTION_ORIGIN = "https://api.twilio.com";
const TIMEOUT_MS = 10_000;

/** The provider's API: Twilio's, or in local/test the configured stand-in (the account's token never goes elsewhere in production). */
export function telephonyApiOrigin(env: Pick<Env, "ENVIRONMENT" | "TELEPHONY_API_ORIGIN">): string {
  return serviceOrigin(env, env.TELEPHONY_API_ORIGIN, TELEPHONY_API_PRODUCTION_ORIGIN);
}

export const ACCOUNT_SID = /^AC[0-9a-f]{32}$/;

/**
 * Deletes every recording of one call at the provider; returns how many went. Throws when
 * the provider cannot be reached or refuses (the caller keeps the call to try again).
 */
export async function deleteCallRecordings(env: Pick<Env, "ENVIRONMENT" | "TELEPHONY_API_ORIGIN" | "TELEPHONY_AUTH_TOKEN">, accountSid: string, callSid: string): Promise<number> {
  if (!ACCOUNT_SID.test(accountSid) || !/^CA[0-9a-fA-F]{32}$/.test(callSid)) throw new Error("not a provider account or call id");
  const base = `${telephonyApiOrigin(env)}/2010-04-01/Accounts/${accountSid}`;
  const headers = { Authorization: `Basic ${b64(new TextEncoder().encode(`${accountSid}:${env.TELEPHONY_AUTH_TOKEN}`))}`, Accept: "application/json" };
  const list = await fetch(`${base}/Recordings.json?CallSid=${encodeURIComponent(callSid)}&PageSize=100`, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!list.ok) throw new Error(`recordings list answered ${list.status}`);
  const { recordings = [] } = (await list.json()) as { recordings?: { sid: string }[] };
  let deleted = 0;
  for (const r of recordings) {
    if (!/^RE[0-9a-f]{32}$/.test(r.sid)) continue;
    const res = await fetch(`${base}/Recordings/${r.sid}.json`, { method: "DELETE", headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
    // 404: already gone (a retry after a partial run).
    if (!res.ok && res.status !== 404) throw new Error(`recording delete answered ${res.status}`);
    await res.body?.cancel();
    deleted++;
  }
  return deleted;
}
