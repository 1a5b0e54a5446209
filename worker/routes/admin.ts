// /api/v1/admin — staff accounts and invitations; /api/v1/audit — chain verification.
import { z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { listUsers, pendingInvitations, userById } from "../db/auth.ts";
import { allAuditEntries } from "../db/alerts.ts";
import { commit } from "../db/client.ts";
import { sessions, users } from "../db/schema.ts";
import { verifyChain } from "../domain/index.ts";
import { AppError } from "../errors.ts";
import { createInvitation } from "../services/auth.ts";
import { currentUser, jsonBody, jsonOk, newRouter, staffRoute } from "./http.ts";
import { ChainVerdict, Id, InvitationBody, User } from "./schemas.ts";

export const adminRoutes = newRouter();

adminRoutes.openapi(
  staffRoute("admin.users", {
    method: "post",
    path: "/admin/invitations",
    tags: ["Admin"],
    summary: "Invite a staff member (or give an existing one a link to add a passkey)",
    request: { body: jsonBody(InvitationBody) },
    responses: {
      201: jsonOk(z.object({ id: z.string(), link: z.string(), expiresAt: z.string() }), "Invitation created"),
    },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const inv = await createInvitation(c.get("db"), { ...body, createdBy: currentUser(c).id }, new Date());
    // The token travels in the fragment: it never reaches server logs or Referer headers.
    return c.json({ id: inv.id, link: `${c.env.APP_ORIGIN}/invite#${inv.token}`, expiresAt: inv.expiresAt }, 201);
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
          invitations: z.array(z.object({ id: z.string(), email: z.string(), displayName: z.string(), role: z.string(), expiresAt: z.string() })),
        }),
      ),
    },
  }),
  async (c) => {
    const db = c.get("db");
    const [all, invitations] = await Promise.all([listUsers(db), pendingInvitations(db, new Date())]);
    return c.json(
      {
        users: all.map((u) => ({ id: u.id, email: u.email, displayName: u.displayName, role: u.role, disabledAt: u.disabledAt, passkeys: u.passkeys })),
        invitations,
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
    summary: "Disable or re-enable an account (disabling ends its sessions)",
    request: {
      params: z.object({ id: Id.openapi({ param: { name: "id", in: "path" } }) }),
      body: jsonBody(z.object({ disabled: z.boolean() }).strict()),
    },
    responses: { 200: jsonOk(User) },
  }),
  async (c) => {
    const db = c.get("db");
    const { id } = c.req.valid("param");
    const { disabled } = c.req.valid("json");
    const admin = currentUser(c);
    if (id === admin.id && disabled) throw new AppError("E_RULE", "an admin cannot disable their own account");
    const user = await userById(db, id);
    if (!user) throw new AppError("E_NOT_FOUND", "user not found");
    const now = new Date();
    const disabledAt = disabled ? (user.disabledAt ?? now.toISOString()) : null;
    await commit(
      db,
      [
        db.update(users).set({ disabledAt }).where(eq(users.id, id)),
        ...(disabled ? [db.delete(sessions).where(eq(sessions.userId, id))] : []),
      ],
      [{ actorUserId: admin.id, actorRole: admin.role, action: disabled ? "user_disabled" : "user_enabled", details: { userId: id } }],
      now,
    );
    return c.json({ id: user.id, email: user.email, displayName: user.displayName, role: user.role, disabledAt }, 200);
  },
);

adminRoutes.openapi(
  staffRoute("audit.verify", {
    method: "get",
    path: "/audit/verify",
    tags: ["Audit"],
    summary: "Verify the whole audit chain; names the first broken entry",
    responses: { 200: jsonOk(ChainVerdict) },
  }),
  async (c) => c.json(await verifyChain(await allAuditEntries(c.get("db"))), 200),
);
