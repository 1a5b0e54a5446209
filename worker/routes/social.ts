// The social networks (issue 15). /api/v1/admin/social-accounts: the official accounts
// per network and language, their credentials sealed at once and never shown back.
// /api/v1/alerts/{id}/social: every post of the alert with its state, and what the
// retraction could not delete — with a direct link and "try again".
import { z } from "@hono/zod-openapi";
import { getAlertRow } from "../db/alerts.ts";
import { listAccounts, postsOfAlert, type SocialAccountRow } from "../db/social.ts";
import { type AlertState, ENDED_STATES, LANGUAGES, needsAttention, REGIONS, SOCIAL_NETWORKS } from "../domain/index.ts";
import { addSocialAccount, changeSocialAccount, disableSocialAccount, retryPostDeletion } from "../channels/social/accounts.ts";
import { credentialsKeySet } from "../channels/social/credentials.ts";
import { SOCIAL_SPECS } from "../channels/social/networks.ts";
import { actorOf, jsonBody, jsonOk, newRouter, staffRoute } from "./http.ts";
import { AlertIdParam, Id } from "./schemas.ts";

export const socialRoutes = newRouter();
const tags = ["Social networks"];

const Common = {
  name: z.string().trim().min(1).max(100).describe("how staff know it, e.g. @childalert_fr"),
  lang: z.enum(LANGUAGES),
  regions: z.array(z.enum(REGIONS)).min(1).max(REGIONS.length).default(["BE"]),
  exercise: z.boolean().default(false).describe("also post exercises (a test account only)"),
};

/** One shape per network, from its own folder's fields (channels/social/<network>/channel.ts). */
const accountShape = (n: (typeof SOCIAL_NETWORKS)[number]) => z.object({ network: z.literal(n), ...Common, ...SOCIAL_SPECS[n].fields }).strict();
const NewAccount = z.discriminatedUnion(
  "network",
  SOCIAL_NETWORKS.map(accountShape) as unknown as [ReturnType<typeof accountShape>, ...ReturnType<typeof accountShape>[]],
);

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
    network: z.enum(SOCIAL_NETWORKS),
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
  async (c) => c.json({ account: view(await addSocialAccount(c.env, c.get("db"), actorOf(c), c.req.valid("json"))) }, 201),
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

socialRoutes.openapi(
  staffRoute("admin.social", {
    method: "patch",
    path: "/admin/social-accounts/{id}",
    tags,
    summary: "Change an account (new credentials replace the old ones)",
    request: { params: AccountParam, body: jsonBody(AccountChange) },
    responses: { 200: jsonOk(z.object({ account: Account })) },
  }),
  async (c) => c.json({ account: view(await changeSocialAccount(c.env, c.get("db"), actorOf(c), c.req.valid("param").id, c.req.valid("json"))) }, 200),
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
  async (c) => c.json({ account: view(await disableSocialAccount(c.get("db"), actorOf(c), c.req.valid("param").id)) }, 200),
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
    await retryPostDeletion(c.env, db, actorOf(c), id, postId);
    const posts = await postsView(db, id, alert.state);
    return c.json({ post: posts.find((x) => x.id === postId)! }, 200);
  },
);
