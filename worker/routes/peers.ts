// Peer alerting systems abroad (issue 28): the admin registers them (country, CAP endpoint);
// each alert's hand-offs and their receipts on the alert screen.
import { z } from "@hono/zod-openapi";
import { getAlertRow } from "../db/alerts.ts";
import { handoffsOf, listPeers, type PeerRow, registerPeer } from "../abroad/peers.ts";
import { COUNTRY, mayReceivePersonalData } from "../domain/index.ts";
import { actorOf, jsonBody, jsonOk, newRouter, staffRoute } from "./http.ts";
import { AlertIdParam } from "./schemas.ts";

export const peerRoutes = newRouter();
const tags = ["Peers abroad"];

const Peer = z
  .object({ id: z.string(), name: z.string(), country: z.string(), capEndpoint: z.string(), personalData: z.boolean().describe("rule 13: whether the child's data may go there"), createdAt: z.string() })
  .openapi("Peer");
const view = (p: PeerRow) => ({ id: p.id, name: p.name, country: p.country, capEndpoint: p.capEndpoint, personalData: mayReceivePersonalData(p.country), createdAt: p.createdAt });

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
  async (c) => c.json({ peer: view(await registerPeer(c.env, actorOf(c), c.req.valid("json"))) }, 201),
);

peerRoutes.openapi(
  staffRoute("admin.partners", {
    method: "get",
    path: "/admin/peers",
    tags,
    summary: "The peer alerting systems",
    responses: { 200: jsonOk(z.object({ peers: z.array(Peer) })) },
  }),
  async (c) => c.json({ peers: (await listPeers(c.env)).map(view) }, 200),
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
    await getAlertRow(c.get("db"), id);
    return c.json({ handoffs: await handoffsOf(c.env, id) }, 200);
  },
);
