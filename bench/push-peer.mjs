// The peer of bench:push-e2e / bench:push-latency: a plain Node script sending with
// web-push's sendNotification (its own encryption, a JWT per message), 50 requests at a
// time. Runs as its own process so it does not share a CPU with the stand-in.
// argv: <subscriptions.json> <concurrency>; env VAPID_* ; prints JSON {sent, ms}.
import { readFileSync } from "node:fs";
import https from "node:https";
import webpush from "web-push";

const subs = JSON.parse(readFileSync(process.argv[2], "utf8"));
const concurrency = Number(process.argv[3] ?? 50);
const agent = new https.Agent({ keepAlive: true, maxSockets: concurrency, rejectUnauthorized: false }); // self-signed stand-in
const vapidDetails = { subject: "mailto:bench@child-alert.test", publicKey: process.env.VAPID_PUBLIC_KEY, privateKey: process.env.VAPID_PRIVATE_KEY };
const payload = JSON.stringify({ v: 1, type: "alert", tag: "peer", title: "CHILD ALERT: Noa Voorbeeld, 8 ans", body: "x".repeat(400) });
let next = 0;
let sent = 0;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < subs.length) {
      const s = subs[next++];
      const res = await webpush.sendNotification(s, payload, { vapidDetails, TTL: 3600, agent, urgency: "high", topic: "peer" });
      if (res.statusCode === 201) sent++;
    }
  }),
);
console.log(JSON.stringify({ sent, ms: performance.now() - t0 }));
agent.destroy();
