// bench:email — alert e-mails per second through our pipeline under `npm start`
// conditions (wrangler dev: Durable Object → e-mail queue → page jobs, each with a pool of
// SMTP connections, nodemailer inside workerd → a real SMTP server) against plain
// nodemailer in Node with one connection sending the same message sequentially to the
// same kind of server. Neither server parses what it receives (that would measure
// mailparser). Locally everything shares the machine's cores.
//   RESULT email ours=<n>/s peer=<n>/s ratio=<ours/peer>
import nodemailer from "nodemailer";
import { simpleParser } from "mailparser";
import { SmtpStandIn } from "../e2e/lib/smtp-standin.mjs";
import { authoriseAndLaunch, postersReady, insertEmailSubscribers, ourStack, readyForAuthorisation } from "./lib.mjs";

const N = Number(process.env.BENCH_SUBS ?? 10_000);
console.log(`bench:email — ${N.toLocaleString("en")} e-mail subscribers (BENCH_SUBS to change)`);
const ours = await ourStack();
let sample;
let oursRate;
try {
  const catcher = ours.stack.mail.standin;
  catcher.parse = false;
  const addresses = Array.from({ length: N }, (_, i) => `reader-${i}@bench.example`);
  const stored = insertEmailSubscribers(ours.stack, addresses);
  if (stored !== N) throw new Error(`stored ${stored} subscribers`);
  const id = await readyForAuthorisation(ours);
  // The posters are rendered before the launch (the e-mail carries one inline).
  await postersReady(ours, id);
  const t0 = Date.now();
  await authoriseAndLaunch(ours, id);
  const deadline = t0 + 30 * 60_000;
  // Counted as they arrive, each message's header looked at once: the bench shares the
  // machine's cores with the Worker, so it must not rescan every message on every poll.
  const tag = `X-Child-Alert: ${id}; event=alert`;
  let seen = 0;
  let count = 0;
  let last = 0;
  let first;
  let at10 = 0;
  let at90 = 0;
  const poll = () => {
    for (; seen < catcher.messages.length; seen++) {
      const m = catcher.messages[seen];
      if (!m.raw.slice(0, 4096).includes(tag)) continue;
      count++;
      if (count === Math.floor(N * 0.1)) at10 = m.at;
      if (count === Math.floor(N * 0.9)) at90 = m.at;
      last = Math.max(last, m.at);
      first ??= m;
    }
  };
  while ((poll(), count) < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  if (count < N) throw new Error(`only ${count}/${N} accepted`);
  oursRate = N / ((last - t0) / 1000);
  console.log(`  ours: ${N} accepted by the SMTP server in ${((last - t0) / 1000).toFixed(1)} s (authorisation + launch + fan-out) → ${oursRate.toFixed(0)}/s; the first ${((first.at - t0) / 1000).toFixed(1)} s after the authorisation began; at most ${catcher.maxConcurrent} connections at once`);
  console.log(`  (steady: ${((0.8 * N) / ((at90 - at10) / 1000)).toFixed(0)}/s from the 10th to the 90th percent; the last 10 % took ${((last - at90) / 1000).toFixed(1)} s)`);
  sample = await simpleParser(first.raw);
  console.log(`  one message: ${(first.raw.length / 1024).toFixed(0)} KiB (poster ${(sample.attachments[0]?.size / 1024 || 0).toFixed(0)} KiB)`);
} finally {
  await ours.stack.close();
  // The caught messages (~800 MB for 10,000) are let go: the peer runs in this process and
  // must not pay for collecting our heap.
  ours.stack.mail.standin.reset();
}

// The peer: the same message (text, HTML, inline poster), one connection, one after another.
const peerServer = new SmtpStandIn({ parse: false });
const port = await peerServer.start();
const transport = nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true, pool: true, maxConnections: 1, maxMessages: Infinity });
const attachments = sample.attachments.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType, cid: a.cid, contentDisposition: "inline" }));
const p0 = Date.now();
for (let i = 0; i < N; i++) {
  await transport.sendMail({ from: "alerts@bench.example", to: `peer-${i}@bench.example`, subject: sample.subject, text: sample.text, html: sample.html, attachments });
}
const peerMs = Date.now() - p0;
transport.close();
await peerServer.stop();
const peerRate = N / (peerMs / 1000);
console.log(`  peer (nodemailer, one connection, sequential): ${N} in ${(peerMs / 1000).toFixed(1)} s → ${peerRate.toFixed(0)}/s`);
console.log(`RESULT email ours=${oursRate.toFixed(0)}/s peer=${peerRate.toFixed(0)}/s ratio=${(oursRate / peerRate).toFixed(2)}`);
