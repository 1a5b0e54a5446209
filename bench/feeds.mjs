// bench:feeds — requests/s of the public surfaces under `npm start` conditions (wrangler
// dev, local D1/DOs, the edge cache): the live-alert JSON feed and the public alert page
// `/alert/{id}`, against a static asset of the same size served by the same Worker
// (Workers Static Assets, the fastest thing it serves), same run, with autocannon
// (20 connections, 10 s each, after a warm-up). Locally everything shares the cores.
// It also prints the widget script's gzipped size.
//   RESULT feeds ours=<n>/s peer=<n>/s ratio=<ours/peer>   (ours: the slower of the two)
import { writeFileSync, rmSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import autocannon from "autocannon";
import { ROOT } from "../scripts/lib/local.mjs";
import { ourStack, readyForAuthorisation, authoriseAndLaunch } from "./lib.mjs";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 20;

async function rate(url, label) {
  await autocannon({ url, connections: CONNECTIONS, duration: 2 }); // warm-up (fills the edge cache)
  const r = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS });
  if (r.non2xx || r.errors) throw new Error(`${label}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  console.log(`  ${label}: ${r.requests.average.toFixed(0)} req/s (p99 ${r.latency.p99} ms, ${r.throughput.average.toFixed(0)} B/s)`);
  return r.requests.average;
}

// The peer: a static file of the feed's size, in the assets folder before the Worker starts.
const peerFile = join(ROOT, "dashboard", "dist", "bench-static.json");
writeFileSync(peerFile, JSON.stringify({ pad: "x".repeat(3000) }));
const ours = await ourStack();
try {
  const id = await readyForAuthorisation(ours);
  await authoriseAndLaunch(ours, id);
  const origin = ours.stack.origin.replace("localhost", "127.0.0.1");
  const feedBody = await (await fetch(`${origin}/api/v1/feeds/alerts.json`)).text();
  const pageBody = await (await fetch(`${origin}/alert/${id}?lang=fr`)).text();
  if (!feedBody.includes(id)) throw new Error("the alert is not in the feed");
  // Same size as the feed: rewritten now (the assets folder is watched by wrangler dev).
  writeFileSync(peerFile, JSON.stringify({ pad: "x".repeat(Math.max(0, feedBody.length - 10)) }));
  for (let i = 0; i < 50; i++) {
    const peerLen = (await (await fetch(`${origin}/bench-static.json`)).text()).length;
    if (peerLen === feedBody.length) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const peerLen = (await (await fetch(`${origin}/bench-static.json`)).text()).length;
  console.log(`bench:feeds — JSON feed ${feedBody.length} B, alert page ${pageBody.length} B, static peer ${peerLen} B; ${CONNECTIONS} connections × ${SECONDS} s`);
  const feed = await rate(`${origin}/api/v1/feeds/alerts.json`, "JSON feed (ours)");
  const page = await rate(`${origin}/alert/${id}?lang=fr`, "alert page (ours)");
  const peer = await rate(`${origin}/bench-static.json`, "static asset (peer)");
  const widget = Buffer.from(await (await fetch(`${origin}/widget.js`)).arrayBuffer());
  console.log(`  widget.js: ${widget.length} B, ${gzipSync(widget).length} B gzipped (limit 5,120)`);
  const worst = Math.min(feed, page);
  console.log(`RESULT feeds ours=${worst.toFixed(0)}/s peer=${peer.toFixed(0)}/s ratio=${(worst / peer).toFixed(2)}`);
} finally {
  await ours.stack.close();
  rmSync(peerFile, { force: true });
}
