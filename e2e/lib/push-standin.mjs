// A push-service stand-in: plays FCM/autopush for tests, `npm start` and benchmarks.
// It really checks what a push service checks — the VAPID JWT (ES256 signature against
// the `k` key, which must be the app's key; `aud` = this service's origin; `exp` in the
// future and at most 24 h away; `sub` a mailto:/https: contact), the Content-Encoding,
// TTL, Urgency and Topic headers, the 4096-byte body limit — and it really decrypts the
// RFC 8291 aes128gcm body with the subscriber's private key (http_ece, the reference
// implementation). It can be told to answer 404/410/429/500 or slowly per subscription.
//
// Control endpoints (same origin): POST /__subscribe, GET /__received?id=, GET /__stats, GET /__messages?tag=, POST /__forget,
// POST /__behaviour {id, status, retryAfter, times, delayMs}, POST /__reset.
import { createECDH, createPublicKey, randomBytes, randomUUID, verify } from "node:crypto";
import { createServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { nodeHandler } from "./serve-handler.mjs";
import ece from "http_ece";

const b64u = (buf) => Buffer.from(buf).toString("base64url");
const json = (status, body, headers = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });

export class PushStandIn {
  /** @param {{ origin: string, vapidPublicKey?: string }} o */
  constructor({ origin, vapidPublicKey }) {
    this.origin = origin;
    this.vapidPublicKey = vapidPublicKey ?? null;
    this.subs = new Map();
    this.behaviours = new Map();
    this.accepted = 0;
    this.rejected = 0;
    this.firstAcceptedAt = null;
    this.lastAcceptedAt = null;
  }

  subscribe() {
    const id = randomUUID();
    const ecdh = createECDH("prime256v1");
    ecdh.generateKeys();
    const auth = randomBytes(16);
    this.subs.set(id, { ecdh, auth, messages: [] });
    return { id, endpoint: `${this.origin}/push/${id}`, keys: { p256dh: b64u(ecdh.getPublicKey()), auth: b64u(auth) } };
  }

  /** Many subscriptions at once (benchmarks): keys are generated here, as browsers would. */
  subscribeMany(n) {
    return Array.from({ length: n }, () => this.subscribe());
  }

  /**
   * A crowd for bench:scale: every `sampleEvery`-th subscription is a full one (its own
   * keys; every message checked, decrypted and kept); the others are a fast sink that
   * shares one key pair and only counts what it accepts (the sender's cost is the same:
   * it encrypts and signs every message).
   */
  subscribeBulk(n, { sampleEvery = 1000 } = {}) {
    const ecdh = createECDH("prime256v1");
    ecdh.generateKeys();
    const auth = randomBytes(16);
    const shared = { p256dh: b64u(ecdh.getPublicKey()), auth: b64u(auth) };
    const out = [];
    for (let i = 0; i < n; i++) {
      if (i % sampleEvery === 0) {
        out.push({ ...this.subscribe(), sampled: true });
        continue;
      }
      const id = randomUUID();
      this.subs.set(id, { sink: true, count: 0 });
      out.push({ id, endpoint: `${this.origin}/push/${id}`, keys: shared, sampled: false });
    }
    return out;
  }

  reset() {
    this.subs.clear();
    this.behaviours.clear();
    this.accepted = this.rejected = 0;
    this.firstAcceptedAt = this.lastAcceptedAt = null;
  }

  verifyVapid(authorization) {
    const m = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(authorization ?? "");
    if (!m) return "Authorization must be 'vapid t=<jwt>, k=<key>'";
    const [, jwt, k] = m;
    if (this.vapidPublicKey && k !== this.vapidPublicKey) return "VAPID key is not the application server key of the subscription";
    const [h, p, s] = jwt.split(".");
    if (!h || !p || !s) return "malformed JWT";
    const header = JSON.parse(Buffer.from(h, "base64url").toString());
    const claims = JSON.parse(Buffer.from(p, "base64url").toString());
    if (header.alg !== "ES256") return "JWT alg must be ES256";
    const raw = Buffer.from(k, "base64url");
    const key = createPublicKey({ key: { kty: "EC", crv: "P-256", x: b64u(raw.subarray(1, 33)), y: b64u(raw.subarray(33, 65)) }, format: "jwk" });
    const ok = verify("sha256", Buffer.from(`${h}.${p}`), { key, dsaEncoding: "ieee-p1363" }, Buffer.from(s, "base64url"));
    if (!ok) return "JWT signature does not verify";
    if (claims.aud !== this.origin) return `JWT aud ${claims.aud} is not ${this.origin}`;
    const now = Math.floor(Date.now() / 1000);
    if (!(claims.exp > now)) return "JWT expired";
    if (claims.exp > now + 24 * 3600) return "JWT exp more than 24 h ahead";
    if (!/^(mailto:|https:)/.test(claims.sub ?? "")) return "JWT sub must be mailto: or https:";
    return null;
  }

  /** Handles one request (a Fetch API Request) and answers as a push service would. */
  async handle(request) {
    const url = new URL(request.url);
    if (url.pathname === "/__subscribe" && request.method === "POST") {
      const n = Number(url.searchParams.get("n") ?? 0);
      return json(201, n > 0 ? this.subscribeMany(Math.min(n, 200_000)) : this.subscribe());
    }
    if (url.pathname === "/__received") {
      const sub = this.subs.get(url.searchParams.get("id"));
      return sub ? json(200, sub.messages) : json(404, { error: "unknown subscription" });
    }
    if (url.pathname === "/__stats") {
      const tag = url.searchParams.get("tag");
      const byType = {};
      let withContent = 0;
      let contentWithoutStop = 0;
      for (const sub of this.subs.values()) {
        const mine = tag ? sub.messages.filter((m) => m.payload?.tag === tag) : sub.messages;
        for (const m of mine) byType[m.payload?.type ?? "raw"] = (byType[m.payload?.type ?? "raw"] ?? 0) + 1;
        const content = mine.some((m) => m.payload?.type === "alert" || m.payload?.type === "update");
        if (content) withContent++;
        if (content && !mine.some((m) => m.payload?.type === "stop")) contentWithoutStop++;
      }
      return json(200, {
        accepted: this.accepted,
        rejected: this.rejected,
        firstAcceptedAt: this.firstAcceptedAt,
        lastAcceptedAt: this.lastAcceptedAt,
        subscriptions: this.subs.size,
        byType,
        withContent,
        contentWithoutStop,
      });
    }
    if (url.pathname === "/__messages") {
      // Every message accepted for one alert (tag): who, what, which version, when.
      const tag = url.searchParams.get("tag");
      const out = [];
      for (const [id, sub] of this.subs) {
        for (const m of sub.messages) if (m.payload?.tag === tag) out.push({ id, type: m.payload.type, version: m.payload.version, at: m.at });
      }
      return json(200, out);
    }
    if (url.pathname === "/__forget" && request.method === "POST") {
      for (const id of await request.json()) this.subs.delete(id);
      return json(200, { ok: true });
    }
    if (url.pathname === "/__behaviour" && request.method === "POST") {
      const b = await request.json();
      this.behaviours.set(b.id, { ...b, remaining: b.times ?? Infinity });
      return json(200, { ok: true });
    }
    if (url.pathname === "/__vapid" && request.method === "POST") {
      this.vapidPublicKey = (await request.json()).publicKey;
      return json(200, { ok: true });
    }
    if (url.pathname === "/__reset" && request.method === "POST") {
      this.reset();
      return json(200, { ok: true });
    }
    const m = /^\/push\/([0-9a-f-]{36})$/.exec(url.pathname);
    if (!m || request.method !== "POST") return json(404, { error: "not found" });
    const reject = (status, error) => {
      this.rejected++;
      return json(status, { error });
    };
    const sub = this.subs.get(m[1]);
    if (!sub) return reject(410, "subscription expired or unknown");

    if (sub.sink) {
      const at = Date.now();
      sub.count++;
      this.accepted++;
      this.firstAcceptedAt ??= at;
      this.lastAcceptedAt = at;
      await request.arrayBuffer();
      return new Response(null, { status: 201 });
    }
    const behaviour = this.behaviours.get(m[1]);
    if (behaviour?.delayMs) await new Promise((r) => setTimeout(r, behaviour.delayMs));
    if (behaviour?.status && behaviour.remaining > 0) {
      behaviour.remaining--;
      if (behaviour.status === 410 || behaviour.status === 404) this.subs.delete(m[1]);
      const headers = behaviour.retryAfter !== undefined ? { "Retry-After": String(behaviour.retryAfter) } : {};
      this.rejected++;
      return json(behaviour.status, { error: `told to answer ${behaviour.status}` }, headers);
    }

    const vapidError = this.verifyVapid(request.headers.get("authorization"));
    if (vapidError) return reject(401, vapidError);
    if (request.headers.get("content-encoding") !== "aes128gcm") return reject(415, "Content-Encoding must be aes128gcm");
    const ttl = request.headers.get("ttl");
    if (ttl === null || !/^\d+$/.test(ttl)) return reject(400, "TTL header required");
    const topic = request.headers.get("topic");
    if (topic !== null && !/^[A-Za-z0-9_-]{1,32}$/.test(topic)) return reject(400, "Topic must be ≤ 32 base64url characters");
    const urgency = request.headers.get("urgency");
    if (urgency !== null && !["very-low", "low", "normal", "high"].includes(urgency)) return reject(400, "bad Urgency");
    const body = Buffer.from(await request.arrayBuffer());
    if (body.length > 4096) return reject(413, "payload too large");
    let plaintext;
    try {
      plaintext = ece.decrypt(body, { version: "aes128gcm", privateKey: sub.ecdh, authSecret: b64u(sub.auth) });
    } catch (err) {
      return reject(400, `decryption failed: ${err.message}`);
    }
    const at = Date.now();
    this.accepted++;
    this.firstAcceptedAt ??= at;
    this.lastAcceptedAt = at;
    let payload;
    try {
      payload = JSON.parse(plaintext.toString("utf8"));
    } catch {
      payload = plaintext.toString("utf8");
    }
    sub.messages.push({ at, ttl: Number(ttl), topic, urgency, bytes: body.length, payload });
    return new Response(null, { status: 201, headers: { Location: `${this.origin}/message/${randomUUID()}` } });
  }
}

/**
 * Runs the stand-in as an HTTP server (npm start, browser tests, benchmarks), or HTTPS
 * with a given key/cert (for clients that only speak HTTPS, like web-push's sendNotification).
 */
export async function startPushStandIn({ port = 0, host = "127.0.0.1", publicHost = "localhost", vapidPublicKey, tls } = {}) {
  const standin = new PushStandIn({ origin: "", vapidPublicKey });
  // The origin is known once the server listens: read when each request comes.
  const handler = nodeHandler((r) => standin.handle(r), () => standin.origin);
  const server = tls ? createHttpsServer(tls, handler) : createServer(handler);
  server.keepAliveTimeout = 60_000;
  await new Promise((r) => server.listen(port, host, r));
  standin.origin = `${tls ? "https" : "http"}://${publicHost}:${server.address().port}`;
  return { standin, origin: standin.origin, port: server.address().port, close: () => new Promise((r) => server.close(r)) };
}
