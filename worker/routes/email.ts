// E-mail subscriptions, public: the sign-up page and API (double opt-in: nothing is sent
// but the confirmation before the link in it is used), the confirmation page (a button:
// mail scanners that open links do not confirm), and the one-click unsubscribe of every
// message (RFC 8058: a POST to the List-Unsubscribe URL). Addresses are never listed back.
// The rules of the opt-in live in channels/email/subscriptions.ts; these routes validate.
import { createRoute, z } from "@hono/zod-openapi";
import { Hono } from "hono";
import { CATALOGUES, HOTLINE, HOTLINE_ABROAD } from "../../templates/i18n/index.ts";
import { confirmSubscription, requestSubscription } from "../channels/email/subscriptions.ts";
import { unsubscribeTokenValid } from "../channels/email/tokens.ts";
import { unsubscribeEmail } from "../db/email.ts";
import type { Language } from "../domain/index.ts";
import { AppError } from "../errors.ts";
import { context, type AppEnv, jsonBody, jsonOk, newRouter, problemResponses, publicRateLimit } from "./http.ts";
import { esc } from "../../templates/html.ts";
import { pickLang, preferenceFields, UUID } from "./public.ts";
import { langNav, page } from "../../templates/page.ts";
import { EmailAddress, RecipientPreferences } from "./schemas.ts";

export const EmailSubscription = RecipientPreferences.extend({
  email: EmailAddress,
  notices: z.boolean().default(false).describe("issue 29: also the search notices of these regions (a separate opt-in)"),
})
  .strict()
  .openapi("EmailSubscription");

export const emailApiRoutes = newRouter();

emailApiRoutes.openapi(
  createRoute({
    method: "post",
    path: "/email/subscriptions",
    tags: ["E-mail (public)"],
    summary: "Ask for Child Alerts by e-mail: sends a confirmation link (double opt-in)",
    description: "Always 202, whether the address is new, pending or already subscribed: the answer never tells who subscribes.",
    middleware: [publicRateLimit] as const,
    request: { body: jsonBody(EmailSubscription) },
    responses: { ...problemResponses, 202: jsonOk(z.object({ status: z.literal("confirmation_sent") }), "A confirmation e-mail is on its way") },
  }),
  async (c) => {
    const { email, ...prefs } = c.req.valid("json");
    await requestSubscription(c.get("db"), c.env.FANOUT, email, prefs);
    return c.json({ status: "confirmation_sent" as const }, 202);
  },
);

emailApiRoutes.openapi(
  createRoute({
    method: "post",
    path: "/email/confirm",
    tags: ["E-mail (public)"],
    summary: "Confirm a subscription with the token of the confirmation link (single use, 24 h)",
    middleware: [publicRateLimit] as const,
    request: { body: jsonBody(z.object({ token: z.string().min(20).max(100) }).strict()) },
    responses: { ...problemResponses, 200: jsonOk(z.object({ status: z.literal("active") })) },
  }),
  async (c) => {
    if (!(await confirmSubscription(c.get("db"), c.req.valid("json").token))) throw new AppError("E_TOKEN_INVALID");
    return c.json({ status: "active" as const }, 200);
  },
);

// ------------------------------------------------------------------ pages

export const emailPages = new Hono<AppEnv>();
emailPages.use("*", context);

const shell = (lang: Language, title: string, inner: string, path: string) =>
  page(lang, title, `<header>CHILD ALERT</header><main>${langNav(path, lang)}<h1>${esc(title)}</h1>${inner}<p class="muted">${HOTLINE} · ${HOTLINE_ABROAD}</p></main>`);

function signUpForm(lang: Language, error?: string): string {
  const t = CATALOGUES[lang];
  return `<p>${esc(t.mailSubIntro)}</p>${error ? `<p role="alert" style="color:#a00;font-weight:700">${esc(error)}</p>` : ""}
<form method="post" action="/subscribe/email">
<label>${esc(t.mailAddress)} <input type="email" name="email" required maxlength="254" autocomplete="email" style="font:inherit;padding:.4rem;width:100%;max-width:24rem"></label>
${preferenceFields(lang, { notices: true })}
<button type="submit">${esc(t.mailSubButton)}</button>
</form>`;
}

emailPages.get("/subscribe/email", (c) => {
  const lang = pickLang(c.req.query("lang"), c.req.header("Accept-Language"));
  return c.html(shell(lang, CATALOGUES[lang].mailSubTitle, signUpForm(lang), "/subscribe/email"));
});

/** The form without JavaScript (older phones, strict settings): same rules as the API. */
emailPages.post("/subscribe/email", publicRateLimit, async (c) => {
  const form = await c.req.parseBody({ all: true });
  const lang = pickLang(String(form.lang ?? ""), c.req.header("Accept-Language"));
  const t = CATALOGUES[lang];
  const regions = ([] as unknown[]).concat(form.region ?? []);
  // A checked box is sent as "on" (no value attribute in the shared fields).
  const parsed = EmailSubscription.safeParse({ email: String(form.email ?? ""), lang, regions, exercise: form.exercise === "on", notices: form.notices === "on" });
  if (!parsed.success) return c.html(shell(lang, t.mailSubTitle, signUpForm(lang, t.mailInvalid), "/subscribe/email"), 400);
  const { email, ...prefs } = parsed.data;
  await requestSubscription(c.get("db"), c.env.FANOUT, email, prefs);
  return c.html(shell(lang, t.mailSubTitle, `<p role="status">${esc(t.mailSubDone)}</p>`, "/subscribe/email"), 202);
});

/** The link in the confirmation e-mail opens this page; only its button confirms. */
emailPages.get("/email/confirm", (c) => {
  const lang = pickLang(c.req.query("lang"), c.req.header("Accept-Language"));
  const t = CATALOGUES[lang];
  const token = c.req.query("t") ?? "";
  c.header("Referrer-Policy", "no-referrer");
  return c.html(
    shell(lang, t.mailConfirmTitle, `<form method="post" action="/email/confirm?lang=${lang}"><input type="hidden" name="t" value="${esc(token)}"><button type="submit">${esc(t.confirmButton)}</button></form>`, "/email/confirm"),
  );
});

emailPages.post("/email/confirm", publicRateLimit, async (c) => {
  const lang = pickLang(c.req.query("lang"), c.req.header("Accept-Language"));
  const t = CATALOGUES[lang];
  const form = await c.req.parseBody();
  const done = await confirmSubscription(c.get("db"), String(form.t ?? ""));
  c.header("Referrer-Policy", "no-referrer");
  if (!done) return c.html(shell(lang, t.mailConfirmTitle, `<p role="alert">${esc(t.mailTokenBad)}</p>`, "/email/confirm"), 410);
  return c.html(shell(lang, t.mailConfirmTitle, `<p role="status" class="found">${esc(t.mailConfirmed)}</p>`, "/email/confirm"));
});

/** The List-Unsubscribe link: a page with a button, for people. */
emailPages.get("/email/unsubscribe", (c) => {
  const lang = pickLang(c.req.query("lang"), c.req.header("Accept-Language"));
  const t = CATALOGUES[lang];
  const q = new URLSearchParams({ s: c.req.query("s") ?? "", t: c.req.query("t") ?? "" });
  return c.html(shell(lang, t.mailUnsubTitle, `<form method="post" action="/email/unsubscribe?${esc(q.toString())}&amp;lang=${lang}"><button type="submit">${esc(t.mailUnsubButton)}</button></form>`, "/email/unsubscribe"));
});

/** RFC 8058 one-click (mail clients POST "List-Unsubscribe=One-Click") and the page's button. */
emailPages.post("/email/unsubscribe", publicRateLimit, async (c) => {
  const lang = pickLang(c.req.query("lang"), c.req.header("Accept-Language"));
  const t = CATALOGUES[lang];
  const s = c.req.query("s") ?? "";
  const token = c.req.query("t") ?? "";
  const ok = UUID.test(s) && token.length < 100 && (await unsubscribeTokenValid(c.env, s, token));
  if (!ok) return c.html(shell(lang, t.mailUnsubTitle, `<p role="alert">${esc(t.mailTokenBad)}</p>`, "/email/unsubscribe"), 403);
  await unsubscribeEmail(c.get("db"), s);
  return c.html(shell(lang, t.mailUnsubTitle, `<p role="status">${esc(t.mailUnsubDone)}</p>`, "/email/unsubscribe"));
});
