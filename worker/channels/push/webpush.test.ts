import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { buildPushRequest, encryptMessage, generateVapidKeys, MAX_PLAINTEXT, VapidSigner } from "./webpush.ts";

const PUSH = "https://push.test";
const subscribe = async () => (await (await fetch(`${PUSH}/__subscribe`, { method: "POST" })).json()) as { id: string; endpoint: string; keys: { p256dh: string; auth: string } };
const received = async (id: string) => (await (await fetch(`${PUSH}/__received?id=${id}`)).json()) as { payload: unknown; topic: string; ttl: number; urgency: string }[];
const signer = () => new VapidSigner({ publicKey: env.VAPID_PUBLIC_KEY, privateKey: env.VAPID_PRIVATE_KEY, subject: env.VAPID_SUBJECT });
const text = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));

describe("RFC 8291 encryption + RFC 8292 VAPID, checked by a push service that decrypts", () => {
  it("a message is accepted (201) and decrypts to the payload, with TTL, Urgency and Topic", async () => {
    const sub = await subscribe();
    const req = await buildPushRequest(sub.endpoint, sub.keys, text({ hello: "Łukasz" }), signer(), { ttl: 3600, topic: "a1b2c3", urgency: "high" });
    const res = await fetch(req);
    expect(res.status).toBe(201);
    const [msg] = await received(sub.id);
    expect(msg).toMatchObject({ payload: { hello: "Łukasz" }, ttl: 3600, topic: "a1b2c3", urgency: "high" });
  });

  it("every message uses a fresh key pair and salt (same payload → different bodies)", async () => {
    const sub = await subscribe();
    const a = await encryptMessage(text({ x: 1 }), sub.keys);
    const b = await encryptMessage(text({ x: 1 }), sub.keys);
    expect(a.subarray(0, 16)).not.toEqual(b.subarray(0, 16)); // salt
    expect(a.subarray(21, 86)).not.toEqual(b.subarray(21, 86)); // sender public key
  });

  it("signs the VAPID JWT once per push-service origin, not per message", async () => {
    const s = signer();
    const sub = await subscribe();
    for (let i = 0; i < 5; i++) expect((await fetch(await buildPushRequest(sub.endpoint, sub.keys, text({ i }), s, { ttl: 60, topic: "t" }))).status).toBe(201);
    expect(s.signed).toBe(1);
    // A new validity window signs again.
    await s.authorization(sub.endpoint, Math.floor(Date.now() / 1000) + 12 * 3600);
    expect(s.signed).toBe(2);
  });

  it("the push service refuses a tampered body (400) and a foreign VAPID key (401)", async () => {
    const sub = await subscribe();
    const req = await buildPushRequest(sub.endpoint, sub.keys, text({ y: 1 }), signer(), { ttl: 60, topic: "t" });
    const body = new Uint8Array(await req.arrayBuffer());
    body[body.length - 3]! ^= 0xff;
    expect((await fetch(sub.endpoint, { method: "POST", headers: req.headers, body })).status).toBe(400);
    const other = new VapidSigner(await generateVapidKeys("mailto:x@example.org"));
    expect((await fetch(await buildPushRequest(sub.endpoint, sub.keys, text({ z: 1 }), other, { ttl: 60, topic: "t" }))).status).toBe(401);
  });

  it("refuses to build a message over the 4096-byte limit; the largest allowed one is accepted", async () => {
    const sub = await subscribe();
    await expect(encryptMessage(new Uint8Array(MAX_PLAINTEXT + 1), sub.keys)).rejects.toThrow(/exceeds/);
    const res = await fetch(await buildPushRequest(sub.endpoint, sub.keys, new Uint8Array(MAX_PLAINTEXT).fill(0x61), signer(), { ttl: 60, topic: "t" }));
    expect(res.status).toBe(201);
  });
});
