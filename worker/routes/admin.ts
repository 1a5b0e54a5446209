// /api/v1/admin — staff accounts and invitations, channel switches, statistics; /api/v1/audit —
// chain verification. HTTP only: the workflow and its writes are staff/accounts.ts.
import { z } from "@hono/zod-openapi";
import { type AccountRequestRow, credentialsOf, listUsers, passkeyView, pendingAccountRequests, pendingInvitations } from "../db/auth.ts";
import { allAuditEntries } from "../db/alerts.ts";
import type { Db } from "../db/client.ts";
import { CHANNEL_NAMES, channelOf } from "../channels/index.ts";
import { channelSettingsList } from "../db/settings.ts";
import { checkAgainstHeads, type Role, verifyChain } from "../domain/index.ts";
import { readHeads } from "../audit/anchors.ts";
import { createInvitation } from "../staff/passkeys.ts";
import { approveAccountRequest, approveInvitation, cancelAccountRequest, changeAccount, revokeInvitation, revokePasskey, switchChannel } from "../staff/accounts.ts";
import { exportStatistics, statisticsCsv } from "../audit/statistics.ts";
import { createRoute } from "@hono/zod-openapi";
import { actorOf, currentUser, jsonBody, jsonOk, newRouter, problemResponses, publicRateLimit, staffRoute } from "./http.ts";
import { ChainVerdict, Id, InvitationBody, Passkey, Role as RoleSchema, User } from "./schemas.ts";

export const adminRoutes = newRouter();

const AccountRequest = z
  .object({
    id: z.string(),
    kind: z.enum(["role", "enable"]).describe("a new role, or re-enabling a disabled account"),
    userId: z.string(),
    role: z.string().nullable().describe("the role asked for (kind role)"),
    requestedBy: z.string(),
    requestedAt: z.string(),
    expiresAt: z.string(),
  })
  .openapi("AccountRequest");
const toRequest = (r: Omit<AccountRequestRow, "approvedBy" | "approvedAt" | "cancelledAt">) => ({ id: r.id, kind: r.kind, userId: r.userId, role: r.role, requestedBy: r.requestedBy, requestedAt: r.requestedAt, expiresAt: r.expiresAt });

adminRoutes.openapi(
  staffRoute("admin.users", {
    method: "post",
    path: "/admin/invitations",
    tags: ["Admin"],
    summary: "Invite a staff member (or give an existing one a link to add a passkey)",
    request: { body: jsonBody(InvitationBody) },
    responses: {
      201: jsonOk(
        z.object({ id: z.string(), link: z.string(), expiresAt: z.string(), needsApproval: z.boolean().describe("a link for someone else's existing account works only once a second admin approved it") }),
        "Invitation created",
      ),
    },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const inv = await createInvitation(c.get("db"), { ...body, createdBy: currentUser(c).id }, new Date());
    if (inv.needsApproval) await c.env.FANOUT.send({ type: "mail_notices", alertId: inv.id }).catch(() => undefined); // the cron asks again
    // The token travels in the fragment: it never reaches server logs or Referer headers.
    return c.json({ id: inv.id, link: `${c.env.APP_ORIGIN}/invite#${inv.token}`, expiresAt: inv.expiresAt, needsApproval: inv.needsApproval }, 201);
  },
);

adminRoutes.openapi(
  staffRoute("admin.users", {
    method: "get",
    path: "/admin/users",
    tags: ["Admin"],
    summary: "Staff accounts, their passkey count, and pending invitations",
    responses: {
      200: jsonOk(
        z.object({
          users: z.array(User.extend({ passkeys: z.number().int() })),
          invitations: z.array(
            z.object({
              id: z.string(),
              email: z.string(),
              displayName: z.string(),
              role: z.string(),
              expiresAt: z.string(),
              forUser: z.string().nullable(),
              createdBy: z.string().nullable(),
              needsApproval: z.boolean(),
              approvedBy: z.string().nullable(),
              drillSeat: z.boolean(),
            }),
          ),
          requests: z.array(AccountRequest).describe("account changes waiting for a second admin"),
        }),
      ),
    },
  }),
  async (c) => {
    const db = c.get("db");
    const [all, invitations, requests] = await Promise.all([listUsers(db), pendingInvitations(db, new Date()), pendingAccountRequests(db, new Date())]);
    return c.json(
      {
        users: all.map((u) => ({ id: u.id, email: u.email, displayName: u.displayName, role: u.role, disabledAt: u.disabledAt, drillSeat: u.drillSeat, passkeys: u.passkeys })),
        invitations,
        requests: requests.map(toRequest),
      },
      200,
    );
  },
);

adminRoutes.openapi(
  staffRoute("admin.users", {
    method: "patch",
    path: "/admin/users/{id}",
    tags: ["Admin"],
    summary: "Disable an account (at once), or ask for a new role or re-enabling (in effect once a second admin approves)",
    description:
      "Disabling takes effect at once and ends the person's sessions. A new role and re-enabling are requests: " +
      "they take effect when another admin — neither the one who asked nor the person concerned — approves them " +
      "(POST /admin/account-requests/{id}/approve); every admin and the person are told. Refused with " +
      "E_SECOND_ADMIN_NEEDED when there is no other active admin.",
    request: {
      params: z.object({ id: Id.openapi({ param: { name: "id", in: "path" } }) }),
      body: jsonBody(
        z
          .object({ disabled: z.boolean().optional(), role: RoleSchema.optional() })
          .strict()
          .refine((b) => b.disabled !== undefined || b.role !== undefined, "give disabled, role, or both"),
      ),
    },
    responses: { 200: jsonOk(User.extend({ pending: z.array(AccountRequest).describe("changes waiting for a second admin") })) },
  }),
  async (c) => {
    const { user, disabledAt, requests } = await changeAccount(c.env, c.get("db"), actorOf(c), c.req.valid("param").id, c.req.valid("json"));
    return c.json({ id: user.id, email: user.email, displayName: user.displayName, role: user.role as Role, disabledAt, drillSeat: user.drillSeat, pending: requests.map(toRequest) }, 200);
  },
);

const RequestParam = z.object({ id: Id.openapi({ param: { name: "id", in: "path" } }) });

adminRoutes.openapi(
  staffRoute("admin.users", {
    method: "post",
    path: "/admin/account-requests/{id}/approve",
    tags: ["Admin"],
    summary: "Approve another admin's request (a new role, re-enabling): it takes effect now",
    description: "Not by the admin who asked, nor by the person concerned. The person's sessions end when their role changes.",
    request: { params: RequestParam },
    responses: { 200: jsonOk(User) },
  }),
  async (c) => {
    const { user, role, disabledAt } = await approveAccountRequest(c.env, c.get("db"), actorOf(c), c.req.valid("param").id);
    return c.json({ id: user.id, email: user.email, displayName: user.displayName, role, disabledAt, drillSeat: user.drillSeat }, 200);
  },
);

adminRoutes.openapi(
  staffRoute("admin.users", {
    method: "post",
    path: "/admin/account-requests/{id}/cancel",
    tags: ["Admin"],
    summary: "Withdraw a request (the admin who asked) or refuse it (another admin): it never takes effect",
    request: { params: RequestParam },
    responses: { 204: { description: "Withdrawn" } },
  }),
  async (c) => {
    await cancelAccountRequest(c.get("db"), actorOf(c), c.req.valid("param").id);
    return c.body(null, 204);
  },
);

const InvitationParam = z.object({ id: Id.openapi({ param: { name: "id", in: "path" } }) });

adminRoutes.openapi(
  staffRoute("admin.users", {
    method: "post",
    path: "/admin/invitations/{id}/approve",
    tags: ["Admin"],
    summary: "Approve another admin's link that adds a passkey to someone's existing account (a lost device)",
    request: { params: InvitationParam },
    responses: { 204: { description: "Approved" } },
  }),
  async (c) => {
    await approveInvitation(c.env, c.get("db"), actorOf(c), c.req.valid("param").id);
    return c.body(null, 204);
  },
);

adminRoutes.openapi(
  staffRoute("admin.users", {
    method: "post",
    path: "/admin/invitations/{id}/revoke",
    tags: ["Admin"],
    summary: "Revoke a pending invitation: its link stops working",
    request: { params: InvitationParam },
    responses: { 204: { description: "Revoked" } },
  }),
  async (c) => {
    await revokeInvitation(c.get("db"), actorOf(c), c.req.valid("param").id);
    return c.body(null, 204);
  },
);

adminRoutes.openapi(
  staffRoute("admin.users", {
    method: "post",
    path: "/admin/users/{id}/passkeys/{credentialId}/revoke",
    tags: ["Admin"],
    summary: "Revoke a person's lost passkey, for good; their sessions and live feeds end at once",
    request: {
      params: z.object({
        id: Id.openapi({ param: { name: "id", in: "path" } }),
        credentialId: z.string().min(1).max(512).openapi({ param: { name: "credentialId", in: "path" } }),
      }),
    },
    responses: { 204: { description: "Revoked" } },
  }),
  async (c) => {
    const { id, credentialId } = c.req.valid("param");
    await revokePasskey(c.env, c.get("db"), actorOf(c), id, credentialId);
    return c.body(null, 204);
  },
);

adminRoutes.openapi(
  staffRoute("admin.users", {
    method: "get",
    path: "/admin/users/{id}/passkeys",
    tags: ["Admin"],
    summary: "A person's passkeys (names, dates, revoked or not), to revoke a lost one",
    request: { params: z.object({ id: Id.openapi({ param: { name: "id", in: "path" } }) }) },
    responses: { 200: jsonOk(z.object({ passkeys: z.array(Passkey) })) },
  }),
  async (c) => {
    const rows = await credentialsOf(c.get("db"), c.req.valid("param").id);
    return c.json({ passkeys: rows.map(passkeyView) }, 200);
  },
);

const Label = z.object({ fr: z.string(), nl: z.string(), de: z.string(), en: z.string() });

const ChannelSetting = z
  .object({
    channel: z.enum(CHANNEL_NAMES),
    label: Label,
    enabled: z.boolean(),
    updatedBy: z.string().nullable(),
    updatedAt: z.string().nullable(),
    /** Who can be reached on the channel now (a count, no identities). */
    audience: z.number().int(),
    /** False when the deployment lacks what the channel needs (e.g. no SMTP relay): it is then skipped like a switched-off one. */
    configured: z.boolean(),
  })
  .openapi("ChannelSetting");

/** Every channel of the registry with its switch and its name per language. */
const labelledChannels = async (db: Db) => (await channelSettingsList(db, CHANNEL_NAMES)).map((s) => ({ ...s, label: channelOf(s.channel).label }));

async function channelsView(env: Env, db: Db) {
  return Promise.all((await labelledChannels(db)).map(async (s) => ({ ...s, audience: await channelOf(s.channel).audienceSize(env), configured: channelOf(s.channel).configured?.(env) ?? true })));
}

adminRoutes.openapi(
  staffRoute("alert.read", {
    method: "get",
    path: "/channels",
    tags: ["Alerts"],
    summary: "The broadcast channels (from the registry), their names per language and whether they are on",
    responses: {
      200: jsonOk(z.object({ channels: z.array(z.object({ channel: z.enum(CHANNEL_NAMES), label: Label, enabled: z.boolean() })) })),
    },
  }),
  async (c) => c.json({ channels: (await labelledChannels(c.get("db"))).map(({ channel, label, enabled }) => ({ channel, label, enabled })) }, 200),
);

adminRoutes.openapi(
  staffRoute("admin.channels", {
    method: "get",
    path: "/admin/channels",
    tags: ["Admin"],
    summary: "Broadcast channels: switched on or off, by whom, and their audience",
    responses: { 200: jsonOk(z.object({ channels: z.array(ChannelSetting) })) },
  }),
  async (c) => c.json({ channels: await channelsView(c.env, c.get("db")) }, 200),
);

adminRoutes.openapi(
  staffRoute("admin.channels", {
    method: "put",
    path: "/admin/channels/{channel}",
    tags: ["Admin"],
    summary: "Switch a channel on or off (a switched-off channel sends no new alert or update; retractions always go out)",
    request: {
      params: z.object({ channel: z.enum(CHANNEL_NAMES).openapi({ param: { name: "channel", in: "path" } }) }),
      body: jsonBody(z.object({ enabled: z.boolean() }).strict()),
    },
    responses: { 200: jsonOk(z.object({ channels: z.array(ChannelSetting) })) },
  }),
  async (c) => {
    await switchChannel(c.get("db"), actorOf(c), c.req.valid("param").channel, c.req.valid("json").enabled);
    return c.json({ channels: await channelsView(c.env, c.get("db")) }, 200);
  },
);

const AlertStatistic = z.object({
  alertId: z.string(),
  exercise: z.boolean(),
  outcome: z.enum(["launched", "cancelled", "blocked", "not_launched"]),
  launchedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  durationMinutes: z.number().int().nullable(),
  extensions: z.number().int(),
  endReason: z.string().nullable(),
  updates: z.number().int(),
  kind: z.enum(["child_alert", "search_notice"]),
  channels: z.object(Object.fromEntries(CHANNEL_NAMES.map((ch) => [ch, z.object({ sent: z.number().int(), failed: z.number().int(), retractions: z.number().int() })]))),
  tips: z.object({ total: z.number().int(), web: z.number().int(), call: z.number().int(), acknowledged: z.number().int(), useful: z.number().int() }).describe("rule 10: tips received (web form, calls), acknowledged, judged useful"),
});

const YearStatistics = z
  .object({
    year: z.number().int(),
    generatedAt: z.string(),
    totals: z.object({
      launched: z.number().int(),
      exercises: z.number().int(),
      cancelledBeforeLaunch: z.number().int(),
      blocked: z.number().int(),
      medianDurationMinutes: z.number().int().nullable(),
      /** Alert and update messages delivered, per channel. */
      sent: z.object(Object.fromEntries(CHANNEL_NAMES.map((ch) => [ch, z.number().int()]))),
      foundSafe: z.number().int(),
      tips: z.number().int(),
      usefulTips: z.number().int(),
      searchNotices: z
        .object({
          published: z.number().int(),
          cancelledBeforePublication: z.number().int(),
          blocked: z.number().int(),
          foundSafe: z.number().int(),
          medianDurationMinutes: z.number().int().nullable(),
          tips: z.number().int(),
          usefulTips: z.number().int(),
        })
        .describe("issue 29: the search notices, counted apart (the figures above are the Child Alerts')"),
    }),
    alerts: z.array(AlertStatistic),
  })
  .openapi("YearStatistics");

adminRoutes.openapi(
  staffRoute("stats.read", {
    method: "get",
    path: "/statistics/{year}",
    tags: ["Statistics"],
    summary: "Yearly PII-free statistics (rule 15): JSON, or CSV with ?format=csv",
    request: {
      params: z.object({ year: z.coerce.number().int().min(2020).max(2100).openapi({ param: { name: "year", in: "path" }, type: "integer" }) }),
      query: z.object({ format: z.enum(["json", "csv"]).default("json") }),
    },
    responses: {
      200: {
        description: "The year's statistics",
        content: { "application/json": { schema: YearStatistics }, "text/csv": { schema: z.string() } },
      },
    },
  }),
  async (c) => {
    const { year } = c.req.valid("param");
    const { format } = c.req.valid("query");
    const stats = await exportStatistics(c.env, c.get("db"), actorOf(c), year, format);
    if (format === "csv") {
      return c.body(statisticsCsv(stats), 200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="child-alert-statistics-${year}.csv"`,
      });
    }
    return c.json(stats, 200);
  },
);

adminRoutes.openapi(
  staffRoute("audit.verify", {
    method: "get",
    path: "/audit/verify",
    tags: ["Audit"],
    summary: "Verify the whole audit chain; names the first broken entry, and any published head the chain no longer reaches (cut off) or contradicts (rewritten)",
    responses: { 200: jsonOk(ChainVerdict) },
  }),
  async (c) => {
    const entries = await allAuditEntries(c.get("db"));
    const verdict = await verifyChain(entries);
    if (!c.env.AUDIT_PUBLIC_KEY) return c.json(verdict, 200);
    const heads = await readHeads(c.env.AUDIT_ANCHORS, c.env.AUDIT_PUBLIC_KEY);
    const valid = heads.filter((h) => h.signatureOk);
    const problems = checkAgainstHeads(entries, valid).map((p) => ({ seq: p.head.seq, at: p.head.at, kind: p.kind }));
    const newest = valid.at(-1);
    return c.json(
      {
        ...verdict,
        ok: verdict.ok && problems.length === 0,
        anchors: { heads: valid.length, newest: newest ? { seq: newest.seq, at: newest.at, reason: newest.reason } : null, badSignatures: heads.length - valid.length, problems },
      },
      200,
    );
  },
);

adminRoutes.openapi(
  createRoute({
    method: "get",
    path: "/audit/anchors",
    tags: ["Audit"],
    summary: "The audit chain's published heads (sequence, hash, time, reason, Ed25519 signature): anyone can check a copy of the chain against them",
    middleware: [publicRateLimit] as const,
    responses: {
      ...problemResponses,
      200: jsonOk(
        z.object({
          publicKey: z.string(),
          heads: z.array(z.object({ seq: z.number().int(), hash: z.string(), at: z.string(), reason: z.string(), signature: z.string() })),
        }),
      ),
    },
  }),
  async (c) => {
    if (!c.env.AUDIT_PUBLIC_KEY) return c.json({ publicKey: "", heads: [] }, 200);
    const heads = await readHeads(c.env.AUDIT_ANCHORS, c.env.AUDIT_PUBLIC_KEY);
    return c.json({ publicKey: c.env.AUDIT_PUBLIC_KEY, heads: heads.map(({ signatureOk: _ok, ...h }) => h) }, 200);
  },
);
