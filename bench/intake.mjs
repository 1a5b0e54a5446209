// bench:intake — how fast a citizen's tip reaches the investigator, under `npm start`
// conditions (wrangler dev, local D1/DOs): 1,000 web tips from 50 concurrent clients
// (each tip from its own address, with the Turnstile stand-in's token) while 200
// simulated calls come and go on the alert's 116 000 line (signed provider webhooks:
// menu, notice, queue, then answered or abandoned). Measured from the moment the server
// accepted a tip (its receivedAt) to:
//   ours  the investigator's open WebSocket on the alert receiving it (pushed);
//   peer  a plain CRUD client polling the tips API every second (what most apps do).
//   RESULT intake ours=<median>ms peer=<median>ms ratio=<peer/ours>   (p95 printed too)
import WebSocket from "ws";
import { LOCAL_TELEPHONY_TOKEN } from "../scripts/lib/local.mjs";
import { telephonyProvider } from "../scripts/lib/telephony.mjs";
import { authoriseAndLaunch, ourStack, readyForAuthorisation } from "./lib.mjs";

const TIPS = Number(process.env.BENCH_TIPS ?? 1000);
const CLIENTS = 50;
const CALLS = Number(process.env.BENCH_CALLS ?? 200);
const POLL_MS = 1000;
const DUMMY_TOKEN = "XXXX.DUMMY.TOKEN.XXXX";

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

const ours = await ourStack();
try {
  const { stack, staff, call } = ours;
  const id = await readyForAuthorisation(ours);
  await authoriseAndLaunch(ours, id);
  const origin = stack.origin;

  // The investigator's open alert screen: its WebSocket.
  const pushed = new Map();
  const ws = new WebSocket(`${origin.replace("http", "ws")}/api/v1/alerts/${id}/live`, { headers: { Cookie: staff.investigator.cookie, Origin: origin } });
  await new Promise((resolve, reject) => {
    ws.on("message", (data) => {
      const m = JSON.parse(String(data));
      if (m.type === "hello") resolve();
      if (m.type === "tip") pushed.set(m.tip.id, { at: Date.now(), receivedAt: Date.parse(m.tip.receivedAt) });
    });
    ws.on("error", reject);
  });

  // The peer: the same person's screen polling the tips API every second.
  const polled = new Map();
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const started = Date.now();
      const { data } = await call("GET", `/alerts/${id}/tips`, undefined, staff.investigator.cookie);
      const at = Date.now();
      for (const t of data?.tips ?? []) if (!polled.has(t.id)) polled.set(t.id, { at, receivedAt: Date.parse(t.receivedAt) });
      await new Promise((r) => setTimeout(r, Math.max(0, POLL_MS - (Date.now() - started))));
    }
  })();

  // 200 calls come and go on the line, alongside.
  const provider = telephonyProvider(origin, LOCAL_TELEPHONY_TOKEN);
  let callsDone = 0;
  const calls = (async () => {
    const lanes = Array.from({ length: 10 }, async (_, lane) => {
      for (let i = lane; i < CALLS; i += 10) {
        const c = await provider.call({ lang: ["fr", "nl", "de", "en"][i % 4], from: `+3247${String(i).padStart(7, "0")}`, object: i % 5 === 0, drill: true });
        if (c.queued) await provider.left(c, i % 3 === 0 ? "hangup" : "bridged");
        callsDone++;
      }
    });
    await Promise.all(lanes);
  })();

  // 1,000 tips from 50 concurrent clients.
  const accepted = [];
  let refused = 0;
  const t0 = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < TIPS) {
        const i = next++;
        const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
        const res = await fetch(`${origin}/api/v1/alerts/${id}/tips/web`, {
          method: "POST",
          headers: { "Content-Type": "application/json", Origin: origin, "CF-Connecting-IP": ip },
          body: JSON.stringify({ text: `Bench tip ${i}: seen near the station`, anonymous: true, clientRef: crypto.randomUUID(), turnstileToken: DUMMY_TOKEN }),
        });
        if (res.status === 201) accepted.push((await res.json()).id);
        else {
          refused++;
          if (refused < 4) console.log(`  refused: ${res.status} ${(await res.text()).slice(0, 160)}`);
        }
      }
    }),
  );
  const sendMs = Date.now() - t0;
  await calls;
  // Let the last poll see the last tips.
  const deadline = Date.now() + 15_000;
  while ((pushed.size < accepted.length || polled.size < accepted.length) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  polling = false;
  await poller;
  ws.close();

  const lat = (m) => accepted.filter((a) => m.has(a)).map((a) => m.get(a).at - m.get(a).receivedAt);
  const o = lat(pushed);
  const p = lat(polled);
  const metrics = (await call("GET", `/alerts/${id}/intake`, undefined, staff.operator.cookie)).data.metrics;
  console.log(`bench:intake — ${accepted.length}/${TIPS} tips accepted in ${(sendMs / 1000).toFixed(1)} s (${((accepted.length / sendMs) * 1000).toFixed(0)}/s, ${CLIENTS} clients), ${refused} refused; ${callsDone} calls (${JSON.stringify(metrics.calls)})`);
  console.log(`  pushed to the investigator's WebSocket: ${o.length} tips, median ${pct(o, 50)} ms, p95 ${pct(o, 95)} ms, worst ${Math.max(...o)} ms`);
  console.log(`  polling the tips API every ${POLL_MS} ms (peer): ${p.length} tips, median ${pct(p, 50)} ms, p95 ${pct(p, 95)} ms, worst ${Math.max(...p)} ms`);
  console.log(`  server's own figure: forwarded in median ${metrics.toForwardMs.median} ms, worst ${metrics.toForwardMs.worst} ms`);
  if (o.length !== accepted.length) throw new Error(`${accepted.length - o.length} accepted tips never reached the WebSocket`);
  const om = Math.max(1, pct(o, 50));
  console.log(`RESULT intake ours=${om}ms peer=${pct(p, 50)}ms ratio=${(pct(p, 50) / om).toFixed(1)}`);
} finally {
  await ours.stack.close();
}
