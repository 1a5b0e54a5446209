// Rule 8 and the alert's duration on every surface (issue 24.3), from outside: one alert in
// four languages, launched, extended, then stopped; at each step every surface a citizen
// or a partner sees is read where it arrives — the push stand-in (decrypted), the SMTP
// server, the partner's webhook receiver, the social network's stand-in, and the public
// HTTP surfaces (page, widget frame, JSON, Atom, CAP). Each must carry both numbers,
// 116 000 and +32 2 475 44 99, with the words of its own language, and — where it has
// room for text — the alert's current end. The expectations are written from DOMAIN.md
// (rule 8: "116 000 on every artefact", the abroad number for callers from outside
// Belgium), not from the code's catalogues.
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { emailSubscriber, smtp } from "../test/standins/email.ts";
import { addAccount, standInMessages } from "../test/standins/social.ts";
import { partnerWithWebhook } from "../test/standins/webhooks.ts";
import { PUBLIC_TTL_S } from "../partners/edge-cache.ts";
import { api, as, authorisedAlert, citizen, expectOk, makeContent, makeTeam, settledFanouts, standin, type Team } from "../test/helpers.ts";

let t: Team;
beforeAll(async () => {
  t = await makeTeam();
});

/** The two lines, in any of the spellings a surface may use (display or dialled). */
const NUMBERS = { hotline: /116 ?000/, abroad: /\+32 ?2 ?475 ?44 ?99|\+3224754499/ };
/** "from abroad" in each language (what a reader abroad looks for next to the number). */
const ABROAD: Record<string, string> = { fr: "étranger", nl: "buitenland", de: "Ausland", en: "abroad" };
/** A text of the alert written only in that language (makeContent's description). */
const OWN_WORDS: Record<string, string> = { fr: "cheveux bruns", nl: "bruin haar", de: "braunes Haar", en: "brown hair" };

function bothNumbers(surface: string, text: string, lang?: string) {
  expect(text, `${surface}: 116 000`).toMatch(NUMBERS.hotline);
  expect(text, `${surface}: +32 2 475 44 99`).toMatch(NUMBERS.abroad);
  if (lang) expect(text, `${surface}: "abroad" in its language (${lang})`).toContain(ABROAD[lang]);
}
/** The end time as a Belgian reads it: the hour and minute in Brussels. */
const hhmm = (iso: string) => new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Brussels", hour: "2-digit", minute: "2-digit", hour12: false }).format(new Date(iso));
function showsEnd(surface: string, text: string, endsAt: string) {
  expect(text, `${surface}: the end time ${hhmm(endsAt)}`).toContain(hhmm(endsAt));
}

/** The first answer that passes `ok` within `ms` (the last one otherwise, for the assertions to name what was wrong). */
async function within(ms: number, read: () => Promise<string>, ok: (s: string) => boolean): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await read();
    if (ok(got) || Date.now() > deadline) return got;
    await new Promise((r) => setTimeout(r, 250));
  }
}

const get = async (path: string) => {
  const res = await api("GET", path.replace(/^\/api\/v1/, ""), undefined, {});
  return res;
};
async function page(path: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await exports.default.fetch(new Request(`${env.APP_ORIGIN}${path}`, { headers }));
  expect(res.status, path).toBe(200);
  return res.text();
}

type Recipients = { push: { id: string; lang: "nl" }; mail: { address: string; lang: "de" }; hook: { hook: string; lang: "en" }; social: { lang: "fr" }; widget: string };

async function recipients(): Promise<Recipients> {
  const push = await citizen({ lang: "nl", regions: ["BE"] });
  const address = await emailSubscriber({ lang: "de", regions: ["BE"] });
  const { hook } = await partnerWithWebhook({ lang: "en", regions: ["BE"] });
  await addAccount("mastodon", { lang: "fr", regions: ["BE"] });
  await addAccount("x", { lang: "fr", regions: ["BE"] });
  // A partner site showing the widget (issued to it, on its declared site), in every language.
  const widget = expectOk(await api("POST", "/admin/partners", { name: "Every surface", domains: ["surface.news.example"], country: "BE", languages: ["fr", "nl", "de", "en"], exercise: false }, as(t.admin)), 201).body.partner.id as string;
  return { push: { id: push.id, lang: "nl" }, mail: { address, lang: "de" }, hook: { hook, lang: "en" }, social: { lang: "fr" }, widget };
}

const hooksOf = async (alertId: string, hook: string) =>
  ((await (await fetch(`https://hooks.test/__messages?alert=${alertId}`)).json()) as { id: string; type: string; data: Record<string, unknown> }[]).filter((m) => m.id === hook);

describe("both numbers and the end time on every surface (rule 8)", () => {
  it("launched, extended and stopped: push, e-mail, webhook, social posts, page, widget, JSON, Atom and CAP each carry 116 000 and +32 2 475 44 99 in their language, and the current end", async () => {
    const r = await recipients();
    const id = await authorisedAlert(t, makeContent());
    expectOk(await api("POST", `/alerts/${id}/launch`, undefined, as(t.cell)));
    await settledFanouts(id, ["alert"], as(t.operator), 40_000);

    const walk = async (step: string, endsAt: string, nth: number) => {
      // Push: the newest message the Dutch device got.
      const push = (await standin.received(r.push.id)).filter((m) => m.payload.tag === id).at(-1)!;
      bothNumbers(`${step} push`, push.payload.body, "nl");
      showsEnd(`${step} push`, push.payload.body, endsAt);
      // E-mail: the newest, in German, text and HTML parts.
      const mail = (await smtp.waitFor(r.mail.address, nth + 1)).at(-1)!;
      for (const [part, text] of [["text", mail.text ?? ""], ["html", mail.html ?? ""]] as const) {
        bothNumbers(`${step} e-mail (${part})`, text, "de");
        showsEnd(`${step} e-mail (${part})`, text, endsAt);
        expect(text).toContain(OWN_WORDS.de);
      }
      // The partner's webhook (English): machine-readable numbers and the line in words.
      const hooks = await hooksOf(id, r.hook.hook);
      const last = hooks.at(-1)!;
      expect(last.data.hotline).toBe("116000");
      expect(last.data.hotlineAbroad).toBe("+3224754499");
      const en = (last.data.texts as Record<string, Record<string, string>>).en!;
      bothNumbers(`${step} webhook`, en.call!, "en");
      showsEnd(`${step} webhook`, en.ends!, endsAt);
      expect(last.data.endsAt).toBe(endsAt);
      // Social posts (French): the newest post per network.
      const posts = await standInMessages(id);
      for (const network of ["mastodon", "x"]) {
        const post = posts.filter((p) => p.network === network).at(-1)!;
        expect(post, `${step} ${network}`).toBeTruthy();
        bothNumbers(`${step} ${network}`, post.text);
        // X (280 characters) has no room to spare; the longer network shows the end.
        if (network === "mastodon") {
          expect(post.text).toContain(ABROAD.fr);
          showsEnd(`${step} mastodon`, post.text, endsAt);
        }
      }
      // The public page and the widget frame, in each language.
      for (const lang of ["fr", "nl", "de", "en"]) {
        const html = await page(`/alert/${id}?lang=${lang}`);
        bothNumbers(`${step} page (${lang})`, html, lang);
        showsEnd(`${step} page (${lang})`, html, endsAt);
        // The partner's widget answers from the edge cache per site: it follows a change within PUBLIC_TTL_S.
        const frame = await within(PUBLIC_TTL_S * 1000 + 2000, () => page(`/widget/frame?partner=${r.widget}&lang=${lang}`, { Referer: "https://surface.news.example/" }), (html) => html.includes(hhmm(endsAt)));
        bothNumbers(`${step} widget (${lang})`, frame, lang);
        showsEnd(`${step} widget (${lang})`, frame, endsAt);
      }
      // JSON feed (the widget script reads it), Atom and CAP.
      const item = (expectOk(await get("/feeds/alerts.json")).body.alerts as Record<string, any>[]).find((a) => a.id === id)!;
      expect([item.hotline, item.hotlineAbroad]).toEqual(["116000", "+3224754499"]);
      expect(item.endsAt).toBe(endsAt);
      for (const lang of ["fr", "nl", "de", "en"]) {
        bothNumbers(`${step} JSON texts.${lang}.call`, item.texts[lang].call, lang);
        showsEnd(`${step} JSON texts.${lang}.ends`, item.texts[lang].ends, endsAt);
        const atom = await page(`/api/v1/feeds/alerts.atom?lang=${lang}`);
        const entry = atom.split("<entry").find((e) => e.includes(id))!;
        bothNumbers(`${step} Atom (${lang})`, entry, lang);
        showsEnd(`${step} Atom (${lang})`, entry, endsAt);
      }
      const cap = await page(`/api/v1/feeds/cap/${id}.${nth + 1}.xml`);
      for (const info of cap.split("<info>").slice(1)) {
        const lang = /<language>(\w\w)/.exec(info)![1]!;
        bothNumbers(`${step} CAP instruction (${lang})`, /<instruction>([^<]*)/.exec(info)![1]!, lang);
        bothNumbers(`${step} CAP contact (${lang})`, /<contact>([^<]*)/.exec(info)![1]!);
        expect(/<expires>([^<]*)/.exec(info)![1], `${step} CAP expires`).toBe(endsAt.replace(/\.\d{3}Z$/, "+00:00"));
      }
    };

    const launched = expectOk(await api("GET", `/alerts/${id}`, undefined, as(t.operator))).body.endsAt as string;
    await walk("launched", launched, 0);

    expectOk(await api("POST", `/alerts/${id}/extend`, undefined, as(t.magistrate)));
    const extended = expectOk(await api("GET", `/alerts/${id}`, undefined, as(t.operator))).body.endsAt as string;
    expect(Date.parse(extended) - Date.parse(launched)).toBe(6 * 3600_000);
    await settledFanouts(id, ["alert", "update"], as(t.operator), 40_000);
    await walk("extended", extended, 1);

    const stoppedAt = Date.now();
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
    await settledFanouts(id, ["alert", "update", "stop"], as(t.operator), 40_000);
    // The stop messages: the line stays open, both numbers in each recipient's language.
    const push = (await standin.received(r.push.id)).filter((m) => m.payload.tag === id).at(-1)!;
    expect(push.payload.type).toBe("stop");
    bothNumbers("stop push", push.payload.body, "nl");
    const mail = (await smtp.waitFor(r.mail.address, 3)).at(-1)!;
    bothNumbers("stop e-mail (text)", mail.text ?? "", "de");
    bothNumbers("stop e-mail (html)", mail.html ?? "", "de");
    const hook = (await hooksOf(id, r.hook.hook)).at(-1)!;
    expect((hook as unknown as { event: string }).event).toBe("alert.stopped");
    expect([hook.data.hotline, hook.data.hotlineAbroad]).toEqual(["116000", "+3224754499"]);
    bothNumbers("stop webhook", hook.data.call as string, "en");
    for (const network of ["mastodon", "x"]) {
      const post = (await standInMessages(id)).filter((p) => p.network === network && p.type === "stop").at(-1)!;
      expect(post, `stop ${network}`).toBeTruthy();
      bothNumbers(`stop ${network}`, post.text);
    }
    for (const lang of ["fr", "nl", "de", "en"]) bothNumbers(`stopped page (${lang})`, await page(`/alert/${id}?lang=${lang}`), lang);
    // CAP Cancel: both numbers, and an expires kept (the Cancel is valid while it is listed, a day after the stop).
    const cancel = await page(`/api/v1/feeds/cap/${id}.3.xml`);
    expect(cancel).toContain("<msgType>Cancel</msgType>");
    for (const info of cancel.split("<info>").slice(1)) {
      const lang = /<language>(\w\w)/.exec(info)![1]!;
      bothNumbers(`CAP Cancel instruction (${lang})`, /<instruction>([^<]*)/.exec(info)![1]!, lang);
      const expires = Date.parse(/<expires>([^<]*)/.exec(info)![1]!);
      expect(expires - stoppedAt).toBeGreaterThan(23 * 3600_000);
    }
  });
});
