// /api/v1/inbox — each person's notices (rule 9, sign-off requests, review prompts), with
// the unread count the dashboard shows; /api/v1/admin/mailboxes — the federal police's and
// the missing-persons cell's functional addresses that rule 9's e-mails also go to.
import { z } from "@hono/zod-openapi";
import { inbox, mailboxes, markRead } from "../db/notices.ts";
import { setAuthorityMailboxes } from "../staff/accounts.ts";
import { INFORM_EVENTS, type Role } from "../domain/index.ts";
import { actorOf, currentUser, jsonBody, jsonOk, newRouter, staffRoute } from "./http.ts";
import { EmailAddress } from "./schemas.ts";

export const noticeRoutes = newRouter();

/** Ids per call: one statement binds them with a few more values, within D1's 100 parameters. */
const MAX_READ_IDS = 50;

const Inbox = z
  .object({
    unread: z.number().int(),
    items: z.array(z.object({ id: z.string(), alertId: z.string(), event: z.enum(INFORM_EVENTS), createdAt: z.string(), readAt: z.string().nullable() })),
  })
  .openapi("Inbox");

noticeRoutes.openapi(
  staffRoute("inbox.read", {
    method: "get",
    path: "/inbox",
    tags: ["Inbox"],
    summary: "My notices, newest first (the last 50), and how many are unread",
    responses: { 200: jsonOk(Inbox) },
  }),
  async (c) => {
    const user = currentUser(c);
    return c.json(await inbox(c.get("db"), { id: user.id, role: user.role as Role, drillSeat: user.drillSeat }), 200);
  },
);

noticeRoutes.openapi(
  staffRoute("inbox.read", {
    method: "post",
    path: "/inbox/read",
    tags: ["Inbox"],
    summary: "Mark my notices read: the ones given, or all of them",
    request: {
      body: jsonBody(
        z.union([z.object({ ids: z.array(z.uuid()).min(1).max(MAX_READ_IDS) }).strict(), z.object({ all: z.literal(true) }).strict()]),
      ),
    },
    responses: { 200: jsonOk(Inbox) },
  }),
  async (c) => {
    const user = currentUser(c);
    const body = c.req.valid("json");
    const me = { id: user.id, role: user.role as Role, drillSeat: user.drillSeat };
    await markRead(c.get("db"), me, "ids" in body ? body.ids : "all", new Date());
    return c.json(await inbox(c.get("db"), me), 200);
  },
);

const Mailboxes = z
  .object({
    federal_police: z.array(EmailAddress).max(10),
    cell: z.array(EmailAddress).max(10),
    federal_prosecutor: z.array(EmailAddress).max(10).describe("the federal prosecutor's office: told of foreign organisations' poster requests (protocol §2.3.3.4)"),
  })
  .openapi("AuthorityMailboxes");

noticeRoutes.openapi(
  staffRoute("admin.mailboxes", {
    method: "get",
    path: "/admin/mailboxes",
    tags: ["Admin"],
    summary: "The federal police's and the missing-persons cell's addresses that rule 9's e-mails go to",
    responses: { 200: jsonOk(Mailboxes) },
  }),
  async (c) => c.json(await mailboxes(c.get("db")), 200),
);

noticeRoutes.openapi(
  staffRoute("admin.mailboxes", {
    method: "put",
    path: "/admin/mailboxes",
    tags: ["Admin"],
    summary: "Set the authorities' addresses (each list given replaces that list; at most 10 each)",
    request: { body: jsonBody(Mailboxes.partial().strict().refine((b) => b.federal_police !== undefined || b.cell !== undefined || b.federal_prosecutor !== undefined, "give federal_police, cell, federal_prosecutor, or several")) },
    responses: { 200: jsonOk(Mailboxes) },
  }),
  async (c) => {
    const db = c.get("db");
    await setAuthorityMailboxes(db, actorOf(c), c.req.valid("json"));
    return c.json(await mailboxes(db), 200);
  },
);
