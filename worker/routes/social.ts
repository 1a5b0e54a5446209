// The social networks (issue 15). /api/v1/admin/social-accounts: the official accounts
// per network and language, their credentials sealed at once and never shown back.
// /api/v1/alerts/{id}/social: every post of the alert with its state, and what the
// retraction could not delete — with a direct link and "try again".
import { z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { commit } from "../db/client.ts";
import { getAlertRow } from "../db/alerts.ts";
import { accountById, hasOpenContentPosts, listAccounts, postById, postsOfAlert, type SocialAccountRow } from "../db/social.ts";
import { socialAccounts } from "../db/schema.ts";
import { type AlertState, ENDED_STATES, LANGUAGES, needsAttention, REGIONS } from "../domain/index.ts";
import { AppError } from "../errors.ts";
import { connect, deletePost, socialTargetPolicy, toAccount } from "../channels/social/channel.ts";
import { credentialsKeySet, sealCredentials } from "../channels/social/credentials.ts";
import { SOCIAL_SPECS } from "../channels/social/networks.ts";
import { webhookTargetRefusal } from "../channels/webhooks/targets.ts";
import { currentUser, jsonBody, jsonOk, newRouter, staffRoute } from "./http.ts";
import { AlertIdParam, Id } from "./schemas.ts";

export const socialRoutes = newRouter();
const tags = ["Social networks"];

const Secret = z.string().trim().min(1).max(512);
const Origin = z.string().trim().max(200).url();

/** Per network: where the account is and what it signs in with (the network's own names). */
const NETWORK_FIELDS = {
  mastodon: { target: Origin.describe("the instance, e.g. https://mastodon.social"), credentials: z.object({ accessToken: Secret }).strict() },
  bluesky: { target: Origin.describe("the account's service, e.g. https://bsky.social"), credentials: z.object({ identifier: Secret, appPassword: Secret }).strict() },
  x: { target: z.literal("").default(""), credentials: z.object({ consumerKey: Secret, consumerSecret: Secret, accessToken: Secret, accessTokenSecret: Secret }).strict() },
  facebook: {
    target: z.string().trim().regex(/^\d{5,30}$/, "the Page id (digits)"),
    credentials: z.object({ pageAccessToken: Secret, appSecret: Secret.optional() }).strict(),
  },
  telegram: {
    target: z.string().trim().regex(/^(@[A-Za-z][A-Za-z0-9_]{4,31}|-100\d{5,20})$/, "the channel: @name or its -100… id"),
    credentials: z.object({ botToken: z.string().trim().regex(/^\d{3,20}:[A-Za-z0-9_-]{20,100}$/, "a bot token such as 123456:ABC…") }).strict(),
  },
} as const;

const Common = {
  name: z.string().trim().min(1).max(100).describe("how staff know it, e.g. @childalert_fr"),
  lang: z.enum(LANGUAGES),
  regions: z.array(z.enum(REGIONS)).min(1).max(REGIONS.length).default(["BE"]),
  exercise: z.boolean().default(false).describe("also post exercises (a test account only)"),
};

const NewAccount = z.discriminatedUnion("network", [
  z.object({ network: z.literal("mastodon"), ...Common, ...NETWORK_FIELDS.mastodon }).strict(),
  z.object({ network: z.literal("bluesky"), ...Common, ...NETWORK_FIELDS.bluesky }).strict(),
  z.object({ network: z.literal("x"), ...Common, ...NETWORK_FIELDS.x }).strict(),
  z.object({ network: z.literal("facebook"), ...Common, ...NETWORK_FIELDS.facebook }).strict(),
  z.object({ network: z.literal("telegram"), ...Common, ...NETWORK_FIELDS.telegram }).strict(),
]);

const AccountChange = z
  .object({
    name: Common.name,
    lang: Common.lang,
    regions: z.array(z.enum(REGIONS)).min(1).max(REGIONS.length),
    exercise: z.boolean(),
    credentials: z.record(z.string(), z.string()).describe("new credentials, in the network's shape (replace the old ones)"),
  })
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, "give at least one field");

const Account = z
  .object({
    id: z.string(),
    network: z.enum(["mastodon", "bluesky", "x", "facebook", "telegram"]),
    name: z.string(),
    lang: z.string(),
    regions: z.array(z.string()),
    exercise: z.boolean(),
    target: z.string(),
    createdAt: z.string(),
    disabledAt: z.string().nullable(),
  })
  .openapi("SocialAccount");

const view = (a: SocialAccountRow): z.infer<typeof Account> => ({
  id: a.id,
  network: a.network,
  name: a.name,
  lang: a.lang,
  regions: JSON.parse(a.regions) as string[],
  exercise: a.exercise,
  target: a.target,
  createdAt: a.createdAt,
  disabledAt: a.disabledAt,
});

function checkTarget(env: Env, network: string, target: string) {
  if (network !== "mastodon" && network !== "bluesky") return;
  const refusal = webhookTargetRefusal(target, socialTargetPolicy(env));
  if (refusal) throw new AppError("E_VALIDATION", "see errors for each invalid field", { errors: [{ path: "target", message: refusal }] });
}

function requireKey(env: Env) {
  if (!credentialsKeySet(env)) throw new AppError("E_CONFLICT", "the Worker secret SOCIAL_CREDENTIALS_KEY is not set: credentials cannot be stored (see README, Social networks)");
}

const AccountParam = z.object({ id: Id.openapi({ param: { name: "id", in: "path" } }) });

socialRoutes.openapi(
  staffRoute("admin.social", {
    method: "post",
    path: "/admin/social-accounts",
    tags,
    summary: "Add an official account; its credentials are sealed at once and never shown back",
    request: { body: jsonBody(NewAccount) },
    responses: { 201: jsonOk(z.object({ account: Account }), "Added") },
  }),
  async (c) => {
    const body = c.req.valid("json");
    requireKey(c.env);
    checkTarget(c.env, body.network, body.target);
    const db = c.get("db");
    const user = currentUser(c);
    const id = crypto.randomUUID();
    const now = new Date();
    const row = {
      id,
      network: body.network,
      name: body.name,
      lang: body.lang,
      regions: JSON.stringify([...new Set(body.regions)]),
      exercise: body.exercise,
      target: body.target.replace(/\/+$/, ""),
      credentials: await sealCredentials(c.env, id, body.credentials),
      createdAt: now.toISOString(),
    };
    await commit(db, [db.insert(socialAccounts).values(row)], [{ actorUserId: user.id, actorRole: user.role, action: "social_account_added", details: { accountId: id, network: body.network } }], now);
    return c.json({ account: view((await accountById(db, id))!) }, 201);
  },
);

socialRoutes.openapi(
  staffRoute("admin.social", {
    method: "get",
    path: "/admin/social-accounts",
    tags,
    summary: "The official accounts (never their credentials), and whether credentials can be stored",
    responses: { 200: jsonOk(z.object({ accounts: z.array(Account), credentialsKey: z.boolean() })) },
  }),
  async (c) => c.json({ accounts: (await listAccounts(c.get("db"))).map(view), credentialsKey: credentialsKeySet(c.env) }, 200),
);

async function existing(db: Parameters<typeof accountById>[0], id: string) {
  const a = await accountById(db, id);
  if (!a) throw new AppError("E_NOT_FOUND", "no such account");
  return a;
}

socialRoutes.openapi(
  staffRoute("admin.social", {
    method: "patch",
    path: "/admin/social-accounts/{id}",
    tags,
    summary: "Change an account (new credentials replace the old ones)",
    request: { params: AccountParam, body: jsonBody(AccountChange) },
    responses: { 200: jsonOk(z.object({ account: Account })) },
  }),
  async (c) => {
    const db = c.get("db");
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const a = await existing(db, id);
    let sealed: string | undefined;
    if (body.credentials) {
      requireKey(c.env);
      const parsed = NETWORK_FIELDS[a.network].credentials.safeParse(body.credentials);
      if (!parsed.success) throw new AppError("E_VALIDATION", "see errors for each invalid field", { errors: parsed.error.issues.map((i) => ({ path: ["credentials", ...i.path].join("."), message: i.message })) });
      sealed = await sealCredentials(c.env, id, parsed.data);
    }
    const set: Partial<typeof socialAccounts.$inferInsert> = {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.lang ? { lang: body.lang } : {}),
      ...(body.regions ? { regions: JSON.stringify([...new Set(body.regions)]) } : {}),
      ...(body.exercise !== undefined ? { exercise: body.exercise } : {}),
      ...(sealed ? { credentials: sealed } : {}),
    };
    const user = currentUser(c);
    await commit(db, [db.update(socialAccounts).set(set).where(eq(socialAccounts.id, id))], [{ actorUserId: user.id, actorRole: user.role, action: "social_account_changed", details: { accountId: id, fields: Object.keys(body) } }]);
    return c.json({ account: view((await accountById(db, id))!) }, 200);
  },
);

socialRoutes.openapi(
  staffRoute("admin.social", {
    method: "post",
    path: "/admin/social-accounts/{id}/disable",
    tags,
    summary: "Stop posting on an account; refused while it holds posts not yet deleted (the retraction needs it)",
    request: { params: AccountParam },
    responses: { 200: jsonOk(z.object({ account: Account })) },
  }),
  async (c) => {
    const db = c.get("db");
    const { id } = c.req.valid("param");
    const a = await existing(db, id);
    if (await hasOpenContentPosts(db, id)) throw new AppError("E_CONFLICT", "the account still has alert posts that are not deleted: wait for the retraction (or delete them) first");
    const user = currentUser(c);
    const now = new Date();
    if (!a.disabledAt)
      await commit(db, [db.update(socialAccounts).set({ disabledAt: now.toISOString() }).where(eq(socialAccounts.id, id))], [{ actorUserId: user.id, actorRole: user.role, action: "social_account_disabled", details: { accountId: id } }], now);
    return c.json({ account: view((await accountById(db, id))!) }, 200);
  },
);

// ------------------------------------------------------------------ an alert's posts

const Post = z
  .object({
    id: z.string(),
    network: z.string(),
    account: z.string().describe("the account's name"),
    lang: z.string(),
    version: z.number().int(),
    kind: z.enum(["content", "stop"]),
    state: z.enum(["live", "deleted", "stuck"]),
    url: z.string().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    deletedAt: z.string().nullable(),
    attention: z.boolean().describe("a post with the child's face that should be gone and is not: delete it by hand or try again"),
  })
  .openapi("SocialPost");

async function postsView(db: Parameters<typeof postsOfAlert>[0], alertId: string, state: AlertState) {
  const ended = ENDED_STATES.includes(state);
  const posts = await postsOfAlert(db, alertId);
  const accounts = new Map((await listAccounts(db)).map((a) => [a.id, a]));
  return posts.map((p) => ({
    id: p.id,
    network: p.network,
    account: accounts.get(p.accountId)?.name ?? "?",
    lang: accounts.get(p.accountId)?.lang ?? "?",
    version: p.version,
    kind: p.kind,
    state: p.state,
    url: p.url,
    lastError: p.lastError,
    createdAt: p.createdAt,
    deletedAt: p.deletedAt,
    attention: needsAttention(p, posts, ended),
  }));
}

socialRoutes.openapi(
  staffRoute("alert.read", {
    method: "get",
    path: "/alerts/{id}/social",
    tags,
    summary: "Every post of the alert on the social networks, its state, and what still needs deleting",
    request: { params: AlertIdParam },
    responses: { 200: jsonOk(z.object({ posts: z.array(Post), attention: z.number().int() })) },
  }),
  async (c) => {
    const db = c.get("db");
    const { id } = c.req.valid("param");
    const alert = await getAlertRow(db, id);
    const posts = await postsView(db, id, alert.state);
    return c.json({ posts, attention: posts.filter((p) => p.attention).length }, 200);
  },
);

socialRoutes.openapi(
  staffRoute("social.retract", {
    method: "post",
    path: "/alerts/{id}/social/{postId}/delete",
    tags,
    summary: "Try again to delete a post the retraction could not (a post removed by hand counts as deleted)",
    request: { params: AlertIdParam.extend({ postId: Id.openapi({ param: { name: "postId", in: "path" } }) }) },
    responses: { 200: jsonOk(z.object({ post: Post })) },
  }),
  async (c) => {
    const db = c.get("db");
    const { id, postId } = c.req.valid("param");
    const alert = await getAlertRow(db, id);
    const p = await postById(db, postId);
    if (!p || p.alertId !== id) throw new AppError("E_NOT_FOUND", "no such post on this alert");
    if (p.state !== "deleted") {
      const a = await existing(db, p.accountId);
      const spec = SOCIAL_SPECS[a.network];
      const account = toAccount(a);
      const conn = await connect(c.env, spec, account, new Map()).catch(() => {
        throw new AppError("E_CONFLICT", "the account's credentials do not open (the sealing key changed?): enter them again in the admin screen, or delete the post by hand from its link");
      });
      await deletePost(c.env, spec, conn, p);
      const user = currentUser(c);
      const after = (await postById(db, postId))!;
      await commit(db, [], [{ actorUserId: user.id, actorRole: user.role, action: "social_post_delete_retried", alertId: id, details: { postId, network: p.network, state: after.state } }]);
    }
    const posts = await postsView(db, id, alert.state);
    return c.json({ post: posts.find((x) => x.id === postId)! }, 200);
  },
);
