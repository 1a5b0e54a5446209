// The 116 000 line for the call-takers: the live alerts' published content, the line's queue,
// take the next call (or one by id); the intake's figures per alert (counts and times, no content).
import { z } from "@hono/zod-openapi";
import { getAlertRow } from "../db/alerts.ts";
import { AppError } from "../errors.ts";
import { boardStub } from "../board/object.ts";
import { alertStub } from "../alert/api.ts";
import { currentUser, jsonOk, newRouter, staffRoute } from "./http.ts";
import { AlertIdParam } from "./schemas.ts";

export const callRoutes = newRouter();
const tags = ["116 000 intake"];

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

callRoutes.openapi(
  staffRoute("intake.read", {
    method: "get",
    path: "/alerts/{id}/intake",
    tags,
    summary: "The intake of one alert: is the line open, the queue (no numbers), and the figures",
    request: { params: AlertIdParam },
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

callRoutes.openapi(
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

callRoutes.openapi(
  staffRoute("intake.take", {
    method: "post",
    path: "/alerts/{id}/calls/next",
    tags,
    summary: "Take the longest-waiting call of this alert's line (one call goes to one call-taker)",
    request: { params: AlertIdParam },
    responses: { 200: jsonOk(Taken) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const call = await alertStub(c.env, id).takeCall(currentUser(c).id);
    if (!call) throw new AppError("E_NOT_FOUND", "no caller is waiting on this line");
    return c.json({ call: { ...call } }, 200);
  },
);

callRoutes.openapi(
  staffRoute("intake.take", {
    method: "post",
    path: "/alerts/{id}/calls/{sid}/take",
    tags,
    summary: "Take this call (409 if another call-taker took it first)",
    request: { params: AlertIdParam.extend({ sid: z.string().regex(/^CA[0-9a-f]{32}$/).openapi({ param: { name: "sid", in: "path" } }) }) },
    responses: { 200: jsonOk(Taken) },
  }),
  async (c) => {
    const { id, sid } = c.req.valid("param");
    const call = await alertStub(c.env, id).takeCall(currentUser(c).id, sid);
    if (!call) throw new AppError("E_CALL_TAKEN", "this caller is no longer waiting: another call-taker took the call, or the caller hung up");
    return c.json({ call: { ...call } }, 200);
  },
);
