// bench:push-1m — projected wall time to push an alert to 1,000,000 subscribers on
// Cloudflare, from the per-message CPU measured here (bench:push-cpu's workerd figure,
// re-measured in this run unless PUSH_CPU_US is given) and the platform limits, with
// our sharding (page jobs over several push queues) against the peer design: one queue.
// Every assumption is printed. A model, not a measurement of Cloudflare.
//   RESULT push-1m ours=<s>s peer=<s>s ratio=<peer/ours>
import { execFileSync } from "node:child_process";

const SUBSCRIBERS = 1_000_000;
let cpuUs = Number(process.env.PUSH_CPU_US ?? NaN);
if (!Number.isFinite(cpuUs)) {
  const out = execFileSync(process.execPath, ["bench/push-cpu.mjs"], { encoding: "utf8", env: { ...process.env, BENCH_RUNS: "3", BENCH_N: "2000" } });
  cpuUs = Number(/RESULT push-cpu ours=(\d+)us/.exec(out)[1]);
}

const A = {
  fetchCpuUs: 130, // workerd CPU of one fetch() (measured on these machines: 100–160 µs, ../shared/TESTING.md)
  pushLatencyMs: 100, // round trip to FCM/autopush per request (issue 4's figure)
  connectionsPerInvocation: 6, // Workers: simultaneous open connections per invocation
  consumersPerQueue: 250, // Queues: max concurrent consumer invocations per queue
  queueMsgsPerSec: 5000, // Queues: messages/s per queue
  pageSize: 250, // recipients per page job (worker/channels/push/channel.ts PAGE_SIZE)
  d1QueriesPerPage: 4, // 1 page read + ≤ 3 aggregate writes (the message itself comes from the alert's Durable Object)
  d1QueriesPerSec: 1000, // D1: ~1,000 small queries/s, one at a time per database
  doCallsPerPage: 23, // beginPage + stop-fence leases (200 ms, or 24 marked recipients, over a ~4 s page at 60 sends/s) + page report
  doCallsPerSec: 20_000, // one Durable Object: order of magnitude for tiny RPCs
  consumerRampS: 5, // time for a queue to scale its consumers up (order of seconds)
  shards: 4, // our design: push queues PUSH_0..PUSH_3 in wrangler.toml (add more the same way)
};

function project(shards) {
  const perMsgCpuS = (cpuUs + A.fetchCpuUs) / 1e6;
  // One invocation: latency-bound at 6 in flight, unless CPU-bound.
  const perInvocation = Math.min(A.connectionsPerInvocation / (A.pushLatencyMs / 1000), 1 / perMsgCpuS);
  const sendRate = perInvocation * A.consumersPerQueue * shards;
  const pages = Math.ceil(SUBSCRIBERS / A.pageSize);
  const queueRate = A.queueMsgsPerSec * shards;
  const bounds = {
    send: SUBSCRIBERS / sendRate,
    queue: pages / queueRate,
    d1: (pages * A.d1QueriesPerPage) / A.d1QueriesPerSec,
    durableObject: (pages * A.doCallsPerPage) / A.doCallsPerSec,
  };
  const bottleneck = Object.entries(bounds).sort((a, b) => b[1] - a[1])[0];
  return { perInvocation, sendRate, pages, bounds, bottleneck, total: A.consumerRampS + bottleneck[1] };
}

const ours = project(A.shards);
const peer = project(1);
console.log(`bench:push-1m — projection for ${SUBSCRIBERS.toLocaleString("en")} subscribers`);
console.log(`  measured: ${cpuUs} µs CPU per message (encrypt + VAPID, workerd)`);
for (const [k, v] of Object.entries(A)) console.log(`  assume ${k} = ${v}`);
for (const [name, p] of [["ours (" + A.shards + " push queues)", ours], ["peer (one queue)", peer]]) {
  console.log(`  ${name}: ${p.perInvocation.toFixed(0)} sends/s per invocation, ${p.sendRate.toFixed(0)} sends/s total, ${p.pages} pages`);
  console.log(`    bounds (s): ${Object.entries(p.bounds).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ")} → bottleneck ${p.bottleneck[0]}; + ramp ${A.consumerRampS} s = ${p.total.toFixed(1)} s`);
}
console.log(`  goal: < 60 s`);
console.log(`RESULT push-1m ours=${ours.total.toFixed(1)}s peer=${peer.total.toFixed(1)}s ratio=${(peer.total / ours.total).toFixed(2)}`);
