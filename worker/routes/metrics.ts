// GET /api/v1/metrics (issue 27): OpenMetrics for an outside monitor (Prometheus, Grafana
// Agent), with `Authorization: Bearer <METRICS_TOKEN>` (a secret; unset: the endpoint is
// off). Counts and states only, no child data; not edge-cached.
import { createRoute } from "@hono/zod-openapi";
import { AppError } from "../errors.ts";
import { openMetrics } from "../metrics/openmetrics.ts";
import { newRouter, publicRateLimit } from "./http.ts";

export const metricsRoutes = newRouter();

const enc = new TextEncoder();
/** Constant-time comparison of the presented token with the configured one (their SHA-256, so lengths never leak). */
async function tokenMatches(presented: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([presented, expected].map(async (x) => new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode(x)))));
  let diff = 0;
  for (let i = 0; i < a!.length; i++) diff |= a![i]! ^ b![i]!;
  return diff === 0;
}

metricsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/metrics",
    tags: ["Readiness"],
    summary: "OpenMetrics: deliveries per channel and outcome, backlog, retries, dead letters, health checks, live alerts",
    description: "Send `Authorization: Bearer <METRICS_TOKEN>`. Off (404) while METRICS_TOKEN is not set.",
    security: [{ metricsToken: [] }],
    middleware: [publicRateLimit] as const,
    responses: {
      200: { description: "OpenMetrics text", content: { "application/openmetrics-text": { schema: { type: "string" } } } },
      401: { description: "No or wrong token" },
      404: { description: "Metrics are off (no METRICS_TOKEN)" },
    },
  }),
  async (c) => {
    const expected = c.env.METRICS_TOKEN;
    if (!expected) throw new AppError("E_NOT_FOUND", "metrics are off: set the METRICS_TOKEN secret");
    const presented = /^Bearer (.+)$/.exec(c.req.header("Authorization") ?? "")?.[1] ?? "";
    if (!presented || !(await tokenMatches(presented, expected))) throw new AppError("E_UNAUTHENTICATED", "a metrics token is needed: Authorization: Bearer …");
    return new Response(await openMetrics(c.env, c.get("db")), {
      headers: { "Content-Type": "application/openmetrics-text; version=1.0.0; charset=utf-8", "Cache-Control": "no-store" },
    });
  },
);
