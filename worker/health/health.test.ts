// Channel health (issue 27), from the outside: each check of each channel's far side turns
// red when its stand-in refuses (the network's own error, the relay refusing AUTH, a
// partner's last delivery failing, a VAPID key pair that does not match) and green again
// when it accepts; a change of colour tells the operator and the admin once (inbox and
// e-mail), a check that stays red does not tell them again.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { makeDb } from "../db/client.ts";
import { recordWebhookOutcomes } from "../db/partners.ts";
import { SOCIAL_NETWORKS } from "../domain/social.ts";
import { generateVapidKeys } from "../channels/push/webpush.ts";
import { addAccount, SOCIAL_CONTROL } from "../test/standins/social.ts";
import { partnerWithWebhook } from "../test/standins/webhooks.ts";
import { api, as, expectOk, makeTeam, type Staff, type Team } from "../test/helpers.ts";
import { checkHealth } from "./checks.ts";

let t: Team;
beforeAll(async () => {
  t = await makeTeam();
});

type Readiness = { channels: { channel: string; status: string; checks: { target: string; label: string; status: string; detail: string | null }[] }[] };
const checkNow = async (who: Staff = t.operator, channels?: string[]) => expectOk(await api("POST", "/readiness/check", channels ? { channels } : {}, as(who))).body as Readiness;
const channel = (r: Readiness, name: string) => r.channels.find((c) => c.channel === name)!;
const check = (r: Readiness, name: string, target: string) => channel(r, name).checks.find((c) => c.target === target)!;
const SMTP_CONTROL = "https://smtp.test";
const inboxEvents = async (who: Staff) => (expectOk(await api("GET", "/inbox", undefined, as(who))).body.items as { event: string; alertId: string }[]);

describe("channel health", () => {
  it("every social account's credentials: red when the network refuses them, green when it accepts them again; the operator and the admin are told once each way", async () => {
    const ids = Object.fromEntries(await Promise.all(SOCIAL_NETWORKS.map(async (n) => [n, await addAccount(n)] as const)));
    let r = await checkNow();
    for (const n of SOCIAL_NETWORKS) {
      expect(check(r, n, ids[n]!).status, `${n}: ${check(r, n, ids[n]!).detail}`).toBe("ok");
      expect(check(r, n, ids[n]!).detail).toMatch(/^credentials accepted as /);
      expect(channel(r, n).status).toBe("ok");
    }
    // Each network answers the next call of its account as it does for revoked or expired credentials.
    for (const n of SOCIAL_NETWORKS) await fetch(`${SOCIAL_CONTROL}/__behaviour`, { method: "POST", body: JSON.stringify({ id: ids[n], status: 401, times: 1 }) });
    r = await checkNow(t.admin);
    for (const n of SOCIAL_NETWORKS) {
      expect(check(r, n, ids[n]!).status, n).toBe("failing");
      expect(check(r, n, ids[n]!).detail, n).toMatch(new RegExp(`^${n} `));
      expect(channel(r, n).status).toBe("failing");
    }
    const red = (await inboxEvents(t.operator)).filter((i) => i.event === "channel_unhealthy");
    expect(red).toHaveLength(SOCIAL_NETWORKS.length);
    expect((await inboxEvents(t.admin)).filter((i) => i.event === "channel_unhealthy")).toHaveLength(SOCIAL_NETWORKS.length);
    // Not for those who do not run the channels.
    expect((await inboxEvents(t.investigator)).some((i) => i.event.startsWith("channel_"))).toBe(false);

    // Still red at the next check (the cron's): nobody is told again. Then green: told once more, same incident.
    for (const n of SOCIAL_NETWORKS) await fetch(`${SOCIAL_CONTROL}/__behaviour`, { method: "POST", body: JSON.stringify({ id: ids[n], status: 401, times: 1 }) });
    await checkHealth(env);
    expect((await inboxEvents(t.operator)).filter((i) => i.event === "channel_unhealthy")).toHaveLength(SOCIAL_NETWORKS.length);
    r = await checkNow();
    for (const n of SOCIAL_NETWORKS) expect(check(r, n, ids[n]!).status, n).toBe("ok");
    const green = (await inboxEvents(t.operator)).filter((i) => i.event === "channel_healthy");
    expect(green.map((g) => g.alertId).sort()).toEqual(red.map((x) => x.alertId).sort());

    // …and by e-mail, saying which channel and what it answered.
    const mailed = async () => (await (await fetch(`${SMTP_CONTROL}/__messages?to=${encodeURIComponent(t.admin.email)}`)).json()) as { subject: string; text: string }[];
    for (let i = 0; i < 100 && (await mailed()).filter((m) => /a channel's check is red/.test(m.subject)).length < SOCIAL_NETWORKS.length; i++) await new Promise((res) => setTimeout(res, 100));
    const mails = (await mailed()).filter((m) => /a channel's check is red/.test(m.subject));
    expect(mails.map((m) => /— (\w+) \(/.exec(m.subject)?.[1]).sort()).toEqual([...SOCIAL_NETWORKS].sort());
    for (const m of mails) expect(m.text, m.text).toMatch(/Answer \/ Réponse \/ Antwoord \/ Antwort: \w+ .*\b40[13]\b/);
  });

  it("the e-mail relay: red when it refuses our AUTH, green with the right password", async () => {
    const tls = JSON.parse((env as unknown as { TEST_SMTP_TLS: string }).TEST_SMTP_TLS) as { trusted: boolean; implicitPort: number };
    expect(tls.trusted, "run through `npm test` or `npm run test:worker`: they make the test CA that workerd trusts").toBe(true);
    const relay = { SMTP_HOST: "127.0.0.1", SMTP_PORT: String(tls.implicitPort), SMTP_SECURITY: "tls", SMTP_USER: "relay" };
    let rows = await checkHealth({ ...env, ...relay, SMTP_PASS: "wrong-password" }, new Date(), ["email"]);
    const row = () => rows.find((x) => x.channel === "email" && x.target === "relay")!;
    expect(row().status).toBe("failing");
    expect(row().detail).toMatch(/EAUTH 535/);
    expect(row().detail).not.toContain("wrong-password");
    rows = await checkHealth({ ...env, ...relay, SMTP_PASS: "secret" }, new Date(), ["email"]);
    expect(row().status).toBe("ok");
    expect(row().detail).toBe("session opened (TLS), AUTH accepted");
    // Unset: off (not configured), not red.
    rows = await checkHealth({ ...env, SMTP_HOST: "" }, new Date(), ["email"]);
    expect(rows.filter((x) => x.channel === "email").map((x) => [x.target, x.status])).toEqual([["channel", "off"]]);
  });

  it("web push: red when the private key does not match the public key browsers subscribed with", async () => {
    const other = await generateVapidKeys("mailto:ops@child-alert.test");
    let rows = await checkHealth({ ...env, VAPID_PRIVATE_KEY: other.privateKey }, new Date(), ["push"]);
    expect(rows.find((x) => x.channel === "push")!.status).toBe("failing");
    expect(rows.find((x) => x.channel === "push")!.detail).toMatch(/^the private key does not match the public key/);
    rows = await checkHealth({ ...env, VAPID_SUBJECT: "ops@child-alert.test" }, new Date(), ["push"]);
    expect(rows.find((x) => x.channel === "push")!.detail).toMatch(/mailto: or https:/);
    rows = await checkHealth(env, new Date(), ["push"]);
    expect(rows.find((x) => x.channel === "push")!).toMatchObject({ target: "vapid", status: "ok" });
  });

  it("a partner's webhook: red when its last delivery failed or it was switched off, green once one is delivered", async () => {
    const { partnerId } = await partnerWithWebhook({}, "Le Soir");
    let r = await checkNow(t.cell, ["webhooks"]);
    expect(check(r, "webhooks", partnerId)).toMatchObject({ status: "ok", label: "Le Soir", detail: "no delivery yet" });
    const db = makeDb(env.DB);
    const delivery = (outcome: string, status: number | null) => ({ partnerId, alertId: crypto.randomUUID(), type: "alert.launched", version: 1, outcome, status, detail: status ? String(status) : null });
    await recordWebhookOutcomes(db, [delivery("retry", 503)], 10, new Date());
    r = await checkNow(t.cell, ["webhooks"]);
    expect(check(r, "webhooks", partnerId).status).toBe("failing");
    expect(check(r, "webhooks", partnerId).detail).toMatch(/^last delivery retry \(503\)/);
    await recordWebhookOutcomes(db, [delivery("sent", 200)], 10, new Date(Date.now() + 1000));
    r = await checkNow(t.cell, ["webhooks"]);
    expect(check(r, "webhooks", partnerId).status).toBe("ok");
  });

  it("only those who run or authorise the channels read it; only those who run them ask for a check", async () => {
    expect((await api("GET", "/readiness", undefined, as(t.magistrate))).status).toBe(200);
    for (const who of [t.investigator, t.counsellor, t.calltaker]) expect((await api("GET", "/readiness", undefined, as(who))).status).toBe(403);
    expect((await api("POST", "/readiness/check", {}, as(t.magistrate))).status).toBe(403);
    expect((await api("GET", "/readiness")).status).toBe(401);
    expect((await api("POST", "/readiness/check", { channels: ["fax"] }, as(t.operator))).status).toBe(400);
  });
});
