// The push channel's side of the contract suite: the push-service stand-in (it verifies
// VAPID and decrypts every message; e2e/lib/push-standin.mjs) that vitest.config.ts routes
// https://push.test to, and citizens subscribed through the public API.
import { env } from "cloudflare:workers";
import type { Accepted, ChannelStandIn, Prefs } from "../contract.ts";
import { citizen } from "../helpers.ts";

const PUSH = "https://push.test";
const endpoints = new Map<string, string>();

export const pushStandIn: ChannelStandIn = {
  channel: "push",
  audience: "crowd",
  async recipient(prefs: Prefs = {}) {
    const s = await citizen(prefs);
    endpoints.set(s.id, s.endpoint);
    return s.id;
  },
  async recipients(n, prefs = {}) {
    const subs = (await (await fetch(`${PUSH}/__subscribe?n=${n}`, { method: "POST" })).json()) as { id: string; endpoint: string; keys: { p256dh: string; auth: string } }[];
    const regions = JSON.stringify(prefs.regions ?? ["BE"]);
    // Literal values: stand-in data only (D1 binds at most 100 parameters per statement).
    for (let i = 0; i < subs.length; i += 200) {
      const values = subs
        .slice(i, i + 200)
        .map((s) => `('${crypto.randomUUID()}', '${s.endpoint}', '${s.keys.p256dh}', '${s.keys.auth}', '${prefs.lang ?? "fr"}', '${regions}', ${prefs.exercise ? 1 : 0})`)
        .join(",");
      await env.DB.prepare(`INSERT INTO subscriptions (id, endpoint, p256dh, auth, lang, regions, exercise) VALUES ${values}`).run();
    }
    for (const s of subs) endpoints.set(s.id, s.endpoint);
    return subs.map((s) => s.id);
  },
  async drop(ids) {
    for (let i = 0; i < ids.length; i += 90) {
      const chunk = ids.slice(i, i + 90).map((id) => endpoints.get(id)!);
      await env.DB.prepare(`DELETE FROM subscriptions WHERE endpoint IN (${chunk.map(() => "?").join(",")})`).bind(...chunk).run();
    }
    await fetch(`${PUSH}/__forget`, { method: "POST", body: JSON.stringify(ids) });
  },
  async keyOf(id) {
    return (await env.DB.prepare("SELECT seq FROM subscriptions WHERE endpoint = ?").bind(endpoints.get(id)).first<{ seq: number }>())!.seq;
  },
  accepted: async (alertId) => (await (await fetch(`${PUSH}/__messages?tag=${alertId}`)).json()) as Accepted[],
  async behave(id, b) {
    await fetch(`${PUSH}/__behaviour`, { method: "POST", body: JSON.stringify({ id, ...b }) });
  },
};
