// bench:scale — one alert at scale through the real engine under `npm start` conditions
// (wrangler dev: planner, ledger shards, page jobs on the real queues, consumers that
// encrypt, sign and send): N push subscriptions (BENCH_SUBS, default 200,000;
// 1,000,000 works) and N/5 e-mail subscribers loaded into local D1 in bulk, a launch and
// a stop, into fast local sinks (a sample of 1 in 1,000 push subscriptions is checked,
// decrypted and kept by the push stand-in; every e-mail's headers are read, a sample's
// counted per address). Prints the cost per recipient at 10k, 100k and N (time since the
// authorisation), ledger calls and D1 statements per page, the Worker's peak memory;
// checks exactly once on the sample and retraction = content.
//   RESULT scale ours=<µs per recipient at N>us peer=<µs per recipient at 10k>us ratio=<peer/ours>
// (ratio ≥ 0.8: the cost per recipient does not grow with N — nothing quadratic.)
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { authoriseAndLaunch, postersReady, ourStack, readyForAuthorisation } from "./lib.mjs";
import { d1, wrangler } from "../scripts/lib/local.mjs";

const N = Number(process.env.BENCH_SUBS ?? 200_000);
const MAILS = Math.floor(N / 5);
const SAMPLE_EVERY = 1000;
const CHECKPOINTS = [10_000, 100_000, N].filter((n, i, a) => n <= N && a.indexOf(n) === i);
console.log(`bench:scale — ${N.toLocaleString("en")} push subscriptions and ${MAILS.toLocaleString("en")} e-mail subscribers (BENCH_SUBS to change)`);

/** Rows straight into local D1 in chunks (the API would rate-limit a bulk load). */
function bulkInsert(stack, table, columns, rows) {
  const CHUNK = 10_000;
  for (let c = 0; c < rows.length; c += CHUNK) {
    const lines = [];
    for (let i = c; i < Math.min(rows.length, c + CHUNK); i += 200) lines.push(`INSERT INTO ${table} (${columns.join(", ")}) VALUES ${rows.slice(i, Math.min(i + 200, c + CHUNK)).map((r) => `(${r.join(", ")})`).join(",")};`);
    const file = join(tmpdir(), `child-alert-scale-${table}-${process.pid}.sql`);
    writeFileSync(file, lines.join("\n"));
    wrangler(["d1", "execute", "DB", "--local", "--persist-to", stack.persistTo, "--file", file], { quiet: true });
  }
}

/** The Worker's resident memory (workerd under wrangler dev), sampled. */
function workerdRssMb() {
  try {
    const out = execFileSync("ps", ["-C", "workerd", "-o", "rss="], { encoding: "utf8" });
    return Math.max(0, ...out.split("\n").filter(Boolean).map((kb) => Number(kb) / 1024));
  } catch {
    return 0;
  }
}

const pages = { push: { jobs: 0, ledgerCalls: 0 }, email: { jobs: 0, ledgerCalls: 0 } };
let buffered = "";
const tail = [];
const onLog = (chunk) => {
  buffered += chunk;
  tail.push(chunk);
  if (tail.length > 40) tail.shift();
  const lines = buffered.split("\n");
  buffered = lines.pop();
  for (const line of lines) {
    if (!line.includes('"queue_job_done"') || !line.includes('"type":"page"')) continue;
    try {
      const e = JSON.parse(line.slice(line.indexOf("{")));
      const p = pages[e.channel];
      if (p) {
        p.jobs++;
        p.ledgerCalls += e.ledgerCalls ?? 0;
      }
    } catch {
      /* a partial line */
    }
  }
};

const ours = await ourStack({ onLog });
const { stack } = ours;
try {
  // ---- load
  const l0 = Date.now();
  const push = stack.push.standin;
  const subs = push.subscribeBulk(N, { sampleEvery: SAMPLE_EVERY });
  bulkInsert(stack, "subscriptions", ["id", "endpoint", "p256dh", "auth", "lang", "regions", "exercise"], subs.map((s) => [`'${crypto.randomUUID()}'`, `'${s.endpoint}'`, `'${s.keys.p256dh}'`, `'${s.keys.auth}'`, "'fr'", `'["BE"]'`, 0]));
  const addresses = Array.from({ length: MAILS }, (_, i) => `reader-${i}@scale.example`);
  bulkInsert(stack, "email_subscribers", ["id", "address", "lang", "regions", "exercise", "status"], addresses.map((a) => [`'${crypto.randomUUID()}'`, `'${a}'`, "'fr'", `'["BE"]'`, 0, "'active'"]));
  const [{ n: storedPush }] = d1("SELECT count(*) AS n FROM subscriptions", { persistTo: stack.persistTo });
  const [{ n: storedMail }] = d1("SELECT count(*) AS n FROM email_subscribers WHERE status = 'active'", { persistTo: stack.persistTo });
  if (storedPush !== N || storedMail !== MAILS) throw new Error(`stored ${storedPush} subscriptions and ${storedMail} e-mail subscribers`);
  console.log(`  loaded in ${((Date.now() - l0) / 1000).toFixed(0)} s`);
  // The local database took the rows from another process: let the Worker's first reads of it settle (retried).
  for (let i = 0; ; i++) {
    try {
      const r = await fetch(`${stack.origin}/api/v1/alerts`, { headers: { cookie: ours.staff.cell.cookie } });
      if (r.ok) break;
    } catch (err) {
      if (i > 60) throw err;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }

  // ---- the e-mail sink: count per message, headers only; the sample per address
  const mail = stack.mail.standin;
  mail.parse = false;
  mail.keep = 0;
  const mailSample = new Set(addresses.filter((_, i) => i % SAMPLE_EVERY === 0));
  const mailGot = new Map(); // address → [events]
  let mails = 0;
  mail.tap = ({ to, raw }) => {
    const head = raw.subarray(0, 4096).toString("utf8");
    // The alert's own messages only (staff notices say "X-Child-Alert: notice; …").
    const event = /X-Child-Alert: [0-9a-f-]{36}; event=(\w+)/.exec(head)?.[1];
    if (!event) return;
    mails++;
    for (const a of to) if (mailSample.has(a)) mailGot.set(a, [...(mailGot.get(a) ?? []), event]);
  };

  // ---- launch
  const id = await readyForAuthorisation(ours);
  await postersReady(ours, id);
  const t0 = Date.now();
  await authoriseAndLaunch(ours, id);
  const reached = new Map();
  let peakMb = 0;
  const deadline = t0 + 120 * 60_000;
  let lastReport = 0;
  for (;;) {
    const n = push.accepted;
    for (const c of CHECKPOINTS) if (n >= c && !reached.has(c)) reached.set(c, Date.now() - t0);
    peakMb = Math.max(peakMb, workerdRssMb());
    if (Date.now() - lastReport > 30_000) {
      lastReport = Date.now();
      console.log(`  … ${n.toLocaleString("en")} push, ${mails.toLocaleString("en")} e-mails after ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
    if ((n >= N && mails >= MAILS) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const contentMs = Date.now() - t0;
  if (push.accepted < N || mails < MAILS) throw new Error(`only ${push.accepted}/${N} push and ${mails}/${MAILS} e-mails accepted`);

  // ---- stop: the retraction reaches exactly those who got content
  const stopAt = Date.now();
  await ours.call("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, ours.staff.cell.cookie);
  while ((push.accepted < 2 * N || mails < 2 * MAILS) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  const stopMs = Date.now() - stopAt;

  // ---- checks on the sample
  const sampled = subs.filter((s) => s.sampled);
  const problems = [];
  for (const s of sampled) {
    const got = push.subs.get(s.id).messages.filter((m) => m.payload?.tag === id).map((m) => m.payload.type);
    if (got.filter((t) => t === "alert").length !== 1 || got.filter((t) => t === "stop").length !== 1) problems.push(`push ${s.id}: ${got.join(",")}`);
  }
  for (const a of mailSample) {
    const got = mailGot.get(a) ?? [];
    if (got.filter((t) => t === "alert").length !== 1 || got.filter((t) => t === "stop").length !== 1) problems.push(`e-mail ${a}: ${got.join(",")}`);
  }
  const sinkCounts = [...push.subs.values()].filter((s) => s.sink).map((s) => s.count);
  const sinkOff = sinkCounts.filter((c) => c !== 2).length;

  // ---- report
  const perRecipientUs = (c) => (reached.get(c) * 1000) / c;
  console.log(`  content: ${N.toLocaleString("en")} push + ${MAILS.toLocaleString("en")} e-mails in ${(contentMs / 1000).toFixed(1)} s; stop (retraction to all) in ${(stopMs / 1000).toFixed(1)} s`);
  for (const c of CHECKPOINTS) console.log(`  push at ${c.toLocaleString("en")}: ${(reached.get(c) / 1000).toFixed(1)} s since the authorisation → ${perRecipientUs(c).toFixed(0)} µs per recipient`);
  for (const [ch, p] of Object.entries(pages)) console.log(`  ${ch}: ${p.jobs} page jobs, ${(p.ledgerCalls / Math.max(1, p.jobs)).toFixed(1)} ledger calls per job (begin, leases, report), D1: 2 statements per page (read, outcome)`);
  console.log(`  Worker (workerd) peak memory: ${peakMb.toFixed(0)} MB`);
  console.log(`  sample: ${sampled.length} push and ${mailSample.size} e-mail recipients each got the alert exactly once and its retraction exactly once${problems.length ? ` — except ${problems.length}: ${problems.slice(0, 5).join("; ")}` : ""}`);
  console.log(`  the fast sink: ${sinkOff} of ${sinkCounts.length} other push subscriptions did not get exactly 2 messages (alert + retraction)`);
  if (problems.length || sinkOff) process.exitCode = 1;
  const big = perRecipientUs(N);
  const small = perRecipientUs(CHECKPOINTS[0]);
  console.log(`RESULT scale ours=${big.toFixed(0)}us peer=${small.toFixed(0)}us ratio=${(small / big).toFixed(2)}`);
} catch (err) {
  console.error(`the Worker's last output:\n${tail.join("").slice(-4000)}`);
  throw err;
} finally {
  await stack.close();
}
