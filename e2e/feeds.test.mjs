// Feeds against their standards, on a running Worker (wrangler dev, as `npm start`):
// every CAP message of an alert's life (Alert at the launch, Update at the extension,
// Cancel at the stop) validates against the OASIS CAP 1.2 schema
// (../shared/reference/cap-1.2.xsd, a copy in e2e/lib/cap-1.2.xsd) with libxml2's
// xmllint (xmllint-wasm); the Atom feeds are well-formed XML.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { validateXML } from "xmllint-wasm";
import { ROOT } from "../scripts/lib/local.mjs";
import { authorisedExercise, startStack } from "./lib/browser.mjs";

const XSD = readFileSync(join(ROOT, "e2e", "lib", "cap-1.2.xsd"), "utf8");

async function validCap(xml, label) {
  const r = await validateXML({ xml: [{ fileName: `${label}.xml`, contents: xml }], schema: [{ fileName: "cap-1.2.xsd", contents: XSD }] });
  assert.equal(r.valid, true, `${label}: ${r.errors.map((e) => e.rawMessage ?? e.message).join("; ")}`);
}

async function wellFormed(xml, label) {
  const r = await validateXML({ xml: [{ fileName: `${label}.xml`, contents: xml }], normalization: "format" });
  assert.equal(r.valid, true, `${label}: ${r.errors.map((e) => e.rawMessage ?? e.message).join("; ")}`);
}

describe("feeds: CAP 1.2 against the OASIS schema, Atom well-formed", () => {
  let stack;
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
    await wellFormed(await get("/api/v1/feeds/cap.atom"), "cap-index");
    for (const lang of ["fr", "en"]) await wellFormed(await get(`/api/v1/feeds/alerts.atom?lang=${lang}`), `atom-${lang}`);
    assert.deepEqual(JSON.parse(await get("/api/v1/feeds/alerts.json")).alerts, []);
    assert.deepEqual(JSON.parse(await get("/api/v1/feeds/partner.json", reg.apiKey)).alerts.map((a) => a.id), [alertId]);

    await call("POST", `/alerts/${alertId}/extend`, undefined, staff.magistrate.cookie);
    const update = await cap(2);
    assert.match(update, /<msgType>Update<\/msgType>/);
    await validCap(update, "update");

    await call("POST", `/alerts/${alertId}/stop`, { reason: "found_safe" }, staff.cell.cookie);
    const cancel = await cap(3);
    assert.match(cancel, /<msgType>Cancel<\/msgType>/);
    await validCap(cancel, "cancel");
    assert.deepEqual(JSON.parse(await get("/api/v1/feeds/partner.json", reg.apiKey)).alerts, []);
  });
});
