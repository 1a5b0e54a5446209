// Genuine or fake (issue 28): the publication keys (JWKS), each alert's signed statement
// (/alert/{id}/signed.json: what is published now, and its detached JWS), and the check
// anyone can ask — a statement with its signature, or a link or text that names an alert
// — answered "genuine and live", "genuine but ended: stop sharing it", "genuine but an
// older version", or "not issued by us", with the official current version's address.
import { createRoute, z } from "@hono/zod-openapi";
import { CATALOGUES } from "../../templates/i18n/index.ts";
import { esc } from "../../templates/html.ts";
import { langNav, page } from "../../templates/page.ts";
import { pickLang } from "./public.ts";
import { boardStub } from "../board/object.ts";
import { AppError } from "../errors.ts";
import { JWKS_PATH, jwks, verifyStatement } from "../publication/sign.ts";
import { namedAlert, VERDICTS, verdictOf } from "../publication/verdict.ts";
import { jsonBody, jsonOk, newRouter, publicRateLimit } from "./http.ts";

export const verifyRoutes = newRouter();
/** Not under /api: the keys' address is well known; the statement sits beside the alert's page. */
export const verifyPages = newRouter();

const UUID_RE = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

/**
 * "Is this alert genuine?" — the public check, in the visitor's language. A poster's QR code
 * leads to /verify/{id}?v={version} (checked at once); anyone can paste a link or a text,
 * or give a photo or screenshot of a poster (its QR code is read in the browser, /verify.js).
 */
const verifyPage = (c: { req: { query(k: string): string | undefined; header(k: string): string | undefined; param(k: string): string | undefined }; env: Env }) => {
  const lang = pickLang(c.req.query("lang"), c.req.header("Accept-Language"));
  const cat = CATALOGUES[lang];
  const id = c.req.param("id");
  const v = c.req.query("v");
  const prefill = id ? `${c.env.APP_ORIGIN}/alert/${id}${v && /^\d+$/.test(v) ? `?v=${v}` : ""}` : "";
  const words = { live: cat.verifyLive, outdated: cat.verifyOutdated, ended: cat.verifyEnded, notOurs: cat.verifyNotOurs, official: cat.verifyOfficial, noQr: cat.verifyNoQr, busy: cat.verifyBusy };
  return page(
    lang,
    cat.verifyTitle,
    `<header>CHILD ALERT</header><main>${langNav(id ? `/verify/${id}` : "/verify", lang)}<h1>${esc(cat.verifyTitle)}</h1><p>${esc(cat.verifyIntro)}</p>
<form id="verify-form"><label for="verify-text">${esc(cat.verifyPaste)}</label><textarea id="verify-text" name="text" rows="3" maxlength="5000">${esc(prefill)}</textarea><button type="submit">${esc(cat.verifyCheck)}</button></form>
<p><label for="verify-image">${esc(cat.verifyImage)}</label> <input type="file" id="verify-image" accept="image/*" capture="environment"> <button type="button" id="verify-camera">${esc(cat.verifyCamera)}</button></p>
<video id="verify-video" hidden playsinline muted></video>
<div id="verify-result" role="status" aria-live="polite" data-words="${esc(JSON.stringify(words))}" data-auto="${prefill ? "1" : ""}"></div></main>
<script type="module" src="/verify.js"></script>`,
    // The verdict's colour repeats what its words say (never the only signal).
    `<style>.verdict{padding:.6rem 1rem;border-left:6px solid #444;margin-top:1rem}.genuine_live{border-color:#0b6b2e;background:#e6f4ea}.genuine_ended,.genuine_outdated{border-color:#9a5b00;background:#fff4e5}.not_ours,.no-qr,.error{border-color:#8a0015;background:#fde7ea}textarea{width:100%;box-sizing:border-box}</style>`,
  );
};
verifyPages.get("/verify", (c) => c.html(verifyPage(c), 200, { "Cache-Control": "public, max-age=300" }));
verifyPages.get(`/verify/:id{${UUID_RE}}`, (c) => c.html(verifyPage(c), 200, { "Cache-Control": "public, max-age=300" }));

verifyPages.get(JWKS_PATH, async (c) => c.json(await jwks(c.env), 200, { "Cache-Control": "public, max-age=300" }));

verifyPages.get(`/alert/:id{${UUID_RE}}/signed.json`, async (c) => {
  const rec = await boardStub(c.env).publicAlert(c.req.param("id"));
  if (!rec?.signed) throw new AppError("E_NOT_FOUND", "no signed publication for this alert");
  return c.json({ statement: JSON.parse(rec.signed.statement) as unknown, jws: rec.signed.jws, keys: `${c.env.APP_ORIGIN}${JWKS_PATH}` }, 200, { "Cache-Control": "public, max-age=5" });
});


const VerifyBody = z
  .union([
    // signed.json as it is (its `keys` address is ignored: only our keys count).
    z.object({ statement: z.record(z.string(), z.unknown()), jws: z.string().max(2000), keys: z.string().max(300).optional() }).strict(),
    z.object({ text: z.string().min(1).max(5000).describe("a link, a post or a message that names an alert, e.g. a poster's QR code read by the camera") }).strict(),
  ])
  .openapi("VerifyRequest");

const VerifyAnswer = z
  .object({
    verdict: z.enum(VERDICTS),
    official: z
      .object({ alertId: z.string(), status: z.enum(["live", "found", "ended"]), version: z.number().int().nullable(), url: z.string(), signed: z.string() })
      .nullable()
      .describe("the alert as we publish it now: compare, and share this one"),
  })
  .openapi("VerifyAnswer");

async function official(env: Env, alertId: string) {
  const rec = await boardStub(env).publicAlert(alertId);
  if (!rec) return null;
  return {
    alertId,
    status: rec.face === "alert" ? ("live" as const) : rec.face,
    version: rec.version,
    url: `${env.APP_ORIGIN}/alert/${alertId}`,
    signed: `${env.APP_ORIGIN}/alert/${alertId}/signed.json`,
  };
}

verifyRoutes.openapi(
  createRoute({
    method: "post",
    path: "/verify",
    tags: ["Verification"],
    summary: "Is this alert genuine? A signed statement, or a link or text naming an alert",
    middleware: [publicRateLimit] as const,
    request: { body: jsonBody(VerifyBody) },
    responses: { 200: jsonOk(VerifyAnswer) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    let claim: { alertId: string; version: number | null } | null = null;
    if ("jws" in body) {
      // Only our signature over exactly this statement counts; then, is it still what we publish?
      if ((await verifyStatement(c.env, body.statement, body.jws)) && typeof body.statement.alertId === "string")
        claim = { alertId: body.statement.alertId, version: typeof body.statement.version === "number" ? body.statement.version : null };
    } else claim = namedAlert(body.text, c.env.APP_ORIGIN);
    const now = claim ? await official(c.env, claim.alertId) : null;
    const verdict = verdictOf(claim?.version ?? null, now);
    return c.json({ verdict, official: now }, 200);
  },
);
