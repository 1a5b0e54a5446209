// Issue 23, item 7, written as the attacker's steps: webhook URLs that reach this machine
// or a metadata service by another spelling, a production config pointed at another API
// host, and a flood from one IPv6 /64 using a fresh address per request.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { targetPolicy, webhookTargetRefusal } from "../channels/webhooks/targets.ts";
import { openWebhookSecret } from "../channels/webhooks/secrets.ts";
import { xApiOrigin } from "../channels/social/x/client.ts";
import { graphOrigin } from "../channels/social/facebook/client.ts";
import { telegramOrigin } from "../channels/social/telegram/client.ts";
import { telephonyApiOrigin } from "../intake/recordings.ts";
import { turnstileOrigin } from "../intake/turnstile.ts";
import { api, liveAlert, makeStaff, makeTeam, type Team } from "../test/helpers.ts";
import { clientKey } from "./http.ts";

let t: Team;
beforeAll(async () => {
  t = await makeTeam();
});

describe("webhook targets: every spelling of a private or local host is refused", () => {
  const prod = targetPolicy({ ENVIRONMENT: "production" });
  const forms = [
    "https://localhost./hook", // a fully qualified name with its trailing dot
    "https://LOCALHOST/hook",
    "https://api.localhost./hook",
    "https://2130706433/hook", // 127.0.0.1 in decimal
    "https://0x7f.1/hook", // in hex, shortened
    "https://0177.0.0.1/hook", // in octal
    "https://127.1/hook",
    "https://0/hook", // 0.0.0.0
    "https://[::1]/hook",
    "https://[::ffff:127.0.0.1]/hook", // IPv4-mapped IPv6
    "https://[fe80::1]/hook", // link-local
    "https://[fd00::1]/hook", // unique local
    "https://169.254.169.254/latest/meta-data", // the metadata service
    "https://metadata.google.internal./computeMetadata/v1/",
    "https://metadata.goog/",
    "https://10.0.0.1./hook",
    "https://192.168.1.1/hook",
    "https://printer.local./hook",
    "https://router.home.arpa/hook",
    "https://1.0.0.127.in-addr.arpa/hook",
  ];
  for (const url of forms) {
    it(`refuses ${url}`, () => expect(webhookTargetRefusal(url, prod), url).not.toBeNull());
  }
  it("a public https host still passes, with or without its trailing dot", () => {
    expect(webhookTargetRefusal("https://hooks.news.example.be/child-alert", prod)).toBeNull();
    expect(webhookTargetRefusal("https://hooks.news.example.be./child-alert", prod)).toBeNull();
  });
  it("registering such a target through the API is refused with a field error", async () => {
    const admin = await makeStaff("admin");
    const res = await api("POST", "/admin/partners", { name: "Sly", domains: ["sly.example.be"], country: "BE", languages: ["fr"], webhookUrl: "https://localhost./hook" }, { cookie: admin.cookie, ip: admin.ip });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe("webhookUrl");
  });
});

describe("webhook signing secrets are sealed like the social credentials", () => {
  it("D1 holds no secret in clear; the sealed value opens only for its own partner", async () => {
    const admin = await makeStaff("admin");
    const res = await api("POST", "/admin/partners", { name: "Sealed News", domains: ["sealed.example.be"], country: "BE", languages: ["fr"], webhookUrl: "https://hooks.test/hook/sealed" }, { cookie: admin.cookie, ip: admin.ip });
    expect(res.status).toBe(201);
    const secret = res.body.webhookSecret as string;
    expect(secret).toMatch(/^whsec_/);
    const row = (await env.DB.prepare("SELECT * FROM partners WHERE id = ?").bind(res.body.partner.id).first<Record<string, string>>())!;
    expect(JSON.stringify(row)).not.toContain(secret.slice(6));
    expect(row.webhook_secret).toMatch(/^sealed:v1:/);
    expect(await openWebhookSecret(env, res.body.partner.id, row.webhook_secret!)).toBe(secret);
    await expect(openWebhookSecret(env, crypto.randomUUID(), row.webhook_secret!)).rejects.toThrow();
  });
});

describe("the outside APIs we send credentials to are fixed outside local and test", () => {
  it("a production config pointed at another host still talks to the official APIs", () => {
    const hijacked = {
      ...env,
      ENVIRONMENT: "production",
      X_API_ORIGIN: "https://evil.example",
      FACEBOOK_GRAPH_ORIGIN: "https://evil.example",
      TELEGRAM_API_ORIGIN: "https://evil.example",
      TURNSTILE_ORIGIN: "https://evil.example",
      TELEPHONY_API_ORIGIN: "https://evil.example",
    };
    expect([xApiOrigin(hijacked), graphOrigin(hijacked), telegramOrigin(hijacked), turnstileOrigin(hijacked), telephonyApiOrigin(hijacked)]).toEqual([
      "https://api.x.com",
      "https://graph.facebook.com",
      "https://api.telegram.org",
      "https://challenges.cloudflare.com",
      "https://api.twilio.com",
    ]);
    // In tests, the stand-ins.
    expect(xApiOrigin(env)).toBe("https://x.test");
  });
});

describe("public rate limits key an IPv6 client by its /64", () => {
  it("the /64 of every IPv6 spelling is the same key; IPv4 stays whole", () => {
    const key = "2001:db8:1:2::/64";
    for (const ip of ["2001:db8:1:2::1", "2001:0db8:0001:0002:ffff:ffff:ffff:ffff", "2001:DB8:1:2:0:0:0:9", "2001:db8:1:2:aaaa::"]) expect(clientKey(ip), ip).toBe(key);
    expect(clientKey("2001:db8:1:3::1")).toBe("2001:db8:1:3::/64");
    expect(clientKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(clientKey("::1")).toBe("0:0:0:0::/64");
    expect(clientKey("203.0.113.9")).toBe("203.0.113.9");
  });

  it("a flood of tips from one /64, a fresh address each time, is throttled; another /64 gets through", async () => {
    const id = await liveAlert(t);
    const tip = (i: number) => ({ text: `rotating flood ${i} lorem`, anonymous: true, turnstileToken: "XXXX.DUMMY.TOKEN.XXXX" });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await api("POST", `/alerts/${id}/tips/web`, tip(i), { ip: `2001:db8:aa:bb:${(i + 1).toString(16)}::${i + 7}` })).status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    expect((await api("POST", `/alerts/${id}/tips/web`, tip(99), { ip: "2001:db8:aa:cc::1" })).status).toBe(201);
  });
});
