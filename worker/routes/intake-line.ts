// /api/v1/admin/intake-line — the 116 000 line's settings (provider, routing number, the normal hotline), for the admin.
import { z } from "@hono/zod-openapi";
import { lineSettings } from "../db/intake-line.ts";
import { setLine } from "../intake/line.ts";
import { actorOf, jsonBody, jsonOk, newRouter, staffRoute } from "./http.ts";

export const lineRoutes = newRouter();
const tags = ["116 000 intake"];

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

lineRoutes.openapi(
  staffRoute("admin.channels", {
    method: "get",
    path: "/admin/intake-line",
    tags,
    summary: "The 116 000 line: provider, routing number, normal hotline, and the webhook URLs to configure",
    responses: { 200: jsonOk(LineView) },
  }),
  async (c) => c.json(await lineView(c), 200),
);

lineRoutes.openapi(
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
