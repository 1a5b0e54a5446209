// Tips (issue 14, rule 10): a web tip from the public (rate-limited per source, checked with
// Turnstile; the public page's form posts to /alert/{id}/tip, routes/tip-form.ts), a call tip
// recorded by a call-taker (its consent and anonymity from the call's own record), and for the
// case's investigators and the cell: the tips (live on the alert's feed), acknowledge, useful or not.
import { createRoute, z } from "@hono/zod-openapi";
import { getAlertRow } from "../db/alerts.ts";
import { tipById, tipsOf } from "../db/tips.ts";
import { checkCallTip, LANGUAGES, TIP_ASSESSMENTS } from "../domain/index.ts";
import { AppError } from "../errors.ts";
import { acknowledge, judge, readScope, receiveTip, TipSchema, tipView, webTipRow } from "../intake/tips.ts";
import { challengeMark, verifyTurnstile } from "../intake/turnstile.ts";
import { alertStub } from "../alert/api.ts";
import { currentUser, jsonBody, jsonOk, newRouter, problemResponses, rateLimited, staffRoute } from "./http.ts";
import { Id } from "./schemas.ts";

export const tipRoutes = newRouter();
const tags = ["116 000 intake"];

/** Text as people type it: trimmed, no control characters but line breaks. */
const Text = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s), "no control characters");

const Contact = z
  .object({
    name: Text(100).optional(),
    phone: z.string().trim().regex(/^\+?[0-9 ()./-]{6,24}$/, "a phone number such as +32 470 12 34 56").optional(),
    email: z.string().trim().toLowerCase().email().max(254).optional(),
  })
  .strict();

export const WebTipInput = z
  .object({
    text: Text(4000).pipe(z.string().min(3, "say what you saw (at least a few words)")),
    seenWhere: Text(300).optional(),
    seenAt: Text(100).optional().describe("when, as the citizen puts it (\"today around 14:00\")"),
    anonymous: z.boolean(),
    contact: Contact.optional(),
    lang: z.enum(LANGUAGES).default("fr"),
    clientRef: z.uuid().optional().describe("the form's own id: the same tip sent twice is kept once"),
    turnstileToken: z.string().max(2048).optional().describe("Turnstile's token (cf-turnstile-response)"),
  })
  .strict()
  .superRefine((t, ctx) => {
    const has = !!(t.contact?.name || t.contact?.phone || t.contact?.email);
    if (t.anonymous && has) ctx.addIssue({ code: "custom", path: ["contact"], message: "an anonymous tip carries no contact details" });
    if (!t.anonymous && !has) ctx.addIssue({ code: "custom", path: ["contact"], message: "leave a phone number or an e-mail address, or send it anonymously" });
  });

const Tip = TipSchema;

/** Per client IP, apart from the other public endpoints; the answer says when to send again (the form keeps the text). */
const tipRateLimit = rateLimited((env) => env.TIP_RATE_LIMIT, "tip", "too many tips from this connection: wait a minute, your text is kept; or call 116 000");

const AlertParam = z.object({ id: Id.openapi({ param: { name: "id", in: "path" } }) });
const TipParam = AlertParam.extend({ tipId: Id.openapi({ param: { name: "tipId", in: "path" } }) });

tipRoutes.openapi(
  createRoute({
    method: "post",
    path: "/alerts/{id}/tips/web",
    tags,
    summary: "Send a tip about a live alert (public; rate-limited per source; Turnstile)",
    middleware: [tipRateLimit] as const,
    request: { params: AlertParam, body: jsonBody(WebTipInput) },
    responses: {
      ...problemResponses,
      201: jsonOk(z.object({ id: z.string(), receivedAt: z.string(), duplicate: z.boolean() }), "Received and forwarded to the investigators"),
      403: { description: "Turnstile refused the token", content: { "application/problem+json": { schema: z.object({}) } } },
      429: { description: "Too many tips from this source; Retry-After says when" },
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const check = await verifyTurnstile(c.env, body.turnstileToken, c.req.header("CF-Connecting-IP") ?? null);
    if (!check.ok) throw new AppError("E_CHALLENGE_FAILED", check.codes.join(", "));
    const { tip, duplicate } = await receiveTip(
      { env: c.env, db: c.get("db"), now: new Date() },
      webTipRow(id, body, body.clientRef ?? null, challengeMark(c.env, check)),
    );
    return c.json({ id: tip.id, receivedAt: tip.receivedAt, duplicate }, 201);
  },
);

const CallTipInput = z
  .object({
    callSid: z.string().regex(/^CA[0-9a-f]{32}$/, "a provider call id (CA…)").optional(),
    text: Text(4000).pipe(z.string().min(3)),
    seenWhere: Text(300).optional(),
    seenAt: Text(100).optional(),
    urgent: z.boolean().default(false).describe("to be phoned to the investigators at once (then confirmed in writing)"),
    anonymous: z.boolean(),
    recording: z.enum(["given", "refused"]).describe("told the call is recorded: did not object (given) or objected (refused)"),
    assessment: z.enum(TIP_ASSESSMENTS).optional().describe("the call-taker's assessment; required for an anonymous caller"),
    contact: Contact.optional(),
  })
  .strict();

tipRoutes.openapi(
  staffRoute("tip.record", {
    method: "post",
    path: "/alerts/{id}/tips",
    tags,
    summary: "Record a tip taken on the phone (forwarded at once)",
    request: { params: AlertParam, body: jsonBody(CallTipInput) },
    responses: { 201: jsonOk(z.object({ tip: Tip }), "Recorded and forwarded") },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const user = currentUser(c);
    // The caller's choice on the line binds the record (rule 10): the recording consent is
    // the call's own (its menu choice), never the call-taker's claim.
    if (body.callSid) {
      const call = await alertStub(c.env, id).call(body.callSid);
      if (!call || call.takenBy !== user.id) throw new AppError("E_RULE", "this call was not taken by you on this alert's line");
      if (call.recording && call.recording !== body.recording) {
        throw new AppError("E_RULE", call.recording === "refused" ? "the caller objected to the recording on the line: record the call as refused (and anonymous)" : "the caller accepted the recording on the line: record the call as given");
      }
    }
    checkCallTip(body);
    const { tip } = await receiveTip(
      { env: c.env, db: c.get("db"), now: new Date() },
      {
        alertId: id,
        source: "call",
        text: body.text,
        seenWhere: body.seenWhere ?? null,
        seenAt: body.seenAt ?? null,
        urgent: body.urgent,
        anonymous: body.anonymous,
        recording: body.recording,
        assessment: body.assessment ?? null,
        contactName: body.contact?.name ?? null,
        contactPhone: body.contact?.phone ?? null,
        contactEmail: body.contact?.email ?? null,
        // An anonymous tip keeps no key to the call (its CallSid leads to the number and the recording).
        callSid: body.anonymous ? null : (body.callSid ?? null),
        takenBy: user.id,
      },
      undefined,
      { userId: user.id, role: user.role },
    );
    return c.json({ tip }, 201);
  },
);

tipRoutes.openapi(
  staffRoute("tip.read", {
    method: "get",
    path: "/alerts/{id}/tips",
    tags,
    summary: "The alert's tips (the case's investigators and the cell: all; a call-taker: the ones they took)",
    request: { params: AlertParam },
    responses: { 200: jsonOk(z.object({ tips: z.array(Tip) })) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const db = c.get("db");
    const user = currentUser(c);
    await getAlertRow(db, id);
    const scope = await readScope(db, id, user);
    return c.json({ tips: (await tipsOf(db, id, scope === "own" ? user.id : undefined)).map(tipView) }, 200);
  },
);

tipRoutes.openapi(
  staffRoute("tip.read", {
    method: "get",
    path: "/alerts/{id}/tips/{tipId}/photo",
    tags,
    summary: "The photo sent with a web tip (JPEG, metadata removed)",
    request: { params: TipParam },
    responses: { 200: { description: "JPEG", content: { "image/jpeg": { schema: z.string().openapi({ format: "binary" }) } } } },
  }),
  async (c) => {
    const { id, tipId } = c.req.valid("param");
    const db = c.get("db");
    const user = currentUser(c);
    const scope = await readScope(db, id, user);
    const tip = await tipById(db, id, tipId);
    if (!tip || !tip.photoKey || (scope === "own" && tip.takenBy !== user.id)) throw new AppError("E_NOT_FOUND", "no such photo");
    const obj = await c.env.MEDIA.get(tip.photoKey);
    if (!obj) throw new AppError("E_NOT_FOUND", "no such photo");
    return new Response(obj.body, { headers: { "Content-Type": "image/jpeg", "Cache-Control": "private, no-store" } }) as never;
  },
);

tipRoutes.openapi(
  staffRoute("tip.ack", {
    method: "post",
    path: "/alerts/{id}/tips/{tipId}/ack",
    tags,
    summary: "Acknowledge a tip (stops its escalation; the first acknowledgement stands)",
    request: { params: TipParam },
    responses: { 200: jsonOk(z.object({ tip: Tip })) },
  }),
  async (c) => {
    const { id, tipId } = c.req.valid("param");
    const user = currentUser(c);
    return c.json({ tip: await acknowledge({ env: c.env, db: c.get("db"), now: new Date() }, id, tipId, user) }, 200);
  },
);

tipRoutes.openapi(
  staffRoute("tip.ack", {
    method: "post",
    path: "/alerts/{id}/tips/{tipId}/useful",
    tags,
    summary: "Say whether the tip was useful (rule 10)",
    request: { params: TipParam, body: jsonBody(z.object({ useful: z.boolean() }).strict()) },
    responses: { 200: jsonOk(z.object({ tip: Tip })) },
  }),
  async (c) => {
    const { id, tipId } = c.req.valid("param");
    const user = currentUser(c);
    return c.json({ tip: await judge({ env: c.env, db: c.get("db"), now: new Date() }, id, tipId, c.req.valid("json").useful, user) }, 200);
  },
);
