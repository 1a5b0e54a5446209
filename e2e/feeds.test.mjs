// Feeds against their standards, on a running Worker (wrangler dev, as `npm start`):
// every CAP message of an alert's life (Alert at the launch, Update at the extension,
// Cancel at the stop) validates against the OASIS CAP 1.2 schema
// (../shared/reference/cap-1.2.xsd, a copy in e2e/lib/cap-1.2.xsd) with libxml2's
// xmllint (xmllint-wasm); the Atom feeds are well-formed XML. Each CAP message carries an
// enveloped XML signature that xmlsec1 (Debian's xmlsec1, as a partner or IPAWS would
// check it) verifies with our published key, and refuses once one character changed.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createPublicKey } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { validateXML } from "xmllint-wasm";
import { ROOT } from "../scripts/lib/local.mjs";
import qrcode from "qrcode-generator";
import { ARTIFACTS, authorisedExercise, openPeople, startStack, useSession } from "./lib/browser.mjs";
import { staffFor } from "../scripts/lib/drill.mjs";
import { PeerStandIn } from "./lib/peer-standin.mjs";

const XSD = readFileSync(join(ROOT, "e2e", "lib", "cap-1.2.xsd"), "utf8");

async function validCap(xml, label) {
  const r = await validateXML({ xml: [{ fileName: `${label}.xml`, contents: xml }], schema: [{ fileName: "cap-1.2.xsd", contents: XSD }] });
  assert.equal(r.valid, true, `${label}: ${r.errors.map((e) => e.rawMessage ?? e.message).join("; ")}`);
}

async function wellFormed(xml, label) {
  const r = await validateXML({ xml: [{ fileName: `${label}.xml`, contents: xml }], normalization: "format" });
  assert.equal(r.valid, true, `${label}: ${r.errors.map((e) => e.rawMessage ?? e.message).join("; ")}`);
}

/** `xmlsec1 --verify` with the key our JWKS publishes under the signature's KeyName: whether it accepts. */
async function xmlsecAccepts(origin, xml, label) {
  const { keys } = await (await fetch(`${origin}/.well-known/child-alert-keys.json`)).json();
  const kid = /<KeyName>([^<]+)<\/KeyName>/.exec(xml)?.[1];
  const jwk = keys.find((k) => k.kid === kid);
  assert.ok(jwk, `${label}: its KeyName ${kid} is in our JWKS`);
  const dir = mkdtempSync(join(tmpdir(), "cap-dsig-"));
  writeFileSync(join(dir, "key.pem"), createPublicKey({ key: jwk, format: "jwk" }).export({ type: "spki", format: "pem" }));
  writeFileSync(join(dir, `${label}.xml`), xml);
  try {
    execFileSync("xmlsec1", ["--verify", `--pubkey-pem:${kid}`, join(dir, "key.pem"), join(dir, `${label}.xml`)], { stdio: "pipe" });
    return true;
  } catch (err) {
    if (err.code === "ENOENT") throw new Error("xmlsec1 is not installed (apt-get install xmlsec1; .ci/run does it)");
    return false;
  }
}

describe("feeds: CAP 1.2 against the OASIS schema, Atom well-formed", () => {
  let stack;
  /** Staff registered by an earlier test of this file (their sessions reused). */
  let team;
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack?.close();
  });

  it("the schema check is real: a CAP message missing its <sent> is refused", async () => {
    await assert.rejects(
      validCap(`<?xml version="1.0" encoding="UTF-8"?><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</identifier><sender>s</sender><status>Actual</status><msgType>Alert</msgType><scope>Public</scope></alert>`, "broken"),
      /sent/,
    );
  });

  it("Alert, Update and Cancel of one alert validate; the index and the Atom feeds parse", async () => {
    const { call, staff, alertId } = await authorisedExercise(stack, "feeds");
    // A drill's CAP messages are for the partners who opted into exercises (their key); the keyless feeds never list it.
    const { data: reg } = await call("POST", "/admin/partners", { name: "CAP tester", domains: ["cap.news.example"], country: "BE", languages: ["fr", "en"], exercise: true }, staff.operator.cookie);
    await call("POST", `/alerts/${alertId}/launch`, undefined, staff.cell.cookie);
    const get = async (path, key) => {
      const res = await fetch(`${stack.origin}${path}`, key ? { headers: { Authorization: `Bearer ${key}` } } : {});
      assert.equal(res.status, 200, path);
      return res.text();
    };
    const cap = (n) => get(`/api/v1/feeds/cap/${alertId}.${n}.xml`, reg.apiKey);
    assert.equal((await fetch(`${stack.origin}/api/v1/feeds/cap/${alertId}.1.xml`)).status, 404);
    const alert = await cap(1);
    assert.match(alert, /<msgType>Alert<\/msgType>/);
    await validCap(alert, "alert");
    // Signed: xmlsec1 accepts it as it is, and refuses it with one word changed or the signature moved to another message.
    assert.match(alert, /<Signature xmlns="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#">/);
    assert.equal(await xmlsecAccepts(stack.origin, alert, "alert"), true, "xmlsec1 --verify accepts our CAP");
    assert.equal(await xmlsecAccepts(stack.origin, alert.replace("<urgency>Immediate</urgency>", "<urgency>Expected</urgency>"), "alert-tampered"), false, "a changed CAP is refused");
    await wellFormed(await get("/api/v1/feeds/cap.atom"), "cap-index");
    for (const lang of ["fr", "en"]) await wellFormed(await get(`/api/v1/feeds/alerts.atom?lang=${lang}`), `atom-${lang}`);
    assert.deepEqual(JSON.parse(await get("/api/v1/feeds/alerts.json")).alerts, []);
    assert.deepEqual(JSON.parse(await get("/api/v1/feeds/partner.json", reg.apiKey)).alerts.map((a) => a.id), [alertId]);

    await call("POST", `/alerts/${alertId}/extend`, undefined, staff.magistrate.cookie);
    const update = await cap(2);
    assert.match(update, /<msgType>Update<\/msgType>/);
    await validCap(update, "update");
    assert.equal(await xmlsecAccepts(stack.origin, update, "update"), true);
    const forged = alert.replace(/<Signature[\s\S]*<\/Signature>/, update.match(/<Signature[\s\S]*<\/Signature>/)[0]);
    assert.equal(await xmlsecAccepts(stack.origin, forged, "alert-with-update-signature"), false, "a signature moved to another message is refused");

    await call("POST", `/alerts/${alertId}/stop`, { reason: "found_safe" }, staff.cell.cookie);
    const cancel = await cap(3);
    assert.match(cancel, /<msgType>Cancel<\/msgType>/);
    await validCap(cancel, "cancel");
    assert.equal(await xmlsecAccepts(stack.origin, cancel, "cancel"), true, "the withdrawal is signed too");
    assert.deepEqual(JSON.parse(await get("/api/v1/feeds/partner.json", reg.apiKey)).alerts, []);
  });

  it("“Is this alert genuine?” in Chromium: a real poster's QR code is ours and live; a doctored one is not; the poster's own QR lands on the check", async () => {
    const { call, staff, alertId } = await authorisedExercise(stack, "verify", ["fr", "en"]);
    team = staff;
    await call("POST", `/alerts/${alertId}/launch`, undefined, staff.cell.cookie);
    const poster = Buffer.from(await (await fetch(`${stack.origin}/alert/${alertId}/poster/square-fr.png`)).arrayBuffer());
    assert.equal(poster.subarray(1, 4).toString(), "PNG");
    const browser = await openPeople(["citizen"]);
    try {
      const page = browser.people.citizen.page;
      const verdict = async () => {
        await page.locator("#verify-result[data-verdict]:not([data-verdict=busy])").waitFor({ timeout: 15_000 });
        return page.locator("#verify-result").getAttribute("data-verdict");
      };
      // A photo of the real poster: its QR code is read in the browser and checked.
      await page.goto(`${stack.origin}/verify?lang=en`);
      await page.setInputFiles("#verify-image", { name: "poster.png", mimeType: "image/png", buffer: poster });
      assert.equal(await verdict(), "genuine_live");
      assert.equal(await page.locator("#verify-result a").getAttribute("href"), `${stack.origin}/alert/${alertId}`);
      assert.match(await page.inputValue("#verify-text"), new RegExp(`/verify/${alertId}\\?v=1$`));
      await page.screenshot({ path: join(ARTIFACTS, "verify-genuine.png") });
      // A hoax that copies the look: its QR code points at a look-alike address.
      const hoax = qrcode(0, "M");
      hoax.addData(`https://child-alert.example.net/verify/${alertId}?v=1`);
      hoax.make();
      await page.setContent(`<body style="margin:0;background:#C8102E;width:600px;height:600px;display:flex;align-items:center;justify-content:center">${hoax.createSvgTag({ cellSize: 8, margin: 4 })}</body>`);
      const doctored = await page.screenshot({ clip: { x: 0, y: 0, width: 600, height: 600 } });
      await page.goto(`${stack.origin}/verify?lang=fr`);
      await page.setInputFiles("#verify-image", { name: "capture.png", mimeType: "image/png", buffer: doctored });
      assert.equal(await verdict(), "not_ours");
      assert.match(await page.locator("#verify-result").textContent(), /Pas émise par nous/);
      // The poster's QR code itself leads to the check of that version, done at once.
      await page.goto(`${stack.origin}/verify/${alertId}?v=1&lang=nl`);
      assert.equal(await verdict(), "genuine_live");
      // Once stopped, the same poster says: ended, stop sharing it.
      await call("POST", `/alerts/${alertId}/stop`, { reason: "found_safe" }, staff.cell.cookie);
      await page.goto(`${stack.origin}/verify?lang=en`);
      await page.setInputFiles("#verify-image", { name: "poster.png", mimeType: "image/png", buffer: poster });
      assert.equal(await verdict(), "genuine_ended");
      assert.match(await page.locator("#verify-result").textContent(), /please stop sharing it/);
    } finally {
      await browser.close();
    }
  });

  it("From abroad in Chromium: the operator registers a peer with its signing key; the peer's signed CAP arrives (a forged one is refused); the cell relays it into a draft", async () => {
    const peer = new PeerStandIn();
    const cap = (id, description) => `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>${id}</identifier><sender>amber@politie.nl.example</sender><sent>2026-12-07T09:15:00+01:00</sent>
  <status>Exercise</status><msgType>Alert</msgType><scope>Public</scope>
  <info>
    <language>nl-NL</language><category>Rescue</category><event>AMBER Alert</event><urgency>Immediate</urgency><severity>Severe</severity><certainty>Likely</certainty>
    <onset>2026-12-07T08:40:00+01:00</onset><headline>AMBER Alert: Sanne (7) vermist</headline>
    <description>${description}</description><area><areaDesc>Maastricht, Limburg</areaDesc></area>
  </info>
</alert>
`;
    const browser = await openPeople(["operator", "cell"]);
    try {
      // The staff registered earlier in this file, their sessions reused (registrations spend the shared public rate limit).
      const staff = team ?? (await staffFor(stack.origin, ["operator", "cell"].map((role) => ({ email: `${role}@abroad.e2e`, displayName: role, role })), { persistTo: stack.persistTo }));
      const op = browser.people.operator.page;
      await useSession(op, stack, staff.operator);
      await op.goto(`${stack.origin}/abroad`);
      await op.fill("#peer-name", "AMBER Alert Nederland");
      await op.fill("#peer-country", "NL");
      await op.fill("#peer-endpoint", "https://amber.nl.example/cap");
      await op.fill("#peer-key", peer.keys.peer.publicPem);
      await op.click("#peer-form button[type=submit]");
      const inbound = (await op.locator("#peers li", { hasText: "AMBER Alert Nederland" }).locator("code").textContent({ timeout: 10_000 })).trim();
      assert.match(inbound, /\/peers\/[0-9a-f-]{36}\/cap$/);
      const send = async (xml) => (await fetch(inbound.replace("localhost", "127.0.0.1"), { method: "POST", headers: { "Content-Type": "application/cap+xml" }, body: xml })).status;
      // Signed by the peer with xmlsec1: taken. Signed by anyone else: refused, and never shown.
      assert.equal(await send(await peer.sign(cap(`nl-${Date.now()}`, "Sanne, 7 jaar, rode jas."))), 202);
      assert.equal(await send(await peer.sign(cap(`nl-forged-${Date.now()}`, "Een vals bericht."), "stranger")), 403);

      const cell = browser.people.cell.page;
      await useSession(cell, stack, staff.cell);
      await cell.goto(`${stack.origin}/abroad`);
      const item = cell.locator(".peer-request", { hasText: "rode jas" });
      await item.waitFor({ timeout: 10_000 });
      assert.equal(await cell.locator(".peer-request", { hasText: "vals bericht" }).count(), 0);
      await cell.screenshot({ path: join(ARTIFACTS, "abroad.png"), fullPage: true });
      await item.locator("input[name=firstName]").fill("Sanne");
      await item.locator("input[name=age]").fill("7");
      await item.locator("input[name=purpose]").check();
      await item.locator(".relay-form button[type=submit]").click();
      await cell.waitForURL(/\/alerts\/[0-9a-f-]{36}$/, { timeout: 10_000 });
      // A draft (an exercise, as the peer's message was), which now needs the whole concertation.
      const alertId = cell.url().split("/").at(-1);
      const data = await cell.evaluate(async (id) => (await fetch(`/api/v1/alerts/${id}`)).json(), alertId);
      assert.equal(data.state, "draft");
      assert.equal(data.exercise, true);
    } finally {
      await browser.close();
    }
  });
});
