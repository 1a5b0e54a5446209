// Signed publication (issue 28): every published version of an alert — and its withdrawal —
// is a statement signed with the publication key (ES256; secret PUBLICATION_SIGNING_KEY,
// PKCS#8 base64url). The statement is the canonical JSON (domain canonicalJson: sorted
// keys) of what is published: id, version, status, the texts per language and photo hashes
// (the publishable content), the times, the numbers. The signature is a detached compact JWS
// (RFC 7515 appendix F: header..signature over base64url(statement)); the public keys are
// a JWKS at /.well-known/child-alert-keys.json (the current key, and the retired ones a
// rotation keeps: PUBLICATION_PREVIOUS_KEYS). No new field is published by signing.
import { HOTLINE, HOTLINE_ABROAD } from "../../templates/i18n/index.ts";
import { b64url, unb64url } from "../bytes.ts";
import { canonicalJson } from "../domain/index.ts";
import type { PublicAlert } from "../partners/public-alert.ts";

export const JWKS_PATH = "/.well-known/child-alert-keys.json";
const enc = new TextEncoder();

/** What is published of an alert now, as signed. */
export interface Statement {
  iss: string;
  alertId: string;
  /** live: the alert is out; found / ended: withdrawn (no child data then). */
  status: "live" | "found" | "ended";
  exercise: boolean;
  version: number | null;
  launchedAt: string;
  endsAt: string | null;
  stoppedAt: string | null;
  /** When what is published last changed. */
  issuedAt: string;
  hotline: string;
  hotlineAbroad: string;
  /** The publishable content (texts per language, photo hashes); null once withdrawn. */
  content: PublicAlert["content"];
}

export function statementOf(rec: PublicAlert, origin: string): Statement {
  return {
    iss: origin,
    alertId: rec.alertId,
    status: rec.face === "alert" ? "live" : rec.face,
    exercise: rec.exercise,
    version: rec.version,
    launchedAt: rec.launchedAt,
    endsAt: rec.endsAt,
    stoppedAt: rec.stoppedAt,
    issuedAt: rec.updatedAt,
    hotline: HOTLINE,
    hotlineAbroad: HOTLINE_ABROAD,
    content: rec.content,
  };
}

export interface Signed {
  /** The statement's canonical JSON: exactly what the signature covers. */
  statement: string;
  /** Detached compact JWS: base64url(header)..base64url(signature). */
  jws: string;
}

type PublicJwk = JsonWebKey & { kid: string };

/** RFC 7638 thumbprint of an EC public key: its id in the JWKS. */
async function thumbprint(jwk: JsonWebKey): Promise<string> {
  const members = `{"crv":"${jwk.crv}","kty":"${jwk.kty}","x":"${jwk.x}","y":"${jwk.y}"}`;
  return b64url(new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode(members))));
}

let cached: { pkcs8: string; key: CryptoKey; jwk: PublicJwk } | null = null;
/** The publication key (cached per isolate) and its public JWK with its id. */
export async function publicationKey(pkcs8: string) {
  if (cached?.pkcs8 === pkcs8) return cached;
  const extractable = await crypto.subtle.importKey("pkcs8", unb64url(pkcs8), { name: "ECDSA", namedCurve: "P-256" }, true, ["sign"]);
  const { kty, crv, x, y } = (await crypto.subtle.exportKey("jwk", extractable)) as JsonWebKey;
  const pub = { kty, crv, x, y };
  cached = { pkcs8, key: extractable, jwk: { ...pub, kid: await thumbprint(pub), use: "sig", alg: "ES256" } as PublicJwk };
  return cached;
}

/** The statement signed, or null when this deployment has no publication key (then nothing claims to be signed). */
export async function signStatement(env: { PUBLICATION_SIGNING_KEY?: string }, statement: Statement): Promise<Signed | null> {
  if (!env.PUBLICATION_SIGNING_KEY) return null;
  const { key, jwk } = await publicationKey(env.PUBLICATION_SIGNING_KEY);
  const header = b64url(enc.encode(JSON.stringify({ alg: "ES256", kid: jwk.kid, typ: "child-alert-statement+jws" })));
  const canonical = canonicalJson(statement);
  const payload = b64url(enc.encode(canonical));
  const sig = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, enc.encode(`${header}.${payload}`)));
  return { statement: canonical, jws: `${header}..${b64url(sig)}` };
}

/**
 * A detached JWS over exactly these bytes (a webhook's body): the `Child-Alert-Signature`
 * header a partner checks with our public keys, beside the Standard Webhooks HMAC that
 * proves only that it came with the partner's shared secret. Null without a publication key.
 */
export async function signBody(env: { PUBLICATION_SIGNING_KEY?: string }, body: string): Promise<string | null> {
  if (!env.PUBLICATION_SIGNING_KEY) return null;
  const { key, jwk } = await publicationKey(env.PUBLICATION_SIGNING_KEY);
  const header = b64url(enc.encode(JSON.stringify({ alg: "ES256", kid: jwk.kid, typ: "child-alert-webhook+jws" })));
  const sig = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, enc.encode(`${header}.${b64url(enc.encode(body))}`)));
  return `${header}..${b64url(sig)}`;
}

/** The public keys: the current one, then those a rotation retired (still valid for what they signed). */
export async function jwks(env: { PUBLICATION_SIGNING_KEY?: string; PUBLICATION_PREVIOUS_KEYS?: string }): Promise<{ keys: PublicJwk[] }> {
  const keys: PublicJwk[] = [];
  if (env.PUBLICATION_SIGNING_KEY) keys.push((await publicationKey(env.PUBLICATION_SIGNING_KEY)).jwk);
  if (env.PUBLICATION_PREVIOUS_KEYS) {
    for (const k of JSON.parse(env.PUBLICATION_PREVIOUS_KEYS) as JsonWebKey[]) keys.push({ kty: k.kty, crv: k.crv, x: k.x, y: k.y, kid: await thumbprint(k), use: "sig", alg: "ES256" } as PublicJwk);
  }
  return { keys };
}

/** Whether `jws` is our signature over exactly this statement (any key of the JWKS). */
export async function verifyStatement(env: { PUBLICATION_SIGNING_KEY?: string; PUBLICATION_PREVIOUS_KEYS?: string }, statement: unknown, jws: string): Promise<boolean> {
  const parts = /^([A-Za-z0-9_-]+)\.\.([A-Za-z0-9_-]+)$/.exec(jws);
  if (!parts) return false;
  let header: { alg?: string; kid?: string };
  try {
    header = JSON.parse(new TextDecoder().decode(unb64url(parts[1]!)));
  } catch {
    return false;
  }
  if (header.alg !== "ES256") return false;
  const jwk = (await jwks(env)).keys.find((k) => k.kid === header.kid);
  if (!jwk) return false;
  const key = await crypto.subtle.importKey("jwk", { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
  const payload = b64url(enc.encode(canonicalJson(statement)));
  return crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, unb64url(parts[2]!), enc.encode(`${parts[1]}.${payload}`));
}
