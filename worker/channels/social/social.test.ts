// The social channels beyond the shared contract: the composers (every network, every
// language: limits, alt text, the EXERCISE marking, no name after the stop), the
// publish → update → retract cycle on each network as it works there (edit in place, or
// a new post and the old one deleted), a post a network refuses to delete listed to the
// operator with its link and a working "try again", a slow network not holding back
// the others, and the accounts' credentials never shown or stored in clear.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { AlertContent, LANGUAGES, type Language } from "../../domain/index.ts";
import { api, as, DECISION, expectOk, liveAlert, makeContent, makeStaff, makeTeam, settledFanouts, signOff, type Staff, type Team } from "../../test/helpers.ts";
import type { Broadcast } from "../channel.ts";
import { BLUESKY_LIMITS, composeBluesky } from "./bluesky/compose.ts";
import { FACEBOOK_LIMITS, composeFacebook } from "./facebook/compose.ts";
import { MASTODON_LIMITS, composeMastodon } from "./mastodon/compose.ts";
import { addAccount, SOCIAL_CONTROL, standInMessages, standInPosts } from "../../test/standins/social.ts";
import { TELEGRAM_LIMITS, composeTelegram } from "./telegram/compose.ts";
import { X_LIMITS, composeX, xWeightedLength } from "./x/compose.ts";
import { oauth1Signature } from "./x/oauth1.ts";
import type { SocialMessage, TextLimits } from "./compose.ts";

const NETWORKS = [
  { name: "mastodon", compose: composeMastodon, limits: MASTODON_LIMITS, edits: true },
  { name: "bluesky", compose: composeBluesky, limits: BLUESKY_LIMITS, edits: false },
  { name: "x", compose: composeX, limits: X_LIMITS, edits: false },
  { name: "facebook", compose: composeFacebook, limits: FACEBOOK_LIMITS, edits: false },
  { name: "telegram", compose: composeTelegram, limits: TELEGRAM_LIMITS, edits: true },
] as const satisfies readonly { name: string; compose: (b: Broadcast, l: Language) => SocialMessage; limits: TextLimits; edits: boolean }[];

const broadcast = (over: Partial<Broadcast> = {}, content = makeContent()): Broadcast => ({
  alertId: "6f1c2a9e-8d7b-4c3a-9e1f-2b3c4d5e6f70",
  broadcastId: crypto.randomUUID(),
  event: "alert",
  version: 1,
  versionId: crypto.randomUUID(),
  exercise: false,
  origin: "https://alert.example.org",
  endsAt: "2026-11-24T07:30:00Z",
  content: AlertContent.parse(content),
  ...over,
});

describe("the composers", () => {
  const long = "Très longue description, avec beaucoup de détails utiles ".repeat(10);
  for (const n of NETWORKS) {
    it(`${n.name}: within the limit in every language, with the link, the numbers and the alt text; EXERCISE marked; nothing about the child after the stop`, () => {
      for (const lang of LANGUAGES) {
        const longOne = broadcast({}, makeContent({ child: { description: long, clothing: long.slice(0, 390) } }));
        for (const b of [broadcast(), broadcast({ version: 3 }), longOne, broadcast({ exercise: true })]) {
          const m = n.compose(b, lang);
          expect(n.limits.length(m.text), `${n.name} ${lang}`).toBeLessThanOrEqual(n.limits.max);
          expect(m.link).toBe(`${b.origin}/alert/${b.alertId}?lang=${lang}&v=${b.version}`);
          if (n.limits.linkText) expect(m.text).toContain(n.limits.linkText(m.link));
          else expect(m.text).toContain(m.link);
          expect(m.text).toContain("116 000");
          expect(m.text).toContain("Lina Exemple");
          // Issue 28: the check of this very version ("is this alert genuine?"); on X and Bluesky it gives way to the
          // details (the page's link is ours too), on the roomier networks it is always there.
          if (n.limits.max >= 500 && b !== longOne) expect(m.verify, `${n.name} ${lang}: the check link`).toBeDefined();
          if (m.verify) {
            expect(m.verify.link).toBe(`${b.origin}/verify/${b.alertId}?v=${b.version}`);
            expect(m.text).toContain(m.verify.shown);
          }
          expect(m.kind).toBe("content");
          expect(m.poster).toBe(n.limits.poster);
          if (n.limits.altMax) {
            expect(m.alt!.length).toBeLessThanOrEqual(n.limits.altMax);
            expect(m.alt).toContain("Lina Exemple");
            expect(m.alt).toContain("116 000");
          } else expect(m.alt).toBeNull();
          const exercise = { fr: "EXERCICE", nl: "OEFENING", de: "ÜBUNG", en: "EXERCISE" }[lang];
          expect(m.text.includes(exercise)).toBe(b.exercise);
          if (b.exercise && m.alt) expect(m.alt).toContain(exercise);
        }
        const stop = n.compose(broadcast({ event: "stop", stopReason: "found_safe", content: undefined, endsAt: null }), lang);
        expect(stop).toMatchObject({ kind: "stop", poster: null, alt: null });
        expect(stop.text).not.toContain("Lina");
        expect(stop.link).toBe(`https://alert.example.org/alert/6f1c2a9e-8d7b-4c3a-9e1f-2b3c4d5e6f70?lang=${lang}`);
        expect(n.limits.length(stop.text)).toBeLessThanOrEqual(n.limits.max);
        const drill = n.compose(broadcast({ event: "stop", stopReason: "ended", exercise: true, content: undefined, endsAt: null }), lang);
        expect(drill.text).toContain({ fr: "EXERCICE", nl: "OEFENING", de: "ÜBUNG", en: "EXERCISE" }[lang]);
      }
    });
  }

  it("gives up hashtags, then details, then the description — never the essentials — when room runs out", () => {
    const long = "Cheveux bruns, yeux bleus, cicatrice au menton, porte des lunettes rondes à monture rouge ".repeat(4).trim();
    const m = composeX(broadcast({}, makeContent({ child: { description: long } })), "fr");
    expect(xWeightedLength(m.text)).toBeLessThanOrEqual(280);
    expect(m.text).not.toContain("#AlerteEnlèvement");
    expect(m.text).toMatch(/…/);
    for (const must of ["ENLÈVEMENT", "Lina Exemple", "Namur", "116 000", "+32 2 475 44 99", "?lang=fr&v=1"]) expect(m.text).toContain(must);
    // With room, everything is there.
    const fb = composeFacebook(broadcast({}, makeContent({ child: { description: long } })), "fr");
    expect(fb.text).toContain("#AlerteEnlèvement");
    expect(fb.text).toContain(long.trim());
  });

  it("counts as each network counts: X weighs URLs 23 and emoji 2; Bluesky counts graphemes and gets link facets on UTF-8 byte offsets", () => {
    expect(xWeightedLength("abc")).toBe(3);
    expect(xWeightedLength(`see https://example.org/${"x".repeat(100)}`)).toBe(4 + 23);
    expect(xWeightedLength("🚨")).toBe(2);
    expect(xWeightedLength("é—ü")).toBe(3);
    const m = composeBluesky(broadcast(), "de");
    const facets = m.extra!.facets as { index: { byteStart: number; byteEnd: number }; features: { $type: string; uri?: string; tag?: string }[] }[];
    const links = facets.filter((f) => f.features[0]!.$type === "app.bsky.richtext.facet#link");
    expect(links.map((l) => l.features[0]!.uri)).toEqual([m.link]);
    const bytes = new TextEncoder().encode(m.text);
    // The facet covers the short text Bluesky shows (host and path), on UTF-8 byte offsets.
    const shown = new TextDecoder().decode(bytes.subarray(links[0]!.index.byteStart, links[0]!.index.byteEnd));
    expect(shown).toBe(BLUESKY_LIMITS.linkText!(m.link));
    expect(shown).toMatch(/^alert\.example\.org\/alert\/6f1c2a9e-8d7b-\S*…$/);
    // Hashtags, when there is room for them, are tag facets.
    expect(facets.some((f) => f.features[0]!.$type === "app.bsky.richtext.facet#tag")).toBe(m.text.includes("#"));
    // The tags give way to the end line (rule 8 before reach) and to the check link; without an end line, a short alert has room for the link.
    const roomy = composeBluesky(broadcast({ endsAt: null, origin: "https://ca.be" }, makeContent({ child: { description: "Mince.", clothing: "Jean." }, vehicle: undefined, lastSeen: { place: "Namur" } })), "en");
    // With room, the check of this version (issue 28) too: its own facet with the whole URL over its short text.
    const roomyBytes = new TextEncoder().encode(roomy.text);
    const roomyLinks = (roomy.extra!.facets as typeof facets).filter((f) => f.features[0]!.$type === "app.bsky.richtext.facet#link");
    expect(roomyLinks.map((l) => l.features[0]!.uri)).toEqual([roomy.link, "https://ca.be/verify/6f1c2a9e-8d7b-4c3a-9e1f-2b3c4d5e6f70?v=1"]);
    expect(new TextDecoder().decode(roomyBytes.subarray(roomyLinks[1]!.index.byteStart, roomyLinks[1]!.index.byteEnd))).toMatch(/^ca\.be\/verify\/6f1c2a9e-8d7b-\S*…$/);
    // The tags give way to the check link; the stop's post has room for them.
    const stop = composeBluesky(broadcast({ event: "stop", stopReason: "found_safe", content: undefined, endsAt: null }), "en");
    expect(stop.text).toContain("#ChildAlert");
    expect((stop.extra!.facets as typeof facets).filter((f) => f.features[0]!.$type === "app.bsky.richtext.facet#tag").map((f) => f.features[0]!.tag)).toEqual(["ChildAlert", "AbductionAlert"]);
  });

  it("signs OAuth 1.0a as RFC 5849's worked example", async () => {
    // RFC 5849 §1.2 (the photos example): HMAC-SHA1 over the normalised request.
    const sig = await oauth1Signature(
      "GET",
      "http://photos.example.net/photos?file=vacation.jpg&size=original",
      { oauth_consumer_key: "dpf43f3p2l4k3l03", oauth_token: "nnch734d00sl2jdk", oauth_signature_method: "HMAC-SHA1", oauth_timestamp: "1191242096", oauth_nonce: "kllo9940pd9333jh", oauth_version: "1.0" },
      "kd94hf93k423kf44",
      "pfkkdhi9sl3r4s00",
    );
    expect(sig).toBe("tR3+Ty81lMeYAr/Fid0kMTYa/WM=");
  });
});

describe("publish, update, retract on every network", () => {
  let t: Team;
  let admin: Staff;
  beforeAll(async () => {
    t = await makeTeam();
    admin = await makeStaff("admin");
  });
  const stop = async (id: string) => expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
  const posts = async (id: string) => expectOk(await api("GET", `/alerts/${id}/social`, undefined, as(t.operator))).body as { posts: { id: string; network: string; state: string; url: string; kind: string; version: number; attention: boolean; lastError: string | null }[]; attention: number };
  const mine = async (alertId: string, accounts: string[]) => (await standInMessages(alertId)).filter((m) => accounts.includes(m.id));

  it("each network: the alert with its poster and alt text, the update (edited in place, or posted anew and the old deleted), then every post deleted and 'found' posted without name or photo", { timeout: 90_000 }, async () => {
    const regions = ["BE-WBR"] as const;
    const accounts = Object.fromEntries(await Promise.all(NETWORKS.map(async (n) => [n.name, await addAccount(n.name, { regions: [...regions], lang: "fr" }, admin)] as const)));
    const content = makeContent({ targeting: { regions: [...regions], languages: ["fr", "nl"] } });
    const id = await liveAlert(t, content);
    await settledFanouts(id, ["alert"], as(t.operator), 30_000);
    let got = await mine(id, Object.values(accounts));
    for (const n of NETWORKS) {
      const m = got.filter((x) => x.id === accounts[n.name]);
      expect(m, n.name).toHaveLength(1);
      expect(m[0]).toMatchObject({ type: "alert", version: 1, media: 1 });
      expect(m[0]!.text).toContain("Lina Exemple");
      if (n.limits.altMax) expect(m[0]!.alt, n.name).toContain("Lina Exemple");
    }
    expect(got.find((m) => m.id === accounts.bluesky)!.facets).toBeGreaterThan(0);

    expectOk(await api("PUT", `/alerts/${id}/content`, { content: { ...content, vehicle: { description: { fr: "SUV noir", nl: "Zwarte SUV" }, plate: "1-XYZ-987" } } }, as(t.cell)));
    expectOk(await signOff(t.magistrate, id, "authorisation", DECISION));
    await settledFanouts(id, ["update"], as(t.operator), 30_000);
    const first = Object.fromEntries(got.map((m) => [m.id, m.postId]));
    got = await mine(id, Object.values(accounts));
    let live = (await standInPosts(id)).filter((p) => p.live);
    for (const n of NETWORKS) {
      const update = got.find((x) => x.id === accounts[n.name] && x.version === 2)!;
      expect(update.text, n.name).toMatch(/^MISE À JOUR — /m);
      // The new vehicle is in the text where there is room (on X and Bluesky, the new poster shows it).
      if (n.name !== "x" && n.name !== "bluesky") expect(update.text, n.name).toContain("SUV noir");
      const mineLive = live.filter((p) => p.owner === accounts[n.name]);
      expect(mineLive, n.name).toHaveLength(1);
      // Edit where the network allows (same post), else a new post and the old one gone.
      if (n.edits) expect(update.postId, n.name).toBe(first[accounts[n.name]!]);
      else expect(update.postId, n.name).not.toBe(first[accounts[n.name]!]);
    }
    const before = await posts(id);
    expect(before.posts.filter((p) => p.kind === "content" && p.state === "live")).toHaveLength(5);
    expect(before.attention).toBe(0);

    await stop(id);
    await settledFanouts(id, ["stop"], as(t.operator), 30_000);
    live = (await standInPosts(id)).filter((p) => p.live);
    for (const n of NETWORKS) {
      const left = live.filter((p) => p.owner === accounts[n.name]);
      expect(left.map((p) => p.type), n.name).toEqual(["stop"]);
      expect(left[0]!.text).not.toContain("Lina");
      expect(left[0]!.media).toBe(false);
    }
    const after = await posts(id);
    expect(after.posts.filter((p) => p.kind === "content").every((p) => p.state === "deleted")).toBe(true);
    expect(after.posts.filter((p) => p.kind === "stop")).toHaveLength(5);
    expect(after.attention).toBe(0);
  });

  it("a post the network refuses to delete (Telegram after 48 h) is listed to the operator with its link; 'try again' deletes it once allowed; a slow network does not hold back the others", { timeout: 90_000 }, async () => {
    const telegram = await addAccount("telegram", { regions: ["BE-WLX"] }, admin);
    const mastodon = await addAccount("mastodon", { regions: ["BE-WLX"] }, admin);
    const xAccount = await addAccount("x", { regions: ["BE-WLX"] }, admin);
    await fetch(`${SOCIAL_CONTROL}/__behaviour`, { method: "POST", body: JSON.stringify({ id: xAccount, delayMs: 2500 }) });
    const id = await liveAlert(t, makeContent({ targeting: { regions: ["BE-WLX"], languages: ["fr"] } }));
    await settledFanouts(id, ["alert"], as(t.operator), 30_000);
    const got = await mine(id, [mastodon, xAccount]);
    const at = (acc: string) => got.find((m) => m.id === acc)!.at;
    expect(at(xAccount) - at(mastodon)).toBeGreaterThan(1500); // Mastodon did not wait for X
    await fetch(`${SOCIAL_CONTROL}/__behaviour`, { method: "POST", body: JSON.stringify({ id: xAccount, delayMs: 0 }) });

    await fetch(`${SOCIAL_CONTROL}/__behaviour`, { method: "POST", body: JSON.stringify({ id: telegram, refuseDelete: true }) });
    await stop(id);
    await settledFanouts(id, ["stop"], as(t.operator), 30_000);
    let list = await posts(id);
    const stuck = list.posts.find((p) => p.network === "telegram" && p.kind === "content")!;
    expect(stuck).toMatchObject({ state: "stuck", attention: true });
    expect(stuck.url).toMatch(/^https:\/\/t\.me\/ca_\w+\/\d+$/);
    expect(stuck.lastError).toContain("can't be deleted");
    expect(list.attention).toBe(1);
    // The operator and the cell are told, in the inbox (and by e-mail), once.
    const inbox = expectOk(await api("GET", "/inbox", undefined, as(t.operator))).body.items as { event: string; alertId: string }[];
    expect(inbox.filter((n) => n.event === "social_post_stuck" && n.alertId === id)).toHaveLength(1);
    // Found posted anyway; the other networks' posts are gone.
    expect((await standInPosts(id)).filter((p) => p.live).map((p) => `${p.network}:${p.type}`).sort()).toEqual(["mastodon:stop", "telegram:alert", "telegram:stop", "x:stop"]);
    // Only those who run the channels may ask again.
    expect((await api("POST", `/alerts/${id}/social/${stuck.id}/delete`, undefined, as(t.investigator))).status).toBe(403);
    // Still refused: it stays listed.
    expect(expectOk(await api("POST", `/alerts/${id}/social/${stuck.id}/delete`, undefined, as(t.operator))).body.post).toMatchObject({ state: "stuck", attention: true });
    await fetch(`${SOCIAL_CONTROL}/__behaviour`, { method: "POST", body: JSON.stringify({ id: telegram, refuseDelete: false }) });
    expect(expectOk(await api("POST", `/alerts/${id}/social/${stuck.id}/delete`, undefined, as(t.operator))).body.post).toMatchObject({ state: "deleted", attention: false });
    list = await posts(id);
    expect(list.attention).toBe(0);
    expect((await standInPosts(id)).filter((p) => p.live && p.type !== "stop")).toEqual([]);
    const audit = expectOk(await api("GET", `/alerts/${id}/audit`, undefined, as(t.operator))).body.entries as { action: string }[];
    expect(audit.filter((e) => e.action === "social_post_delete_retried")).toHaveLength(2);
  });
});

describe("the accounts", () => {
  let admin: Staff;
  beforeAll(async () => {
    admin = await makeStaff("admin");
  });

  it("seals the credentials: never returned, never in D1 in clear; a sealed value moved to another account does not open", async () => {
    const token = `tok_${"s".repeat(40)}`;
    const res = expectOk(await api("POST", "/admin/social-accounts", { network: "mastodon", name: "@childalert_nl", lang: "nl", target: "https://mastodon.test", credentials: { accessToken: token } }, as(admin)), 201);
    expect(JSON.stringify(res.body)).not.toContain(token);
    const listed = expectOk(await api("GET", "/admin/social-accounts", undefined, as(admin))).body;
    expect(listed.credentialsKey).toBe(true);
    expect(JSON.stringify(listed)).not.toContain(token);
    const row = (await env.DB.prepare("SELECT * FROM social_accounts WHERE id = ?").bind(res.body.account.id).first<Record<string, string>>())!;
    expect(JSON.stringify(row)).not.toContain(token);
    const { openCredentials } = await import("./credentials.ts");
    expect(await openCredentials(env, row.id!, row.credentials!)).toEqual({ accessToken: token });
    await expect(openCredentials(env, crypto.randomUUID(), row.credentials!)).rejects.toThrow();
  });

  it("refuses bad input with field errors and writes nothing: a wrong token shape, an instance on a private network, unknown fields; the operator and others cannot manage accounts", async () => {
    const count = async () => (await env.DB.prepare("SELECT count(*) AS n FROM social_accounts").first<{ n: number }>())!.n;
    const before = await count();
    const bad = [
      { network: "telegram", name: "@x", lang: "fr", target: "@childalert_fr", credentials: { botToken: "not-a-token" } },
      { network: "mastodon", name: "@x", lang: "fr", target: "https://127.0.0.1", credentials: { accessToken: "t" } },
      { network: "mastodon", name: "@x", lang: "fr", target: "http://mastodon.social", credentials: { accessToken: "t" } },
      { network: "bluesky", name: "@x", lang: "fr", target: "https://pds.internal", credentials: { identifier: "a", appPassword: "b" } },
      { network: "facebook", name: "@x", lang: "fr", target: "my-page", credentials: { pageAccessToken: "t" } },
      { network: "x", name: "@x", lang: "fr", credentials: { consumerKey: "a" } },
      { network: "myspace", name: "@x", lang: "fr", target: "", credentials: {} },
      { network: "mastodon", name: "@x", lang: "fr", target: "https://mastodon.test", credentials: { accessToken: "t" }, password: "extra" },
    ];
    for (const b of bad) {
      const res = await api("POST", "/admin/social-accounts", b, as(admin));
      expect(res.status, JSON.stringify(b)).toBe(400);
      expect(res.body.code).toBe("E_VALIDATION");
    }
    expect(await count()).toBe(before);
    const operator = await makeStaff("operator");
    expect((await api("GET", "/admin/social-accounts", undefined, as(operator))).status).toBe(403);
  });

  it("an account with alert posts still up cannot be switched off (the retraction needs it); after the stop it can", { timeout: 60_000 }, async () => {
    const t = await makeTeam();
    const acc = await addAccount("facebook", { regions: ["BE-VWV"] }, admin);
    const id = await liveAlert(t, makeContent({ targeting: { regions: ["BE-VWV"], languages: ["fr"] } }));
    await settledFanouts(id, ["alert"], as(t.operator), 30_000);
    expect((await api("POST", `/admin/social-accounts/${acc}/disable`, undefined, as(admin))).body.code).toBe("E_CONFLICT");
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
    await settledFanouts(id, ["stop"], as(t.operator), 30_000);
    expect(expectOk(await api("POST", `/admin/social-accounts/${acc}/disable`, undefined, as(admin))).body.account.disabledAt).not.toBeNull();
  });
});
