// A peer's signed CAP (issue 28, inbound): the enveloped XML-DSig signature that CAP 1.2
// §3.3.2.1 allows as the last child of <alert> — as IPAWS and our own CAP carry it — checked
// against the key registered for that peer, before anything of the message is read.
//
// Only the profile such alerting systems use is accepted: one Reference to the whole
// document (URI=""), the enveloped-signature transform and exclusive canonicalization
// (optionally with an InclusiveNamespaces prefix list), SHA-256, RSA-SHA256 or ECDSA-SHA256.
// Because the one reference covers the whole document and the fields are read from that
// same document, no part of it can be swapped for unsigned content (signature wrapping).
// No DOCTYPE (no entity expansion), a size bound at the edge (routes/peer-requests.ts).
import { DOMParser } from "@xmldom/xmldom";
// The canonicalization of a maintained XML-DSig library (xml-crypto); the signature itself is checked here with WebCrypto.
import { ExclusiveCanonicalization } from "xml-crypto/lib/exclusive-canonicalization.js";
import { b64 } from "../bytes.ts";

export const CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2";
const DS = "http://www.w3.org/2000/09/xmldsig#";
const EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#";
const ENVELOPED = `${DS}enveloped-signature`;
const SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256";
const METHODS = {
  "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": { import: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, verify: { name: "RSASSA-PKCS1-v1_5" } },
  "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256": { import: { name: "ECDSA", namedCurve: "P-256" }, verify: { name: "ECDSA", hash: "SHA-256" } },
} as const;

/** Why a message is refused: `code` for the problem body and the audit, `detail` for the peer's operator. */
export type CapRefusal = "malformed" | "not_cap" | "unsigned" | "unsupported_signature" | "digest_mismatch" | "bad_signature" | "bad_key";
export class CapRefused extends Error {
  readonly code: CapRefusal;
  readonly detail: string;
  constructor(code: CapRefusal, detail: string) {
    super(detail);
    this.code = code;
    this.detail = detail;
  }
}

const enc = new TextEncoder();

/** The element children of a node named `local` in namespace `ns`. */
export function childrenNamed(node: Element, ns: string, local: string): Element[] {
  const out: Element[] = [];
  for (let n = node.firstChild; n; n = n.nextSibling) if (n.nodeType === 1 && (n as Element).localName === local && (n as Element).namespaceURI === ns) out.push(n as Element);
  return out;
}
const only = (node: Element, ns: string, local: string, what: string): Element => {
  const found = childrenNamed(node, ns, local);
  if (found.length !== 1) throw new CapRefused("unsupported_signature", `${what}: expected exactly one <${local}>`);
  return found[0]!;
};
const lastElementChild = (node: Element): Element | null => {
  for (let n = node.lastChild; n; n = n.previousSibling) if (n.nodeType === 1) return n as Element;
  return null;
};

function parse(xml: string): Document {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new CapRefused("malformed", "a DOCTYPE is not accepted");
  const fail = (m: string) => {
    throw new CapRefused("malformed", `not well-formed XML: ${String(m).split("\n")[0]!.slice(0, 200)}`);
  };
  const doc = new DOMParser({ errorHandler: { warning: () => {}, error: fail, fatalError: fail } }).parseFromString(xml, "application/xml");
  if (!doc?.documentElement) fail("no root element");
  return doc as unknown as Document;
}

/** The DER of the public key in a PEM: SPKI as it is, or taken out of an X.509 certificate. */
function spkiOf(pem: string): Uint8Array<ArrayBuffer> {
  const m = /-----BEGIN (PUBLIC KEY|CERTIFICATE)-----([\s\S]+?)-----END \1-----/.exec(pem);
  if (!m) throw new CapRefused("bad_key", "the peer's key is not a PEM public key or certificate");
  const der = Uint8Array.from(atob(m[2]!.replace(/\s+/g, "")), (c) => c.charCodeAt(0));
  return m[1] === "PUBLIC KEY" ? der : certificateSpki(der);
}

/** One DER element at `at`: where its contents start and end. */
function der(buf: Uint8Array, at: number): { tag: number; start: number; end: number } {
  const tag = buf[at]!;
  let len = buf[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[start + i]!;
    start += n;
  }
  if (start + len > buf.length) throw new CapRefused("bad_key", "the peer's certificate is truncated");
  return { tag, start, end: start + len };
}

/** RFC 5280: Certificate → tbsCertificate → [version] serial signature issuer validity subject subjectPublicKeyInfo. */
function certificateSpki(cert: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const outer = der(cert, 0);
  const tbs = der(cert, outer.start);
  let at = tbs.start;
  if (der(cert, at).tag === 0xa0) at = der(cert, at).end; // explicit version
  for (let i = 0; i < 5; i++) at = der(cert, at).end; // serial, signature, issuer, validity, subject
  const spki = der(cert, at);
  return cert.slice(at, spki.end);
}

/** Whether a PEM holds a public key this module can use (checked when the peer is registered). */
export async function usablePeerKey(pem: string): Promise<boolean> {
  try {
    const spki = spkiOf(pem);
    for (const m of Object.values(METHODS)) {
      try {
        await crypto.subtle.importKey("spki", spki, m.import, false, ["verify"]);
        return true;
      } catch {
        /* the other algorithm */
      }
    }
    return false;
  } catch {
    return false;
  }
}

/**
 * The message's <alert> element once its signature is verified with `keyPem`; a
 * CapRefused otherwise (unsigned, another key, a changed byte, an unsupported profile).
 */
export async function verifyPeerCap(xml: string, keyPem: string): Promise<Element> {
  const doc = parse(xml);
  const alert = doc.documentElement;
  if (alert.localName !== "alert" || alert.namespaceURI !== CAP_NS) throw new CapRefused("not_cap", `the root element is not a CAP 1.2 <alert> (${CAP_NS})`);
  const signatures = childrenNamed(alert, DS, "Signature");
  if (!signatures.length) throw new CapRefused("unsigned", "the message carries no XML signature (an enveloped <Signature> as the last child of <alert>)");
  const signature = signatures[0]!;
  if (signatures.length > 1 || lastElementChild(alert) !== signature) throw new CapRefused("unsupported_signature", "one <Signature>, the last child of <alert> (CAP 1.2 §3.3.2.1)");

  const signedInfo = only(signature, DS, "SignedInfo", "Signature");
  if (only(signedInfo, DS, "CanonicalizationMethod", "SignedInfo").getAttribute("Algorithm") !== EXC_C14N) throw new CapRefused("unsupported_signature", `SignedInfo is canonicalized with ${EXC_C14N} only`);
  const methodName = only(signedInfo, DS, "SignatureMethod", "SignedInfo").getAttribute("Algorithm") ?? "";
  const method = METHODS[methodName as keyof typeof METHODS];
  if (!method) throw new CapRefused("unsupported_signature", `signature method ${methodName.slice(0, 100)}: RSA-SHA256 or ECDSA-SHA256 only`);
  const reference = only(signedInfo, DS, "Reference", "SignedInfo");
  if (reference.getAttribute("URI") !== "") throw new CapRefused("unsupported_signature", 'the signature must cover the whole message (Reference URI="")');
  const transforms = childrenNamed(only(reference, DS, "Transforms", "Reference"), DS, "Transform");
  if (transforms.map((t) => t.getAttribute("Algorithm")).join(" ") !== `${ENVELOPED} ${EXC_C14N}`) throw new CapRefused("unsupported_signature", "transforms: enveloped-signature, then exclusive canonicalization");
  const prefixes = (childrenNamed(transforms[1]!, EXC_C14N, "InclusiveNamespaces")[0]?.getAttribute("PrefixList") ?? "").split(/\s+/).filter(Boolean);
  if (only(reference, DS, "DigestMethod", "Reference").getAttribute("Algorithm") !== SHA256) throw new CapRefused("unsupported_signature", "digest: SHA-256 only");
  const digestValue = (only(reference, DS, "DigestValue", "Reference").textContent ?? "").replace(/\s+/g, "");
  const signatureValue = (only(signature, DS, "SignatureValue", "Signature").textContent ?? "").replace(/\s+/g, "");

  const c14n = new ExclusiveCanonicalization();
  // The whole message without its signature (the enveloped transform), canonicalized: a second parse, so the element read stays whole.
  const unsigned = parse(xml).documentElement;
  unsigned.removeChild(childrenNamed(unsigned, DS, "Signature")[0]!);
  const canonical = c14n.process(unsigned as never, { inclusiveNamespacesPrefixList: prefixes });
  const digest = b64(new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode(canonical))));
  if (digest !== digestValue) throw new CapRefused("digest_mismatch", "the message is not the one signed (its digest differs)");

  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey("spki", spkiOf(keyPem), method.import, false, ["verify"]);
  } catch (err) {
    if (err instanceof CapRefused) throw err;
    throw new CapRefused("bad_key", "the key registered for this peer does not match the message's signature method");
  }
  let value: Uint8Array<ArrayBuffer>;
  try {
    value = Uint8Array.from(atob(signatureValue), (c) => c.charCodeAt(0));
  } catch {
    throw new CapRefused("bad_signature", "the signature value is not base64");
  }
  const ok = await crypto.subtle.verify(method.verify, key, value, enc.encode(c14n.process(signedInfo as never, {})));
  if (!ok) throw new CapRefused("bad_signature", "the signature does not verify with the key registered for this peer");
  return alert;
}
