// A partner's webhook receiver, as the partner would write it: every delivery is
// verified with the Standard Webhooks reference library (`standardwebhooks`, its
// `Webhook.verify`: signature, timestamp tolerance) before it counts, and each delivery
// is recorded with its webhook-id (a repeated one marked). Used by the channel contract suite
// (vitest.config.ts routes https://hooks.test here), `npm start` and the browser tests.
//   POST /hook/<partner>            a delivery (the partner's webhook URL)
//   POST /__register {id, secret}   the partner's signing secret (what the partner stores)
//   POST /__behaviour {id, status, retryAfter, times, delayMs}
//   GET  /__messages?alert=<id>     accepted deliveries: [{id, type, version, at, data}]
//   POST /__forget [ids]
import { Webhook } from "standardwebhooks";

const TYPE = { "alert.launched": "alert", "alert.updated": "update", "alert.stopped": "stop" };

export class WebhookStandIn {
  constructor() {
    this.secrets = new Map();
    this.behaviours = new Map();
    /** partner id → accepted deliveries */
    this.received = new Map();
    this.seen = new Set();
    this.refused = [];
  }

  register(id, secret) {
    this.secrets.set(id, new Webhook(secret));
  }

  async handle(request) {
    const url = new URL(request.url);
    if (url.pathname === "/__register") {
      const { id, secret } = await request.json();
      this.register(id, secret);
      return new Response(null, { status: 204 });
    }
    if (url.pathname === "/__behaviour") {
      const b = await request.json();
      this.behaviours.set(b.id, { ...b, left: b.times ?? Infinity });
      return new Response(null, { status: 204 });
    }
    if (url.pathname === "/__forget") {
      for (const id of await request.json()) {
        this.secrets.delete(id);
        this.received.delete(id);
      }
      return new Response(null, { status: 204 });
    }
    if (url.pathname === "/__messages") {
      const alert = url.searchParams.get("alert");
      const out = [];
      for (const [id, list] of this.received) for (const m of list) if (!alert || m.data?.id === alert) out.push({ id, ...m });
      return Response.json(out);
    }
    if (url.pathname === "/__refused") return Response.json(this.refused);
    const m = /^\/hook\/([^/]+)$/.exec(url.pathname);
    if (!m || request.method !== "POST") return new Response("not found", { status: 404 });
    const id = m[1];
    const b = this.behaviours.get(id);
    if (b?.delayMs) await new Promise((r) => setTimeout(r, b.delayMs));
    if (b?.status && b.left > 0) {
      b.left--;
      return new Response("behaving", { status: b.status, headers: b.retryAfter !== undefined ? { "Retry-After": String(b.retryAfter) } : {} });
    }
    const wh = this.secrets.get(id);
    if (!wh) return new Response("unknown partner", { status: 410 });
    const body = await request.text();
    let payload;
    try {
      payload = wh.verify(body, Object.fromEntries(request.headers));
    } catch (err) {
      this.refused.push({ id, reason: String(err?.message ?? err) });
      return new Response("bad signature", { status: 401 });
    }
    // Counted even when its webhook-id was seen (a real receiver would drop it): the tests
    // must see a second delivery of one event, which the engine promises never to make.
    const msgId = request.headers.get("webhook-id");
    const duplicate = this.seen.has(`${id}|${msgId}`);
    this.seen.add(`${id}|${msgId}`);
    const list = this.received.get(id) ?? [];
    // The publication signature (issue 28) is kept with the exact body, for the tests to check with our public keys.
    list.push({ type: TYPE[payload.type] ?? payload.type, version: payload.data?.version, at: Date.now(), event: payload.type, webhookId: msgId, duplicate, data: payload.data, body, publication: request.headers.get("child-alert-signature") });
    this.received.set(id, list);
    return new Response(null, { status: 204 });
  }
}

/** The receiver as `npm start` runs it: partners' webhook URLs are http://localhost:<port>/hook/<id>. */
export async function startWebhookReceiver(opts = {}) {
  const { serveStandIn } = await import("./serve-handler.mjs");
  return serveStandIn(new WebhookStandIn(), opts);
}
