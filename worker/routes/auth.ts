// /api/v1/auth — invitations, passkey registration and sign-in, the session cookie.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { SESSION_COOKIE, SESSION_TTL_MS } from "../config.ts";
import { credentialsOf, deleteSession, nameCredential, passkeyView } from "../db/auth.ts";
import { revokeOwnPasskey } from "../staff/accounts.ts";
import { AppError } from "../errors.ts";
import { closeLiveFeeds } from "../staff/sessions.ts";
import { log } from "../log.ts";
import { PERMISSIONS_LIST, permissionsOf, type Role } from "../domain/index.ts";
import {
  createInvitation,
  invitationForToken,
  loginOptions,
  reauthOptions,
  registrationOptions,
  rpFromEnv,
  verifyLogin,
  verifyReauth,
  verifyRegistration,
} from "../staff/passkeys.ts";
import { actorOf, type AppEnv, currentUser, jsonBody, jsonOk, newRouter, problemResponses, publicRateLimit, requireUser } from "./http.ts";
import { AssertionJson, AttestationJson, CeremonyOptions, Passkey, User } from "./schemas.ts";

export const authRoutes = newRouter();
const tags = ["Sign-in"];
const Token = z.string().min(20).max(100).regex(/^[A-Za-z0-9_-]+$/);

function startSession(c: Context<AppEnv>, token: string) {
  // Secure is honoured on http://localhost by browsers; SameSite=Strict + the Origin check stop CSRF.
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    secure: true,
    sameSite: "Strict",
    path: "/",
    // The name carries the prefix: `__Host-` cookies must be Secure, path /, without Domain.
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
  });
}

const publicUser = (u: { id: string; email: string; displayName: string; role: string; disabledAt: string | null; drillSeat: boolean }) => ({
  id: u.id,
  email: u.email,
  displayName: u.displayName,
  role: u.role as z.infer<typeof User>["role"],
  disabledAt: u.disabledAt,
  drillSeat: u.drillSeat,
});

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/auth/invitations/lookup",
    tags,
    summary: "Look up an invitation (who is invited, with which role)",
    description: "The token travels in the body, never in a URL path: it stays out of access logs.",
    middleware: [publicRateLimit] as const,
    request: { body: jsonBody(z.object({ token: Token }).strict()) },
    responses: {
      ...problemResponses,
      200: jsonOk(z.object({ email: z.string(), displayName: z.string(), role: z.string(), drillSeat: z.boolean(), expiresAt: z.string() })),
    },
  }),
  async (c) => {
    const inv = await invitationForToken(c.get("db"), c.req.valid("json").token, new Date());
    return c.json({ email: inv.email, displayName: inv.displayName, role: inv.role, drillSeat: inv.drillSeat, expiresAt: inv.expiresAt }, 200);
  },
);

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/auth/register/options",
    tags,
    summary: "Start registering a passkey from an invitation",
    middleware: [publicRateLimit] as const,
    request: { body: jsonBody(z.object({ token: Token }).strict()) },
    responses: { ...problemResponses, 200: jsonOk(CeremonyOptions) },
  }),
  async (c) => {
    const out = await registrationOptions(c.get("db"), rpFromEnv(c.env), c.req.valid("json").token, new Date());
    return c.json({ challengeId: out.challengeId, options: out.options as unknown as Record<string, unknown> }, 200);
  },
);

/** The two ceremony endings (register, sign in): verify, start the session, return the user. */
function finishCeremony<S extends typeof AttestationJson | typeof AssertionJson>(
  path: string,
  summary: string,
  response: S,
  verify: (db: AppEnv["Variables"]["db"], rp: ReturnType<typeof rpFromEnv>, input: { challengeId: string; response: never }, now: Date) => Promise<{ user: Parameters<typeof publicUser>[0]; sessionToken: string; addedPasskey?: string }>,
) {
  authRoutes.openapi(
    createRoute({
      method: "post",
      path,
      tags,
      summary,
      middleware: [publicRateLimit] as const,
      request: { body: jsonBody(z.object({ challengeId: z.uuid(), response }).strict()) },
      responses: { ...problemResponses, 200: jsonOk(z.object({ user: User })) },
    }),
    async (c) => {
      const body = c.req.valid("json") as { challengeId: string; response: unknown };
      const { user, sessionToken, addedPasskey } = await verify(c.get("db"), rpFromEnv(c.env), { challengeId: body.challengeId, response: body.response as never }, new Date());
      // The owner hears of a passkey added to their account; if the queue is down, the cron asks again.
      if (addedPasskey) await c.env.FANOUT.send({ type: "passkey_added", credentialId: addedPasskey }).catch((err) => log.warn("passkey_notice_enqueue_failed", { error: err }));
      startSession(c, sessionToken);
      return c.json({ user: publicUser(user) }, 200);
    },
  );
}

finishCeremony("/auth/register/verify", "Finish registering the passkey; signs in", AttestationJson, verifyRegistration);

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/auth/login/options",
    tags,
    summary: "Start signing in with a passkey",
    middleware: [publicRateLimit] as const,
    responses: { ...problemResponses, 200: jsonOk(CeremonyOptions) },
  }),
  async (c) => {
    const out = await loginOptions(c.get("db"), rpFromEnv(c.env), new Date());
    return c.json({ challengeId: out.challengeId, options: out.options as unknown as Record<string, unknown> }, 200);
  },
);

finishCeremony("/auth/login/verify", "Finish signing in; sets the session cookie", AssertionJson, verifyLogin);

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/auth/logout",
    tags,
    summary: "Sign out (ends the session server-side)",
    responses: { 204: { description: "Signed out" } },
  }),
  async (c) => {
    const hash = c.get("sessionHash");
    if (hash) await deleteSession(c.get("db"), hash);
    // The session's open live feeds close with it.
    const user = c.get("user");
    if (hash && user) await closeLiveFeeds(c.env, user.id, hash);
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true });
    return c.body(null, 204);
  },
);

authRoutes.openapi(
  createRoute({
    method: "get",
    path: "/auth/me",
    tags,
    summary: "Who is signed in",
    middleware: [requireUser] as const,
    responses: { ...problemResponses, 200: jsonOk(z.object({ user: User, permissions: z.array(z.enum(PERMISSIONS_LIST)) })) },
  }),
  async (c) => {
    const user = currentUser(c);
    return c.json({ user: publicUser(user), permissions: permissionsOf(user.role as Role) }, 200);
  },
);

// ------------------------------------------------------------- one's own passkeys

const PasskeyParam = z.object({ id: z.string().min(1).max(512).openapi({ param: { name: "id", in: "path" } }) });

authRoutes.openapi(
  createRoute({
    method: "get",
    path: "/auth/passkeys",
    tags,
    summary: "My passkeys (revoked ones included, marked)",
    middleware: [requireUser] as const,
    responses: { ...problemResponses, 200: jsonOk(z.object({ passkeys: z.array(Passkey) })) },
  }),
  async (c) => {
    const rows = await credentialsOf(c.get("db"), currentUser(c).id);
    return c.json({ passkeys: rows.map(passkeyView) }, 200);
  },
);

authRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/auth/passkeys/{id}",
    tags,
    summary: "Name one of my passkeys",
    middleware: [requireUser] as const,
    request: { params: PasskeyParam, body: jsonBody(z.object({ name: z.string().trim().min(1).max(60) }).strict()) },
    responses: { ...problemResponses, 204: { description: "Named" } },
  }),
  async (c) => {
    if (!(await nameCredential(c.get("db"), currentUser(c).id, c.req.valid("param").id, c.req.valid("json").name))) throw new AppError("E_NOT_FOUND", "no such passkey of yours");
    return c.body(null, 204);
  },
);

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/auth/passkeys/{id}/revoke",
    tags,
    summary: "Revoke one of my passkeys, for good (not the last one: that would lock me out)",
    middleware: [requireUser] as const,
    request: { params: PasskeyParam },
    responses: { ...problemResponses, 204: { description: "Revoked" } },
  }),
  async (c) => {
    await revokeOwnPasskey(c.env, c.get("db"), actorOf(c), c.req.valid("param").id);
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true });
    return c.body(null, 204);
  },
);

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/auth/passkeys/invitation/options",
    tags,
    summary: "Start the fresh passkey assertion that a link for a new device of mine needs",
    middleware: [requireUser] as const,
    responses: { ...problemResponses, 200: jsonOk(CeremonyOptions) },
  }),
  async (c) => {
    const out = await reauthOptions(c.get("db"), rpFromEnv(c.env), currentUser(c), new Date());
    return c.json({ challengeId: out.challengeId, options: out.options as unknown as Record<string, unknown> }, 200);
  },
);

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/auth/passkeys/invitation",
    tags,
    summary: "A link to add a passkey to my own account (a new device), valid once",
    description:
      "The owner proves again, now, that they hold one of their passkeys (a fresh assertion from POST /auth/passkeys/invitation/options): " +
      "a session alone is not enough, or a stolen cookie could mint a link and come back after the stolen key is revoked. " +
      "An administrator's link for someone else's account needs a second administrator.",
    middleware: [requireUser] as const,
    request: { body: jsonBody(z.object({ challengeId: z.uuid(), response: AssertionJson }).strict()) },
    responses: { ...problemResponses, 201: jsonOk(z.object({ link: z.string(), expiresAt: z.string() })) },
  }),
  async (c) => {
    const user = currentUser(c);
    const body = c.req.valid("json");
    await verifyReauth(c.get("db"), rpFromEnv(c.env), user, { challengeId: body.challengeId, response: body.response as never }, new Date());
    const inv = await createInvitation(c.get("db"), { email: user.email, displayName: user.displayName, role: user.role as Role, createdBy: user.id }, new Date());
    return c.json({ link: `${c.env.APP_ORIGIN}/invite#${inv.token}`, expiresAt: inv.expiresAt }, 201);
  },
);
