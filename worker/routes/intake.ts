// The 116 000 intake's API (issue 14, rule 10):
// - public: a web tip on a live (or just stopped) alert — rate-limited per source and
//   checked with Turnstile; the public page's form posts to /alert/{id}/tip (routes/tip-form.ts);
// - call-takers: the live alerts' published content, the line's queue, take a call, record a tip;
// - the case's investigators and the cell: the tips (live on the alert's feed), acknowledge, useful or not;
// - the intake's figures per alert (counts and times, no content).
import { createRoute, z } from "@hono/zod-openapi";
import { getAlertRow } from "../db/alerts.ts";
import { tipById, tipsOf } from "../db/tips.ts";
import { lineSettings } from "../db/intake-line.ts";
import { setLine } from "../intake/line.ts";
import { dropStaffPush, saveStaffPush, staffPushOf } from "../db/staff-push.ts";
import { endpointRefusal, policyFromEnv } from "../channels/push/endpoints.ts";
import { isP256Point, PushSubscriptionJson } from "./push.ts";
import { checkCallTip, LANGUAGES, TIP_ASSESSMENTS } from "../domain/index.ts";
import { AppError } from "../errors.ts";
import { acknowledge, judge, readScope, receiveTip, TipSchema, tipView, webTipRow } from "../intake/tips.ts";
import { challengeMark, verifyTurnstile } from "../intake/turnstile.ts";
import { boardStub } from "../board/object.ts";
import { alertStub } from "../alert/api.ts";
import { actorOf, currentUser, jsonBody, jsonOk, newRouter, problemResponses, rateLimited, staffRoute } from "./http.ts";
import { Id } from "./schemas.ts";

export const intakeRoutes = newRouter();
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

intakeRoutes.openapi(
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

intakeRoutes.openapi(
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

intakeRoutes.openapi(
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

intakeRoutes.openapi(
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

intakeRoutes.openapi(
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

intakeRoutes.openapi(
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

const QueueEntry = z.object({
  sid: z.string(),
  lang: z.string(),
  recording: z.enum(["given", "refused"]).nullable(),
  status: z.enum(["menu", "waiting", "taken", "answered", "abandoned"]),
  waitingSince: z.string().nullable(),
  takenBy: z.string().nullable(),
});
const Ms = z.object({ median: z.number().nullable(), worst: z.number().nullable() });
const IntakeMetrics = z
  .object({
    calls: z.object({ calls: z.number(), answered: z.number(), abandoned: z.number(), waiting: z.number() }),
    tips: z.object({
      total: z.number(),
      web: z.number(),
      call: z.number(),
      urgent: z.number(),
      acknowledged: z.number(),
      useful: z.number(),
      notUseful: z.number(),
      escalated: z.number(),
    }),
    toForwardMs: Ms,
    toAcknowledgeMs: Ms,
  })
  .openapi("IntakeMetrics");

intakeRoutes.openapi(
  staffRoute("intake.read", {
    method: "get",
    path: "/alerts/{id}/intake",
    tags,
    summary: "The intake of one alert: is the line open, the queue (no numbers), and the figures",
    request: { params: AlertParam },
    responses: { 200: jsonOk(z.object({ open: z.boolean(), queue: z.array(QueueEntry), metrics: IntakeMetrics })) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await getAlertRow(c.get("db"), id);
    const stub = alertStub(c.env, id);
    const [q, metrics] = await Promise.all([stub.intakeQueue(), stub.intakeMetrics(id)]);
    return c.json({ open: q.open, queue: q.entries, metrics }, 200);
  },
);

const PublishedAlert = z.object({
  alertId: z.string(),
  exercise: z.boolean(),
  state: z.string(),
  endsAt: z.string().nullable(),
  content: z.record(z.string(), z.unknown()).nullable().describe("the published content (never drafts, objections or an unauthorised accompanying person)"),
  posterUrl: z.string().nullable(),
  open: z.boolean(),
  queue: z.array(QueueEntry),
});

intakeRoutes.openapi(
  staffRoute("intake.take", {
    method: "get",
    path: "/intake/alerts",
    tags,
    summary: "The call-takers' console: each live alert's published content and its line's queue",
    responses: { 200: jsonOk(z.object({ alerts: z.array(PublishedAlert) })) },
  }),
  async (c) => {
    const records = (await boardStub(c.env).publicAlerts()).filter((r) => r.face === "alert");
    const alerts = await Promise.all(
      records.map(async (r) => {
        const q = await alertStub(c.env, r.alertId).intakeQueue();
        const lang = r.content?.targeting.languages[0] ?? "fr";
        return {
          alertId: r.alertId,
          exercise: r.exercise,
          state: "live",
          endsAt: r.endsAt,
          content: (r.content as unknown as Record<string, unknown>) ?? null,
          posterUrl: r.content ? `/alert/${r.alertId}/poster/landscape-${lang}.png` : null,
          open: q.open,
          queue: q.entries,
        };
      }),
    );
    return c.json({ alerts }, 200);
  },
);

const Taken = z.object({ call: QueueEntry.extend({ from: z.string().nullable().describe("the caller's number, only if they accepted the recording") }) });

intakeRoutes.openapi(
  staffRoute("intake.take", {
    method: "post",
    path: "/alerts/{id}/calls/next",
    tags,
    summary: "Take the longest-waiting call of this alert's line (one call goes to one call-taker)",
    request: { params: AlertParam },
    responses: { 200: jsonOk(Taken) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const call = await alertStub(c.env, id).takeCall(currentUser(c).id);
    if (!call) throw new AppError("E_NOT_FOUND", "no caller is waiting on this line");
    return c.json({ call: { ...call } }, 200);
  },
);

intakeRoutes.openapi(
  staffRoute("intake.take", {
    method: "post",
    path: "/alerts/{id}/calls/{sid}/take",
    tags,
    summary: "Take this call (409 if another call-taker took it first)",
    request: { params: AlertParam.extend({ sid: z.string().regex(/^CA[0-9a-f]{32}$/).openapi({ param: { name: "sid", in: "path" } }) }) },
    responses: { 200: jsonOk(Taken) },
  }),
  async (c) => {
    const { id, sid } = c.req.valid("param");
    const call = await alertStub(c.env, id).takeCall(currentUser(c).id, sid);
    if (!call) throw new AppError("E_CALL_TAKEN", "this caller is no longer waiting: another call-taker took the call, or the caller hung up");
    return c.json({ call: { ...call } }, 200);
  },
);

const E164 = z.string().trim().regex(/^\+[1-9][0-9]{6,14}$/, "an international number such as +3227000116");
const LineSettings = z
  .object({
    provider: z.enum(["twilio", "signalwire", "telnyx", "other"]).describe("the TwiML dialect's provider"),
    routingNumber: E164.describe("the number the 116 000 routes alert calls to (the provider's number)"),
    fallbackNumber: E164.describe("the normal hotline: callers are put through to it when no alert line is open"),
  })
  .strict()
  .openapi("IntakeLine");
const LineView = LineSettings.extend({
  configured: z.boolean().describe("false: never set, the values are wrangler.toml's defaults"),
  updatedAt: z.string().nullable(),
  webhooks: z
    .object({ voice: z.string(), drillVoice: z.string().describe("the voice URL of the drills' test number: the only way a call reaches an exercise alert"), status: z.string(), agent: z.string() })
    .describe("the URLs to enter in the provider's console"),
  tokenSet: z.boolean().describe("is the secret TELEPHONY_AUTH_TOKEN set (the provider's signature is checked with it)"),
});

const lineView = async (c: { env: Env; get(k: "db"): import("../db/client.ts").Db }) => {
  const s = await lineSettings(c.get("db"));
  const o = c.env.APP_ORIGIN;
  return {
    provider: s?.provider ?? "twilio",
    routingNumber: s?.routingNumber ?? "",
    fallbackNumber: s?.fallbackNumber ?? c.env.TELEPHONY_FALLBACK_NUMBER,
    configured: !!s,
    updatedAt: s?.updatedAt ?? null,
    webhooks: { voice: `${o}/telephony/voice`, drillVoice: `${o}/telephony/voice?drill=1`, status: `${o}/telephony/status`, agent: `${o}/telephony/agent?alert={alertId}` },
    tokenSet: !!c.env.TELEPHONY_AUTH_TOKEN,
  } as z.infer<typeof LineView>;
};

intakeRoutes.openapi(
  staffRoute("admin.channels", {
    method: "get",
    path: "/admin/intake-line",
    tags,
    summary: "The 116 000 line: provider, routing number, normal hotline, and the webhook URLs to configure",
    responses: { 200: jsonOk(LineView) },
  }),
  async (c) => c.json(await lineView(c), 200),
);

intakeRoutes.openapi(
  staffRoute("admin.channels", {
    method: "put",
    path: "/admin/intake-line",
    tags,
    summary: "Set the 116 000 line (audited)",
    request: { body: jsonBody(LineSettings) },
    responses: { 200: jsonOk(LineView) },
  }),
  async (c) => {
    await setLine(c.get("db"), actorOf(c), c.req.valid("json"));
    return c.json(await lineView(c), 200);
  },
);

const StaffDevice = z.object({ subscription: PushSubscriptionJson }).strict();

intakeRoutes.openapi(
  staffRoute("tip.read", {
    method: "post",
    path: "/me/tip-push",
    tags,
    summary: "Wake this device when a tip I may read comes in (web push; the message never carries the tip)",
    request: { body: jsonBody(StaffDevice) },
    responses: { 201: jsonOk(z.object({ devices: z.number().int() }), "Subscribed") },
  }),
  async (c) => {
    const { subscription: s } = c.req.valid("json");
    const refusal = endpointRefusal(s.endpoint, policyFromEnv(c.env));
    if (refusal) throw new AppError("E_PUSH_ENDPOINT", refusal);
    if (!(await isP256Point(s.keys.p256dh))) throw new AppError("E_VALIDATION", "see errors for each invalid field", { errors: [{ path: "subscription.keys.p256dh", message: "not a P-256 public key (uncompressed point)" }] });
    const db = c.get("db");
    const user = currentUser(c);
    await saveStaffPush(db, user.id, { endpoint: s.endpoint, p256dh: s.keys.p256dh, auth: s.keys.auth }).run();
    return c.json({ devices: (await staffPushOf(db, user.id)).length }, 201);
  },
);

intakeRoutes.openapi(
  staffRoute("tip.read", {
    method: "delete",
    path: "/me/tip-push",
    tags,
    summary: "Stop waking this device",
    request: { body: jsonBody(z.object({ endpoint: z.url().max(1024) }).strict()) },
    responses: { 200: jsonOk(z.object({ devices: z.number().int() })) },
  }),
  async (c) => {
    const db = c.get("db");
    const user = currentUser(c);
    await dropStaffPush(db, c.req.valid("json").endpoint, user.id).run();
    return c.json({ devices: (await staffPushOf(db, user.id)).length }, 200);
  },
);
