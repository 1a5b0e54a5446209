// The e-mail channel's side of the contract suite: a real SMTP server in the test process
// (e2e/lib/smtp-standin.mjs; vitest.config.ts hands its port to the Worker and routes
// https://smtp.test to its control API), and subscribers who sign up through the public
// API and confirm with the link of the e-mail they received (double opt-in, for real).
import { env, exports } from "cloudflare:workers";
import type { Accepted, Behaviour, ChannelStandIn, Prefs } from "../contract.ts";

const SMTP = "https://smtp.test";
let ip = 0;

export interface CaughtMail {
  to: string[];
  subject: string | null;
  text: string | null;
  html: string | null;
  messageId: string | null;
  headers: Record<string, string | null>;
  attachments: { contentType: string; cid: string | null; size: number; disposition: string }[];
}

export const smtp = {
  messages: async (to: string) => (await (await fetch(`${SMTP}/__messages?to=${encodeURIComponent(to)}`)).json()) as CaughtMail[],
  behave: (b: Record<string, unknown>) => fetch(`${SMTP}/__behaviour`, { method: "POST", body: JSON.stringify(b) }),
  /** Waits for the n-th message to an address. */
  async waitFor(to: string, n = 1, timeoutMs = 30_000): Promise<CaughtMail[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = await smtp.messages(to);
      if (got.length >= n) return got;
      if (Date.now() > deadline) throw new Error(`no e-mail #${n} for ${to} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  },
};

/** A public API call from one "device" (its own IP for the rate limit). */
export async function publicPost(path: string, body: unknown, who = `198.51.100.${(ip++ % 250) + 1}`) {
  const res = await exports.default.fetch(
    new Request(`${env.APP_ORIGIN}/api/v1${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: env.APP_ORIGIN, "CF-Connecting-IP": who },
      body: JSON.stringify(body),
    }),
  );
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The token of the newest confirmation link sent to an address. */
export async function confirmationToken(address: string, n = 1): Promise<string> {
  const mails = (await smtp.waitFor(address, n)).filter((m) => m.headers["x-child-alert"] === "confirmation");
  const link = /\/email\/confirm\?t=([A-Za-z0-9_-]+)/.exec(mails.at(-1)!.text ?? "");
  if (!link) throw new Error("no confirmation link in the e-mail");
  return link[1]!;
}

/** Subscribes and confirms through the public API, as a person would. Returns the address. */
export async function emailSubscriber(prefs: Prefs & { notices?: boolean } = {}): Promise<string> {
  const address = `${crypto.randomUUID()}@example.org`;
  const res = await publicPost("/email/subscriptions", { email: address, lang: prefs.lang ?? "fr", regions: prefs.regions ?? ["BE"], exercise: prefs.exercise ?? false, ...(prefs.notices ? { notices: true } : {}) });
  if (res.status !== 202) throw new Error(`subscribe ${res.status} ${JSON.stringify(res.body)}`);
  const ok = await publicPost("/email/confirm", { token: await confirmationToken(address) });
  if (ok.status !== 200) throw new Error(`confirm ${ok.status} ${JSON.stringify(ok.body)}`);
  return address;
}

/** HTTP-flavoured contract behaviours in SMTP terms. */
function smtpBehaviour(to: string, b: Behaviour): Record<string, unknown> {
  if (b.delayMs !== undefined) return { to, delayMs: b.delayMs };
  if (b.times === 0) return { to, times: 0 };
  const times = b.times;
  switch (b.status) {
    case 429:
      return { to, code: 451, message: "4.7.1 rate limited, try again later", times };
    case 410:
    case 404:
      return { to, code: 550, message: "5.1.1 no such mailbox", times };
    case 403:
      return { to, code: 554, phase: "data", message: "5.7.1 message refused", times };
    default:
      return { to, code: b.status && b.status >= 500 ? 451 : (b.status ?? 451), message: "4.3.0 temporary failure", times };
  }
}

export const emailStandIn: ChannelStandIn = {
  channel: "email",
  audience: "crowd",
  recipient: (prefs) => emailSubscriber(prefs),
  async recipients(n, prefs = {}) {
    const addresses = Array.from({ length: n }, () => `${crypto.randomUUID()}@example.org`);
    const regions = JSON.stringify(prefs.regions ?? ["BE"]);
    // Literal values: stand-in data only (D1 binds at most 100 parameters per statement).
    for (let i = 0; i < addresses.length; i += 200) {
      const values = addresses
        .slice(i, i + 200)
        .map((a) => `('${crypto.randomUUID()}', '${a}', '${prefs.lang ?? "fr"}', '${regions}', ${prefs.exercise ? 1 : 0}, 'active')`)
        .join(",");
      await env.DB.prepare(`INSERT INTO email_subscribers (id, address, lang, regions, exercise, status) VALUES ${values}`).run();
    }
    return addresses;
  },
  async drop(ids) {
    for (let i = 0; i < ids.length; i += 90) {
      const chunk = ids.slice(i, i + 90);
      await env.DB.prepare(`UPDATE email_subscribers SET status = 'unsubscribed' WHERE address IN (${chunk.map(() => "?").join(",")})`).bind(...chunk).run();
    }
  },
  async keyOf(id) {
    return (await env.DB.prepare("SELECT seq FROM email_subscribers WHERE address = ?").bind(id).first<{ seq: number }>())!.seq;
  },
  async accepted(alertId) {
    const rows = (await (await fetch(`${SMTP}/__accepted?tag=${alertId}`)).json()) as { to: string; x: string; at: number }[];
    return rows.map((r): Accepted => {
      const event = /event=(\w+)/.exec(r.x)![1] as Accepted["type"];
      return { id: r.to, type: event, version: Number(/version=(\d+)/.exec(r.x)![1]), at: r.at };
    });
  },
  async behave(id, b) {
    await smtp.behave(smtpBehaviour(id, b));
  },
};
