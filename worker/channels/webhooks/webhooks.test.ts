// Partners' webhooks beyond the shared contract: the registry's rules (key shown once and
// hashed, https public targets only), rule 13 by the webhook route, the delivery log, a
// receiver that fails then recovers gets every event once and in order, and a webhook
// that keeps failing is switched off with the operators told.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { sha256Hex } from "../../domain/index.ts";
import { api, as, DECISION, expectOk, liveAlert, makeContent, makeStaff, makeTeam, signOff, type Staff, type Team } from "../../test/helpers.ts";
import { partnerWithWebhook } from "../../test/standins/webhooks.ts";
import { WEBHOOK_DISABLE_AFTER } from "./channel.ts";
import { targetPolicy, webhookTargetRefusal } from "./targets.ts";

let t: Team;
let admin: Staff;
beforeAll(async () => {
  t = await makeTeam();
  admin = await makeStaff("admin");
});

type Got = { id: string; type: string; version: number; event: string; webhookId: string; duplicate: boolean; data: Record<string, unknown> };
const received = async (alertId: string, hook: string) => ((await (await fetch(`https://hooks.test/__messages?alert=${alertId}`)).json()) as Got[]).filter((m) => m.id === hook);
async function until<T>(what: string, f: () => Promise<T | false | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const stop = async (id: string) => expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));

describe("the partner registry", () => {
  it("shows the API key once and stores only its hash; rotation replaces it; a revoked partner gets nothing", async () => {
    const res = expectOk(await api("POST", "/admin/partners", { name: "Le Quotidien", domains: ["www.quotidien.example.be"], country: "be", languages: ["fr", "nl"] }, as(admin)), 201);
    const { partner, apiKey, webhookSecret } = res.body;
    expect(apiKey).toMatch(/^cap_[A-Za-z0-9_-]{40,}$/);
    expect(webhookSecret).toBeNull();
    expect(partner.country).toBe("BE");
    expect(partner.personalData).toBe(true);
    const row = (await env.DB.prepare("SELECT * FROM partners WHERE id = ?").bind(partner.id).first<Record<string, unknown>>())!;
    expect(JSON.stringify(row)).not.toContain(apiKey);
    expect(row.key_hash).toBe(await sha256Hex(apiKey));
    const listed = expectOk(await api("GET", "/admin/partners", undefined, as(t.operator))).body.partners.find((p: { id: string }) => p.id === partner.id);
    expect(JSON.stringify(listed)).not.toContain(apiKey);
    expect(listed.keyPrefix).toBe(apiKey.slice(0, 10));
    const rotated = expectOk(await api("POST", `/admin/partners/${partner.id}/key`, undefined, as(admin))).body.apiKey;
    expect(rotated).not.toBe(apiKey);
    expect((await env.DB.prepare("SELECT key_hash FROM partners WHERE id = ?").bind(partner.id).first<{ key_hash: string }>())!.key_hash).toBe(await sha256Hex(rotated));
    expectOk(await api("POST", `/admin/partners/${partner.id}/revoke`, undefined, as(admin)), 204);
    expect((await api("POST", `/admin/partners/${partner.id}/key`, undefined, as(admin))).body.code).toBe("E_CONFLICT");
  });

  it("refuses webhook targets that are not public https hosts (outside test mode), with a field error and nothing written", async () => {
    const prod = targetPolicy({ ENVIRONMENT: "production", WEBHOOK_EXTRA_HOSTS: "hooks.test" });
    for (const bad of ["http://news.example.be/hook", "https://127.0.0.1/hook", "https://10.0.0.8/hook", "https://[::1]/hook", "https://169.254.169.254/latest", "https://localhost/hook", "https://printer.local/hook", "https://db.internal/x", "https://user:pw@news.example.be/", "https://news.example.be:8443/", "https://hooks.test/hook/x"]) {
      expect(webhookTargetRefusal(bad, prod), bad).not.toBeNull();
    }
    expect(webhookTargetRefusal("https://hooks.news.example.be/child-alert", prod)).toBeNull();
    const before = (await env.DB.prepare("SELECT count(*) AS n FROM partners").first<{ n: number }>())!.n;
    const res = await api("POST", "/admin/partners", { name: "Bad", domains: ["bad.example.be"], country: "BE", languages: ["fr"], webhookUrl: "https://10.1.2.3/hook" }, as(admin));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("E_VALIDATION");
    expect(res.body.errors[0].path).toBe("webhookUrl");
    expect((await env.DB.prepare("SELECT count(*) AS n FROM partners").first<{ n: number }>())!.n).toBe(before);
  });
});

describe("webhook deliveries", () => {
  it("rule 13: a partner in a country without adequate protection gets only 'an alert is in progress'; an EU partner gets the child's data", async () => {
    const eu = await partnerWithWebhook({ country: "NL", regions: ["BE"] }, "NL paper");
    const far = await partnerWithWebhook({ country: "BR", regions: ["BE"] }, "BR paper");
    const id = await liveAlert(t, makeContent({ child: { ...makeContent().child, firstName: "Rosalie" } }));
    const [euGot] = await until("the EU partner's delivery", async () => ((await received(id, eu.hook)).length ? received(id, eu.hook) : false));
    const [farGot] = await until("the far partner's delivery", async () => ((await received(id, far.hook)).length ? received(id, far.hook) : false));
    expect(euGot!.event).toBe("alert.launched");
    expect(JSON.stringify(euGot!.data)).toContain("Rosalie");
    expect(farGot!.event).toBe("alert.launched");
    expect(JSON.stringify(farGot!.data)).not.toContain("Rosalie");
    expect(JSON.stringify(farGot!.data)).not.toContain("poster");
    expect(farGot!.data.url).toBe(`${env.APP_ORIGIN}/alert/${id}?lang=fr`);
    expect(farGot!.data.message).toMatch(/Child Alert/);
    await stop(id);
    const stops = await until("the stop", async () => ((await received(id, far.hook)).some((m) => m.type === "stop") ? received(id, far.hook) : false));
    expect(stops.map((m) => m.event)).toEqual(["alert.launched", "alert.stopped"]);
    // The log says what went where, without the child's data.
    const log = expectOk(await api("GET", `/admin/partners/${far.partnerId}/deliveries`, undefined, as(admin))).body.deliveries;
    expect(log.map((d: { type: string; outcome: string }) => `${d.type}:${d.outcome}`).sort()).toEqual(["alert.launched:sent", "alert.stopped:sent"]);
  });

  it("a receiver that fails, then recovers, gets every event once, in order, with one webhook-id per event", { timeout: 90_000 }, async () => {
    const p = await partnerWithWebhook({}, "Flaky");
    await fetch("https://hooks.test/__behaviour", { method: "POST", body: JSON.stringify({ id: p.hook, status: 503, retryAfter: 0, times: 2 }) });
    const id = await liveAlert(t);
    await until("the launch after two failures", async () => (await received(id, p.hook)).length === 1);
    expectOk(await api("PUT", `/alerts/${id}/content`, { content: makeContent({ circumstances: "Seen near the station." }) }, as(t.cell)));
    expectOk(await signOff(t.magistrate, id, "authorisation", DECISION));
    await until("the update", async () => (await received(id, p.hook)).length === 2);
    await stop(id);
    const got = await until("the stop", async () => ((await received(id, p.hook)).length === 3 ? received(id, p.hook) : false));
    expect(got.map((m) => m.event)).toEqual(["alert.launched", "alert.updated", "alert.stopped"]);
    expect(got.some((m) => m.duplicate)).toBe(false);
    expect(new Set(got.map((m) => m.webhookId)).size).toBe(3);
    const log = expectOk(await api("GET", `/admin/partners/${p.partnerId}/deliveries`, undefined, as(admin))).body.deliveries as { type: string; outcome: string; status: number | null }[];
    expect(log.filter((d) => d.outcome === "retry").map((d) => d.status)).toEqual([503, 503]);
  });

  it("a receiver down while an update overtakes the launch gets the newest state, and the delivery log records what was in fact delivered", { timeout: 90_000 }, async () => {
    const p = await partnerWithWebhook({}, "Down at the launch");
    await fetch("https://hooks.test/__behaviour", { method: "POST", body: JSON.stringify({ id: p.hook, status: 503, retryAfter: 3, times: 2 }) });
    const id = await liveAlert(t);
    // Within seconds of the launch, while the partner is still failing, a new version is published.
    expectOk(await api("PUT", `/alerts/${id}/content`, { content: makeContent({ circumstances: "Seen near the station." }) }, as(t.cell)));
    expectOk(await signOff(t.magistrate, id, "authorisation", DECISION));
    const got = await until("the newest state", async () => {
      const r = await received(id, p.hook);
      return r.some((m) => m.event === "alert.updated") && r;
    });
    // What the receiver accepted: the update (version 2); the outdated launch is not sent after it.
    expect(got.at(-1)!.event).toBe("alert.updated");
    expect(got.at(-1)!.version).toBe(2);
    const log = expectOk(await api("GET", `/admin/partners/${p.partnerId}/deliveries`, undefined, as(admin))).body.deliveries as { type: string; version: number; outcome: string; status: number | null }[];
    // Every "sent" line is a message the receiver accepted — same event, same version — and the other way round.
    const sentLines = log.filter((d) => d.outcome === "sent").map((d) => `${d.type} v${d.version}`).sort();
    expect(sentLines).toEqual(got.map((m) => `${m.event} v${m.version}`).sort());
    expect(log.filter((d) => d.outcome === "retry").map((d) => d.status)).toEqual([503, 503]);
  });

  it(`a webhook failing ${WEBHOOK_DISABLE_AFTER} times in a row is switched off and the operators are told; the admin switches it on again`, { timeout: 90_000 }, async () => {
    const p = await partnerWithWebhook({}, "Broken");
    await fetch("https://hooks.test/__behaviour", { method: "POST", body: JSON.stringify({ id: p.hook, status: 400 }) });
    for (let i = 0; i < WEBHOOK_DISABLE_AFTER; i++) {
      const id = await liveAlert(t);
      await until(`failure ${i + 1}`, async () => (await env.DB.prepare("SELECT webhook_failures AS n, webhook_disabled_at AS d FROM partners WHERE id = ?").bind(p.partnerId).first<{ n: number; d: string | null }>())!.n >= i + 1);
      await stop(id);
    }
    const listed = expectOk(await api("GET", "/admin/partners", undefined, as(admin))).body.partners.find((x: { id: string }) => x.id === p.partnerId);
    expect(listed.webhook).toBe("disabled");
    const audit = await env.DB.prepare("SELECT count(*) AS n FROM audit_entries WHERE action = 'partner_webhook_disabled' AND details LIKE ?").bind(`%${p.partnerId}%`).first<{ n: number }>();
    expect(audit!.n).toBe(1);
    // The operators find it in their inbox (and by e-mail).
    const inbox = expectOk(await api("GET", "/inbox", undefined, as(t.operator))).body.items as { event: string }[];
    expect(inbox.filter((n) => n.event === "partner_webhook_off")).toHaveLength(1);
    // Switched off: the next alert sends it nothing.
    const next = await liveAlert(t);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await received(next, p.hook)).toEqual([]);
    await stop(next);
    const on = expectOk(await api("PATCH", `/admin/partners/${p.partnerId}`, { webhookEnabled: true }, as(admin))).body.partner;
    expect(on.webhook).toBe("on");
    expect(on.webhookFailures).toBe(0);
  });
});

describe("a partner's own feed", () => {
  const feedWith = async (key: string | null) => {
    const { exports } = await import("cloudflare:workers");
    const res = await exports.default.fetch(new Request("http://localhost:8787/api/v1/feeds/partner.json", { headers: key ? { Authorization: `Bearer ${key}` } : {} }));
    return { status: res.status, body: (await res.json()) as { alerts: Record<string, unknown>[]; code?: string } };
  };
  const register = async (body: Record<string, unknown>) => expectOk(await api("POST", "/admin/partners", { domains: ["www.krant.be"], ...body }, as(admin)), 201).body;

  it("its regions, languages and exercise choice; rule 13 for a partner abroad; a key is needed", async () => {
    const antwerp = await register({ name: "Gazet", country: "BE", languages: ["nl"], regions: ["BE-VAN"] });
    const liege = await register({ name: "Gazette", country: "BE", languages: ["fr"], regions: ["BE-WLG"] });
    const far = await register({ name: "Far", country: "BR", languages: ["nl"], regions: ["BE"] });
    const id = await liveAlert(t, makeContent({ child: { ...makeContent().child, firstName: "Juultje" }, targeting: { regions: ["BE-VAN"], languages: ["nl", "fr"] } }));

    const mine = (await feedWith(antwerp.apiKey)).body.alerts.find((a) => a.id === id)!;
    expect(mine.personalData).toBe(true);
    expect(Object.keys(mine.texts as object)).toEqual(["nl"]);
    expect(JSON.stringify(mine)).toContain("Juultje");
    expect((await feedWith(liege.apiKey)).body.alerts.find((a) => a.id === id)).toBeUndefined(); // not its region
    const abroad = (await feedWith(far.apiKey)).body.alerts.find((a) => a.id === id)!;
    expect(abroad.personalData).toBe(false);
    expect(JSON.stringify(abroad)).not.toContain("Juultje");
    expect(JSON.stringify(abroad)).not.toContain("poster");
    expect(abroad.url).toBe(`${env.APP_ORIGIN}/alert/${id}?lang=nl`);

    expect((await feedWith(null)).status).toBe(401);
    expect((await feedWith("cap_" + "x".repeat(43))).status).toBe(401);
    expectOk(await api("POST", `/admin/partners/${antwerp.partner.id}/revoke`, undefined, as(admin)), 204);
    expect((await feedWith(antwerp.apiKey)).status).toBe(401);
    await stop(id);
  });
});
