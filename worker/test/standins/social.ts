// The social channels' side of the contract suite: official accounts added through the
// admin API (the channels' way in) or, in bulk, written to D1 with sealed credentials;
// each known to the networks' stand-in (e2e/lib/social-standin.mjs, routed by
// vitest.config.ts) with the same credentials, which it checks as the network would.
import { env } from "cloudflare:workers";
import type { Accepted, ChannelStandIn, Prefs } from "../contract.ts";
import type { SocialNetwork } from "../../db/social.ts";
import { api, as, expectOk, makeStaff, type Staff } from "../helpers.ts";
import { sealCredentials } from "../../channels/social/credentials.ts";
import { freshSocialAccount } from "../../../e2e/lib/social-accounts.mjs";

export const SOCIAL_CONTROL = "https://social.test";
let admin: Promise<Staff> | null = null;
const registrar = () => (admin ??= makeStaff("admin"));

const ORIGIN: Partial<Record<SocialNetwork, string>> = { mastodon: "https://mastodon.test", bluesky: "https://bsky.test" };

/** A fresh account's place and credentials on a network, as the admin would type them. */
export const freshAccount = (network: SocialNetwork) => freshSocialAccount(network, ORIGIN[network] ?? "");

export async function tellStandIn(list: { id: string; network: SocialNetwork; target: string; credentials: Record<string, string>; handle: string }[]) {
  await fetch(`${SOCIAL_CONTROL}/__register`, { method: "POST", body: JSON.stringify(list) });
}

/** An account added through the admin API and known to the stand-in; returns its id. */
export async function addAccount(network: SocialNetwork, prefs: Prefs = {}, who?: Staff): Promise<string> {
  const a = freshAccount(network);
  const res = expectOk(
    await api(
      "POST",
      "/admin/social-accounts",
      { network, name: `@${a.handle}`, lang: prefs.lang ?? "fr", regions: prefs.regions ?? ["BE"], exercise: prefs.exercise ?? false, target: a.target, credentials: a.credentials },
      as(who ?? (await registrar())),
    ),
    201,
  );
  const id = res.body.account.id as string;
  await tellStandIn([{ id, network, ...a }]);
  return id;
}

export const standInPosts = async (alertId: string) =>
  (await (await fetch(`${SOCIAL_CONTROL}/__posts?alert=${alertId}`)).json()) as { postId: string; owner: string; network: string; type: string; version: number; live: boolean; text: string; media: boolean; edits: number }[];

export const standInMessages = async (alertId: string) =>
  (await (await fetch(`${SOCIAL_CONTROL}/__messages?alert=${alertId}`)).json()) as (Accepted & { network: string; postId: string; text: string; alt: string | null; media: number; edit?: boolean; facets?: number })[];

/**
 * A network's side of the contract. Its real audience is a handful of official accounts:
 * `audience: "crowd"` is for the one network that proves the shared social engine under
 * the load cases (Mastodon); the others prove every other guarantee with their own protocol.
 */
export function socialStandIn(network: SocialNetwork, audience: ChannelStandIn["audience"] = "handful"): ChannelStandIn {
  return {
    channel: network,
    audience,
    recipient: (prefs: Prefs = {}) => addAccount(network, prefs),
    async recipients(n, prefs = {}) {
      const ids: string[] = [];
      const rows: string[] = [];
      const known: Parameters<typeof tellStandIn>[0] = [];
      for (let i = 0; i < n; i++) {
        const id = crypto.randomUUID();
        const a = freshAccount(network);
        ids.push(id);
        known.push({ id, network, ...a });
        const sealed = await sealCredentials(env, id, a.credentials);
        // Literal values: stand-in data only (D1 binds at most 100 parameters per statement).
        rows.push(`('${id}', '${network}', 'Bulk ${i}', '${prefs.lang ?? "fr"}', '${JSON.stringify(prefs.regions ?? ["BE"])}', ${prefs.exercise ? 1 : 0}, '${a.target}', '${sealed}')`);
      }
      for (let i = 0; i < known.length; i += 1000) await tellStandIn(known.slice(i, i + 1000));
      for (let i = 0; i < rows.length; i += 200) {
        await env.DB.prepare(`INSERT INTO social_accounts (id, network, name, lang, regions, exercise, target, credentials) VALUES ${rows.slice(i, i + 200).join(",")}`).run();
      }
      return ids;
    },
    async drop(ids) {
      for (let i = 0; i < ids.length; i += 90) {
        const chunk = ids.slice(i, i + 90);
        await env.DB.prepare(`DELETE FROM social_accounts WHERE id IN (${chunk.map(() => "?").join(",")})`).bind(...chunk).run();
      }
      await fetch(`${SOCIAL_CONTROL}/__forget`, { method: "POST", body: JSON.stringify(ids) });
    },
    async keyOf(id) {
      return (await env.DB.prepare("SELECT seq FROM social_accounts WHERE id = ?").bind(id).first<{ seq: number }>())!.seq;
    },
    accepted: async (alertId) => (await standInMessages(alertId)).filter((m) => m.network === network).map(({ id, type, version, at }) => ({ id, type, version, at })),
    async behave(id, b) {
      await fetch(`${SOCIAL_CONTROL}/__behaviour`, { method: "POST", body: JSON.stringify({ id, ...b }) });
    },
  };
}
