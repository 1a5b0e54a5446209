// /api/v1/alerts — the alert lifecycle over HTTP. Validate, check the role, hand the
// command to the alert's Durable Object, shape the answer. No rule lives here.
import { CHANNEL_NAMES } from "../channels/index.ts";
import { BROADCAST_EVENTS } from "../channels/channel.ts";
import { FANOUT_STATUSES, PAGE_COUNTS, THROUGHPUT_BUCKET_S, type ThroughputPoint } from "../fanout/ledger.ts";
import { z } from "@hono/zod-openapi";
import { alertAudit, allAuditEntries, getAlertRow, loadSnapshot } from "../db/alerts.ts";
import { checkSignOff, decisionOf, type Role, verifyChain } from "../domain/index.ts";
import { rpFromEnv, signOffOptions, verifySignOff } from "../staff/passkeys.ts";
import { alertCommand, alertStub, carryOver, alertSummaries, alertView, fileForSigners } from "../alert/api.ts";
import { boardStub } from "../board/object.ts";
import { actorOf, currentUser, jsonBody, jsonOk, liveHandshake, newRouter, ownedFeedRequest, requirePermission, staffRoute, requireAnyPermission, UUID_PATH } from "./http.ts";
import { checkDrillSeat } from "../domain/drill.ts";
import {
  AlertDetail,
  AlertIdParam,
  AlertSummary,
  AuditEntry,
  ChainVerdict,
  CommandResult,
  ConsentBody,
  CreateAlertBody,
  EditContentBody,
  FileAccessBody,
  JudicialFileBody,
  Id,
  ObjectionBody,
  SignOffBody,
  SignOffOptions,
  SignOffOptionsBody,
  StopBody,
} from "./schemas.ts";

export const alertRoutes = newRouter();
const tags = ["Alerts"];


alertRoutes.openapi(
  staffRoute("alert.read", {
    method: "get",
    path: "/alerts",
    tags,
    summary: "List alerts with their state and who is waiting on whom",
    responses: { 200: jsonOk(z.object({ alerts: z.array(AlertSummary) })) },
  }),
  async (c) => c.json({ alerts: await alertSummaries(c.get("db"), actorOf(c).role, currentUser(c).drillSeat) }, 200),
);

alertRoutes.openapi(
  staffRoute("alert.create", {
    method: "post",
    path: "/alerts",
    tags,
    summary: "Create a draft alert (version 1)",
    request: { body: jsonBody(CreateAlertBody) },
    responses: { 201: jsonOk(CommandResult, "Created") },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const alertId = crypto.randomUUID();
    const result = await alertCommand(c.env, alertId, {
      type: "create",
      actor: actorOf(c),
      exercise: body.exercise,
      content: body.content,
      ...(body.file ? { file: body.file } : {}),
      kind: body.kind,
      ...(body.initiative ? { initiative: body.initiative } : {}),
    });
    c.header("Location", `/api/v1/alerts/${alertId}`);
    return c.json(result, 201);
  },
);

alertRoutes.openapi(
  staffRoute("alert.read", {
    method: "get",
    path: "/alerts/{id}",
    tags,
    summary: "One alert: versions, sign-offs, consent, objections, readiness",
    request: { params: AlertIdParam },
    responses: { 200: jsonOk(AlertDetail) },
  }),
  async (c) => c.json(await alertView(c.get("db"), c.req.valid("param").id, actorOf(c).role), 200),
);

alertRoutes.openapi(
  staffRoute("alert.edit", {
    method: "put",
    path: "/alerts/{id}/content",
    tags,
    summary: "Save new content: a new version (resets sign-offs; while live, a pending update)",
    request: { params: AlertIdParam, body: jsonBody(EditContentBody) },
    responses: { 200: jsonOk(CommandResult) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await alertCommand(c.env, id, { type: "edit", actor: actorOf(c), content: c.req.valid("json").content }), 200);
  },
);

alertRoutes.openapi(
  staffRoute("alert.file", {
    method: "put",
    path: "/alerts/{id}/file",
    tags,
    summary: "Name the judicial file: the police report (PV) number, and the magistrate's reference (before submission; fixed after)",
    request: { params: AlertIdParam, body: jsonBody(JudicialFileBody) },
    responses: { 200: jsonOk(CommandResult) },
  }),
  async (c) => c.json(await alertCommand(c.env, c.req.valid("param").id, { type: "file", actor: actorOf(c), file: c.req.valid("json") }), 200),
);

alertRoutes.openapi(
  staffRoute("alert.closeFile", {
    method: "put",
    path: "/alerts/{id}/file/access",
    tags,
    summary: "The magistrate in charge closes the file to non-signing roles (e.g. the counsellor), or opens it again",
    request: { params: AlertIdParam, body: jsonBody(FileAccessBody) },
    responses: { 200: jsonOk(CommandResult) },
  }),
  async (c) => c.json(await alertCommand(c.env, c.req.valid("param").id, { type: "closeFile", actor: actorOf(c), closedTo: c.req.valid("json").closedTo }), 200),
);

/** Simple commands: no body beyond the path. */
const simple = [
  ["submit", "alert.submit", "Submit a draft for concertation"],
  ["launch", "alert.launch", "Launch the authorised alert on every channel"],
  ["extend", "alert.extend", "Extend a live Child Alert by 6 hours (three times at most, 24 hours in all; the magistrate); confirm a search notice for 14 more days (the magistrate or the foundation)"],
  ["cancel", "alert.cancel", "Abandon the alert before launch"],
] as const;

for (const [type, permission, summary] of simple) {
  alertRoutes.openapi(
    staffRoute(permission, {
      method: "post",
      path: `/alerts/{id}/${type}`,
      tags,
      summary,
      request: { params: AlertIdParam },
      responses: { 200: jsonOk(CommandResult) },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      return c.json(await alertCommand(c.env, id, { type, actor: actorOf(c) }), 200);
    },
  );
}

alertRoutes.openapi(
  staffRoute("alert.socialRequest", {
    method: "post",
    path: "/alerts/{id}/social-request",
    tags,
    summary: "The magistrate asks for a search notice on the social networks too (protocol §2.3.3.1), before it is published",
    request: { params: AlertIdParam },
    responses: { 200: jsonOk(CommandResult) },
  }),
  async (c) => c.json(await alertCommand(c.env, c.req.valid("param").id, { type: "requestSocial", actor: actorOf(c) }), 200),
);

alertRoutes.openapi(
  staffRoute("alert.create", {
    method: "post",
    path: "/alerts/{id}/escalate",
    tags,
    summary: "Escalate a search notice to a Child Alert: a new draft with the agreed content and photos, which goes through its own concertation (the four criteria)",
    request: { params: AlertIdParam },
    responses: { 201: jsonOk(CommandResult, "The Child Alert draft") },
  }),
  async (c) => c.json(await carryOver(c.env, c.get("db"), c.req.valid("param").id, actorOf(c), "escalated"), 201),
);

alertRoutes.openapi(
  staffRoute("alert.continue", {
    method: "post",
    path: "/alerts/{id}/continue-as-notice",
    tags,
    summary: "The magistrate decides that a Child Alert which ended without the child found safe continues as a search notice: a new notice draft with its content",
    request: { params: AlertIdParam },
    responses: { 201: jsonOk(CommandResult, "The search notice draft") },
  }),
  async (c) => c.json(await carryOver(c.env, c.get("db"), c.req.valid("param").id, actorOf(c), "continued", "magistrate"), 201),
);

alertRoutes.openapi(
  staffRoute("alert.stop", {
    method: "post",
    path: "/alerts/{id}/stop",
    tags,
    summary: "The stop command: ends the alert everywhere at once",
    request: { params: AlertIdParam, body: jsonBody(StopBody) },
    responses: { 200: jsonOk(CommandResult) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await alertCommand(c.env, id, { type: "stop", actor: actorOf(c), reason: c.req.valid("json").reason }), 200);
  },
);

alertRoutes.openapi(
  staffRoute("alert.signOff", {
    method: "post",
    path: "/alerts/{id}/signoffs/options",
    tags,
    summary: "Start a sign-off: a passkey challenge derived from the content hash of the version under review, the kind of sign-off and the magistrate's decision",
    description:
      "The challenge is H(contentHash ‖ kind ‖ decision) ‖ nonce: the stored assertion proves by itself what was approved and decided. The sign-off is checked here already (role, one seat per person, concertation, consent, criteria), so no one is asked to sign what would be refused.",
    request: { params: AlertIdParam, body: jsonBody(SignOffOptionsBody) },
    responses: { 200: jsonOk(SignOffOptions) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const { kind, decision } = c.req.valid("json");
    const db = c.get("db");
    const user = currentUser(c);
    const { snapshot } = await loadSnapshot(db, id);
    const { version } = checkSignOff(snapshot, kind, { userId: user.id, role: user.role as Role }, decision);
    const out = await signOffOptions(
      db,
      rpFromEnv(c.env),
      user,
      { alertId: id, versionId: version.id, contentHash: version.contentHash, kind, decision: decisionOf(kind, decision) },
      new Date(),
    );
    return c.json({ ...out, options: out.options as unknown as Record<string, unknown>, file: await fileForSigners(db, snapshot) }, 200);
  },
);

alertRoutes.openapi(
  staffRoute("alert.signOff", {
    method: "post",
    path: "/alerts/{id}/signoffs",
    tags,
    summary: "Give a sign-off (or the magistrate's authorisation) with a passkey assertion",
    description:
      "The assertion must answer the challenge from /signoffs/options; the decision recorded is the one given there (and signed).",
    request: { params: AlertIdParam, body: jsonBody(SignOffBody) },
    responses: { 200: jsonOk(CommandResult) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const user = currentUser(c);
    const verified = await verifySignOff(c.get("db"), rpFromEnv(c.env), user, id, body, new Date());
    const result = await alertCommand(c.env, id, {
      type: "signOff",
      actor: { userId: user.id, role: user.role as Role },
      ...verified,
    });
    return c.json(result, 200);
  },
);

alertRoutes.openapi(
  staffRoute("alert.consent", {
    method: "post",
    path: "/alerts/{id}/consent",
    tags,
    summary: "Record how the parents' side is settled (consent, magistrate requisition, operator danger assessment)",
    request: { params: AlertIdParam, body: jsonBody(ConsentBody) },
    responses: { 200: jsonOk(CommandResult) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await alertCommand(c.env, id, { type: "consent", actor: actorOf(c), ...c.req.valid("json") }), 200);
  },
);

alertRoutes.openapi(
  staffRoute("alert.object", {
    method: "post",
    path: "/alerts/{id}/objections",
    tags,
    summary: "Operator refusal or magistrate opposition, with a written reason (blocks the launch)",
    request: { params: AlertIdParam, body: jsonBody(ObjectionBody) },
    responses: { 200: jsonOk(CommandResult) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await alertCommand(c.env, id, { type: "object", actor: actorOf(c), ...c.req.valid("json") }), 200);
  },
);

alertRoutes.openapi(
  staffRoute("alert.object", {
    method: "post",
    path: "/alerts/{id}/objections/{objectionId}/lift",
    tags,
    summary: "Lift one's own refusal/opposition; the alert returns to concertation",
    request: { params: AlertIdParam.extend({ objectionId: Id.openapi({ param: { name: "objectionId", in: "path" } }) }) },
    responses: { 200: jsonOk(CommandResult) },
  }),
  async (c) => {
    const { id, objectionId } = c.req.valid("param");
    return c.json(await alertCommand(c.env, id, { type: "lift", actor: actorOf(c), objectionId }), 200);
  },
);

alertRoutes.openapi(
  staffRoute("audit.read", {
    method: "get",
    path: "/alerts/{id}/audit",
    tags: ["Audit"],
    summary: "The alert's audit trail and the verdict on the whole chain",
    request: { params: AlertIdParam },
    responses: { 200: jsonOk(z.object({ entries: z.array(AuditEntry.extend({ actorName: z.string().nullable() })), chain: ChainVerdict })) },
  }),
  async (c) => {
    const db = c.get("db");
    const { id } = c.req.valid("param");
    await getAlertRow(db, id);
    const [entries, all] = await Promise.all([alertAudit(db, id), allAuditEntries(db)]);
    return c.json({ entries, chain: await verifyChain(all) }, 200);
  },
);

alertRoutes.openapi(
  staffRoute("alert.read", {
    method: "get",
    path: "/alerts/{id}/fanout",
    tags,
    summary: "Per-channel fan-out progress of each broadcast of the alert (sent, failed, pruned, retrying, fenced)",
    request: { params: AlertIdParam },
    responses: {
      200: jsonOk(
        z.object({
          fanouts: z.array(
            z.object({
              fanoutId: z.string(),
              channel: z.enum(CHANNEL_NAMES),
              event: z.enum(BROADCAST_EVENTS),
              versionId: z.string(),
              version: z.number().int(),
              status: z.enum(FANOUT_STATUSES),
              startedAt: z.string(),
              completedAt: z.string().optional(),
              pagesPlanned: z.number().int(),
              pagesDone: z.number().int(),
              ...(Object.fromEntries(PAGE_COUNTS.map((k) => [k, z.number().int()])) as Record<(typeof PAGE_COUNTS)[number], z.ZodNumber>),
              deadPages: z.number().int().optional(),
              switchedOff: z.boolean().optional(),
              incident: z
                .object({ reason: z.enum(["stalled", "failing"]), since: z.string() })
                .optional()
                .describe("the watchdog paged the operator and the cell: nothing delivered for 30 s while recipients wait, or a fifth of the deliveries refused"),
            }),
          ),
        }),
      ),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await getAlertRow(c.get("db"), id);
    return c.json({ fanouts: await alertStub(c.env, id).fanouts() }, 200);
  },
);

alertRoutes.openapi(
  staffRoute("alert.read", {
    method: "get",
    path: "/alerts/{id}/throughput",
    tags,
    summary: "Each channel's deliveries over the last 15 minutes, in 5-second buckets (the live panel's chart)",
    request: { params: AlertIdParam },
    responses: {
      200: jsonOk(
        z.object({
          bucketS: z.number().int(),
          channels: z.array(
            z.object({
              channel: z.enum(CHANNEL_NAMES),
              points: z.array(
                z.object({ at: z.number().describe("bucket start, epoch ms"), sent: z.number().int(), failed: z.number().int().describe("refused for good"), retried: z.number().int().describe("put back for a retry") }),
              ),
            }),
          ),
        }),
      ),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await getAlertRow(c.get("db"), id);
    const series = await alertStub(c.env, id).throughput();
    const channels = CHANNEL_NAMES.filter((ch) => series[ch]?.length).map((channel) => ({
      channel,
      points: (series[channel] as ThroughputPoint[]).map(([at, sent, failed, retried]) => ({ at, sent, failed, retried })),
    }));
    return c.json({ bucketS: THROUGHPUT_BUCKET_S, channels }, 200);
  },
);

/**
 * The live feed of one alert (state changes, fan-out progress, the intake's counts) from the
 * alert's Durable Object; tips go only to the sockets of those who may read them.
 */
alertRoutes.get(`/alerts/:id{${UUID_PATH}}/live`, requireAnyPermission("alert.read", "intake.read"), liveHandshake, async (c) => {
  const id = c.req.param("id");
  await getAlertRow(c.get("db"), id);
  await boardStub(c.env).noteAlertFeed(currentUser(c).id, id);
  return alertStub(c.env, id).fetch(ownedFeedRequest(c));
});

/** The board feed: "something changed" for every open alert list (ids and states only). */
alertRoutes.get(
  "/board/live",
  requirePermission("alert.read"),
  async (c, next) => {
    if (currentUser(c).drillSeat) checkDrillSeat(["alert.read"], "every alert");
    await next();
  },
  liveHandshake,
  (c) => boardStub(c.env).fetch(ownedFeedRequest(c)),
);
