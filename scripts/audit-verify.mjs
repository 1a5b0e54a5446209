// `npm run audit:verify [-- --remote | --persist-to DIR] [--origin URL]`: verifies the whole
// audit chain stored in D1 with the same code the Worker uses and names the first broken
// entry; then checks it against the chain heads the Worker published (signed, append-only
// store; read from <origin>/api/v1/audit/anchors, signatures verified here with the public
// key): a cut-off end or a rewritten entry is named. Exit 1 if anything is wrong.
import { checkAgainstHeads, headPayload, verifyChain } from "../worker/domain/audit-chain.ts";
import { d1, parseArgs, readDevVars } from "./lib/local.mjs";

const a = parseArgs(process.argv.slice(2));
const opts = { remote: !!a.remote, persistTo: a["persist-to"] };
const rows = d1(
  "SELECT seq, at, alert_id AS alertId, actor_user_id AS actorUserId, actor_role AS actorRole, action, details, prev_hash AS prevHash, hash FROM audit_entries ORDER BY seq",
  opts,
);
const verdict = await verifyChain(rows);
let bad = !verdict.ok;
if (verdict.ok) {
  console.log(`audit chain OK: ${verdict.entries} entries, head ${verdict.head}`);
} else {
  const broken = rows.find((r) => r.seq === verdict.firstBroken);
  console.error(
    `audit chain BROKEN at entry #${verdict.firstBroken} (${verdict.reason})` +
      (broken ? `: ${broken.at} ${broken.action} alert=${broken.alertId ?? "-"}` : "") +
      `; ${verdict.entries} entries checked`,
  );
}

// The published heads.
const devVars = readDevVars();
const origin = a.origin ?? devVars.APP_ORIGIN ?? "http://localhost:8787";
let published;
try {
  published = await (await fetch(`${origin.replace("localhost", "127.0.0.1")}/api/v1/audit/anchors`, { headers: { Origin: origin } })).json();
} catch {
  console.error(`published heads: could not reach ${origin} (start the Worker, or pass --origin): the chain could not be checked against them`);
  process.exit(1);
}
const publicKey = a["public-key"] ?? published.publicKey;
if (!publicKey || !published.heads.length) {
  console.log("published heads: none yet (anchoring is configured with AUDIT_SIGNING_KEY / AUDIT_PUBLIC_KEY)");
  process.exit(bad ? 1 : 0);
}
const key = await crypto.subtle.importKey("raw", Buffer.from(publicKey, "base64url"), { name: "Ed25519" }, false, ["verify"]);
const valid = [];
for (const h of published.heads) {
  if (await crypto.subtle.verify("Ed25519", key, Buffer.from(h.signature, "base64url"), new TextEncoder().encode(headPayload(h)))) valid.push(h);
  else {
    console.error(`head #${h.seq} (${h.at}): signature does NOT verify`);
    bad = true;
  }
}
const problems = checkAgainstHeads(rows, valid);
for (const p of problems) {
  console.error(
    p.kind === "truncated"
      ? `TRUNCATED: head #${p.head.seq} was published at ${p.head.at} (${p.head.reason}) but the stored chain ends at #${rows.at(-1)?.seq ?? 0}`
      : `REWRITTEN: entry #${p.head.seq} differs from the head published at ${p.head.at} (${p.head.reason})`,
  );
}
if (problems.length) bad = true;
else console.log(`published heads OK: ${valid.length} signed heads, newest #${valid.at(-1).seq} at ${valid.at(-1).at} (${valid.at(-1).reason}), all reached by the chain`);
process.exit(bad ? 1 : 0);
