// bench:national — a model of one national alert on Cloudflare, every channel at once
// (1,000,000 browsers, 200,000 e-mail subscribers, partners' webhooks, 15 social
// accounts), against Cloudflare's documented limits taken as they are, each printed with
// where it is documented. Our design's figures (page sizes, shards, queues, leases) are
// read from the code and wrangler.toml, not restated. Beside the model, what this machine
// measures for the same calls in workerd: page-protocol calls per second one ledger shard
// answers, and small D1 queries per second. Peer: the same alert with the ledger unsharded
// (every page's calls on the alert's one object, as before issue 26).
//   RESULT national ours=<s>s peer=<s>s ratio=<peer/ours>
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { unstable_readConfig } from "wrangler";
import { ROOT } from "../scripts/lib/local.mjs";

const src = (file) => readFileSync(join(ROOT, file), "utf8");
/** `export const NAME = 1_000;` in a source file, as a number. */
const constant = (file, name) => {
  const m = new RegExp(`export const ${name} = ([\\d_]+)`).exec(src(file));
  if (!m) throw new Error(`${name} not found in ${file}`);
  return Number(m[1].replaceAll("_", ""));
};

// ---------------------------------------------------------------- Cloudflare's documented limits
const LIMITS = {
  doRequestsPerSec: { value: 1000, source: "Durable Objects FAQ, 'How much work can a single Durable Object do?': soft limit of about 1,000 requests/s per object — developers.cloudflare.com/durable-objects/reference/faq/" },
  d1QueriesPerSec: { value: 1000, source: "D1 limits: a database runs one query at a time; ~1,000 queries/s at 1 ms each — developers.cloudflare.com/d1/platform/limits/" },
  queueMsgsPerSec: { value: 5000, source: "Queues limits: 5,000 messages/s per queue — developers.cloudflare.com/queues/platform/limits/" },
  consumerConcurrency: { value: 250, source: "Queues limits: 250 concurrent consumer invocations per queue — developers.cloudflare.com/queues/platform/limits/" },
  subrequests: { value: 10_000, source: "Workers limits (Paid): 10,000 subrequests per invocation — developers.cloudflare.com/workers/platform/limits/" },
  connections: { value: 6, source: "Workers limits: 6 simultaneous open connections per invocation — developers.cloudflare.com/workers/platform/limits/" },
  cpuMsPerInvocation: { value: 30_000, source: "Workers limits: 30 s CPU per invocation by default (5 min max) — developers.cloudflare.com/workers/platform/limits/" },
};
const HEADROOM = 0.5; // every rate held under half its limit

// ---------------------------------------------------------------- our design, from the code
const cfg = unstable_readConfig({ config: join(ROOT, "wrangler.toml") }, {});
const consumersOf = (prefix) => cfg.queues.consumers.filter((c) => c.queue.startsWith(prefix));
const SEND_LEASE_MS = constant("worker/fanout/ledger.ts", "SEND_LEASE_MS");
const MAX_LEASE_MS = constant("worker/fanout/ledger.ts", "MAX_LEASE_MS");
const SPAN = Number(cfg.vars.LEDGER_SPAN_KEYS);

let pushCpuUs = Number(process.env.PUSH_CPU_US ?? NaN);
if (!Number.isFinite(pushCpuUs)) {
  const out = execFileSync(process.execPath, ["bench/push-cpu.mjs"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, BENCH_RUNS: "3", BENCH_N: "1000" } });
  pushCpuUs = Number(/RESULT push-cpu ours=(\d+)us/.exec(out)[1]);
}

/**
 * The national alert's channels. `latencyMs`: one delivery's round trip at the far side
 * (assumptions, printed). D1 per page: the recipients read and one outcome statement
 * (db/client.ts inKeys: the delivered keys in one bound JSON array; failures and gone
 * ones add one each when they occur).
 */
const CHANNELS = [
  {
    name: "push",
    recipients: 1_000_000,
    pageSize: constant("worker/channels/push/channel.ts", "PAGE_SIZE"),
    concurrency: constant("worker/channels/push/channel.ts", "SEND_CONCURRENCY"),
    shards: constant("worker/channels/push/channel.ts", "LEDGER_SHARDS"),
    deliveryMs: 0,
    latencyMs: 100, // FCM / Mozilla autopush round trip (issue 4's figure)
    cpuUsPerSend: pushCpuUs + 130, // measured encryption + VAPID, plus one fetch() (~130 µs, TESTING.md)
    consumers: consumersOf("child-alert-push-"),
  },
  {
    name: "email",
    recipients: 200_000,
    pageSize: constant("worker/channels/email/channel.ts", "PAGE_SIZE"),
    concurrency: constant("worker/channels/email/smtp.ts", "MAX_SMTP_CONNECTIONS"),
    shards: constant("worker/channels/email/channel.ts", "LEDGER_SHARDS"),
    deliveryMs: constant("worker/channels/email/channel.ts", "DELIVERY_MS"),
    latencyMs: 300, // one SMTP transaction on an open connection to the relay
    cpuUsPerSend: 400,
    consumers: consumersOf("child-alert-email-"),
  },
  {
    name: "webhooks",
    recipients: 200,
    pageSize: constant("worker/channels/webhooks/channel.ts", "WEBHOOK_PAGE_SIZE"),
    concurrency: 6,
    shards: 1,
    deliveryMs: 0,
    latencyMs: 300,
    cpuUsPerSend: 300,
    consumers: consumersOf("child-alert-webhooks"),
  },
  {
    name: "social",
    recipients: 15,
    pageSize: constant("worker/channels/social/channel.ts", "SOCIAL_PAGE_SIZE"),
    concurrency: 1,
    shards: 1,
    deliveryMs: constant("worker/channels/social/channel.ts", "SOCIAL_DELIVERY_MS"),
    latencyMs: 1000, // media upload + post
    cpuUsPerSend: 2000,
    consumers: consumersOf("child-alert-social-"),
  },
];

function model({ sharded }) {
  const rows = [];
  let alertCallsPerSec = 0;
  let d1Statements = 0;
  let d1PerSec = 0;
  const ramp = 5; // seconds for the queues to scale consumers up (order of seconds)
  let sendBound = 0;
  for (const c of CHANNELS) {
    const pages = Math.ceil(c.recipients / c.pageSize);
    const invocations = Math.min(pages, c.consumers.reduce((n, q) => n + (q.max_concurrency ?? LIMITS.consumerConcurrency.value), 0));
    const perInvocation = Math.min(Math.min(c.concurrency, LIMITS.connections.value) / (c.latencyMs / 1000), 1e6 / c.cpuUsPerSend);
    const pageS = c.pageSize / perInvocation;
    const lease = Math.min(MAX_LEASE_MS, Math.max(SEND_LEASE_MS, 2 * c.deliveryMs)) / 1000;
    // begin + one lease per lease period of the page + report; a page crossing a span runs in two parts.
    const parts = c.shards > 1 ? 1 + Math.min(1, c.pageSize / SPAN) : 1;
    const callsPerPage = Math.ceil(pageS / lease) + 2 * parts;
    const sendS = c.recipients / (invocations * perInvocation);
    const shards = sharded ? c.shards : 1;
    const perShard = (invocations * callsPerPage) / pageS / shards;
    const pagesPerSec = invocations / pageS;
    const d1PerPage = 2;
    // Sharded: the alert's object gets one hand-over per page at most (coalesced in practice); unsharded: every call.
    alertCallsPerSec += sharded ? pagesPerSec : perShard;
    d1Statements += pages * d1PerPage;
    d1PerSec += pagesPerSec * d1PerPage;
    sendBound = Math.max(sendBound, sendS);
    const batch = c.consumers[0]?.max_batch_size ?? 1;
    rows.push({ ...c, pages, invocations, perInvocation, pageS, lease, callsPerPage, sendS, shards, perShard, d1PerPage, subrequests: batch * (c.pageSize + callsPerPage), cpuMs: (batch * c.pageSize * c.cpuUsPerSend) / 1000 });
  }
  // Each rate held at half its limit at most: the time it then takes is the bound.
  const bounds = {
    sends: sendBound,
    "ledger shards": Math.max(...rows.map((r) => (r.perShard > HEADROOM * LIMITS.doRequestsPerSec.value ? (r.sendS * r.perShard) / (HEADROOM * LIMITS.doRequestsPerSec.value) : r.sendS))),
    "alert object": alertCallsPerSec > HEADROOM * LIMITS.doRequestsPerSec.value ? (sendBound * alertCallsPerSec) / (HEADROOM * LIMITS.doRequestsPerSec.value) : sendBound,
    D1: Math.max(sendBound, d1Statements / (HEADROOM * LIMITS.d1QueriesPerSec.value)),
  };
  const bottleneck = Object.entries(bounds).sort((a, b) => b[1] - a[1])[0];
  return { rows, alertCallsPerSec, d1PerSec, d1Statements, bounds, bottleneck, total: ramp + bottleneck[1], ramp };
}

// ---------------------------------------------------------------- measured here, in workerd
async function measure() {
  const out = await build({ entryPoints: [join(ROOT, "bench/workerd/rates.ts")], bundle: true, format: "esm", platform: "neutral", write: false, external: ["cloudflare:*"], logLevel: "silent" });
  const mf = new Miniflare(
    convertV4MiniflareOptions({ modules: true, script: out.outputFiles[0].text, compatibilityDate: cfg.compatibility_date, durableObjects: { SHARD: "Shard" }, d1Databases: ["DB"] }),
  );
  try {
    const ledger = await (await mf.dispatchFetch("http://bench/ledger?pages=200&senders=40&gates=21")).json();
    const d1 = await (await mf.dispatchFetch("http://bench/d1?pages=1000&rows=20000")).json();
    return { ledgerCallsPerSec: (ledger.calls / ledger.ms) * 1000, d1QueriesPerSec: (d1.queries / d1.ms) * 1000 };
  } finally {
    await mf.dispose();
  }
}

const ours = model({ sharded: true });
const peer = model({ sharded: false });
const here = await measure();
const f = (n, d = 0) => n.toLocaleString("en", { maximumFractionDigits: d });

console.log("bench:national — one national alert, every channel at once (a model; every limit at half)");
console.log("Cloudflare's documented limits:");
for (const [k, l] of Object.entries(LIMITS)) console.log(`  ${k} = ${f(l.value)}   [${l.source}]`);
console.log(`Our design (from the code): lease ${SEND_LEASE_MS}–${MAX_LEASE_MS} ms, ledger span ${SPAN} keys; push CPU ${pushCpuUs} µs/message measured here (bench:push-cpu)`);
for (const r of ours.rows) {
  console.log(
    `  ${r.name.padEnd(8)} ${f(r.recipients).padStart(9)} recipients, ${f(r.pages)} pages of ${r.pageSize}, ${r.consumers.length} queue(s) → ${f(r.invocations)} invocations × ${f(r.perInvocation)} sends/s` +
      ` = ${f(r.sendS, 1)} s; ${f(r.callsPerPage, 1)} ledger calls/page over ${r.shards} shard(s): ${f(r.perShard)} req/s per shard;` +
      ` D1 ${r.d1PerPage}/page; per invocation ${f(r.subrequests)} subrequests, ${f(r.cpuMs)} ms CPU`,
  );
}
const check = (label, value, limit) => console.log(`  ${value <= HEADROOM * limit ? "✓" : "✗"} ${label}: ${f(value)} (half the limit: ${f(HEADROOM * limit)})`);
console.log("Against the limits (ours):");
for (const r of ours.rows) check(`${r.name}: requests/s per ledger shard`, r.perShard, LIMITS.doRequestsPerSec.value);
check("alert object requests/s (page hand-overs, uncoalesced)", ours.alertCallsPerSec, LIMITS.doRequestsPerSec.value);
const d1Held = ours.d1PerSec > HEADROOM * LIMITS.d1QueriesPerSec.value;
console.log(`  ${d1Held ? "·" : "✓"} D1 statements/s at full send speed: ${f(ours.d1PerSec)}${d1Held ? ` (over half the limit: the fan-out is D1-bound, counted below at ${f(HEADROOM * LIMITS.d1QueriesPerSec.value)}/s)` : ` (half the limit: ${f(HEADROOM * LIMITS.d1QueriesPerSec.value)})`}`);
for (const r of ours.rows) check(`${r.name}: queue messages/s (the plan enqueued within 1 s)`, r.pages / r.consumers.length, LIMITS.queueMsgsPerSec.value);
for (const r of ours.rows) check(`${r.name}: subrequests per invocation`, r.subrequests, LIMITS.subrequests.value);
for (const r of ours.rows) check(`${r.name}: CPU ms per invocation`, r.cpuMs, LIMITS.cpuMsPerInvocation.value);
console.log(`  D1 held at half its rate: the alert's ${f(ours.d1Statements)} statements need ${f(ours.d1Statements / (HEADROOM * LIMITS.d1QueriesPerSec.value), 1)} s at ${f(HEADROOM * LIMITS.d1QueriesPerSec.value)}/s`);
console.log("Measured on this machine (workerd via Miniflare, same calls):");
console.log(`  one ledger shard answers ${f(here.ledgerCallsPerSec)} page-protocol calls/s (begin, leases marking keys, report; 40 senders at once)`);
console.log(`  local D1 answers ${f(here.d1QueriesPerSec)} page reads/s (250 rows each, one at a time)`);
for (const [name, m] of [["ours (sharded ledger)", ours], ["peer (one object per alert)", peer]]) {
  console.log(`  ${name}: bounds (s) ${Object.entries(m.bounds).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ")} → ${m.bottleneck[0]}; + ramp ${m.ramp} s = ${m.total.toFixed(1)} s`);
}
console.log("  goal: < 60 s with every rate under half its limit");
console.log(`RESULT national ours=${ours.total.toFixed(1)}s peer=${peer.total.toFixed(1)}s ratio=${(peer.total / ours.total).toFixed(2)}`);
