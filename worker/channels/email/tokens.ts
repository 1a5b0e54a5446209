// The subscriber's links. Confirmation: a random single-use token, stored only as its
// SHA-256, expiring after a day. Unsubscribe: an HMAC of the subscriber's id under a
// Worker secret (EMAIL_TOKEN_SECRET), so every message can carry its one-click link
// without storing a token per subscriber; it cannot be forged for another subscriber.
import { b64url, unb64url } from "../../bytes.ts";
import { sha256Hex } from "../../domain/index.ts";

export const CONFIRM_TTL_MS = 24 * 3600_000;

export function newConfirmToken(): { token: string; hash: Promise<string> } {
  const token = b64url(crypto.getRandomValues(new Uint8Array(32)));
  return { token, hash: sha256Hex(token) };
}

export const confirmTokenHash = (token: string) => sha256Hex(token);

const keys = new Map<string, Promise<CryptoKey>>();
function hmacKey(secret: string | undefined): Promise<CryptoKey> {
  if (!secret || secret.length < 16) throw new Error("EMAIL_TOKEN_SECRET is not set (a random string of at least 16 characters)");
  let k = keys.get(secret);
  if (!k) {
    k = crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    keys.set(secret, k);
  }
  return k;
}

export async function unsubscribeToken(env: { EMAIL_TOKEN_SECRET?: string }, subscriberId: string): Promise<string> {
  const sig = await crypto.subtle.sign("HMAC", await hmacKey(env.EMAIL_TOKEN_SECRET), new TextEncoder().encode(`unsubscribe:${subscriberId}`));
  return b64url(new Uint8Array(sig));
}

/** Constant-time check of an unsubscribe link. */
export async function unsubscribeTokenValid(env: { EMAIL_TOKEN_SECRET?: string }, subscriberId: string, token: string): Promise<boolean> {
  let mac: Uint8Array<ArrayBuffer>;
  try {
    mac = unb64url(token);
  } catch {
    return false; // not base64url at all
  }
  return crypto.subtle.verify("HMAC", await hmacKey(env.EMAIL_TOKEN_SECRET), mac, new TextEncoder().encode(`unsubscribe:${subscriberId}`));
}

export const unsubscribeUrl = async (env: { EMAIL_TOKEN_SECRET?: string; APP_ORIGIN: string }, subscriberId: string) =>
  `${env.APP_ORIGIN}/email/unsubscribe?s=${subscriberId}&t=${await unsubscribeToken(env, subscriberId)}`;
