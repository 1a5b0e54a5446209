// /api/v1/alerts/{id}/members — the people named on a case (issue 23): its magistrate in
// charge and its investigators. Named by the cell or the magistrate in charge (a magistrate
// may take charge of a case that has none); every change is a command of the alert's
// object, audited. The rules are domain/case.ts.
import { z } from "@hono/zod-openapi";
import type { Db } from "../db/client.ts";
import { caseMemberList, staffOfRoles } from "../db/members.ts";
import { alertExercise, getAlertRow } from "../db/alerts.ts";
import { mayDo, MEMBER_ROLES, type Role } from "../domain/index.ts";
import { alertCommand } from "../alert/api.ts";
import { actorOf, currentUser, jsonBody, jsonOk, newRouter, staffRoute } from "./http.ts";
import { AlertIdParam, Id } from "./schemas.ts";

export const memberRoutes = newRouter();
const tags = ["Alerts"];

const Person = z.object({ id: z.string(), displayName: z.string() });
const Members = z
  .object({
    magistrate: Person.nullable().describe("the magistrate in charge: the only one who authorises or opposes"),
    investigators: z.array(Person).describe("the case's investigators: the only ones who read its tips and give the investigators' sign-off"),
    candidates: z
      .object({ magistrates: z.array(Person), investigators: z.array(Person) })
      .nullable()
      .describe("who may be named (for those who may name them), else null"),
  })
  .openapi("CaseMembers");

/** The case's people as the API shows them; with who may be named, for those who may name them. */
async function membersView(db: Db, alertId: string, withCandidates: boolean) {
  // Drill seats are named on exercises only.
  const exercise = withCandidates && (await alertExercise(db, alertId))?.exercise === true;
  const members = (await caseMemberList(db, alertId)).map(({ id, displayName, role }) => ({ person: { id, displayName }, role }));
  return {
    magistrate: members.find((m) => m.role === "magistrate")?.person ?? null,
    investigators: members.filter((m) => m.role === "investigator").map((m) => m.person),
    candidates: withCandidates ? { magistrates: await staffOfRoles(db, ["magistrate"], exercise), investigators: await staffOfRoles(db, ["investigator"], exercise) } : null,
  };
}

memberRoutes.openapi(
  staffRoute("alert.read", {
    method: "get",
    path: "/alerts/{id}/members",
    tags,
    summary: "The case's magistrate in charge and investigators (and, for the cell and magistrates, who may be named)",
    request: { params: AlertIdParam },
    responses: { 200: jsonOk(Members) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await getAlertRow(c.get("db"), id);
    return c.json(await membersView(c.get("db"), id, mayDo(currentUser(c).role as Role, "alert.assign")), 200);
  },
);

memberRoutes.openapi(
  staffRoute("alert.assign", {
    method: "post",
    path: "/alerts/{id}/members",
    tags,
    summary: "Name an investigator on the case, or its magistrate in charge (a hand-over replaces the previous one)",
    description:
      "Investigators are named by the cell or the magistrate in charge. A magistrate takes charge of a case that has none (or the cell names one); " +
      "the magistrate in charge is replaced only by a hand-over from the cell or from themself. Audited.",
    request: { params: AlertIdParam, body: jsonBody(z.object({ userId: Id, role: z.enum(MEMBER_ROLES) }).strict()) },
    responses: { 200: jsonOk(Members) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    await alertCommand(c.env, id, { type: "assign", actor: actorOf(c), change: { type: "add", userId: body.userId, role: body.role } });
    return c.json(await membersView(c.get("db"), id, true), 200);
  },
);

memberRoutes.openapi(
  staffRoute("alert.assign", {
    method: "delete",
    path: "/alerts/{id}/members/{userId}",
    tags,
    summary: "Take an investigator off the case (the magistrate in charge is handed over, never removed)",
    request: { params: AlertIdParam.extend({ userId: Id.openapi({ param: { name: "userId", in: "path" } }) }) },
    responses: { 200: jsonOk(Members) },
  }),
  async (c) => {
    const { id, userId } = c.req.valid("param");
    await alertCommand(c.env, id, { type: "assign", actor: actorOf(c), change: { type: "remove", userId } });
    return c.json(await membersView(c.get("db"), id, true), 200);
  },
);
