import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { encodePayload, toPushPayload } from "./payload.ts";
import { AlertContent, LANGUAGES } from "../../domain/index.ts";
import { api, as, citizen, DECISION, expectOk, inEvery, liveAlert, makeContent, makeTeam, settledFanouts, signOff, standin, type Team } from "../../test/helpers.ts";

let t: Team;
beforeAll(async () => {
  t = await makeTeam();
});

const settled = (alertId: string, events: string[], timeoutMs?: number) => settledFanouts(alertId, events, as(t.operator), timeoutMs);

describe("web-push messages: launch → update → stop", () => {
  it("each event is one decryptable message with the version, tag, topic, TTL and urgency; the stop carries no name", async () => {
    const wallonia = await Promise.all([citizen({ regions: ["BE-WLG"] }), citizen({ regions: ["BE"], lang: "de" }), citizen({ regions: ["BE-WLG"], lang: "nl" })]);
    const elsewhere = await citizen({ regions: ["BE-VAN"] });
    const drillOnly = await citizen({ regions: ["BE-WLG"], exercise: true });
    const content = makeContent({ targeting: { regions: ["BE-WLG"], languages: ["fr", "de"] } });
    const id = await liveAlert(t, content);
    await settled(id, ["alert"]);

    const [fr, de, nl] = wallonia;
    const gotFr = await standin.received(fr!.id);
    expect(gotFr).toHaveLength(1);
    expect(gotFr[0]!.payload).toMatchObject({ type: "alert", tag: id, version: 1 });
    expect(gotFr[0]!.payload.title).toContain("Lina");
    expect(gotFr[0]!.payload.body).toContain("116 000");
    expect(gotFr[0]!.payload.body).toContain("+32 2 475 44 99"); // rule 8: both numbers
    expect(gotFr[0]!.topic).toBe(id.replace(/-/g, ""));
    expect(gotFr[0]!.urgency).toBe("high");
    expect(gotFr[0]!.ttl).toBeGreaterThan(5 * 3600);
    expect((await standin.received(de!.id))[0]!.payload.title).toMatch(/Jahre/);
    // Each language its own texts: the German subscriber reads the German clothing, the French one the French.
    expect((await standin.received(de!.id))[0]!.payload.body).toContain("Roter Regenmantel");
    expect(gotFr[0]!.payload.body).toContain("Imperméable rouge");
    expect(await standin.received(nl!.id)).toHaveLength(0); // Dutch not among the alert's languages
    expect(await standin.received(elsewhere.id)).toHaveLength(0);
    expect(await standin.received(drillOnly.id)).toHaveLength(1); // exercise opt-ins get real alerts too

    // Update: a new version authorised by the magistrate replaces the message (same tag and topic).
    expectOk(await api("PUT", `/alerts/${id}/content`, { content: { ...content, vehicle: { description: inEvery("Black SUV", content.targeting.languages) } } }, as(t.cell)));
    expectOk(await signOff(t.magistrate, id, "authorisation", DECISION));
    await settled(id, ["update"]);
    const afterUpdate = await standin.received(fr!.id);
    expect(afterUpdate).toHaveLength(2);
    expect(afterUpdate[1]!.payload).toMatchObject({ type: "update", tag: id, version: 2 });
    expect(afterUpdate[1]!.payload.body).toContain("Black SUV");
    expect(afterUpdate[1]!.topic).toBe(afterUpdate[0]!.topic);

    // Stop: "found — thank you" replaces it, same tag, no name.
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
    const f = await settled(id, ["stop"]);
    const afterStop = await standin.received(fr!.id);
    expect(afterStop).toHaveLength(3);
    expect(afterStop[2]!.payload).toMatchObject({ type: "stop", tag: id });
    expect(JSON.stringify(afterStop[2]!.payload)).not.toContain("Lina");
    expect(await standin.received(elsewhere.id)).toHaveLength(0);
    expect(f.find((x) => x.event === "alert")!.sent).toBe(3);
  });
});

describe("an extension re-announces the end time", () => {
  it("every subscriber who had the alert gets it again with the new end time in the message and a longer TTL", async () => {
    const s = await citizen({ lang: "en" });
    const id = await liveAlert(t);
    await settled(id, ["alert"]);
    const extended = expectOk(await api("POST", `/alerts/${id}/extend`, undefined, as(t.magistrate))).body;
    await settled(id, ["alert", "update"]);
    const got = (await standin.received(s.id)).filter((m) => m.payload.tag === id);
    expect(got.map((m) => [m.payload.type, m.payload.version])).toEqual([["alert", 1], ["update", 2]]);
    expect(got[1]!.ttl).toBeGreaterThan(got[0]!.ttl + 5 * 3600);
    expect(got[1]!.payload.body).toContain("Alert running until");
    expect((got[1]!.payload as unknown as { endsAt: string }).endsAt).toBe(extended.endsAt);
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
  });
});

describe("push service answers (the rest is in the channel contract suite)", () => {
  it("404/410 prune the subscription row", async () => {
    const gone = await citizen();
    await standin.behave({ id: gone.id, status: 410 });
    const id = await liveAlert(t);
    const f = await settled(id, ["alert"]);
    expect(f.find((x) => x.event === "alert")!.pruned).toBeGreaterThanOrEqual(1);
    const row = await env.DB.prepare("SELECT count(*) AS n FROM subscriptions WHERE endpoint = ?").bind(gone.endpoint).first<{ n: number }>();
    expect(row!.n).toBe(0);
  });
});

describe("SSRF: only push services are ever contacted", () => {
  for (const endpoint of [
    "http://127.0.0.1/push",
    "https://10.0.0.1/push",
    "https://[::1]/push",
    "https://evil.example/push",
    "https://fcm.googleapis.com.evil.example/push",
    "https://user:pw@fcm.googleapis.com/fcm/send/x",
    "http://fcm.googleapis.com/fcm/send/x",
    "https://fcm.googleapis.com:8443/fcm/send/x",
    "file:///etc/passwd",
  ]) {
    it(`refuses ${endpoint} (422 E_PUSH_ENDPOINT)`, async () => {
      const s = await standin.subscribe();
      const res = await api("POST", "/push/subscriptions", { subscription: { endpoint, keys: s.keys }, lang: "fr", regions: ["BE"] }, { ip: "203.0.113.9" });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe("E_PUSH_ENDPOINT");
    });
  }
  it("accepts the real push services", async () => {
    const s = await standin.subscribe();
    for (const endpoint of ["https://fcm.googleapis.com/fcm/send/abc", "https://updates.push.services.mozilla.com/wpush/v2/x", "https://wns2-db5p.notify.windows.com/w/?token=x", "https://web.push.apple.com/Qx"]) {
      const res = await api("POST", "/push/subscriptions", { subscription: { endpoint, keys: s.keys }, lang: "fr", regions: ["BE"] }, { ip: "203.0.113.10" });
      expect(res.status, endpoint).toBe(201);
    }
    await env.DB.prepare("DELETE FROM subscriptions WHERE endpoint NOT LIKE 'https://push.test/%'").run();
  });
});

describe("subscriptions", () => {
  it("subscribe, look up, change preferences, unsubscribe (proof of possession by the auth secret)", async () => {
    const s = await standin.subscribe();
    const body = { subscription: { endpoint: s.endpoint, keys: s.keys }, lang: "nl", regions: ["BE-VAN", "BE-VAN"], exercise: true };
    const first = expectOk(await api("POST", "/push/subscriptions", body, { ip: "192.0.2.200" }), 201);
    const again = expectOk(await api("POST", "/push/subscriptions", { ...body, lang: "de" }, { ip: "192.0.2.200" }), 201);
    // The same answer for a new and a known endpoint.
    expect(first.body).toEqual({ subscribed: true });
    expect(again.body).toEqual({ subscribed: true });
    const look = expectOk(await api("POST", "/push/subscriptions/lookup", { endpoint: s.endpoint, auth: s.keys.auth }, { ip: "192.0.2.200" }));
    expect(look.body).toMatchObject({ lang: "de", regions: ["BE-VAN"], exercise: true });
    expect((await api("POST", "/push/subscriptions/delete", { endpoint: s.endpoint, auth: "wrong" }, { ip: "192.0.2.200" })).status).toBe(404);
    expect((await api("POST", "/push/subscriptions/delete", { endpoint: s.endpoint, auth: s.keys.auth }, { ip: "192.0.2.200" })).status).toBe(204);
    expect((await api("POST", "/push/subscriptions/lookup", { endpoint: s.endpoint, auth: s.keys.auth }, { ip: "192.0.2.200" })).status).toBe(404);
  });

  it("knowing an endpoint does not let anyone change it: keys and preferences change only with its current auth secret", async () => {
    const s = await standin.subscribe();
    const body = { subscription: { endpoint: s.endpoint, keys: s.keys }, lang: "fr", regions: ["BE-WNA"], exercise: false };
    expectOk(await api("POST", "/push/subscriptions", body, { ip: "192.0.2.210" }), 201);
    // An attacker who learnt the endpoint sends their own keys and other preferences: same answer, nothing changes.
    const attacker = await standin.subscribe();
    const hijack = await api("POST", "/push/subscriptions", { subscription: { endpoint: s.endpoint, keys: attacker.keys }, lang: "en", regions: ["LU"], exercise: true }, { ip: "192.0.2.211" });
    expect(hijack.status).toBe(201);
    expect(hijack.body).toEqual({ subscribed: true });
    const guess = await api("POST", "/push/subscriptions", { subscription: { endpoint: s.endpoint, keys: attacker.keys }, currentAuth: attacker.keys.auth, lang: "en", regions: ["LU"] }, { ip: "192.0.2.211" });
    expect(guess.status).toBe(201);
    const look = expectOk(await api("POST", "/push/subscriptions/lookup", { endpoint: s.endpoint, auth: s.keys.auth }, { ip: "192.0.2.210" }));
    expect(look.body).toMatchObject({ lang: "fr", regions: ["BE-WNA"], exercise: false });
    expect((await api("POST", "/push/subscriptions/lookup", { endpoint: s.endpoint, auth: attacker.keys.auth }, { ip: "192.0.2.211" })).status).toBe(404);
    // The owner's browser got new keys: the current auth secret moves the subscription to them.
    const renewed = await standin.subscribe();
    expectOk(await api("POST", "/push/subscriptions", { subscription: { endpoint: s.endpoint, keys: renewed.keys }, currentAuth: s.keys.auth, lang: "nl", regions: ["BE-VAN"] }, { ip: "192.0.2.210" }), 201);
    expect(expectOk(await api("POST", "/push/subscriptions/lookup", { endpoint: s.endpoint, auth: renewed.keys.auth }, { ip: "192.0.2.210" })).body).toMatchObject({ lang: "nl", regions: ["BE-VAN"] });
  });

  it("refuses a p256dh that is not a P-256 point at subscription (not five failed sends per alert later)", async () => {
    const s = await standin.subscribe();
    const bad = new Uint8Array(65);
    bad[0] = 4; // uncompressed-point prefix, but (0, 0) is not on the curve
    const p256dh = btoa(String.fromCharCode(...bad)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const res = await api("POST", "/push/subscriptions", { subscription: { endpoint: s.endpoint, keys: { p256dh, auth: s.keys.auth } }, lang: "fr", regions: ["BE"] }, { ip: "192.0.2.212" });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: "subscription.keys.p256dh", message: expect.stringMatching(/P-256/) }]);
    expect((await api("POST", "/push/subscriptions/lookup", { endpoint: s.endpoint, auth: s.keys.auth }, { ip: "192.0.2.212" })).status).toBe(404);
  });

  it("refuses malformed keys", async () => {
    const res = await api("POST", "/push/subscriptions", { subscription: { endpoint: "https://fcm.googleapis.com/x", keys: { p256dh: "AAAA", auth: "BBBB" } }, lang: "fr", regions: ["BE"] }, { ip: "192.0.2.201" });
    expect(res.status).toBe(400);
  });

  it("serves the VAPID public key", async () => {
    expect(expectOk(await api("GET", "/push/key")).body.publicKey).toBe(env.VAPID_PUBLIC_KEY);
  });
});

describe("push payload", () => {
  it("carries 116 000 and +32 2 475 44 99 in every language (rule 8), and neither when the operator left them out", () => {
    const content = AlertContent.parse(makeContent());
    for (const lang of LANGUAGES) {
      const on = toPushPayload({ event: "alert", alertId: crypto.randomUUID(), version: 1, exercise: false, lang, content, origin: "https://a.example", endsAt: null });
      expect(on.body).toContain("116 000");
      expect(on.body).toContain("+32 2 475 44 99");
      expect(on.call).toBe("tel:116000");
      const off = toPushPayload({ event: "alert", alertId: crypto.randomUUID(), version: 1, exercise: false, lang, content: { ...content, showHotline: false }, origin: "https://a.example", endsAt: null });
      expect(off.body).not.toMatch(/116 000|475 44 99/);
      expect(off.call).toBeUndefined();
    }
  });

  it("stays under 4 KB encrypted in every language with the longest texts", () => {
    const long = AlertContent.parse({
      ...makeContent(),
      child: { firstName: "Marie-Antoinette-Géraldine", lastName: "Wiśniewska-Van den Broeck", age: 17, description: inEvery("x".repeat(600)), clothing: inEvery("y".repeat(400)), photos: [] },
      lastSeen: { place: inEvery("p".repeat(200)), at: "2026-11-23T06:45:00+01:00" },
      vehicle: { description: inEvery("v".repeat(200)), plate: "1-ABC-123" },
      accompanyingPerson: { description: inEvery("a".repeat(600)) },
    });
    for (const lang of LANGUAGES) {
      for (const event of ["alert", "update", "stop"] as const) {
        const p = toPushPayload({ event, alertId: crypto.randomUUID(), version: 12, exercise: true, lang, content: long, stopReason: "found_safe", origin: "https://alert.example.org", posterUrl: "https://alert.example.org/x.png", endsAt: new Date().toISOString() });
        expect(encodePayload(p).length).toBeLessThan(3993);
      }
    }
  });
});
