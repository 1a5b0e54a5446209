// /api/v1/feeds — the partners' pull surfaces: the live alerts as JSON and Atom, and CAP
// 1.2 (an Atom index of the current messages, and each message). Built from the board's
// public records; the edge cache in front of the app answers a warm request (neither D1
// nor the board). Open to every origin (CORS), strong ETags (If-None-Match → 304).
import { signCap } from "../publication/cap-signature.ts";
import { createRoute, z } from "@hono/zod-openapi";
import { boardStub } from "../board/object.ts";
import { LANGUAGES, type Language } from "../domain/index.ts";
import { withEtag } from "../partners/edge-cache.ts";
import { atomFeed, capIndex, capListed, capMessage, jsonFeed, partnerFeed } from "../partners/feeds.ts";
import { partnerByKeyHash } from "../db/partners.ts";
import { sha256Hex } from "../domain/index.ts";
import { AppError } from "../errors.ts";
import { FORMAT_NAMES } from "../../templates/posters/model.ts";
import { type AppEnv, jsonOk, newRouter } from "./http.ts";
import type { Context } from "hono";

export const feedRoutes = newRouter();
const tags = ["Feeds"];

const cors = { "Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "ETag", "Cross-Origin-Resource-Policy": "cross-origin" };
const records = (env: Env) => boardStub(env).publicAlerts();

/** The partner whose API key the request carries (`Authorization: Bearer cap_…`), if any. */
async function partnerOf(c: Context<AppEnv>) {
  const key = /^Bearer (cap_[A-Za-z0-9_-]{20,100})$/.exec(c.req.header("Authorization") ?? "")?.[1];
  return key ? partnerByKeyHash(c.get("db"), await sha256Hex(key)) : undefined;
}

const Texts = z.object({
  headline: z.string(),
  name: z.string(),
  age: z.number().int(),
  heightCm: z.number().int().nullable(),
  lastSeen: z.string(),
  description: z.string(),
  clothing: z.string().nullable(),
  vehicle: z.string().nullable(),
  accompanying: z.string().nullable().describe("only once the magistrate authorised publishing it"),
  call: z.string().nullable().describe("both hotline numbers in this language (rule 8); null if the operator left them out"),
  ends: z.string().nullable().describe("the alert's current end, in this language"),
});
const ByLang = <T extends z.ZodType>(t: T) => z.object(Object.fromEntries(LANGUAGES.map((l) => [l, t.optional()])) as Record<Language, z.ZodOptional<T>>);
export const LiveAlertsFeed = z
  .object({
    version: z.literal(1),
    updated: z.string().describe("when the newest live alert last changed"),
    alerts: z.array(
      z.object({
        id: z.string(),
        exercise: z.boolean().describe("an exercise: show it marked EXERCISE, or not at all"),
        version: z.number().int(),
        launchedAt: z.string(),
        updatedAt: z.string(),
        endsAt: z.string().nullable(),
        url: z.string().describe("the public alert page"),
        languages: z.array(z.enum(LANGUAGES)),
        regions: z.array(z.string()),
        hotline: z.string().nullable().describe("116000, as dialled (rule 8)"),
        hotlineAbroad: z.string().nullable().describe("+3224754499, the number from abroad, as dialled"),
        texts: ByLang(Texts),
        posters: ByLang(z.object(Object.fromEntries(FORMAT_NAMES.map((f) => [f, z.string()])) as Record<(typeof FORMAT_NAMES)[number], z.ZodString>)),
        photos: z.array(z.string()),
        cap: z.string().describe("the alert's current CAP 1.2 message"),
      }),
    ),
  })
  .openapi("LiveAlertsFeed");

feedRoutes.openapi(
  createRoute({
    method: "get",
    path: "/feeds/alerts.json",
    tags,
    summary: "The live real alerts (empty when none; never an exercise): texts per language, posters, photos, CAP link",
    description: "Served from the edge cache; a stopped alert leaves it within 5 seconds. Strong ETag; send If-None-Match for a 304.",
    responses: { 200: jsonOk(LiveAlertsFeed), 304: { description: "Not modified" } },
  }),
  // The body is built as text and cached as is (the schema above documents it; a test checks it against it).
  async (c) => new Response(JSON.stringify(jsonFeed(await records(c.env), c.env.APP_ORIGIN)), { headers: { "Content-Type": "application/json; charset=utf-8", ...cors } }) as never,
);

feedRoutes.get("/feeds/alerts.atom", async (c) => {
  const q = c.req.query("lang");
  const lang = (LANGUAGES as readonly string[]).includes(q ?? "") ? (q as Language) : "fr";
  return new Response(atomFeed(await records(c.env), c.env.APP_ORIGIN, lang), { headers: { "Content-Type": "application/atom+xml; charset=utf-8", ...cors } });
});

feedRoutes.get("/feeds/cap.atom", async (c) =>
  new Response(capIndex(await records(c.env), c.env.APP_ORIGIN, new Date()), { headers: { "Content-Type": "application/atom+xml; charset=utf-8", ...cors } }),
);

/** One alert's current CAP message, by its identifier (`<alert id>.<n>`); an older one is superseded: 404. */
feedRoutes.get("/feeds/cap/:file", async (c) => {
  const m = /^([0-9a-f-]{36})\.(\d{1,6})\.xml$/.exec(c.req.param("file"));
  const notFound = () => new Response(JSON.stringify({ type: "about:blank", title: "Not found", status: 404, code: "E_NOT_FOUND", detail: "no such current CAP message" }), { status: 404, headers: { "Content-Type": "application/problem+json", ...cors } });
  if (!m) return notFound();
  const rec = await boardStub(c.env).publicAlert(m[1]!);
  if (!rec || !capListed([rec], new Date()).length || rec.messages.at(-1)!.identifier !== `${m[1]}.${m[2]}`) return notFound();
  // An exercise's message only for a partner that opted into exercises (its API key): never keyless.
  if (rec.exercise) {
    const partner = await partnerOf(c);
    if (!partner?.exercise) return notFound();
    return new Response(await signCap(c.env, capMessage(rec, c.env.APP_ORIGIN)), { headers: { "Content-Type": "application/cap+xml; charset=utf-8", "Cache-Control": "private, no-cache", ...cors } });
  }
  return new Response(await signCap(c.env, capMessage(rec, c.env.APP_ORIGIN)), { headers: { "Content-Type": "application/cap+xml; charset=utf-8", ...cors } });
});

feedRoutes.openapi(
  createRoute({
    method: "get",
    path: "/feeds/partner.json",
    tags,
    summary: "The live alerts as this partner receives them (its regions, languages and exercise choice; rule 13)",
    description:
      "Send the partner's API key: `Authorization: Bearer cap_…`. A partner in a country without adequate protection (rule 13) gets for each alert only that it is in progress, with the public page's link. Not edge-cached (one answer per partner); strong ETag.",
    security: [{ partnerKey: [] }],
    responses: {
      200: jsonOk(z.object({ version: z.literal(1), updated: z.string(), alerts: z.array(z.record(z.string(), z.unknown())) })),
      304: { description: "Not modified" },
      401: { description: "No or unknown API key" },
    },
  }),
  async (c) => {
    const partner = await partnerOf(c);
    if (!partner) throw new AppError("E_UNAUTHENTICATED", "a partner API key is needed: Authorization: Bearer cap_…");
    const body = JSON.stringify(
      partnerFeed(await records(c.env), c.env.APP_ORIGIN, {
        country: partner.country,
        languages: JSON.parse(partner.languages) as Language[],
        regions: JSON.parse(partner.regions) as string[],
        exercise: partner.exercise,
        takes: partner.kinds,
      }),
    );
    // Never edge-cached: the request carries its key (edgeCached lets every Authorization through).
    return (await withEtag(c.req.raw, body, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "private, no-cache", ...cors })) as never;
  },
);
