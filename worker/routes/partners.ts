// /api/v1/admin/partners — the partner registry (issue 13): name, domains, country (rule
// 13), languages, regions, exercise opt-in, an API key (stored hashed, shown once,
// rotatable, revocable) and an optional webhook (https, public host; its signing secret
// shown once), with the webhook's delivery log.
import { z } from "@hono/zod-openapi";
import { deliveriesOf, listPartners, type PartnerRow } from "../db/partners.ts";
import { COUNTRY, LANGUAGES, mayReceivePersonalData, PARTNER_KINDS, type PartnerKinds, REGIONS } from "../domain/index.ts";
import { changePartner, existingPartner, registerPartner, revokePartner, rotatePartnerKey } from "../partners/registry.ts";
import { actorOf, jsonBody, jsonOk, newRouter, staffRoute } from "./http.ts";
import { Id } from "./schemas.ts";

export const partnerRoutes = newRouter();
const tags = ["Partners"];

const Domain = z.string().trim().toLowerCase().min(3).max(253).regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "a host name such as news.example.be");
const WebhookUrl = z.string().trim().max(1024).url();

/** The fields as a change gives them (no defaults: a PATCH changes only what it names). */
const PartnerChange = z.object({
  name: z.string().trim().min(1).max(100),
  domains: z.array(Domain).min(1).max(20),
  country: z.string().trim().toUpperCase().regex(COUNTRY, "an ISO 3166-1 alpha-2 code such as BE"),
  languages: z.array(z.enum(LANGUAGES)).min(1).max(LANGUAGES.length).describe("the first is the webhook's language"),
  regions: z.array(z.enum(REGIONS)).min(1).max(REGIONS.length),
  exercise: z.boolean().describe("also receive exercises (marked EXERCISE)"),
  kinds: z.enum(PARTNER_KINDS).describe("issue 29: child_alert (Child Alerts only) or both (search notices too)"),
  webhookUrl: WebhookUrl.nullable(),
});
const PartnerFields = PartnerChange.extend({
  regions: PartnerChange.shape.regions.default(["BE"]),
  exercise: PartnerChange.shape.exercise.default(false),
  kinds: PartnerChange.shape.kinds.default("child_alert"),
  webhookUrl: PartnerChange.shape.webhookUrl.default(null),
});

const Partner = z
  .object({
    id: z.string(),
    name: z.string(),
    domains: z.array(z.string()),
    country: z.string(),
    personalData: z.boolean().describe("rule 13: may the child's data go to this partner (EU/EEA or an adequacy decision)"),
    languages: z.array(z.string()),
    regions: z.array(z.string()),
    exercise: z.boolean(),
    kinds: z.enum(PARTNER_KINDS),
    keyPrefix: z.string(),
    webhookUrl: z.string().nullable(),
    webhook: z.enum(["none", "on", "disabled"]),
    webhookFailures: z.number().int(),
    webhookDisabledAt: z.string().nullable(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .openapi("Partner");

const view = (p: PartnerRow): z.infer<typeof Partner> => ({
  id: p.id,
  name: p.name,
  domains: JSON.parse(p.domains) as string[],
  country: p.country,
  personalData: mayReceivePersonalData(p.country),
  languages: JSON.parse(p.languages) as string[],
  regions: JSON.parse(p.regions) as string[],
  exercise: p.exercise,
  kinds: p.kinds as PartnerKinds,
  keyPrefix: p.keyPrefix,
  webhookUrl: p.webhookUrl,
  webhook: !p.webhookUrl ? "none" : p.webhookDisabledAt ? "disabled" : "on",
  webhookFailures: p.webhookFailures,
  webhookDisabledAt: p.webhookDisabledAt,
  createdAt: p.createdAt,
  revokedAt: p.revokedAt,
});

const PartnerParam = z.object({ id: Id.openapi({ param: { name: "id", in: "path" } }) });

partnerRoutes.openapi(
  staffRoute("admin.partners", {
    method: "post",
    path: "/admin/partners",
    tags,
    summary: "Register a partner; its API key (and webhook secret) are shown once, here",
    request: { body: jsonBody(PartnerFields.strict()) },
    responses: { 201: jsonOk(z.object({ partner: Partner, apiKey: z.string(), webhookSecret: z.string().nullable() }), "Registered") },
  }),
  async (c) => {
    const r = await registerPartner(c.env, c.get("db"), actorOf(c), c.req.valid("json"));
    return c.json({ partner: view(r.partner), apiKey: r.apiKey, webhookSecret: r.webhookSecret }, 201);
  },
);

partnerRoutes.openapi(
  staffRoute("admin.partners", {
    method: "get",
    path: "/admin/partners",
    tags,
    summary: "The partners (no keys, no secrets)",
    responses: { 200: jsonOk(z.object({ partners: z.array(Partner) })) },
  }),
  async (c) => c.json({ partners: (await listPartners(c.get("db"))).map(view) }, 200),
);

partnerRoutes.openapi(
  staffRoute("admin.partners", {
    method: "patch",
    path: "/admin/partners/{id}",
    tags,
    summary: "Change a partner; `webhookEnabled: true` switches a disabled webhook on again (a new URL gets a new secret)",
    request: {
      params: PartnerParam,
      body: jsonBody(
        PartnerChange.partial()
          .extend({ webhookEnabled: z.literal(true).optional() })
          .strict()
          .refine((b) => Object.keys(b).length > 0, "give at least one field"),
      ),
    },
    responses: { 200: jsonOk(z.object({ partner: Partner, webhookSecret: z.string().nullable().describe("shown once, when the webhook URL changed") })) },
  }),
  async (c) => {
    const r = await changePartner(c.env, c.get("db"), actorOf(c), c.req.valid("param").id, c.req.valid("json"));
    return c.json({ partner: view(r.partner), webhookSecret: r.webhookSecret }, 200);
  },
);

partnerRoutes.openapi(
  staffRoute("admin.partners", {
    method: "post",
    path: "/admin/partners/{id}/key",
    tags,
    summary: "A new API key for the partner (the old one stops working now); shown once",
    request: { params: PartnerParam },
    responses: { 200: jsonOk(z.object({ apiKey: z.string(), keyPrefix: z.string() })) },
  }),
  async (c) => c.json(await rotatePartnerKey(c.get("db"), actorOf(c), c.req.valid("param").id), 200),
);

partnerRoutes.openapi(
  staffRoute("admin.partners", {
    method: "post",
    path: "/admin/partners/{id}/revoke",
    tags,
    summary: "Revoke a partner: its key stops working and its webhook receives nothing more",
    request: { params: PartnerParam },
    responses: { 204: { description: "Revoked" } },
  }),
  async (c) => {
    await revokePartner(c.get("db"), actorOf(c), c.req.valid("param").id);
    return c.body(null, 204);
  },
);

partnerRoutes.openapi(
  staffRoute("admin.partners", {
    method: "get",
    path: "/admin/partners/{id}/deliveries",
    tags,
    summary: "The partner's webhook deliveries, newest first (the last 100)",
    request: { params: PartnerParam },
    responses: {
      200: jsonOk(
        z.object({
          deliveries: z.array(z.object({ alertId: z.string(), type: z.string(), version: z.number().int(), outcome: z.string(), status: z.number().int().nullable(), detail: z.string().nullable(), at: z.string() })),
        }),
      ),
    },
  }),
  async (c) => {
    const db = c.get("db");
    const { id } = c.req.valid("param");
    await existingPartner(db, id);
    const rows = await deliveriesOf(db, id);
    return c.json({ deliveries: rows.map(({ alertId, type, version, outcome, status, detail, at }) => ({ alertId, type, version, outcome, status, detail, at })) }, 200);
  },
);
