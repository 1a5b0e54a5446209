// /api/v1/push — public, rate-limited: the VAPID key, subscribe (or change preferences),
// look up, unsubscribe. Possession of a subscription is proven with its auth secret.
import { createRoute, z } from "@hono/zod-openapi";
import { endpointRefusal, policyFromEnv } from "../channels/push/endpoints.ts";
import { deleteSubscription, findOwned, upsertSubscription } from "../db/subscriptions.ts";
import type { LANGUAGES } from "../domain/index.ts";
import { unb64url } from "../bytes.ts";
import { AppError } from "../errors.ts";
import { jsonBody, jsonOk, newRouter, problemResponses, publicRateLimit } from "./http.ts";
import { RecipientPreferences } from "./schemas.ts";

/** Issue 29: search notices are never pushed to every subscriber; a citizen opts in to those of their regions. */
const NoticesOptIn = z.boolean().default(false).describe("also the search notices of these regions (a separate opt-in)");

export const pushRoutes = newRouter();
const tags = ["Web push (public)"];

const b64url = (bytes: number) =>
  z.string().regex(/^[A-Za-z0-9_-]+$/).refine((s) => Math.floor((s.length * 3) / 4) === bytes, `must encode ${bytes} bytes`);

export const PushSubscriptionJson = z
  .object({
    endpoint: z.url().max(1024),
    expirationTime: z.number().nullable().optional(),
    keys: z.object({ p256dh: b64url(65), auth: b64url(16) }).strict(),
  })
  .openapi("PushSubscription");



/** A point on P-256, as web push needs for encryption (a bad key would fail every alert). */
export async function isP256Point(b64urlKey: string): Promise<boolean> {
  try {
    await crypto.subtle.importKey("raw", unb64url(b64urlKey), { name: "ECDH", namedCurve: "P-256" }, false, []);
    return true;
  } catch {
    return false;
  }
}

const Ownership = z.object({ endpoint: z.url().max(1024), auth: z.string().max(64) }).strict();

pushRoutes.openapi(
  createRoute({
    method: "get",
    path: "/push/key",
    tags,
    summary: "The VAPID public key (applicationServerKey for pushManager.subscribe)",
    responses: { 200: jsonOk(z.object({ publicKey: z.string() })) },
  }),
  (c) => c.json({ publicKey: c.env.VAPID_PUBLIC_KEY }, 200),
);

pushRoutes.openapi(
  createRoute({
    method: "post",
    path: "/push/subscriptions",
    tags,
    summary: "Subscribe to Child Alerts (or change the preferences of this subscription)",
    middleware: [publicRateLimit] as const,
    description:
      "The same answer whether the endpoint was new or known. A known endpoint's preferences and keys change only with its current auth secret (the same keys again, or `currentAuth` when the browser's keys changed).",
    request: {
      body: jsonBody(RecipientPreferences.extend({ notices: NoticesOptIn, subscription: PushSubscriptionJson, currentAuth: z.string().max(64).optional() }).strict()),
    },
    responses: { ...problemResponses, 201: jsonOk(z.object({ subscribed: z.literal(true) }), "Subscribed") },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const refusal = endpointRefusal(body.subscription.endpoint, policyFromEnv(c.env));
    if (refusal) throw new AppError("E_PUSH_ENDPOINT", refusal);
    if (!(await isP256Point(body.subscription.keys.p256dh))) {
      throw new AppError("E_VALIDATION", "the subscription's p256dh key is not a P-256 public key", {
        errors: [{ path: "subscription.keys.p256dh", message: "not a P-256 public key (uncompressed point)" }],
      });
    }
    await upsertSubscription(
      c.get("db"),
      {
        endpoint: body.subscription.endpoint,
        p256dh: body.subscription.keys.p256dh,
        auth: body.subscription.keys.auth,
        lang: body.lang,
        regions: [...new Set(body.regions)],
        exercise: body.exercise,
        notices: body.notices,
      },
      body.currentAuth,
    );
    return c.json({ subscribed: true as const }, 201);
  },
);

pushRoutes.openapi(
  createRoute({
    method: "post",
    path: "/push/subscriptions/lookup",
    tags,
    summary: "The preferences of this browser's subscription",
    middleware: [publicRateLimit] as const,
    request: { body: jsonBody(Ownership) },
    responses: { ...problemResponses, 200: jsonOk(RecipientPreferences.extend({ notices: z.boolean(), id: z.string() })) },
  }),
  async (c) => {
    const { endpoint, auth } = c.req.valid("json");
    const row = await findOwned(c.get("db"), endpoint, auth);
    if (!row) throw new AppError("E_NO_SUBSCRIPTION");
    return c.json({ id: row.id, lang: row.lang as (typeof LANGUAGES)[number], regions: JSON.parse(row.regions), exercise: row.exercise, notices: row.notices }, 200);
  },
);

pushRoutes.openapi(
  createRoute({
    method: "post",
    path: "/push/subscriptions/delete",
    tags,
    summary: "Unsubscribe (leave at any moment): deletes the subscription entirely",
    middleware: [publicRateLimit] as const,
    request: { body: jsonBody(Ownership) },
    responses: { ...problemResponses, 204: { description: "Unsubscribed" } },
  }),
  async (c) => {
    const { endpoint, auth } = c.req.valid("json");
    const db = c.get("db");
    const row = await findOwned(db, endpoint, auth);
    if (!row) throw new AppError("E_NO_SUBSCRIPTION");
    await deleteSubscription(db, row.seq);
    return c.body(null, 204);
  },
);
