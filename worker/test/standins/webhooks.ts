// The webhooks channel's side of the contract suite: partners registered through the
// admin API (the channel's way in), each with a receiver at https://hooks.test/hook/<id>
// (e2e/lib/webhook-standin.mjs, routed there by vitest.config.ts) that verifies every
// delivery with the standardwebhooks library before it counts.
import { env } from "cloudflare:workers";
import type { Accepted, ChannelStandIn, Prefs } from "../contract.ts";
import { api, as, expectOk, makeStaff, type Staff } from "../helpers.ts";
import { newWebhookSecret } from "../../channels/webhooks/signing.ts";

const HOOKS = "https://hooks.test";
let admin: Promise<Staff> | null = null;
const registrar = () => (admin ??= makeStaff("admin"));

/** Registers a partner through the admin API with a webhook; returns its id and secret (told to the receiver). */
export async function partnerWithWebhook(prefs: Prefs & { country?: string } = {}, name = "Partner") {
  const a = await registrar();
  const id = crypto.randomUUID();
  const res = expectOk(
    await api(
      "POST",
      "/admin/partners",
      {
        name,
        domains: ["news.example.be"],
        country: prefs.country ?? "BE",
        languages: [prefs.lang ?? "fr"],
        regions: prefs.regions ?? ["BE"],
        exercise: prefs.exercise ?? false,
        webhookUrl: `${HOOKS}/hook/${id}`,
      },
      as(a),
    ),
    201,
  );
  // The receiver's id is the hook path; the registry's id is the partner's.
  await fetch(`${HOOKS}/__register`, { method: "POST", body: JSON.stringify({ id, secret: res.body.webhookSecret }) });
  hookOf.set(id, res.body.partner.id);
  return { hook: id, partnerId: res.body.partner.id as string, apiKey: res.body.apiKey as string, secret: res.body.webhookSecret as string };
}

/** receiver id → partner id */
const hookOf = new Map<string, string>();

export const webhookStandIn: ChannelStandIn = {
  channel: "webhooks",
  audience: "crowd",
  async recipient(prefs: Prefs = {}) {
    return (await partnerWithWebhook(prefs)).hook;
  },
  async recipients(n, prefs = {}) {
    const hooks: string[] = [];
    const rows: string[] = [];
    for (let i = 0; i < n; i++) {
      const hook = crypto.randomUUID();
      const partnerId = crypto.randomUUID();
      const secret = newWebhookSecret();
      hooks.push(hook);
      hookOf.set(hook, partnerId);
      await fetch(`${HOOKS}/__register`, { method: "POST", body: JSON.stringify({ id: hook, secret }) });
      // Literal values: stand-in data only (D1 binds at most 100 parameters per statement).
      rows.push(
        `('${partnerId}', 'Bulk ${i}', '["news.example.be"]', 'BE', '["${prefs.lang ?? "fr"}"]', '${prefs.lang ?? "fr"}', '${JSON.stringify(prefs.regions ?? ["BE"])}', ${prefs.exercise ? 1 : 0}, '${partnerId}', 'cap_bulk', '${HOOKS}/hook/${hook}', '${secret}')`,
      );
    }
    for (let i = 0; i < rows.length; i += 200) {
      await env.DB.prepare(
        `INSERT INTO partners (id, name, domains, country, languages, lang, regions, exercise, key_hash, key_prefix, webhook_url, webhook_secret) VALUES ${rows.slice(i, i + 200).join(",")}`,
      ).run();
    }
    return hooks;
  },
  async drop(ids) {
    for (let i = 0; i < ids.length; i += 90) {
      const chunk = ids.slice(i, i + 90).map((h) => hookOf.get(h)!);
      await env.DB.prepare(`DELETE FROM partners WHERE id IN (${chunk.map(() => "?").join(",")})`).bind(...chunk).run();
    }
    await fetch(`${HOOKS}/__forget`, { method: "POST", body: JSON.stringify(ids) });
  },
  async keyOf(id) {
    return (await env.DB.prepare("SELECT seq FROM partners WHERE id = ?").bind(hookOf.get(id)).first<{ seq: number }>())!.seq;
  },
  accepted: async (alertId) => (await (await fetch(`${HOOKS}/__messages?alert=${alertId}`)).json()) as Accepted[],
  async behave(id, b) {
    await fetch(`${HOOKS}/__behaviour`, { method: "POST", body: JSON.stringify({ id, ...b }) });
  },
};
