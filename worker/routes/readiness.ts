// Readiness (issue 27): is every channel able to reach people now? The latest check of
// each channel's far side (the relay, each account, each partner's webhook, the VAPID
// keys), dead letters and the work still queued for live alerts; and "check now".
import { z } from "@hono/zod-openapi";
import { CHANNEL_NAMES, CHANNELS, type ChannelName } from "../channels/index.ts";
import type { Db } from "../db/client.ts";
import { allHealth, type HealthRow } from "../db/health.ts";
import { deadLettersByChannel, lastDeliveryByChannel } from "../db/channel-figures.ts";
import { backlogByChannel, liveFanouts } from "../health/queued.ts";
import { alertStub } from "../alert/api.ts";
import type { FanoutCounters } from "../fanout/ledger.ts";
import { checkHealth } from "../health/checks.ts";
import { jsonBody, jsonOk, newRouter, staffRoute } from "./http.ts";

export const readinessRoutes = newRouter();
const tags = ["Readiness"];

const STATUSES = ["ok", "failing", "off", "unchecked"] as const;

const Check = z
  .object({
    target: z.string().describe('what was checked: "relay", "vapid", an account\'s or a partner\'s id, "channel" for the channel as a whole'),
    label: z.string(),
    status: z.enum(["ok", "failing", "off"]),
    detail: z.string().nullable().describe("what the far side answered (never a secret)"),
    checkedAt: z.string(),
    since: z.string().describe("in this status since"),
  })
  .openapi("HealthCheck");

const ChannelReadiness = z
  .object({
    channel: z.enum(CHANNEL_NAMES),
    status: z.enum(STATUSES).describe("the worst of its checks; unchecked before the first check"),
    checks: z.array(Check),
    deadLetters: z.number().int().describe("page jobs of this channel in the dead-letter queue, last 7 days"),
    backlog: z.object({ pages: z.number().int(), retrying: z.number().int() }).describe("work queued for live alerts now"),
    lastDelivery: z.string().nullable().describe("when a broadcast last finished with deliveries on this channel (a drill counts)"),
  })
  .openapi("ChannelReadiness");

const Readiness = z.object({ checkedAt: z.string().nullable(), channels: z.array(ChannelReadiness) }).openapi("ChannelsReadiness");

const DEAD_LETTER_WINDOW_MS = 7 * 24 * 3600_000;

const worst = (rows: HealthRow[]): (typeof STATUSES)[number] =>
  !rows.length ? "unchecked" : rows.some((r) => r.status === "failing") ? "failing" : rows.every((r) => r.status === "off") ? "off" : "ok";

async function readiness(env: Env, db: Db, rows: HealthRow[]) {
  const now = new Date();
  const [dead, live, last] = await Promise.all([deadLettersByChannel(db, { since: new Date(now.getTime() - DEAD_LETTER_WINDOW_MS), pagesOnly: true }), liveFanouts(db, async (id) => (await alertStub(env, id).fanouts()) as FanoutCounters[]), lastDeliveryByChannel(db)]);
  const backlog = backlogByChannel(live.fanouts);
  const checkedAt = rows.reduce<string | null>((m, r) => (!m || r.checkedAt > m ? r.checkedAt : m), null);
  return {
    checkedAt,
    channels: CHANNELS.map((ch) => {
      const mine = rows.filter((r) => r.channel === ch.name);
      return {
        channel: ch.name as ChannelName,
        status: worst(mine),
        checks: mine.map(({ target, label, status, detail, checkedAt: at, since }) => ({ target, label, status, detail, checkedAt: at, since })),
        deadLetters: dead.get(ch.name) ?? 0,
        backlog: backlog.get(ch.name) ?? { pages: 0, retrying: 0 },
        lastDelivery: last.get(ch.name) ?? null,
      };
    }),
  };
}

readinessRoutes.openapi(
  staffRoute("health.read", {
    method: "get",
    path: "/readiness",
    tags,
    summary: "Every channel's latest checks, dead letters and queued work (the cron checks every 5 minutes)",
    responses: { 200: jsonOk(Readiness) },
  }),
  async (c) => c.json(await readiness(c.env, c.get("db"), await allHealth(c.get("db"))), 200),
);

readinessRoutes.openapi(
  staffRoute("health.check", {
    method: "post",
    path: "/readiness/check",
    tags,
    summary: "Check the channels' far sides now (all, or the ones named); a change of colour notifies the operator and the admin",
    request: { body: jsonBody(z.object({ channels: z.array(z.enum(CHANNEL_NAMES)).min(1).max(CHANNEL_NAMES.length).optional() }).strict()) },
    responses: { 200: jsonOk(Readiness) },
  }),
  async (c) => {
    const { channels } = c.req.valid("json");
    const rows = await checkHealth(c.env, new Date(), channels);
    return c.json(await readiness(c.env, c.get("db"), rows), 200);
  },
);
