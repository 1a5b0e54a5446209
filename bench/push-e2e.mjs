// bench:push-e2e — end-to-end sends/s of our pipeline under `npm start` conditions
// (wrangler dev: Durable Object → push queues → consumers encrypt + send → the stand-in
// decrypts and verifies every message) against a plain Node script using web-push's
// sendNotification with 50 concurrent requests to the same kind of stand-in (HTTPS, since
// sendNotification speaks nothing else). Locally everything shares 2 cores.
//   RESULT push-e2e ours=<n>/s peer=<n>/s ratio=<ours/peer>
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { authoriseAndLaunch, insertSubscriptions, ourStack, peerStandIn, readyForAuthorisation } from "./lib.mjs";

const N = Number(process.env.BENCH_SUBS ?? 10_000);
console.log(`bench:push-e2e — ${N.toLocaleString("en")} subscriptions (BENCH_SUBS to change; the issue's figure is 100,000)`);
const ours = await ourStack();
try {
  const subs = ours.stack.push.standin.subscribeMany(N);
  const stored = insertSubscriptions(ours.stack, subs);
  if (stored !== N) throw new Error(`stored ${stored} subscriptions`);
  const id = await readyForAuthorisation(ours);
  const t0 = Date.now();
  await authoriseAndLaunch(ours, id);
  const deadline = t0 + 30 * 60_000;
  let last = 0;
  let count = 0;
  for (;;) {
    count = 0;
    for (const s of ours.stack.push.standin.subs.values()) {
      for (const m of s.messages) {
        if (m.payload?.tag === id) {
          count++;
          last = Math.max(last, m.at);
        }
      }
    }
    if (count >= N || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  if (count < N) throw new Error(`only ${count}/${N} delivered`);
  const oursRate = N / ((last - t0) / 1000);
  console.log(`  ours: ${N} decrypted by the stand-in in ${((last - t0) / 1000).toFixed(1)} s (authorisation + launch + fan-out) → ${oursRate.toFixed(0)}/s`);

  const { push, keys } = await peerStandIn();
  const peerSubs = push.standin.subscribeMany(N);
  const file = join(tmpdir(), `child-alert-bench-peer-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(peerSubs.map((s) => ({ endpoint: s.endpoint, keys: s.keys }))));
  // Async: the stand-in answering the peer lives in this process's event loop.
  const { stdout } = await promisify(execFile)(process.execPath, ["bench/push-peer.mjs", file, "50"], { env: { ...process.env, ...keys }, maxBuffer: 1e7 });
  const out = JSON.parse(stdout.trim().split("\n").at(-1));
  await push.close();
  const peerRate = out.sent / (out.ms / 1000);
  console.log(`  peer (web-push sendNotification ×50): ${out.sent} in ${(out.ms / 1000).toFixed(1)} s → ${peerRate.toFixed(0)}/s`);
  console.log(`RESULT push-e2e ours=${oursRate.toFixed(0)}/s peer=${peerRate.toFixed(0)}/s ratio=${(oursRate / peerRate).toFixed(2)}`);
} finally {
  await ours.stack.close();
}
