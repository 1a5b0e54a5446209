// Drills (issue 27): "Run a drill" creates an exercise alert with a fictional child, ready
// to go through the whole path with every channel's exercise audience; its scorecard times
// each step against the targets the admin sets; the history shows the trend.
import { z } from "@hono/zod-openapi";
import { alertCommand, alertStub } from "../alert/api.ts";
import type { FanoutCounters } from "../fanout/ledger.ts";
import { DRILL_TARGET_KEYS } from "../domain/drill.ts";
import { currentDrillTargets, drillHistory, drillScorecard, runningDrills, setDrillTargets } from "../drills/scorecard.ts";
import { drillContent, drillFile } from "../drills/template.ts";
import { actorOf, jsonBody, jsonOk, newRouter, staffRoute } from "./http.ts";
import { AlertIdParam } from "./schemas.ts";

export const drillRoutes = newRouter();
const tags = ["Drills"];

const Targets = z.object(Object.fromEntries(DRILL_TARGET_KEYS.map((k) => [k, z.number().int().min(100).max(3_600_000)])) as Record<(typeof DRILL_TARGET_KEYS)[number], z.ZodNumber>).openapi("DrillTargets");

const Scorecard = z
  .object({
    alertId: z.string(),
    startedAt: z.string(),
    complete: z.boolean().describe("stopped and withdrawn everywhere: the card is kept as it is"),
    steps: z.array(z.object({ key: z.string(), at: z.string().nullable() })),
    channels: z.array(
      z.object({
        channel: z.string(),
        delivered: z.number().int(),
        first: z.string().nullable(),
        p50: z.string().nullable(),
        p99: z.string().nullable(),
        p100: z.string().nullable(),
        withdrawn: z.string().nullable(),
      }),
    ),
    targets: z.array(z.object({ key: z.enum(DRILL_TARGET_KEYS), targetMs: z.number().int(), actualMs: z.number().nullable(), pass: z.boolean().nullable() })),
  })
  .openapi("DrillScorecard");

drillRoutes.openapi(
  staffRoute("drill.run", {
    method: "post",
    path: "/drills",
    tags,
    summary: "Run a drill: an exercise alert with a fictional child, its file given, ready to submit",
    responses: { 201: jsonOk(z.object({ alertId: z.string() }), "Created") },
  }),
  async (c) => {
    const alertId = crypto.randomUUID();
    await alertCommand(c.env, alertId, { type: "create", actor: actorOf(c), exercise: true, drill: true, content: drillContent(), file: drillFile() });
    c.header("Location", `/api/v1/drills/${alertId}`);
    return c.json({ alertId }, 201);
  },
);

drillRoutes.openapi(
  staffRoute("drill.read", {
    method: "get",
    path: "/drills",
    tags,
    summary: "The drills: those under way, and the kept scorecards (newest first) with the targets",
    responses: {
      200: jsonOk(z.object({ targets: Targets, running: z.array(z.object({ alertId: z.string(), state: z.string(), createdAt: z.string() })), history: z.array(Scorecard) })),
    },
  }),
  async (c) => {
    const db = c.get("db");
    return c.json({ targets: await currentDrillTargets(db), running: await runningDrills(db), history: await drillHistory(db) }, 200);
  },
);

drillRoutes.openapi(
  staffRoute("drill.read", {
    method: "get",
    path: "/drills/{id}",
    tags,
    summary: "A drill's scorecard: every step timed, each target met or not (times only, no child data)",
    request: { params: AlertIdParam },
    responses: { 200: jsonOk(Scorecard) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await drillScorecard(c.get("db"), id, async () => (await alertStub(c.env, id).fanouts()) as FanoutCounters[]), 200);
  },
);

drillRoutes.openapi(
  staffRoute("drill.targets", {
    method: "put",
    path: "/drills/targets",
    tags,
    summary: "Set the drills' targets (milliseconds); audited",
    request: { body: jsonBody(Targets.partial().strict()) },
    responses: { 200: jsonOk(Targets) },
  }),
  async (c) => c.json(await setDrillTargets(c.get("db"), actorOf(c), c.req.valid("json")), 200),
);
