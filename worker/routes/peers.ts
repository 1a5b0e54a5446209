// Peer alerting systems abroad (issue 28): the admin registers them (country, CAP endpoint,
// their signing key) and revokes them; each alert's hand-offs and their receipts on the
// alert screen; a peer's own signed CAP messages come in at /peers/{peerId}/cap and are
// shown to the cell as requests to relay (never published by themselves).
import { z } from "@hono/zod-openapi";
import { getAlertRow } from "../db/alerts.ts";
import { handoffsOf, listPeers, type PeerRow, registerPeer, revokePeer } from "../abroad/peers.ts";
import { usablePeerKey } from "../abroad/cap-verify.ts";
import { dismissPeerRequest, listPeerRequests, receivePeerCap, relayPeerRequest } from "../abroad/requests.ts";
import { alertCommand } from "../alert/api.ts";
import { type Actor, type AlertContent, COUNTRY, mayReceivePersonalData } from "../domain/index.ts";
import { AppError } from "../errors.ts";
import { actorOf, jsonBody, jsonOk, newRouter, publicRateLimit, staffRoute } from "./http.ts";
import { AlertIdParam } from "./schemas.ts";

export const peerRoutes = newRouter();
/** Outside /api: a peer's server posts its CAP (no browser Origin, no session: its XML signature is its credential). */
export const peerInbound = newRouter();
const tags = ["Peers abroad"];

/** The most a peer's CAP message may weigh (ours is a few kilobytes; posters are linked, not embedded). */
const MAX_CAP_BYTES = 256 * 1024;
export const inboundPath = (peerId: string) => `/peers/${peerId}/cap`;

const Peer = z
  .object({
    id: z.string(),
    name: z.string(),
    country: z.string(),
    capEndpoint: z.string(),
    personalData: z.boolean().describe("rule 13: whether the child's data may go there"),
    hasKey: z.boolean().describe("whether the peer's signing key is registered: without it none of its messages is taken"),
    inbound: z.string().describe("where the peer sends its own signed CAP messages"),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .openapi("Peer");
const view = (origin: string, p: PeerRow) => ({
  id: p.id,
  name: p.name,
  country: p.country,
  capEndpoint: p.capEndpoint,
  personalData: mayReceivePersonalData(p.country),
  hasKey: !!p.publicKey,
  inbound: `${origin}${inboundPath(p.id)}`,
  createdAt: p.createdAt,
  revokedAt: p.revokedAt,
});
const PeerIdParam = z.object({ peerId: z.uuid().openapi({ param: { name: "peerId", in: "path" } }) });
const RequestIdParam = z.object({ requestId: z.uuid().openapi({ param: { name: "requestId", in: "path" } }) });

peerRoutes.openapi(
  staffRoute("admin.partners", {
    method: "post",
    path: "/admin/peers",
    tags,
    summary: "Register a peer alerting system abroad: the alerts that target its country go to its CAP endpoint, signed, once the authorities are informed; with its key, its own signed CAP is taken as a request to relay",
    request: {
      body: jsonBody(
        z
          .object({
            name: z.string().trim().min(1).max(100),
            country: z.string().regex(COUNTRY, "ISO 3166-1 alpha-2, upper case"),
            capEndpoint: z.url().max(500).refine((u) => u.startsWith("https://"), "https only"),
            publicKey: z
              .string()
              .max(10_000)
              .regex(/-----BEGIN (PUBLIC KEY|CERTIFICATE)-----/, "a PEM public key or X.509 certificate")
              .optional()
              .describe("the key the peer signs its CAP with (RSA or ECDSA P-256; PEM public key or certificate)"),
          })
          .strict(),
      ),
    },
    responses: { 201: jsonOk(z.object({ peer: Peer }), "Registered") },
  }),
  async (c) => {
    const body = c.req.valid("json");
    if (body.publicKey && !(await usablePeerKey(body.publicKey)))
      throw new AppError("E_VALIDATION", "publicKey: not a usable RSA or ECDSA P-256 public key", { errors: [{ path: "publicKey", message: "not a usable RSA or ECDSA P-256 public key" }] });
    return c.json({ peer: view(c.env.APP_ORIGIN, await registerPeer(c.env, actorOf(c), body)) }, 201);
  },
);

peerRoutes.openapi(
  staffRoute("admin.partners", {
    method: "get",
    path: "/admin/peers",
    tags,
    summary: "The peer alerting systems (revoked ones included, marked)",
    responses: { 200: jsonOk(z.object({ peers: z.array(Peer) })) },
  }),
  async (c) => c.json({ peers: (await listPeers(c.env)).map((p) => view(c.env.APP_ORIGIN, p)) }, 200),
);

peerRoutes.openapi(
  staffRoute("admin.partners", {
    method: "delete",
    path: "/admin/peers/{peerId}",
    tags,
    summary: "Revoke a peer: nothing more is handed off to it, none of its messages is taken",
    request: { params: PeerIdParam },
    responses: { 204: { description: "Revoked" } },
  }),
  async (c) => {
    await revokePeer(c.env, actorOf(c), c.req.valid("param").peerId);
    return c.body(null, 204);
  },
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

const PeerInfoOut = z.object({
  language: z.string(),
  event: z.string().optional(),
  headline: z.string().optional(),
  description: z.string().optional(),
  instruction: z.string().optional(),
  areaDesc: z.string().optional(),
  web: z.string().optional(),
  onset: z.string().optional(),
  expires: z.string().optional(),
});
const PeerRequest = z
  .object({
    id: z.string(),
    peer: z.object({ id: z.string(), name: z.string(), country: z.string() }),
    status: z.string().describe("CAP status: Actual or Exercise"),
    msgType: z.string().describe("the newest message: Alert, Update or Cancel"),
    sent: z.string(),
    receivedAt: z.string(),
    updatedAt: z.string(),
    state: z.enum(["open", "relayed", "dismissed"]),
    cancelledAt: z.string().nullable().describe("when the peer withdrew it (its texts are gone)"),
    alertId: z.string().nullable().describe("the draft made from it"),
    handledAt: z.string().nullable(),
    reason: z.string().nullable(),
    messages: z.number().int(),
    infos: z.array(PeerInfoOut).nullable().describe("the newest message's texts per language; null once withdrawn or purged"),
  })
  .openapi("PeerRequest");

peerRoutes.openapi(
  staffRoute("peer.requests", {
    method: "get",
    path: "/peer-requests",
    tags,
    summary: "Peer systems' requests to relay their alerts (signature verified), newest first",
    responses: { 200: jsonOk(z.object({ requests: z.array(PeerRequest) })) },
  }),
  async (c) => c.json({ requests: await listPeerRequests(c.env) }, 200),
);

peerRoutes.openapi(
  staffRoute("peer.relay", {
    method: "post",
    path: "/peer-requests/{requestId}/relay",
    tags,
    summary: "Relay a peer's alert: a draft from it, which goes through the whole concertation (nothing is published by this)",
    request: {
      params: RequestIdParam,
      body: jsonBody(
        z
          .object({
            firstName: z.string().trim().min(1).max(60).describe("the child's first name, as the peer's texts give it (CAP has no such field)"),
            age: z.number().int().min(0).max(30),
            purposeAttestation: z.literal(true, { error: "the purpose attestation is required (rule 5)" }),
          })
          .strict(),
      ),
    },
    responses: { 201: jsonOk(z.object({ alertId: z.string() }), "The draft") },
  }),
  async (c) => {
    const { firstName, age } = c.req.valid("json");
    const draft = (alertId: string, d: { actor: Actor; exercise: boolean; content: AlertContent }) => alertCommand(c.env, alertId, { type: "create", ...d });
    return c.json(await relayPeerRequest(c.env, actorOf(c), c.req.valid("param").requestId, { firstName, age }, draft), 201);
  },
);

peerRoutes.openapi(
  staffRoute("peer.relay", {
    method: "post",
    path: "/peer-requests/{requestId}/dismiss",
    tags,
    summary: "Decline to relay a peer's alert, with the reason",
    request: { params: RequestIdParam, body: jsonBody(z.object({ reason: z.string().trim().min(3).max(500) }).strict()) },
    responses: { 204: { description: "Dismissed" } },
  }),
  async (c) => {
    await dismissPeerRequest(c.env, actorOf(c), c.req.valid("param").requestId, c.req.valid("json").reason);
    return c.body(null, 204);
  },
);

peerInbound.post("/peers/:peerId{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/cap", publicRateLimit, async (c) => {
  const type = (c.req.header("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (!["application/cap+xml", "application/xml", "text/xml"].includes(type)) throw new AppError("E_UNSUPPORTED_MEDIA_TYPE", "send the CAP message as application/cap+xml");
  const declared = Number(c.req.header("Content-Length") ?? 0);
  if (declared > MAX_CAP_BYTES) throw new AppError("E_PAYLOAD_TOO_LARGE", `at most ${MAX_CAP_BYTES} bytes`);
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  if (bytes.length > MAX_CAP_BYTES) throw new AppError("E_PAYLOAD_TOO_LARGE", `at most ${MAX_CAP_BYTES} bytes`);
  let xml: string;
  try {
    xml = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new AppError("E_CAP_INVALID", "the message is not UTF-8");
  }
  const r = await receivePeerCap(c.env, c.req.param("peerId"), xml);
  // Taken (or taken before: the same identifier twice is one message). The cell decides; nothing is published by this.
  return c.json({ received: r.identifier, duplicate: r.duplicate }, r.duplicate ? 200 : 202);
});
