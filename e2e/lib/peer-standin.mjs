// A peer alerting system abroad (issue 28), as another country's system would behave:
// it checks the signature of every CAP message we send it with Debian's xmlsec1 (as IPAWS
// or any XML-DSig tool would) and keeps what it got, and it signs its own CAP messages with
// xmlsec1 (RSA-SHA256, the IPAWS profile) for us to take. A second key ("stranger") makes
// the forgery: a message signed by someone who is not that peer.
//
//   GET  /__key                      the peer's public key (PEM), to register it with us
//   POST /__sign?as=peer|stranger    the CAP body, signed (enveloped XML-DSig), pretty-printed
//   GET  /__received?path=/nl/cap    what we sent to that path: [{contentType, body, verified}]
//   POST /<anything else>            our CAP message: verified with our key, kept, 202
import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

const TEMPLATE = `<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">
  <SignedInfo>
    <CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
    <SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>
    <Reference URI="">
      <Transforms>
        <Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>
        <Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
      </Transforms>
      <DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
      <DigestValue/>
    </Reference>
  </SignedInfo>
  <SignatureValue/>
</Signature>
`;

const rsa = () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { privatePem: privateKey.export({ type: "pkcs8", format: "pem" }), publicPem: publicKey.export({ type: "spki", format: "pem" }) };
};

async function xmlsec(args, files) {
  const dir = await mkdtemp(join(tmpdir(), "peer-standin-"));
  try {
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    const out = join(dir, "out.xml");
    await run("xmlsec1", args(dir, out), { timeout: 20_000 });
    return await readFile(out, "utf8").catch(() => "");
  } catch (err) {
    if (err.code === "ENOENT") throw new Error("xmlsec1 is not installed (apt-get install xmlsec1; .ci/run does it)");
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export class PeerStandIn {
  /** @param {{ ourKeyPem?: string }} opts our publication key's public half (PEM): what the peer checks our CAP with */
  constructor({ ourKeyPem } = {}) {
    this.ourKeyPem = ourKeyPem;
    this.keys = { peer: rsa(), stranger: rsa() };
    /** @type {{ path: string, contentType: string | null, body: string, verified: boolean | null }[]} */
    this.inbox = [];
  }

  /** The CAP message (unsigned, ours to write) signed by `as` with xmlsec1 --sign. */
  async sign(xml, as = "peer") {
    const key = this.keys[as];
    if (!key) throw new Error(`no key ${as}`);
    const end = xml.lastIndexOf("</alert>");
    const template = `${xml.slice(0, end)}${TEMPLATE}${xml.slice(end)}`;
    return xmlsec((dir, out) => ["--sign", "--privkey-pem", join(dir, "key.pem"), "--output", out, join(dir, "in.xml")], { "key.pem": key.privatePem, "in.xml": template });
  }

  /** Whether xmlsec1 --verify accepts our message with our public key (named as its KeyName says). */
  async verifyOurs(xml) {
    if (!this.ourKeyPem) return null;
    const kid = /<KeyName>([^<]+)<\/KeyName>/.exec(xml)?.[1] ?? "ours";
    try {
      await xmlsec((dir) => ["--verify", `--pubkey-pem:${kid}`, join(dir, "key.pem"), join(dir, "in.xml")], { "key.pem": this.ourKeyPem, "in.xml": xml });
      return true;
    } catch (err) {
      if (/not installed/.test(err.message)) throw err;
      return false;
    }
  }

  /** @param {Request} request */
  async handle(request) {
    const url = new URL(request.url);
    if (url.pathname === "/__key") return new Response(this.keys.peer.publicPem, { headers: { "Content-Type": "application/x-pem-file" } });
    if (url.pathname === "/__sign") return new Response(await this.sign(await request.text(), url.searchParams.get("as") ?? "peer"), { headers: { "Content-Type": "application/cap+xml" } });
    if (url.pathname === "/__received") return Response.json(this.inbox.filter((m) => m.path === url.searchParams.get("path")));
    const body = await request.text();
    this.inbox.push({ path: url.pathname, contentType: request.headers.get("Content-Type"), body, verified: await this.verifyOurs(body) });
    return new Response(null, { status: 202 });
  }
}
