// /api/v1/alerts/{id}/foreign-requests — a foreign organisation's request to publish the
// posters (protocol §2.3.3.4; DOMAIN "Abroad (rule 13), in full"). The operator records it;
// the federal prosecutor's office and the missing-persons cell are told (the cell's inbox,
// and the e-mail to both mailboxes); the request is granted only once both mailboxes
// accepted that e-mail, and only to a country with adequate protection (rule 13). Both
// steps are commands of the alert's object, audited.
import { z } from "@hono/zod-openapi";
import { loadSnapshot } from "../db/alerts.ts";
import { foreignRequestsOf } from "../db/foreign.ts";
import { COUNTRY, mayReceivePersonalData } from "../domain/index.ts";
import { FORMAT_NAMES } from "../../templates/posters/model.ts";
import { alertCommand } from "../alert/api.ts";
import { actorOf, jsonBody, jsonOk, newRouter, staffRoute } from "./http.ts";
import { AlertIdParam, Id } from "./schemas.ts";

export const foreignRoutes = newRouter();
const tags = ["Alerts"];

const ForeignRequestBody = z
  .object({
    organisation: z.string().trim().min(2).max(120).regex(/^[^\u0000-\u001f<>]*$/, "no control characters or angle brackets"),
    country: z.string().trim().toUpperCase().regex(COUNTRY, "an ISO 3166-1 alpha-2 code such as FR"),
  })
  .strict()
  .openapi("ForeignRequestBody");

const ForeignRequest = z
  .object({
    id: z.string(),
    organisation: z.string(),
    country: z.string(),
    personalData: z.boolean().describe("rule 13: may the posters (the child's name and face) go to that country"),
    requestedAt: z.string(),
    grantedAt: z.string().nullable(),
    posters: z.array(z.string()).nullable().describe("once granted: the posters to send them"),
  })
  .openapi("ForeignRequest");

async function view(db: Parameters<typeof foreignRequestsOf>[0], origin: string, alertId: string) {
  const [rows, { row: alert, snapshot }] = await Promise.all([foreignRequestsOf(db, alertId), loadSnapshot(db, alertId)]);
  const languages = snapshot.current?.content?.targeting.languages ?? [];
  return rows.map((r) => ({
    id: r.id,
    organisation: r.organisation,
    country: r.country,
    personalData: mayReceivePersonalData(r.country),
    requestedAt: r.requestedAt,
    grantedAt: r.grantedAt,
    posters: r.grantedAt && alert.state === "live" ? languages.flatMap((l) => FORMAT_NAMES.map((f) => `${origin}/alert/${alertId}/poster/${f}-${l}.png`)) : null,
  }));
}

foreignRoutes.openapi(
  staffRoute("alert.read", {
    method: "get",
    path: "/alerts/{id}/foreign-requests",
    tags,
    summary: "Foreign organisations' requests for the posters, and whether each is granted",
    request: { params: AlertIdParam },
    responses: { 200: jsonOk(z.object({ requests: z.array(ForeignRequest) })) },
  }),
  async (c) => c.json({ requests: await view(c.get("db"), c.env.APP_ORIGIN, c.req.valid("param").id) }, 200),
);

foreignRoutes.openapi(
  staffRoute("alert.foreign", {
    method: "post",
    path: "/alerts/{id}/foreign-requests",
    tags,
    summary: "Record a foreign organisation's request for the posters: the federal prosecutor's office and the cell are informed",
    request: { params: AlertIdParam, body: jsonBody(ForeignRequestBody) },
    responses: { 201: jsonOk(z.object({ requests: z.array(ForeignRequest) }), "Recorded") },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    await alertCommand(c.env, id, { type: "foreignRequest", actor: actorOf(c), requestId: crypto.randomUUID(), organisation: body.organisation, country: body.country });
    return c.json({ requests: await view(c.get("db"), c.env.APP_ORIGIN, id) }, 201);
  },
);

foreignRoutes.openapi(
  staffRoute("alert.foreign", {
    method: "post",
    path: "/alerts/{id}/foreign-requests/{requestId}/grant",
    tags,
    summary: "Grant the request: refused (E_NOT_INFORMED) until the federal prosecutor's office and the cell have been informed, and for a country without adequate protection (rule 13)",
    request: { params: AlertIdParam.extend({ requestId: Id.openapi({ param: { name: "requestId", in: "path" } }) }) },
    responses: { 200: jsonOk(z.object({ requests: z.array(ForeignRequest) })) },
  }),
  async (c) => {
    const { id, requestId } = c.req.valid("param");
    await alertCommand(c.env, id, { type: "grantForeign", actor: actorOf(c), requestId });
    return c.json({ requests: await view(c.get("db"), c.env.APP_ORIGIN, id) }, 200);
  },
);
