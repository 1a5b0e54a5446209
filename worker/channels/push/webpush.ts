// Web Push on WebCrypto: RFC 8291 message encryption (aes128gcm, RFC 8188) and RFC 8292
// VAPID. A fresh ECDH key pair and salt per message, as RFC 8291 §3.1 requires; the
// VAPID JWT is signed once per push-service origin and validity window, not per message.

import { b64url, concat, unb64url } from "../../bytes.ts";

export { b64url, unb64url };

const enc = new TextEncoder();

/** Record size written in the header; one record carries the whole message. */
export const RECORD_SIZE = 4096;
/** Push services accept at most 4096 bytes of encrypted body (RFC 8291 §4). */
export const MAX_BODY = 4096;
/** salt (16) + rs (4) + idlen (1) + keyid (65). */
const HEADER_BYTES = 86;
/** AES-GCM tag (16) + padding delimiter (1). */
const OVERHEAD = 17;
export const MAX_PLAINTEXT = MAX_BODY - HEADER_BYTES - OVERHEAD;

const CEK_INFO = enc.encode("Content-Encoding: aes128gcm\0");
const NONCE_INFO = enc.encode("Content-Encoding: nonce\0");

export interface SubscriptionKeys {
  /** The user agent's P-256 public key, uncompressed point, base64url. */
  p256dh: string;
  /** 16-byte authentication secret, base64url. */
  auth: string;
}

async function hkdf(salt: Uint8Array<ArrayBuffer>, ikm: Uint8Array<ArrayBuffer>, info: Uint8Array<ArrayBuffer>, bytes: number) {
  const key = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt, info }, key, bytes * 8));
}

/** Encrypts one push message for one subscription (RFC 8291 §3.4). */
export async function encryptMessage(plaintext: Uint8Array, keys: SubscriptionKeys): Promise<Uint8Array<ArrayBuffer>> {
  if (plaintext.length > MAX_PLAINTEXT) throw new Error(`push payload ${plaintext.length} B exceeds ${MAX_PLAINTEXT} B`);
  const uaPublic = unb64url(keys.p256dh);
  const authSecret = unb64url(keys.auth);
  if (uaPublic.length !== 65 || uaPublic[0] !== 4) throw new Error("invalid p256dh key");
  if (authSecret.length !== 16) throw new Error("invalid auth secret");

  const [uaKey, asKeys] = await Promise.all([
    crypto.subtle.importKey("raw", uaPublic, { name: "ECDH", namedCurve: "P-256" }, false, []),
    crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]) as Promise<CryptoKeyPair>,
  ]);
  const [asPublicRaw, ecdhBits] = await Promise.all([
    crypto.subtle.exportKey("raw", asKeys.publicKey) as Promise<ArrayBuffer>,
    crypto.subtle.deriveBits({ name: "ECDH", public: uaKey }, asKeys.privateKey, 256),
  ]);
  const asPublic = new Uint8Array(asPublicRaw);
  const ecdhSecret = new Uint8Array(ecdhBits);

  const keyInfo = concat(enc.encode("WebPush: info\0"), uaPublic, asPublic);
  const ikm = await hkdf(authSecret, ecdhSecret, keyInfo, 32);
  const salt = crypto.getRandomValues(new Uint8Array(16));
  // CEK and nonce come from the same IKM: import it once, derive both.
  const ikmKey = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
  const [cekBits, nonceBits] = await Promise.all([
    crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt, info: CEK_INFO }, ikmKey, 128),
    crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt, info: NONCE_INFO }, ikmKey, 96),
  ]);
  const cek = new Uint8Array(cekBits);
  const nonce = new Uint8Array(nonceBits);

  const aes = await crypto.subtle.importKey("raw", cek, "AES-GCM", false, ["encrypt"]);
  // One record, last one: plaintext followed by the 0x02 delimiter, no padding.
  const record = concat(plaintext, Uint8Array.of(2));
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv: nonce }, aes, record));

  const header = new Uint8Array(HEADER_BYTES);
  header.set(salt, 0);
  new DataView(header.buffer).setUint32(16, RECORD_SIZE);
  header[20] = 65;
  header.set(asPublic, 21);
  return concat(header, ciphertext);
}

// ------------------------------------------------------------------ VAPID (RFC 8292)

export interface VapidKeys {
  /** Uncompressed P-256 public key, base64url (what browsers get as applicationServerKey). */
  publicKey: string;
  /** The private scalar d, base64url (32 bytes). */
  privateKey: string;
  /** Contact for push services: mailto: or https: URL. */
  subject: string;
}

/** JWTs are valid 12 h (RFC 8292 allows up to 24 h) and renewed 1 h before they expire. */
export const VAPID_TTL_S = 12 * 3600;
const VAPID_RENEW_S = 3600;

/** Signs VAPID JWTs and keeps one per audience (push-service origin) until near expiry. */
export class VapidSigner {
  private key: Promise<CryptoKey>;
  private cache = new Map<string, { header: string; exp: number }>();
  readonly publicKey: string;
  readonly subject: string;
  signed = 0;

  constructor(keys: VapidKeys) {
    this.publicKey = keys.publicKey;
    this.subject = keys.subject;
    const pub = unb64url(keys.publicKey);
    this.key = crypto.subtle.importKey(
      "jwk",
      { kty: "EC", crv: "P-256", x: b64url(pub.slice(1, 33)), y: b64url(pub.slice(33, 65)), d: keys.privateKey, ext: true },
      { name: "ECDSA", namedCurve: "P-256" },
      false,
      ["sign"],
    );
  }

  /** The Authorization header value for a push endpoint. */
  async authorization(endpoint: string, nowS = Math.floor(Date.now() / 1000)): Promise<string> {
    const aud = new URL(endpoint).origin;
    const hit = this.cache.get(aud);
    if (hit && hit.exp - VAPID_RENEW_S > nowS) return hit.header;
    const exp = nowS + VAPID_TTL_S;
    const part = (o: object) => b64url(enc.encode(JSON.stringify(o)));
    const unsigned = `${part({ typ: "JWT", alg: "ES256" })}.${part({ aud, exp, sub: this.subject })}`;
    const sig = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, await this.key, enc.encode(unsigned)));
    const header = `vapid t=${unsigned}.${b64url(sig)}, k=${this.publicKey}`;
    this.cache.set(aud, { header, exp });
    this.signed++;
    return header;
  }
}

export interface PushRequestOptions {
  /** Seconds the push service keeps an undelivered message (the alert's remaining time). */
  ttl: number;
  /** Replaces a queued message with the same topic at the push service (max 32 base64url chars). */
  topic: string;
  urgency?: "very-low" | "low" | "normal" | "high";
}

export interface PushRequestDetails {
  endpoint: string;
  headers: Record<string, string>;
  body: Uint8Array<ArrayBuffer>;
}

/** What to POST to a subscription's endpoint: encrypted body and headers (not sent). */
export async function pushRequestDetails(
  endpoint: string,
  keys: SubscriptionKeys,
  plaintext: Uint8Array,
  vapid: VapidSigner,
  o: PushRequestOptions,
): Promise<PushRequestDetails> {
  const [body, authorization] = await Promise.all([encryptMessage(plaintext, keys), vapid.authorization(endpoint)]);
  return {
    endpoint,
    headers: {
      Authorization: authorization,
      "Content-Encoding": "aes128gcm",
      "Content-Type": "application/octet-stream",
      TTL: String(Math.max(0, Math.floor(o.ttl))),
      Urgency: o.urgency ?? "high",
      Topic: o.topic,
    },
    body,
  };
}

/** The same as a Request, ready for fetch(). */
export async function buildPushRequest(
  endpoint: string,
  keys: SubscriptionKeys,
  plaintext: Uint8Array,
  vapid: VapidSigner,
  o: PushRequestOptions,
): Promise<Request> {
  const d = await pushRequestDetails(endpoint, keys, plaintext, vapid, o);
  return new Request(d.endpoint, { method: "POST", headers: d.headers, body: d.body });
}

/** Creates a VAPID key pair (base64url, the format browsers and web-push use). */
export async function generateVapidKeys(subject: string): Promise<VapidKeys> {
  const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const jwk = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
  const raw = new Uint8Array((await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer);
  return { publicKey: b64url(raw), privateKey: jwk.d!, subject };
}
