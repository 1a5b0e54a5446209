// /api/v1/me/tip-push — a staff device woken for new tips (a notification says a tip came in, never what it says).
import { z } from "@hono/zod-openapi";
import { dropStaffPush, saveStaffPush, staffPushOf } from "../db/staff-push.ts";
import { endpointRefusal, policyFromEnv } from "../channels/push/endpoints.ts";
import { isP256Point, PushSubscriptionJson } from "./push.ts";
import { AppError } from "../errors.ts";
import { currentUser, jsonBody, jsonOk, newRouter, staffRoute } from "./http.ts";

export const tipPushRoutes = newRouter();
const tags = ["116 000 intake"];

const StaffDevice = z.object({ subscription: PushSubscriptionJson }).strict();

tipPushRoutes.openapi(
  staffRoute("staff.push", {
    method: "post",
    path: "/me/tip-push",
    tags,
    summary: "Wake this device when a tip I may read comes in, or (operator, cell) a channel of a live alert stalls (web push; the message never carries the tip)",
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

tipPushRoutes.openapi(
  staffRoute("staff.push", {
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
