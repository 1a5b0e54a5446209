// The cross-border hand-off (issue 28, protocol §2.3.3.4): an alert that targets a peer's
// country goes to that peer as our signed CAP only once the federal prosecutor's office and
// the cell have been informed; a peer of a country it does not target gets nothing; the
// stop's Cancel follows; each message is a receipt on the alert screen.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { exports } from "cloudflare:workers";
import { api, as, expectOk, liveAlert, makeContent, makeTeam, settledFanouts, type Team } from "../test/helpers.ts";
import { signCap } from "../publication/cap-signature.ts";
import { jwks } from "../publication/sign.ts";
import { CapRefused, verifyPeerCap } from "./cap-verify.ts";
import { HandoffPending, handOff, resendHandoffs } from "./peers.ts";

let t: Team;
beforeAll(async () => {
  t = await makeTeam();
});

const received = async (path: string) => (await (await fetch(`https://peer.test/__received?path=${encodeURIComponent(path)}`)).json()) as { contentType: string; body: string; verified: boolean | null }[];
const smtp = (path: string, body?: unknown) => fetch(`https://smtp.test${path}`, body === undefined ? {} : { method: "POST", body: JSON.stringify(body) });

describe("the hand-off to peer alerting systems abroad", () => {
  it("waits for the federal prosecutor's office and the cell to be informed; then the peer of a targeted country gets our signed CAP, and the Cancel after the stop", { timeout: 60_000 }, async () => {
    const prosecutor = `parquet-${crypto.randomUUID().slice(0, 8)}@justice.example`;
    const cellBox = `cell-${crypto.randomUUID().slice(0, 8)}@police.example`;
    expectOk(await api("PUT", "/admin/mailboxes", { federal_police: [`fp-${crypto.randomUUID().slice(0, 8)}@police.example`], cell: [cellBox], federal_prosecutor: [prosecutor] }, as(t.admin)));
    const nl = expectOk(await api("POST", "/admin/peers", { name: "AMBER Alert Nederland", country: "NL", capEndpoint: "https://peer.test/nl/cap" }, as(t.admin)), 201).body.peer;
    expect(nl.personalData).toBe(true);
    expectOk(await api("POST", "/admin/peers", { name: "Alerte Enlèvement FR", country: "FR", capEndpoint: "https://peer.test/fr/cap" }, as(t.operator)), 201);
    // The prosecutor's mailbox does not accept mail for now: the hand-off must wait.
    await smtp("/__behaviour", { to: prosecutor, code: 451, message: "4.3.0 try later", times: 1000 });

    const id = await liveAlert(t, makeContent({ targeting: { regions: ["BE", "NL"], languages: ["fr", "nl"] } }));
    await settledFanouts(id, ["alert"], as(t.cell));
    await expect(handOff(env, id)).rejects.toBeInstanceOf(HandoffPending);
    expect(await received("/nl/cap")).toEqual([]);
    // The cell is told in its inbox too.
    const inbox = expectOk(await api("GET", "/inbox", undefined, as(t.cell))).body.items as { event: string; alertId: string }[];
    expect(inbox.some((i) => i.event === "peer_handoff" && i.alertId === id)).toBe(true);

    // The mailbox accepts again: once both are informed, the NL peer gets the alert, signed; FR (not targeted) nothing.
    // (The queue's hand-off job waits and retries; the cron's safety net asks again too.)
    await smtp("/__behaviour", { to: prosecutor, code: 451, times: 0 });
    let got: { contentType: string; body: string; verified: boolean | null }[] = [];
    for (let i = 0; i < 200 && !got.length; i++) {
      if (i % 20 === 0) expect(await resendHandoffs(env, new Date())).toBe(1);
      got = await received("/nl/cap");
      if (!got.length) await new Promise((r) => setTimeout(r, 150));
    }
    expect(got).toHaveLength(1);
    expect(got[0]!.contentType).toMatch(/^application\/cap\+xml/);
    expect(got[0]!.body).toContain("<msgType>Alert</msgType>");
    expect(got[0]!.body).toContain('<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">');
    // The peer checked our signature with xmlsec1 (its own tool, with our published key) and accepted it.
    expect(got[0]!.verified).toBe(true);
    expect(got[0]!.body).toContain("Lina"); // the Netherlands ensure adequate protection (rule 13): the full alert
    expect(await received("/fr/cap")).toEqual([]);
    // Sent once per message, whatever the reruns.
    await handOff(env, id);
    expect(await received("/nl/cap")).toHaveLength(1);

    // The stop: the Cancel follows to the peer that had the alert.
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
    await handOff(env, id);
    const after = await received("/nl/cap");
    expect(after).toHaveLength(2);
    expect(after[1]!.body).toContain("<msgType>Cancel</msgType>");
    expect(after[1]!.body).not.toContain("Lina");

    const receipts = expectOk(await api("GET", `/alerts/${id}/peers`, undefined, as(t.magistrate))).body.handoffs;
    expect(receipts).toHaveLength(1);
    expect(receipts[0]).toMatchObject({ peer: "AMBER Alert Nederland", country: "NL" });
    expect(receipts[0].receipts.map((r: { identifier: string; outcome: string }) => [r.identifier, r.outcome])).toEqual([
      [`${id}.1`, "accepted"],
      [`${id}.2`, "accepted"],
    ]);
  });

  it("an attacker's peer endpoint on a private address (the cloud metadata service) is never called: the receipt says refused", { timeout: 60_000 }, async () => {
    const cellBox = `cell-${crypto.randomUUID().slice(0, 8)}@police.example`;
    const prosecutor = `parquet-${crypto.randomUUID().slice(0, 8)}@justice.example`;
    expectOk(await api("PUT", "/admin/mailboxes", { cell: [cellBox], federal_prosecutor: [prosecutor] }, as(t.admin)));
    // An operator's session, stolen: a "peer" whose endpoint is the metadata service.
    expectOk(await api("POST", "/admin/peers", { name: "Evil", country: "LU", capEndpoint: "https://169.254.169.254/latest/meta-data" }, as(t.operator)), 201);
    const id = await liveAlert(t, makeContent({ targeting: { regions: ["BE", "LU"], languages: ["fr"] } }));
    const receipts = async () => ((expectOk(await api("GET", `/alerts/${id}/peers`, undefined, as(t.cell))).body.handoffs[0]?.receipts ?? []) as { outcome: string }[]);
    // The queue's hand-off job, once the authorities are informed.
    for (let i = 0; i < 200 && !(await receipts()).length; i++) await new Promise((r) => setTimeout(r, 150));
    expect((await receipts()).map((r) => r.outcome)).toEqual(["refused"]);
    // The cron asks again: a refusal is final for that message, not a new attempt every 5 minutes.
    await handOff(env, id);
    expect((await receipts()).map((r) => r.outcome)).toEqual(["refused"]);
  });

  it("only the admin and the operator register peers, with an https CAP endpoint and a country code", async () => {
    expect((await api("POST", "/admin/peers", { name: "P", country: "DE", capEndpoint: "https://peer.test/de" }, as(t.cell))).status).toBe(403);
    expect((await api("POST", "/admin/peers", { name: "P", country: "DE", capEndpoint: "http://peer.test/de" }, as(t.admin))).status).toBe(400);
    expect((await api("POST", "/admin/peers", { name: "P", country: "Deutschland", capEndpoint: "https://peer.test/de" }, as(t.admin))).status).toBe(400);
  });
});

// ------------------------------------------------------------------ inbound: a peer's own signed CAP

/** A peer's CAP message as another country's system writes it (pretty-printed, its own languages), unsigned. */
const peerCap = (o: { identifier: string; msgType?: "Alert" | "Update" | "Cancel"; status?: string; references?: string; description?: string }) => `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>${o.identifier}</identifier>
  <sender>amber@politie.nl.example</sender>
  <sent>2026-12-07T09:15:00+01:00</sent>
  <status>${o.status ?? "Actual"}</status>
  <msgType>${o.msgType ?? "Alert"}</msgType>
  <scope>Public</scope>${o.references ? `\n  <references>${o.references}</references>` : ""}
  <info>
    <language>nl-NL</language>
    <category>Rescue</category>
    <event>AMBER Alert</event>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <onset>2026-12-07T08:40:00+01:00</onset>
    <headline>AMBER Alert: Sanne (7) vermist</headline>
    <description>${o.description ?? "Sanne, 7 jaar, blond haar, rode jas &amp; blauwe muts. Mogelijk meegenomen in een grijze bestelwagen."}</description>
    <instruction>Bel 112 als u haar ziet.</instruction>
    <web>https://amberalert.nl.example/sanne</web>
    <area><areaDesc>Maastricht, Limburg</areaDesc></area>
  </info>
  <info>
    <language>en-GB</language>
    <category>Rescue</category>
    <event>AMBER Alert</event>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <headline>AMBER Alert: Sanne (7) missing</headline>
    <description>Sanne, 7, blond hair, red coat and blue hat. Possibly taken in a grey van.</description>
    <area><areaDesc>Maastricht, Limburg</areaDesc></area>
  </info>
</alert>
`;
const signedBy = async (xml: string, who: "peer" | "stranger" = "peer") => (await fetch(`https://peer.test/__sign?as=${who}`, { method: "POST", body: xml })).text();
const post = (peerId: string, xml: string, type = "application/cap+xml") =>
  exports.default.fetch(new Request(`${env.APP_ORIGIN}/peers/${peerId}/cap`, { method: "POST", headers: { "Content-Type": type, "CF-Connecting-IP": `10.9.${Math.floor(Math.random() * 250)}.1` }, body: xml }));
const count = async (table: string) => (await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>())!.n;

describe("a peer's own alert, sent to us signed (inbound)", () => {
  let peerId: string;
  beforeAll(async () => {
    const publicKey = await (await fetch("https://peer.test/__key")).text();
    const peer = expectOk(await api("POST", "/admin/peers", { name: "AMBER Alert Nederland (inbound)", country: "NL", capEndpoint: "https://peer.test/nl-in/cap", publicKey }, as(t.admin)), 201).body.peer;
    expect(peer).toMatchObject({ hasKey: true, inbound: `${env.APP_ORIGIN}/peers/${peer.id}/cap` });
    peerId = peer.id;
  });

  it("is verified and shown to the cell as a request to relay, never published by itself; relaying makes a draft that must go through the whole concertation", { timeout: 60_000 }, async () => {
    const first = `nl-${crypto.randomUUID()}`;
    const alertsBefore = await count("alerts");
    const signed = await signedBy(peerCap({ identifier: first }));
    expect(signed).toContain("<SignatureValue>");
    const res = await post(peerId, signed);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ received: first, duplicate: false });
    // The same message again (a peer retrying) is one message.
    expect((await post(peerId, signed)).status).toBe(200);
    // Nothing was published or created: no alert at all, the public feed empty of it.
    expect(await count("alerts")).toBe(alertsBefore);
    expect(JSON.stringify(expectOk(await api("GET", "/feeds/alerts.json")).body)).not.toContain("Sanne");

    // The cell is told (inbox), and sees the request with the peer's texts; the foundation sees it too; an investigator does not.
    const inbox = expectOk(await api("GET", "/inbox", undefined, as(t.cell))).body.items as { event: string; alertId: string }[];
    const requests = expectOk(await api("GET", "/peer-requests", undefined, as(t.cell))).body.requests as { id: string; state: string; msgType: string; messages: number; infos: { language: string; description?: string }[] | null; cancelledAt: string | null; alertId: string | null }[];
    const req = requests.find((r) => r.infos?.some((i) => i.description?.includes("Sanne")))!;
    expect(req).toMatchObject({ state: "open", msgType: "Alert", messages: 1 });
    expect(req.infos!.map((i) => i.language)).toEqual(["nl-NL", "en-GB"]);
    expect(req.infos![0]!.description).toContain("rode jas & blauwe muts");
    expect(inbox.some((i) => i.event === "peer_request" && i.alertId === req.id)).toBe(true);
    expectOk(await api("GET", "/peer-requests", undefined, as(t.operator)));
    expect((await api("GET", "/peer-requests", undefined, as(t.investigator))).status).toBe(403);

    // Only the cell relays, with the child's first name and age (CAP has no such fields) and the purpose attested.
    const relay = (body: unknown, who = t.cell) => api("POST", `/peer-requests/${req.id}/relay`, body, as(who));
    expect((await relay({ firstName: "Sanne", age: 7, purposeAttestation: true }, t.operator)).status).toBe(403);
    expect((await relay({ firstName: "Sanne", age: 7 })).status).toBe(400);
    const { alertId } = expectOk(await relay({ firstName: "Sanne", age: 7, purposeAttestation: true }), 201).body as { alertId: string };
    expect((await relay({ firstName: "Sanne", age: 7, purposeAttestation: true })).status).toBe(409);

    // A draft: the peer's texts in our languages, Belgium as the region — and no way around the concertation.
    const draft = expectOk(await api("GET", `/alerts/${alertId}`, undefined, as(t.cell))).body;
    expect(draft.state).toBe("draft");
    const content = draft.versions.at(-1).content;
    expect(content.child).toMatchObject({ firstName: "Sanne", age: 7 });
    expect(content.child.description.nl).toContain("rode jas");
    expect(content.child.description.en).toContain("red coat");
    expect(content.lastSeen).toMatchObject({ place: { nl: "Maastricht, Limburg", en: "Maastricht, Limburg" }, at: "2026-12-07T08:40:00+01:00" });
    expect(content.targeting).toEqual({ regions: ["BE"], languages: ["nl", "en"] });
    expect((await api("POST", `/alerts/${alertId}/launch`, undefined, as(t.cell))).status).toBe(409);
    expect(expectOk(await api("GET", "/peer-requests", undefined, as(t.cell))).body.requests.find((r: { id: string }) => r.id === req.id)).toMatchObject({ state: "relayed", alertId });

    // The peer's Update joins the same request (the cell is told again); its Cancel drops the texts.
    const update = `nl-${crypto.randomUUID()}`;
    expect((await post(peerId, await signedBy(peerCap({ identifier: update, msgType: "Update", references: `amber@politie.nl.example,${first},2026-12-07T09:15:00+01:00`, description: "Sanne, nu gezien in Luik." })))).status).toBe(202);
    let now = expectOk(await api("GET", "/peer-requests", undefined, as(t.cell))).body.requests.find((r: { id: string }) => r.id === req.id);
    expect(now).toMatchObject({ msgType: "Update", messages: 2, state: "relayed" });
    expect(now.infos[0].description).toBe("Sanne, nu gezien in Luik.");
    expect((await post(peerId, await signedBy(peerCap({ identifier: `nl-${crypto.randomUUID()}`, msgType: "Cancel", references: `amber@politie.nl.example,${first},2026-12-07T09:15:00+01:00 amber@politie.nl.example,${update},2026-12-07T09:15:00+01:00` })))).status).toBe(202);
    now = expectOk(await api("GET", "/peer-requests", undefined, as(t.cell))).body.requests.find((r: { id: string }) => r.id === req.id);
    expect(now).toMatchObject({ msgType: "Cancel", messages: 3, infos: null });
    expect(now.cancelledAt).toBeTruthy();
    const actions = (await env.DB.prepare("SELECT action FROM audit_entries WHERE action LIKE 'peer_request%' AND details LIKE ?").bind(`%${req.id}%`).all<{ action: string }>()).results.map((r) => r.action);
    expect(actions).toEqual(["peer_request_received", "peer_request_relayed", "peer_request_received", "peer_request_received"]);
  });

  it("refuses, with its code and nothing recorded: a message signed by someone else, one changed after signing, an unsigned one, a signature moved to another message, a DOCTYPE, a Test message, a revoked peer", { timeout: 60_000 }, async () => {
    const before = await count("peer_messages");
    const refused = async (xml: string, status: number, reason?: string) => {
      const res = await post(peerId, xml);
      const body = (await res.json()) as { code: string; reason?: string };
      expect([res.status, reason && body.reason], xml.slice(0, 80)).toEqual([status, reason]);
      expect(res.headers.get("Content-Type")).toMatch(/problem\+json/);
    };
    const a = await signedBy(peerCap({ identifier: `nl-${crypto.randomUUID()}` }));
    await refused(await signedBy(peerCap({ identifier: `nl-${crypto.randomUUID()}` }), "stranger"), 403, "bad_signature");
    await refused(a.replace("blauwe muts", "groene muts"), 403, "digest_mismatch");
    await refused(peerCap({ identifier: `nl-${crypto.randomUUID()}` }), 403, "unsigned");
    // The peer's genuine signature, lifted onto a hoax.
    const hoax = peerCap({ identifier: `nl-${crypto.randomUUID()}`, description: "Een ander kind." });
    const lifted = a.slice(a.indexOf("<Signature"), a.lastIndexOf("</alert>"));
    await refused(hoax.replace("</alert>", `${lifted}</alert>`), 403, "digest_mismatch");
    // Our own signed CAP (ECDSA, our key) is not this peer's.
    await refused(await signCap(env, peerCap({ identifier: `nl-${crypto.randomUUID()}` })), 403);
    await refused(`<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY x "y">]>${a.slice(a.indexOf("<alert"))}`, 422, "malformed");
    await refused(await signedBy(peerCap({ identifier: `nl-${crypto.randomUUID()}`, status: "Test" })), 422);
    expect((await post(peerId, a, "text/plain")).status).toBe(415);
    expect(await count("peer_messages")).toBe(before);
    const codes = (await env.DB.prepare("SELECT details FROM audit_entries WHERE action = 'peer_cap_refused' AND details LIKE ?").bind(`%${peerId}%`).all<{ details: string }>()).results.map((r) => JSON.parse(r.details).code);
    expect(codes).toEqual(expect.arrayContaining(["bad_signature", "digest_mismatch", "unsigned", "malformed"]));

    // A revoked peer: none of its messages is taken any more.
    expect((await api("DELETE", `/admin/peers/${peerId}`, undefined, as(t.cell))).status).toBe(403);
    expect((await api("DELETE", `/admin/peers/${peerId}`, undefined, as(t.admin))).status).toBe(204);
    expect((await post(peerId, a)).status).toBe(404);
  });

  it("the verifier takes a Child Alert peer's ECDSA signature (our own CAP, checked with our published key) and names a change", async () => {
    const jwk = (await jwks(env)).keys[0]!;
    const key = await crypto.subtle.importKey("jwk", { ...jwk, ext: true }, { name: "ECDSA", namedCurve: "P-256" }, true, ["verify"]);
    const spki = new Uint8Array((await crypto.subtle.exportKey("spki", key)) as ArrayBuffer);
    const pem = `-----BEGIN PUBLIC KEY-----\n${btoa(String.fromCharCode(...spki))}\n-----END PUBLIC KEY-----\n`;
    const ours = await signCap(env, peerCap({ identifier: "be-1" }).replace(/>\s+</g, "><"));
    expect((await verifyPeerCap(ours, pem)).localName).toBe("alert");
    await expect(verifyPeerCap(ours.replace("Maastricht", "Maaseik"), pem)).rejects.toBeInstanceOf(CapRefused);
  });
});
