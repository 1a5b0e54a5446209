// Issue 13's public surfaces, from outside: the alert page, posters, photos and feeds read
// the board's public record (never D1), are answered from the edge cache when warm, carry
// strong ETags and CORS, and a stop empties them at once in this data centre.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../index.ts";
import { LiveAlertsFeed } from "../routes/feeds.ts";
import { alertStub } from "../alert/api.ts";
import { api, as, authorisedAlert, DECISION, expectOk, makeContent, makeTeam, ORIGIN, signOff, type Team } from "../test/helpers.ts";
import type { PublicAlert } from "./public-alert.ts";
import { PUBLIC_TTL_S } from "./edge-cache.ts";

let t: Team;
beforeAll(async () => {
  t = await makeTeam();
});

/** A D1 binding that counts every statement the Worker prepares or runs. */
function countingDb(db: D1Database) {
  const seen: string[] = [];
  const wrapped = new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === "prepare") return (sql: string) => (seen.push(sql), target.prepare(sql));
      if (prop === "batch" || prop === "exec") return (...args: unknown[]) => (seen.push(String(prop)), (target[prop] as (...a: unknown[]) => unknown).apply(target, args));
      if (prop === "withSession") return () => wrapped;
      const v = Reflect.get(target, prop, receiver);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return { db: wrapped, seen };
}

/** One request to the Worker with a counting D1; waits for its background work (the cache put). */
async function fetchCounting(path: string, headers: Record<string, string> = {}) {
  const { db, seen } = countingDb(env.DB);
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`${ORIGIN}${path}`, { headers }), { ...env, DB: db } as Env, ctx);
  const body = new Uint8Array(await res.arrayBuffer());
  await waitOnExecutionContext(ctx);
  return { res, body, text: new TextDecoder().decode(body), statements: seen.length };
}

const feed = async () => LiveAlertsFeed.parse(JSON.parse((await fetchCounting("/api/v1/feeds/alerts.json")).text));

describe("public surfaces without the database", () => {
  it("the page, a poster, a photo-less alert's feeds: zero D1 statements cold and warm; the warm answer is the cache's", async () => {
    const id = await authorisedAlert(t, makeContent({ child: { ...makeContent().child, firstName: "Zinnia" }, targeting: { regions: ["BE-WLG"], languages: ["fr", "nl"] } }));
    expectOk(await api("POST", `/alerts/${id}/launch`, undefined, as(t.cell)));
    for (const path of [`/alert/${id}?lang=nl`, `/alert/${id}/poster/landscape-fr.png`, "/api/v1/feeds/alerts.json", "/api/v1/feeds/alerts.atom?lang=nl", "/api/v1/feeds/cap.atom"]) {
      const cold = await fetchCounting(path);
      expect(cold.res.status, path).toBe(200);
      expect(cold.statements, `${path} (cold)`).toBe(0);
      const warm = await fetchCounting(path);
      expect(warm.statements, `${path} (warm)`).toBe(0);
      expect(warm.res.headers.get("ETag"), path).toBe(cold.res.headers.get("ETag"));
      expect(warm.body, path).toEqual(cold.body);
    }
    // The warm answer comes from the cache: the board's record is not asked again.
    const rec = (await alertStub(env, id).publicRecord())!;
    expect(rec.content!.child.firstName).toBe("Zinnia");
  });
});

describe("feeds", () => {
  it("JSON (to its schema) and Atom list the live alert with its texts, posters and CAP link; ETag → 304; open to every origin", async () => {
    const id = await authorisedAlert(t, makeContent({ targeting: { regions: ["BE-VAN", "NL"], languages: ["nl", "en"] } }));
    expectOk(await api("POST", `/alerts/${id}/launch`, undefined, as(t.cell)));
    const f = await feed();
    const item = f.alerts.find((a) => a.id === id)!;
    expect(item.texts.nl!.name).toBe("Lina Exemple");
    expect(item.texts.en!.headline).toBe("CHILD ALERT: Lina Exemple");
    expect(item.texts.fr).toBeUndefined();
    expect(item.regions).toEqual(["BE-VAN", "NL"]);
    expect(item.posters.nl!.landscape).toBe(`${env.APP_ORIGIN}/alert/${id}/poster/landscape-nl.png`);
    expect(item.cap).toBe(`${env.APP_ORIGIN}/api/v1/feeds/cap/${id}.1.xml`);

    const json = await fetchCounting("/api/v1/feeds/alerts.json");
    expect(json.res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(json.res.headers.get("Cross-Origin-Resource-Policy")).toBe("cross-origin");
    const etag = json.res.headers.get("ETag")!;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const again = await fetchCounting("/api/v1/feeds/alerts.json", { "If-None-Match": etag });
    expect(again.res.status).toBe(304);
    expect(again.body.length).toBe(0);

    const atom = await fetchCounting("/api/v1/feeds/alerts.atom?lang=en");
    expect(atom.res.headers.get("Content-Type")).toContain("application/atom+xml");
    expect(atom.text).toContain(`<id>urn:uuid:${id}</id>`);
    expect(atom.text).toContain(`/alert/${id}/poster/landscape-en.png`);
  });

  it("CAP: Alert at the launch, Update (with references) for a published version and an extension, Cancel without the child's data at the stop; the feeds empty at once", async () => {
    const id = await authorisedAlert(t, makeContent({ child: { ...makeContent().child, firstName: "Capucine" }, targeting: { regions: ["BE-WLG"], languages: ["fr", "de"] } }));
    expectOk(await api("POST", `/alerts/${id}/launch`, undefined, as(t.cell)));
    const cap = async (n: number) => fetchCounting(`/api/v1/feeds/cap/${id}.${n}.xml`);
    const first = await cap(1);
    expect(first.res.status).toBe(200);
    expect(first.res.headers.get("Content-Type")).toContain("application/cap+xml");
    expect(first.text).toContain("<msgType>Alert</msgType>");
    expect(first.text).toContain("<status>Actual</status>");
    expect(first.text).toContain("<language>fr-BE</language>");
    expect(first.text).toContain("<language>de-BE</language>");
    expect(first.text).toContain("<value>BE-WLG</value>");
    expect(first.text).toMatch(/<sent>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00<\/sent>/);
    expect(first.text).toContain("Capucine");

    // A published update: a new version authorised by the magistrate.
    expectOk(await api("PUT", `/alerts/${id}/content`, { content: makeContent({ child: { ...makeContent().child, firstName: "Capucine" }, circumstances: { fr: "Vue près de la gare.", de: "In Bahnhofsnähe gesehen." }, targeting: { regions: ["BE-WLG"], languages: ["fr", "de"] } }) }, as(t.cell)));
    expectOk(await signOff(t.magistrate, id, "authorisation", DECISION));
    const second = await cap(2);
    expect(second.res.status).toBe(200);
    expect(second.text).toContain("<msgType>Update</msgType>");
    expect(second.text).toMatch(new RegExp(`<references>child-alert@[^,]+,${id}\\.1,[^<]+</references>`));
    expect((await cap(1)).res.status).toBe(404); // superseded

    // <expires> carries the alert's current end (DOMAIN "Duration"): the extension moves it out.
    const expiresOf = (xml: string) => [...xml.matchAll(/<expires>([^<]+)<\/expires>/g)].map((m) => Date.parse(m[1]!));
    // CAP writes whole seconds.
    const endsAt = async () => Math.floor(Date.parse((await env.DB.prepare("SELECT ends_at FROM alerts WHERE id = ?").bind(id).first<{ ends_at: string }>())!.ends_at) / 1000) * 1000;
    const before = await endsAt();
    expect(expiresOf(second.text)).toEqual([before, before]); // one per language
    expectOk(await api("POST", `/alerts/${id}/extend`, undefined, as(t.magistrate)));
    const third = await cap(3);
    const after = await endsAt();
    expect(after).toBeGreaterThan(before);
    expect(expiresOf(third.text)).toEqual([after, after]);
    expect(third.text).toContain("<msgType>Update</msgType>");
    expect(third.text).toContain(`${id}.1`);
    expect(third.text).toContain(`${id}.2`);

    expect((await feed()).alerts.map((a) => a.id)).toContain(id);
    // A made-up query string is not a cache entry of its own (it would outlive the stop's purge).
    const tag = crypto.randomUUID();
    const junk = () => fetchCounting(`/api/v1/feeds/alerts.json?utm_source=${tag}`);
    expect((await junk()).text).toContain(id);
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
    expect((await junk()).text).not.toContain(id);
    const cancel = await cap(4);
    expect(cancel.res.status).toBe(200);
    expect(cancel.text).toContain("<msgType>Cancel</msgType>");
    expect(cancel.text).toContain("<responseType>AllClear</responseType>");
    expect(cancel.text).not.toContain("Capucine");
    expect(cancel.text).not.toContain("poster");
    // The stop purged this data centre's cached feeds and page: gone now, not in 5 s.
    expect((await feed()).alerts.map((a) => a.id)).not.toContain(id);
    expect((await fetchCounting(`/alert/${id}?lang=fr`)).text).not.toContain("Capucine");
    expect((await fetchCounting(`/alert/${id}/poster/landscape-fr.png`)).res.status).toBe(404);
    expect((await fetchCounting("/api/v1/feeds/cap.atom")).text).toContain(`${id}.4.xml`);
    // The record the board keeps after the stop has no child data.
    const rec = (await alertStub(env, id).publicRecord()) as PublicAlert;
    expect(JSON.stringify(rec)).not.toContain("Capucine");
    expect(rec.messages.map((m) => m.msgType)).toEqual(["Alert", "Update", "Update", "Cancel"]);
  });
});

const equalBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** A partner registered by the admin (the widget is issued to registered partners only). */
async function partner(p: { domains: string[]; country?: string; exercise?: boolean; languages?: string[] }) {
  const res = expectOk(await api("POST", "/admin/partners", { name: `Partner ${crypto.randomUUID().slice(0, 6)}`, domains: p.domains, country: p.country ?? "BE", languages: p.languages ?? ["nl"], regions: ["BE"], exercise: p.exercise ?? false }, as(t.admin)), 201);
  return { id: res.body.partner.id as string, apiKey: res.body.apiKey as string };
}

describe("exercises only where asked for (DOMAIN: drills never touch real traffic)", () => {
  it("the keyless feeds (JSON, Atom, CAP) never list an exercise; a partner that opted in sees it on its own feed and CAP, one that did not never does", async () => {
    const id = await authorisedAlert(t, makeContent({ child: { ...makeContent().child, firstName: "Exercitia" }, targeting: { regions: ["BE"], languages: ["fr", "nl"] } }), true);
    expectOk(await api("POST", `/alerts/${id}/launch`, undefined, as(t.cell)));
    for (const path of ["/api/v1/feeds/alerts.json", "/api/v1/feeds/alerts.atom?lang=fr", "/api/v1/feeds/cap.atom"]) {
      const keyless = await fetchCounting(path);
      expect(keyless.res.status, path).toBe(200);
      expect(keyless.text, path).not.toContain(id);
    }
    expect((await fetchCounting(`/api/v1/feeds/cap/${id}.1.xml`)).res.status).toBe(404);

    const tester = await partner({ domains: ["test.krant.example"], exercise: true });
    const plain = await partner({ domains: ["www.krant.example"] });
    const own = async (key: string) => (await fetchCounting("/api/v1/feeds/partner.json", { Authorization: `Bearer ${key}` })).text;
    expect(await own(tester.apiKey)).toContain("Exercitia");
    expect(await own(plain.apiKey)).not.toContain(id);
    const capFor = (key: string) => fetchCounting(`/api/v1/feeds/cap/${id}.1.xml`, { Authorization: `Bearer ${key}` });
    const cap = await capFor(tester.apiKey);
    expect(cap.res.status).toBe(200);
    expect(cap.text).toContain("<status>Exercise</status>");
    expect((await capFor(plain.apiKey)).res.status).toBe(404);
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
  });
});

describe("the widget's variants", () => {
  it("/widget.js is at most 5 KB gzipped and needs the partner's id", async () => {
    const js = await fetchCounting("/widget.js");
    expect(js.res.headers.get("Content-Type")).toContain("text/javascript");
    expect(js.res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    const gz = new Uint8Array(await new Response(new Blob([js.body]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer());
    expect(gz.length).toBeLessThanOrEqual(5 * 1024);
    expect(js.text).not.toMatch(/document\.cookie|localStorage|innerHTML/);
    expect(js.text).toContain("data-partner");
  });

  it("issued to a registered partner for its declared sites: the script's data, the iframe and the no-script image answer on its site, refuse another, follow its rule-13 decision and its exercise choice", async () => {
    const id = await authorisedAlert(t, makeContent({ child: { ...makeContent().child, firstName: "Wendeline" }, targeting: { regions: ["BE"], languages: ["nl"] } }));
    expectOk(await api("POST", `/alerts/${id}/launch`, undefined, as(t.cell)));
    const be = await partner({ domains: ["news.example.be"] });
    const br = await partner({ domains: ["jornal.example.br"], country: "BR" });
    const on = (host: string) => ({ Referer: `https://${host}/article/42` });

    // The partner's own site: the live alert (cold: the partner's row only; warm: nothing).
    const frame = await fetchCounting(`/widget/frame?partner=${be.id}&lang=fr`, on("news.example.be"));
    expect(frame.res.status).toBe(200);
    expect(frame.statements).toBeLessThanOrEqual(1);
    expect(frame.text).toContain("Wendeline"); // the alert's own language (nl) when fr is not targeted
    expect(frame.text).toContain(`/alert/${id}/poster/landscape-nl.png`);
    expect(frame.res.headers.get("Content-Security-Policy")).toContain("frame-ancestors *");
    expect((await fetchCounting(`/widget/frame?partner=${be.id}&lang=fr`, on("news.example.be"))).statements).toBe(0);
    const banner = await fetchCounting(`/widget/banner.png?partner=${be.id}&lang=nl`, on("news.example.be"));
    const poster = await fetchCounting(`/alert/${id}/poster/landscape-nl.png`);
    expect(banner.body).toEqual(poster.body); // the newest live alert's poster
    const data = await fetchCounting(`/api/v1/widget/${be.id}/alerts.json`, { Origin: "https://news.example.be" });
    expect(data.res.status).toBe(200);
    expect(data.res.headers.get("Access-Control-Allow-Origin")).toBe("https://news.example.be");
    expect(data.text).toContain("Wendeline");

    // The attacker's steps: the same id on another site, a made-up id, no id.
    for (const [path, headers] of [
      [`/widget/frame?partner=${be.id}&lang=nl`, on("evil.example")],
      [`/widget/banner.png?partner=${be.id}&lang=nl`, on("evil.example")],
      [`/api/v1/widget/${be.id}/alerts.json`, { Origin: "https://evil.example" }],
    ] as const) {
      const res = await fetchCounting(path, headers);
      expect(res.res.status, path).toBe(403);
      expect(res.text, path).not.toContain("Wendeline");
      expect(res.res.headers.get("Access-Control-Allow-Origin"), path).toBeNull();
    }
    for (const path of [`/widget/frame?partner=${crypto.randomUUID()}&lang=nl`, "/widget/frame?lang=nl", `/api/v1/widget/${crypto.randomUUID()}/alerts.json`]) {
      expect((await fetchCounting(path, on("news.example.be"))).res.status, path).toBe(404);
    }

    // Rule 13: a partner in a country without adequate protection shows that an alert is in progress — no name, no poster.
    const far = await fetchCounting(`/widget/frame?partner=${br.id}&lang=nl`, on("jornal.example.br"));
    expect(far.res.status).toBe(200);
    expect(far.text).not.toContain("Wendeline");
    expect(far.text).not.toContain("/poster/");
    expect(far.text).toContain(`/alert/${id}?lang=nl`);
    expect(far.text).toMatch(/116 000/);
    expect((await fetchCounting(`/widget/banner.png?partner=${br.id}&lang=nl`, on("jornal.example.br"))).body).not.toEqual(poster.body);
    const farData = await fetchCounting(`/api/v1/widget/${br.id}/alerts.json`, { Origin: "https://jornal.example.br" });
    expect(farData.text).not.toContain("Wendeline");
    expect(JSON.parse(farData.text).alerts.find((a: { id: string }) => a.id === id).personalData).toBe(false);

    // The stop: the partner's widget follows within the edge cache's bound (its entries are per site: not purged one by one).
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
    const stopped = Date.now();
    const within = async (what: string, gone: () => Promise<boolean>) => {
      while (!(await gone())) {
        expect(Date.now() - stopped, `${what} follows the stop within PUBLIC_TTL_S`).toBeLessThan(PUBLIC_TTL_S * 1000 + 1500);
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    await within("the iframe", async () => !(await fetchCounting(`/widget/frame?partner=${be.id}&lang=fr`, on("news.example.be"))).text.includes("Wendeline"));
    await within("the image", async () => !equalBytes((await fetchCounting(`/widget/banner.png?partner=${be.id}&lang=nl`, on("news.example.be"))).body, poster.body));
  });

  it("an exercise shows on the widget of a partner that opted into exercises (its test page), and on no other", async () => {
    const id = await authorisedAlert(t, makeContent({ child: { ...makeContent().child, firstName: "Oefenia" }, targeting: { regions: ["BE"], languages: ["nl"] } }), true);
    expectOk(await api("POST", `/alerts/${id}/launch`, undefined, as(t.cell)));
    const tester = await partner({ domains: ["test.news.example.be"], exercise: true });
    const plain = await partner({ domains: ["www.news.example.be"] });
    const shown = await fetchCounting(`/widget/frame?partner=${tester.id}&lang=nl`, { Referer: "https://test.news.example.be/" });
    expect(shown.text).toContain("Oefenia");
    expect(shown.text).toContain("OEFENING");
    expect((await fetchCounting(`/widget/frame?partner=${plain.id}&lang=nl`, { Referer: "https://www.news.example.be/" })).text).not.toContain("Oefenia");
    expect((await fetchCounting(`/api/v1/widget/${plain.id}/alerts.json`, { Origin: "https://www.news.example.be" })).text).not.toContain(id);
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
  });
});
