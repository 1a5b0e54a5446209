// The public tip form (issue 14): on the alert page and behind the push action "I have
// information" (/alert/{id}#tip). Plain HTML that works without our JavaScript (the only
// script is the Turnstile widget); posted as multipart with an optional photo. A refusal
// (too many tips from this connection, failed challenge, invalid field) answers the form
// again with the citizen's text in it: nothing typed is lost.
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { CATALOGUES, type Catalogue, HOTLINE } from "../../templates/i18n/index.ts";
import { esc } from "../../templates/html.ts";
import { makeDb } from "../db/client.ts";
import { type Language, LANGUAGES } from "../domain/index.ts";
import { AppError } from "../errors.ts";
import { derivedClientRef, normaliseTipPhoto, receiveTip, webTipRow } from "../intake/tips.ts";
import { challengeMark, TURNSTILE_ACTION, TURNSTILE_FIELD, turnstileEnabled, turnstileOrigin, verifyTurnstile } from "../intake/turnstile.ts";
import { MAX_PHOTO_BYTES } from "../render/image-format.ts";
import { type AppEnv, UUID_PATH, withinLimit } from "./http.ts";
import { WebTipInput } from "./tips.ts";
import { page } from "../../templates/page.ts";

export const tipFormRoutes = new Hono<AppEnv>();

export interface TipValues {
  text?: string;
  seenWhere?: string;
  seenAt?: string;
  anonymous?: boolean;
  name?: string;
  phone?: string;
  email?: string;
}

/** The form; `problem` (already in the reader's language) and the values typed come back after a refusal. */
export function tipFormHtml(c: Catalogue, env: Env, alertId: string, lang: Language, v: TipValues = {}, problem?: { message: string; fields?: string[] }): string {
  const bad = (f: string) => (problem?.fields?.includes(f) ? ` aria-invalid="true"` : "");
  const input = (name: keyof TipValues, label: string, type = "text", max = 300) =>
    `<label>${esc(label)}<input type="${type}" name="${name}" maxlength="${max}" value="${esc(String(v[name] ?? ""))}"${bad(name === "name" || name === "phone" || name === "email" ? "contact" : name)}></label>`;
  const challenge = turnstileEnabled(env)
    ? `<div class="cf-turnstile" data-sitekey="${esc(env.TURNSTILE_SITE_KEY)}" data-action="${TURNSTILE_ACTION}" data-language="${lang}"></div><script src="${esc(turnstileOrigin(env))}/turnstile/v0/api.js" async defer></script>`
    : "";
  return `<section id="tip" aria-labelledby="tip-h"><h2 id="tip-h">${esc(c.tipTitle)}</h2><p>${esc(c.tipIntro)}</p>
${problem ? `<p role="alert" class="problem"><strong>${esc(c.tipNotSent)}</strong> ${esc(problem.message)}</p>` : ""}
<form method="post" action="/alert/${esc(alertId)}/tip?lang=${esc(lang)}" enctype="multipart/form-data">
<label>${esc(c.tipWhat)}<textarea name="text" required minlength="3" maxlength="4000" rows="5"${bad("text")}>${esc(v.text ?? "")}</textarea></label>
${input("seenWhere", c.tipWhere)}${input("seenAt", c.tipWhen, "text", 100)}
<label>${esc(c.tipPhoto)}<input type="file" name="photo" accept="image/jpeg,image/png,image/webp"${bad("photo")}></label>
<fieldset><legend>${esc(c.tipContact)}</legend>
<label><input type="checkbox" name="anonymous" value="1"${v.anonymous ? " checked" : ""}> ${esc(c.tipAnonymous)}</label>
${input("name", c.tipName, "text", 100)}${input("phone", c.tipPhone, "tel", 24)}${input("email", c.tipEmail, "email", 254)}
</fieldset>
${challenge}
<button type="submit">${esc(c.tipSend)}</button></form>
<p class="muted">${esc(c.tipPrivacy)}</p></section>`;
}

const pickLang = (q: string | undefined): Language => ((LANGUAGES as readonly string[]).includes(q ?? "") ? (q as Language) : "fr");
const field = (v: unknown) => (typeof v === "string" && v.trim() ? v : undefined);

tipFormRoutes.post(
  `/alert/:id{${UUID_PATH}}/tip`,
  bodyLimit({
    maxSize: MAX_PHOTO_BYTES + 64 * 1024,
    onError: () => {
      throw new AppError("E_PAYLOAD_TOO_LARGE", `at most ${MAX_PHOTO_BYTES} bytes`);
    },
  }),
  async (c) => {
    const id = c.req.param("id");
    const lang = pickLang(c.req.query("lang"));
    const cat = CATALOGUES[lang];
    const form = await c.req.parseBody();
    const values: TipValues = {
      text: field(form.text),
      seenWhere: field(form.seenWhere),
      seenAt: field(form.seenAt),
      anonymous: form.anonymous === "1",
      name: field(form.name),
      phone: field(form.phone),
      email: field(form.email),
    };
    const answer = (status: 200 | 400 | 403 | 404 | 409 | 422 | 429, body: string) => c.html(page(lang, cat.tipTitle, `<header>CHILD ALERT</header><main>${body}</main>`), status);
    const again = (status: 400 | 403 | 409 | 422 | 429, message: string, fields?: string[]) =>
      answer(status, tipFormHtml(cat, c.env, id, lang, values, { message, fields }) + `<p><a class="call" href="tel:116000">${HOTLINE}</a></p>`);

    if (!(await withinLimit(c, c.env.TIP_RATE_LIMIT, "tip"))) return again(429, cat.tipTooMany);
    const contact = values.anonymous ? undefined : { name: values.name, phone: values.phone, email: values.email };
    const parsed = WebTipInput.safeParse({
      text: values.text ?? "",
      seenWhere: values.seenWhere,
      seenAt: values.seenAt,
      anonymous: !!values.anonymous,
      ...(contact && (contact.name || contact.phone || contact.email) ? { contact } : {}),
      lang,
    });
    if (!parsed.success) return again(400, cat.tipCheckFields, [...new Set(parsed.error.issues.map((i) => String(i.path[0])))]);
    const token = typeof form[TURNSTILE_FIELD] === "string" ? (form[TURNSTILE_FIELD] as string) : null;
    const check = await verifyTurnstile(c.env, token, c.req.header("CF-Connecting-IP") ?? null);
    if (!check.ok) return again(403, cat.tipCheckFailed);
    let photo: Uint8Array | undefined;
    const file = form.photo;
    if (file instanceof File && file.size > 0) {
      try {
        photo = await normaliseTipPhoto(new Uint8Array(await file.arrayBuffer()));
      } catch (err) {
        if (err instanceof AppError) return again(422, err.detail ?? err.message, ["photo"]);
        throw err;
      }
    }
    const t = parsed.data;
    try {
      await receiveTip(
        { env: c.env, db: makeDb(c.env.DB), now: new Date() },
        // The same text from the same connection is one tip (a double click, a resent form).
        webTipRow(id, t, await derivedClientRef([c.req.header("CF-Connecting-IP") ?? "", t.text, t.seenWhere ?? "", t.seenAt ?? ""]), challengeMark(c.env, check)),
        photo,
      );
    } catch (err) {
      if (err instanceof AppError && (err.code === "E_NOT_FOUND" || err.code === "E_INVALID_TRANSITION")) return answer(404, `<p>${esc(cat.pageNotFound)}</p>`);
      throw err;
    }
    return answer(200, `<div class="found" role="status"><h1>${esc(cat.tipThanks)}</h1><p>${esc(cat.tipThanksBody)}</p></div><p><a href="/alert/${esc(id)}?lang=${lang}">← ${esc(cat.headline)}</a></p>`);
  },
);
