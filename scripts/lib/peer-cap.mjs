// A peer alerting system abroad, for `npm run demo` (issue 28, inbound): its own CAP 1.2
// alert, signed as another Child Alert deployment signs (enveloped XML-DSig, exclusive
// canonicalization, ECDSA-SHA256 over P-256): the message is written in its canonical form,
// so the digest is over its bytes. The tests sign with Debian's xmlsec1 instead (RSA, the
// IPAWS profile: e2e/lib/peer-standin.mjs); this needs nothing but Node.
import { createHash, generateKeyPairSync, sign } from "node:crypto";

const DS = "http://www.w3.org/2000/09/xmldsig#";
const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r/g, "&#xD;");

export function peerKeys() {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  return { privateKey, publicPem: publicKey.export({ type: "spki", format: "pem" }) };
}

/** A signed CAP Alert from a peer: `infos` [{ language, headline, description, areaDesc }]. */
export function signedPeerCap(privateKey, { identifier, sender, sent, status = "Exercise", infos }) {
  const x = (n, v) => (v ? `<${n}>${esc(v)}</${n}>` : "");
  const info = infos
    .map((i) => `<info>${x("language", i.language)}<category>Rescue</category>${x("event", "AMBER Alert")}<urgency>Immediate</urgency><severity>Severe</severity><certainty>Likely</certainty>${x("onset", sent)}${x("headline", i.headline)}${x("description", i.description)}<area>${x("areaDesc", i.areaDesc)}</area></info>`)
    .join("");
  const alert = `<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">${x("identifier", identifier)}${x("sender", sender)}${x("sent", sent)}${x("status", status)}<msgType>Alert</msgType><scope>Public</scope>${info}</alert>`;
  const digest = createHash("sha256").update(alert).digest("base64");
  const inner =
    `<CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"></CanonicalizationMethod>` +
    `<SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"></SignatureMethod>` +
    `<Reference URI=""><Transforms><Transform Algorithm="${DS}enveloped-signature"></Transform>` +
    `<Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"></Transform></Transforms>` +
    `<DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"></DigestMethod><DigestValue>${digest}</DigestValue></Reference>`;
  const value = sign("sha256", Buffer.from(`<SignedInfo xmlns="${DS}">${inner}</SignedInfo>`), { key: privateKey, dsaEncoding: "ieee-p1363" }).toString("base64");
  const signature = `<Signature xmlns="${DS}"><SignedInfo>${inner}</SignedInfo><SignatureValue>${value}</SignatureValue></Signature>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${alert.slice(0, -"</alert>".length)}${signature}</alert>`;
}
