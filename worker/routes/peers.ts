// Peer alerting systems abroad (issue 28): the admin registers them (country, CAP endpoint);
// each alert's hand-offs and their receipts on the alert screen.
import { z } from "@hono/zod-openapi";
import { asc, eq, inArray } from "drizzle-orm";
import { getAlertRow } from "../db/alerts.ts";
import { commit } from "../db/client.ts";
import { peerHandoffs, peerReceipts, peers } from "../db/schema.ts";
import { COUNTRY, mayReceivePersonalData } from "../domain/index.ts";
import { actorOf, jsonBody, jsonOk, newRouter, staffRoute } from "./http.ts";
import { AlertIdParam } from "./schemas.ts";

export const peerRoutes = newRouter();
const tags = ["Peers abroad"];

const Peer = z
  .object({ id: z.string(), name: z.string(), country: z.string(), capEndpoint: z.string(), personalData: z.boolean().describe("rule 13: whether the child's data may go there"), createdAt: z.string() })
  .openapi("Peer");
const view = (p: typeof peers.$inferSelect) => ({ id: p.id, name: p.name, country: p.country, capEndpoint: p.capEndpoint, personalData: mayReceivePersonalData(p.country), createdAt: p.createdAt });

peerRoutes.openapi(
  staffRoute("admin.partners", {
    method: "post",
    path: "/admin/peers",
    tags,
    summary: "Register a peer alerting system abroad: the alerts that target its country go to its CAP endpoint, signed, once the authorities are informed",
    request: {
      body: jsonBody(
        z
          .object({
            name: z.string().trim().min(1).max(100),
            country: z.string().regex(COUNTRY, "ISO 3166-1 alpha-2, upper case"),
            capEndpoint: z.url().max(500).refine((u) => u.startsWith("https://"), "https only"),
          })
          .strict(),
      ),
    },
    responses: { 201: jsonOk(z.object({ peer: Peer }), "Registered") },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const db = c.get("db");
    const actor = actorOf(c);
    const row = { id: crypto.randomUUID(), ...body, createdAt: new Date().toISOString(), revokedAt: null };
    await commit(db, [db.insert(peers).values(row)], [{ actorUserId: actor.userId, actorRole: actor.role, action: "peer_registered", details: { peerId: row.id, country: row.country } }]);
    return c.json({ peer: view(row) }, 201);
  },
);

peerRoutes.openapi(
  staffRoute("admin.partners", {
    method: "get",
    path: "/admin/peers",
    tags,
    summary: "The peer alerting systems",
    responses: { 200: jsonOk(z.object({ peers: z.array(Peer) })) },
  }),
  async (c) => c.json({ peers: (await c.get("db").select().from(peers).orderBy(asc(peers.createdAt))).map(view) }, 200),
);

peerRoutes.openapi(
  staffRoute("alert.read", {
    method: "get",
    path: "/alerts/{id}/peers",
    tags,
    summary: "The alert's hand-offs abroad and each CAP message's receipt",
    request: { params: AlertIdParam },
    responses: {
      200: jsonOk(
        z.object({
          handoffs: z.array(
            z.object({
              peer: z.string(),
              country: z.string(),
              since: z.string(),
              receipts: z.array(z.object({ identifier: z.string(), outcome: z.string(), status: z.number().int().nullable(), personalData: z.boolean(), at: z.string() })),
            }),
          ),
        }),
      ),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const db = c.get("db");
    await getAlertRow(db, id);
    const handoffs = await db.select({ h: peerHandoffs, p: peers }).from(peerHandoffs).innerJoin(peers, eq(peers.id, peerHandoffs.peerId)).where(eq(peerHandoffs.alertId, id));
    const receipts = handoffs.length ? await db.select().from(peerReceipts).where(inArray(peerReceipts.handoffId, handoffs.map((x) => x.h.id))).orderBy(asc(peerReceipts.at)) : [];
    return c.json(
      {
        handoffs: handoffs.map(({ h, p }) => ({
          peer: p.name,
          country: p.country,
          since: h.createdAt,
          receipts: receipts.filter((r) => r.handoffId === h.id).map((r) => ({ identifier: r.identifier, outcome: r.outcome, status: r.status, personalData: r.personalData, at: r.at })),
        })),
      },
      200,
    );
  },
);
