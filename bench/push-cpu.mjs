// bench:push-cpu — CPU per push message (RFC 8291 encryption + VAPID) of our WebCrypto
// path against web-push's generateRequestDetails, both inside workerd in the same run
// (wall time of N builds in one request, minus an empty request), and both in Node.
//   RESULT push-cpu ours=<µs>us peer=<µs>us ratio=<peer/ours>   (workerd figures)
import { createECDH, randomBytes } from "node:crypto";
import { createServer } from "node:net";
import webpush from "web-push";
import { pushRequestDetails, VapidSigner } from "../worker/channels/push/webpush.ts";
import { startWorker, vapidKeys } from "../scripts/lib/local.mjs";

const N = Number(process.env.BENCH_N ?? 3000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ecdh = createECDH("prime256v1");
ecdh.generateKeys();
const subscription = { endpoint: "https://fcm.googleapis.com/fcm/send/bench-token", keys: { p256dh: ecdh.getPublicKey().toString("base64url"), auth: randomBytes(16).toString("base64url") } };
const k = vapidKeys();
const vapid = { publicKey: k.VAPID_PUBLIC_KEY, privateKey: k.VAPID_PRIVATE_KEY, subject: "mailto:bench@child-alert.test" };
const payload = JSON.stringify({ v: 1, type: "alert", title: "CHILD ALERT: Noa Voorbeeld, 8 ans", body: "x".repeat(900) });

const port = await new Promise((r) => {
  const s = createServer().listen(0, "127.0.0.1", () => {
    const { port } = s.address();
    s.close(() => r(port));
  });
});
console.log(`bench:push-cpu — ${N} messages per run, ${RUNS} runs, payload ${payload.length} B`);
const worker = await startWorker({ port, config: "bench/wrangler.push.toml", healthPath: "/noop" });
const base = `http://127.0.0.1:${port}`;
try {
  const time = async (path) => {
    const t0 = performance.now();
    const res = await fetch(`${base}${path}`, { method: "POST", body: JSON.stringify({ n: N, subscription, vapid, payload }) });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    await res.json();
    return performance.now() - t0;
  };
  const noop = async () => {
    const t0 = performance.now();
    await (await fetch(`${base}/noop`)).text();
    return performance.now() - t0;
  };
  await time("/ours");
  await time("/peer");
  const ours = [];
  const peer = [];
  for (let i = 0; i < RUNS; i++) {
    const base0 = await noop();
    ours.push(((await time("/ours")) - base0) * 1000 / N);
    peer.push(((await time("/peer")) - base0) * 1000 / N);
  }
  // Node, same messages.
  const signer = new VapidSigner(vapid);
  const bytes = new TextEncoder().encode(payload);
  const nodeRun = async (fn) => {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) await fn();
    return ((performance.now() - t0) * 1000) / N;
  };
  await nodeRun(() => pushRequestDetails(subscription.endpoint, subscription.keys, bytes, signer, { ttl: 3600, topic: "bench" }));
  const nodeOurs = await nodeRun(() => pushRequestDetails(subscription.endpoint, subscription.keys, bytes, signer, { ttl: 3600, topic: "bench" }));
  const nodePeer = await nodeRun(async () => webpush.generateRequestDetails(subscription, payload, { vapidDetails: vapid, TTL: 3600 }));
  const o = median(ours);
  const p = median(peer);
  console.log(`  workerd: ours ${ours.map((x) => x.toFixed(0)).join(", ")} µs/msg; web-push ${peer.map((x) => x.toFixed(0)).join(", ")} µs/msg`);
  console.log(`  Node ${process.version}: ours ${nodeOurs.toFixed(0)} µs/msg; web-push ${nodePeer.toFixed(0)} µs/msg (ratio ${(nodePeer / nodeOurs).toFixed(2)})`);
  console.log(`  ours: fresh ECDH key pair + salt per message, VAPID JWT signed once per push-service origin; web-push signs a JWT per message`);
  console.log(`RESULT push-cpu ours=${o.toFixed(0)}us peer=${p.toFixed(0)}us ratio=${(p / o).toFixed(2)}`);
} finally {
  worker.stop();
}
