// Standard Webhooks (https://www.standardwebhooks.com): the signature partners verify
// with any of its libraries. webhook-id (stable across retries: the receiver drops a
// duplicate), webhook-timestamp (seconds), webhook-signature "v1,<base64 HMAC-SHA256 of
// id.timestamp.body>" with the secret "whsec_<base64>".
import { b64 } from "../../bytes.ts";

const SECRET_PREFIX = "whsec_";

/** A new signing secret for a partner: 32 random bytes. */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + b64(crypto.getRandomValues(new Uint8Array(32)));
}

function secretBytes(secret: string): Uint8Array<ArrayBuffer> {
  const raw = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  return Uint8Array.from(atob(raw), (c) => c.charCodeAt(0));
}

export async function signWebhook(secret: string, id: string, timestampS: number, body: string): Promise<Record<string, string>> {
  const key = await crypto.subtle.importKey("raw", secretBytes(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${id}.${timestampS}.${body}`)));
  return { "webhook-id": id, "webhook-timestamp": String(timestampS), "webhook-signature": `v1,${b64(mac)}` };
}
