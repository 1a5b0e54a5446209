// The CAP message's enveloped XML signature (issue 28; CAP 1.2 §3.3.2.1 allows one as the
// last child of <alert>, IPAWS requires one): XML-DSig with exclusive canonicalization, the
// enveloped-signature transform, SHA-256 and ECDSA P-256 (XML-DSig 1.1 ecdsa-sha256, r‖s),
// with the publication key; KeyName is its id in /.well-known/child-alert-keys.json. The
// message is written in its own canonical form (partners/feeds.ts capMessage), so the
// digest is over its bytes as they are; `xmlsec1 --verify` accepts it (e2e/feeds.test.mjs).
import { b64 } from "../bytes.ts";
import { publicationKey } from "./sign.ts";

const DS = "http://www.w3.org/2000/09/xmldsig#";
const enc = new TextEncoder();

/** The message with its <Signature>, or as it is when the deployment has no publication key. */
export async function signCap(env: { PUBLICATION_SIGNING_KEY?: string }, xml: string): Promise<string> {
  if (!env.PUBLICATION_SIGNING_KEY) return xml;
  const start = xml.indexOf("<alert");
  const end = xml.lastIndexOf("</alert>");
  if (start < 0 || end < 0) throw new Error("not a CAP message");
  // The document's canonical form: the <alert> element (the declaration is not part of it).
  const canonical = xml.slice(start, end + "</alert>".length);
  const digest = b64(new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode(canonical))));
  const inner =
    `<CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"></CanonicalizationMethod>` +
    `<SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"></SignatureMethod>` +
    `<Reference URI=""><Transforms><Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"></Transform>` +
    `<Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"></Transform></Transforms>` +
    `<DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"></DigestMethod><DigestValue>${digest}</DigestValue></Reference>`;
  // SignedInfo canonicalised on its own carries the namespace it inherits in the document.
  const { key, jwk } = await publicationKey(env.PUBLICATION_SIGNING_KEY);
  const value = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, enc.encode(`<SignedInfo xmlns="${DS}">${inner}</SignedInfo>`)));
  const signature = `<Signature xmlns="${DS}"><SignedInfo>${inner}</SignedInfo><SignatureValue>${b64(value)}</SignatureValue><KeyInfo><KeyName>${jwk.kid}</KeyName></KeyInfo></Signature>`;
  return `${xml.slice(0, end)}${signature}</alert>${xml.slice(end + "</alert>".length)}`;
}
