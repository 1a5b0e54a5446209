// A software WebAuthn authenticator (ES256, "none" attestation) for tests and the demo:
// real P-256 keys, real signatures over authenticatorData || SHA-256(clientDataJSON),
// so the server verifies them exactly as it verifies a phone or a security key.
// Runs on WebCrypto alone: in workerd (vitest) and in Node (demo script).

import { b64url, concat, unb64url } from "../../worker/bytes.ts";

export { b64url, unb64url };

type Json = Record<string, unknown>;

const enc = new TextEncoder();

async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(data)));
}

// --- minimal CBOR (RFC 8949) encoder: what attestation objects and COSE keys need.
type Cbor = number | string | Uint8Array | Map<Cbor, Cbor> | { [k: string]: Cbor };

function head(major: number, n: number): Uint8Array {
  if (n < 24) return Uint8Array.of((major << 5) | n);
  if (n < 0x100) return Uint8Array.of((major << 5) | 24, n);
  if (n < 0x10000) return Uint8Array.of((major << 5) | 25, n >> 8, n & 0xff);
  return Uint8Array.of((major << 5) | 26, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
}

export function cbor(v: Cbor): Uint8Array {
  if (typeof v === "number") return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === "string") {
    const b = enc.encode(v);
    return concat(head(3, b.length), b);
  }
  if (v instanceof Uint8Array) return concat(head(2, v.length), v);
  const entries = v instanceof Map ? [...v.entries()] : Object.entries(v);
  return concat(head(5, entries.length), ...entries.flatMap(([k, val]) => [cbor(k), cbor(val)]));
}

/** WebCrypto gives ECDSA signatures as r||s; WebAuthn wants ASN.1 DER. */
function rawToDer(raw: Uint8Array): Uint8Array {
  const int = (x: Uint8Array) => {
    let i = 0;
    while (i < x.length - 1 && x[i] === 0) i++;
    let v = x.slice(i);
    if (v[0]! & 0x80) v = concat(Uint8Array.of(0), v);
    return concat(Uint8Array.of(0x02, v.length), v);
  };
  const body = concat(int(raw.slice(0, 32)), int(raw.slice(32)));
  return concat(Uint8Array.of(0x30, body.length), body);
}

interface StoredCredential {
  id: Uint8Array;
  keys: CryptoKeyPair;
  userHandle: string;
  counter: number;
}

export interface SavedCredential {
  id: string;
  userHandle: string;
  counter: number;
  privateKey: Json;
}

export interface CeremonyOverrides {
  /** Pretend the user was not verified (no PIN/biometric): the server must refuse. */
  userVerified?: boolean;
  /** Sign a different challenge than the one asked for. */
  challenge?: string;
  /** Claim another origin (phishing site). */
  origin?: string;
}

export class SoftAuthenticator {
  readonly credentials: StoredCredential[] = [];

  readonly rpId: string;
  readonly origin: string;

  constructor(rpId: string, origin: string) {
    this.rpId = rpId;
    this.origin = origin;
  }

  private async authData(flags: number, counter: number, attested?: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
    const c = Uint8Array.of((counter >>> 24) & 0xff, (counter >> 16) & 0xff, (counter >> 8) & 0xff, counter & 0xff);
    return concat(await sha256(enc.encode(this.rpId)), Uint8Array.of(flags), c, attested ?? new Uint8Array());
  }

  /** navigator.credentials.create(), answered in JSON form (RegistrationResponseJSON). */
  async create(options: Json, o: CeremonyOverrides = {}): Promise<Json> {
    const keys = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const raw = new Uint8Array(await crypto.subtle.exportKey("raw", keys.publicKey));
    const cose = cbor(
      new Map<Cbor, Cbor>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, raw.slice(1, 33)],
        [-3, raw.slice(33, 65)],
      ]),
    );
    const id = crypto.getRandomValues(new Uint8Array(16));
    const userHandle = (options.user as Json).id as string;
    const attested = concat(new Uint8Array(16), Uint8Array.of(0, id.length), id, cose);
    const flags = 0x01 | (o.userVerified === false ? 0 : 0x04) | 0x40;
    const authData = await this.authData(flags, 0, attested);
    const clientData = enc.encode(
      JSON.stringify({ type: "webauthn.create", challenge: o.challenge ?? options.challenge, origin: o.origin ?? this.origin, crossOrigin: false }),
    );
    this.credentials.push({ id, keys, userHandle, counter: 0 });
    return {
      id: b64url(id),
      rawId: b64url(id),
      type: "public-key",
      response: {
        clientDataJSON: b64url(clientData),
        attestationObject: b64url(cbor({ fmt: "none", attStmt: {}, authData })),
        transports: ["internal"],
      },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }

  /**
   * The passkeys it holds, private keys included, as JSON: `npm run drill` keeps its team's
   * passkeys in a file (mode 0600) between runs. Keep it as one keeps a key.
   */
  async save(): Promise<SavedCredential[]> {
    return Promise.all(
      this.credentials.map(async (c) => ({ id: b64url(c.id), userHandle: c.userHandle, counter: c.counter, privateKey: (await crypto.subtle.exportKey("jwk", c.keys.privateKey)) as Json })),
    );
  }

  /** An authenticator holding saved passkeys again (the counter goes on from where it was). */
  static async restore(rpId: string, origin: string, saved: readonly SavedCredential[]): Promise<SoftAuthenticator> {
    const auth = new SoftAuthenticator(rpId, origin);
    for (const s of saved) {
      const jwk = s.privateKey as JsonWebKey;
      const privateKey = await crypto.subtle.importKey("jwk", jwk, { name: "ECDSA", namedCurve: "P-256" }, true, ["sign"]);
      const publicKey = await crypto.subtle.importKey("jwk", { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, { name: "ECDSA", namedCurve: "P-256" }, true, ["verify"]);
      auth.credentials.push({ id: unb64url(s.id), keys: { privateKey, publicKey }, userHandle: s.userHandle, counter: s.counter });
    }
    return auth;
  }

  /** navigator.credentials.get(), answered in JSON form (AuthenticationResponseJSON). */
  async get(options: Json, o: CeremonyOverrides = {}): Promise<Json> {
    const allowed = (options.allowCredentials as { id: string }[] | undefined)?.map((c) => c.id) ?? [];
    const cred = allowed.length ? this.credentials.find((c) => allowed.includes(b64url(c.id))) : this.credentials[0];
    if (!cred) throw new Error("no matching credential on this authenticator");
    cred.counter++;
    const flags = 0x01 | (o.userVerified === false ? 0 : 0x04);
    const authData = await this.authData(flags, cred.counter);
    const clientData = enc.encode(
      JSON.stringify({ type: "webauthn.get", challenge: o.challenge ?? options.challenge, origin: o.origin ?? this.origin, crossOrigin: false }),
    );
    const signed = concat(authData, await sha256(clientData));
    const sig = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, cred.keys.privateKey, signed));
    return {
      id: b64url(cred.id),
      rawId: b64url(cred.id),
      type: "public-key",
      response: {
        clientDataJSON: b64url(clientData),
        authenticatorData: b64url(authData),
        signature: b64url(rawToDer(sig)),
        userHandle: cred.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }
}
