// The cross-border hand-off (issue 28, protocol §2.3.3.4): an alert that targets a peer's
// country goes to that peer as our signed CAP only once the federal prosecutor's office and
// the cell have been informed; a peer of a country it does not target gets nothing; the
// stop's Cancel follows; each message is a receipt on the alert screen.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { api, as, expectOk, liveAlert, makeContent, makeTeam, settledFanouts, type Team } from "../test/helpers.ts";
import { HandoffPending, handOff, resendHandoffs } from "./peers.ts";

let t: Team;
beforeAll(async () => {
  t = await makeTeam();
});

const received = async (path: string) => (await (await fetch(`https://peer.test/__received?path=${encodeURIComponent(path)}`)).json()) as { contentType: string; body: string }[];
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
    let got: { contentType: string; body: string }[] = [];
    for (let i = 0; i < 200 && !got.length; i++) {
      if (i % 20 === 0) expect(await resendHandoffs(env, new Date())).toBe(1);
      got = await received("/nl/cap");
      if (!got.length) await new Promise((r) => setTimeout(r, 150));
    }
    expect(got).toHaveLength(1);
    expect(got[0]!.contentType).toMatch(/^application\/cap\+xml/);
    expect(got[0]!.body).toContain("<msgType>Alert</msgType>");
    expect(got[0]!.body).toContain('<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">');
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
