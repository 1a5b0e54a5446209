// Issue 13's public surfaces, from outside: the alert page, posters, photos and feeds read
// the board's public record (never D1), are answered from the edge cache when warm, carry
// strong ETags and CORS, and a stop empties them at once in this data centre.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../index.ts";
import { LiveAlertsFeed } from "../routes/feeds.ts";
import { alertStub } from "../services/alerts.ts";
import { api, as, authorisedAlert, DECISION, expectOk, makeContent, makeTeam, ORIGIN, signOff, type Team } from "../test/helpers.ts";
import type { PublicAlert } from "./public-alert.ts";

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
    const id = await authorisedAlert(t, makeContent({ child: { ...makeContent().child, firstName: "Capucine" }, targeting: { regions: ["BE-WLG"], languages: ["fr", "de"] } }), true);
    expectOk(await api("POST", `/alerts/${id}/launch`, undefined, as(t.cell)));
    const cap = async (n: number) => fetchCounting(`/api/v1/feeds/cap/${id}.${n}.xml`);
    const first = await cap(1);
    expect(first.res.status).toBe(200);
    expect(first.res.headers.get("Content-Type")).toContain("application/cap+xml");
    expect(first.text).toContain("<msgType>Alert</msgType>");
    expect(first.text).toContain("<status>Exercise</status>");
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

describe("the widget's variants", () => {
  it("/widget.js is at most 5 KB gzipped; the iframe and the no-script image show the live alert, without D1, and nothing after the stop", async () => {
    const js = await fetchCounting("/widget.js");
    expect(js.res.headers.get("Content-Type")).toContain("text/javascript");
    expect(js.res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    const gz = new Uint8Array(await new Response(new Blob([js.body]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer());
    expect(gz.length).toBeLessThanOrEqual(5 * 1024);
    expect(js.text).not.toMatch(/document\.cookie|localStorage|innerHTML/);

    const id = await authorisedAlert(t, makeContent({ child: { ...makeContent().child, firstName: "Wendeline" }, targeting: { regions: ["BE"], languages: ["nl"] } }));
    expectOk(await api("POST", `/alerts/${id}/launch`, undefined, as(t.cell)));
    const frame = await fetchCounting("/widget/frame?lang=fr");
    expect(frame.statements).toBe(0);
    expect(frame.text).toContain("Wendeline"); // the alert's own language (nl) when fr is not targeted
    expect(frame.text).toContain(`/alert/${id}/poster/landscape-nl.png`);
    expect(frame.res.headers.get("Content-Security-Policy")).toContain("frame-ancestors *");
    const banner = await fetchCounting("/widget/banner.png?lang=nl");
    expect(banner.statements).toBe(0);
    const poster = await fetchCounting(`/alert/${id}/poster/landscape-nl.png`);
    expect(banner.body).toEqual(poster.body); // the newest live alert's poster

    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
    expect((await fetchCounting("/widget/frame?lang=fr")).text).not.toContain("Wendeline");
    // Other tests' alerts may still be live here: the banner is no longer this one's poster.
    expect((await fetchCounting("/widget/banner.png?lang=nl")).body).not.toEqual(poster.body);
  });
});
