// Verifying the telephony provider's webhooks (issue 14): Twilio's `X-Twilio-Signature`,
// also used by TwiML-compatible providers (SignalWire, Telnyx TeXML…). The signature is
// base64(HMAC-SHA1(auth token, full URL + every POST parameter's name and value, sorted
// by name)). A request is refused unless its signature matches in constant time; replays
// are the caller's to refuse (a CallSid + status seen once, kept by the alert's object).
import { b64 } from "../bytes.ts";

/** The string Twilio signs: the URL, then each parameter name immediately followed by its value, names sorted. */
export function signedPayload(url: string, params: Record<string, string | string[]>): string {
  let out = url;
  for (const name of Object.keys(params).sort()) {
    const v = params[name]!;
    for (const value of Array.isArray(v) ? [...v].sort() : [v]) out += name + value;
  }
  return out;
}

export async function twilioSignature(authToken: string, url: string, params: Record<string, string | string[]>): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(authToken), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  return b64(new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(signedPayload(url, params)))));
}

/** Constant-time comparison of two strings' bytes. */
function same(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** Is `signature` the provider's signature of this request (URL as the provider called it, form parameters)? */
export async function validTwilioSignature(authToken: string, signature: string | null | undefined, url: string, params: Record<string, string | string[]>): Promise<boolean> {
  if (!signature || !authToken) return false;
  return same(await twilioSignature(authToken, url, params), signature);
}
