// bench:push-latency — from the magistrate's authorisation request (the launch issued
// right after it) to the first message decrypted by the push-service stand-in, under
// `npm start` conditions; median of 10 (goal < 1 s). Peer: one plain web-push
// sendNotification to the same kind of stand-in, from call to decrypted.
//   RESULT push-latency ours=<ms>ms peer=<ms>ms ratio=<peer/ours>
import https from "node:https";
import webpush from "web-push";
import { authoriseAndLaunch, insertSubscriptions, median, ourStack, peerStandIn, readyForAuthorisation } from "./lib.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
console.log(`bench:push-latency — ${RUNS} runs each`);
const ours = await ourStack();
try {
  const [sub] = ours.stack.push.standin.subscribeMany(1);
  insertSubscriptions(ours.stack, [sub]);
  const first = (id) => ours.stack.push.standin.subs.get(sub.id).messages.find((m) => m.payload?.tag === id)?.at;
  const oursMs = [];
  for (let i = 0; i < RUNS; i++) {
    const id = await readyForAuthorisation(ours);
    const t0 = Date.now();
    await authoriseAndLaunch(ours, id);
    while (!first(id)) await new Promise((r) => setTimeout(r, 2));
    oursMs.push(first(id) - t0);
    await ours.call("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, ours.staff.cell.cookie);
  }
  console.log(`  ours (authorisation → launch → decrypted): ${oursMs.join(", ")} ms`);

  const { push, keys } = await peerStandIn();
  const peerMs = [];
  const agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false }); // self-signed stand-in
  const vapidDetails = { subject: "mailto:bench@child-alert.test", publicKey: keys.VAPID_PUBLIC_KEY, privateKey: keys.VAPID_PRIVATE_KEY };
  for (let i = 0; i < RUNS; i++) {
    const [p] = push.standin.subscribeMany(1);
    const t0 = Date.now();
    await webpush.sendNotification({ endpoint: p.endpoint, keys: p.keys }, JSON.stringify({ v: 1, tag: "peer", title: "CHILD ALERT" }), { vapidDetails, TTL: 3600, agent });
    peerMs.push(push.standin.subs.get(p.id).messages[0].at - t0);
  }
  agent.destroy();
  await push.close();
  console.log(`  peer (web-push sendNotification, warm, in-process): ${peerMs.join(", ")} ms`);
  const o = median(oursMs);
  const p = median(peerMs);
  console.log(`  goal: < 1000 ms`);
  console.log(`RESULT push-latency ours=${o}ms peer=${p}ms ratio=${(p / o).toFixed(2)}`);
} finally {
  await ours.stack.close();
}
