// The social accounts' credentials, sealed with AES-GCM under the Worker secret
// SOCIAL_CREDENTIALS_KEY (32 bytes, base64url) with the account id as additional data: a
// sealed value copied to another row does not open. D1 never holds them in clear; the
// API never returns them; log lines never carry them.
import { b64url, unb64url } from "../../bytes.ts";

const keys = new Map<string, Promise<CryptoKey>>();

function keyOf(secret: string | undefined): Promise<CryptoKey> {
  if (!secret) throw new Error("SOCIAL_CREDENTIALS_KEY is not set");
  let k = keys.get(secret);
  if (!k) {
    const raw = unb64url(secret);
    if (raw.length !== 32) throw new Error("SOCIAL_CREDENTIALS_KEY must be 32 bytes (base64url)");
    k = crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
    keys.set(secret, k);
  }
  return k;
}

export const credentialsKeySet = (env: { SOCIAL_CREDENTIALS_KEY?: string }) => !!env.SOCIAL_CREDENTIALS_KEY;

export async function sealCredentials(env: { SOCIAL_CREDENTIALS_KEY?: string }, accountId: string, value: object): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = new TextEncoder().encode(JSON.stringify(value));
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: new TextEncoder().encode(accountId) }, await keyOf(env.SOCIAL_CREDENTIALS_KEY), data));
  const out = new Uint8Array(iv.length + ct.length);
  out.set(iv);
  out.set(ct, iv.length);
  return b64url(out);
}

export async function openCredentials<T>(env: { SOCIAL_CREDENTIALS_KEY?: string }, accountId: string, sealed: string): Promise<T> {
  const bytes = unb64url(sealed);
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: bytes.subarray(0, 12), additionalData: new TextEncoder().encode(accountId) },
    await keyOf(env.SOCIAL_CREDENTIALS_KEY),
    bytes.subarray(12),
  );
  return JSON.parse(new TextDecoder().decode(plain)) as T;
}
