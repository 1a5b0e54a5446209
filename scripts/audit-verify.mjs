// `npm run audit:verify [-- --remote]`: verifies the whole audit chain stored in D1 with
// the same code the Worker uses, and names the first broken entry. Exit 1 if broken.
import { verifyChain } from "../worker/domain/audit-chain.ts";
import { d1, parseArgs } from "./lib/local.mjs";

const a = parseArgs(process.argv.slice(2));
const opts = { remote: !!a.remote, persistTo: a["persist-to"] };
const rows = d1(
  "SELECT seq, at, alert_id AS alertId, actor_user_id AS actorUserId, actor_role AS actorRole, action, details, prev_hash AS prevHash, hash FROM audit_entries ORDER BY seq",
  opts,
);
const verdict = await verifyChain(rows);
if (verdict.ok) {
  console.log(`audit chain OK: ${verdict.entries} entries, head ${verdict.head}`);
} else {
  const bad = rows.find((r) => r.seq === verdict.firstBroken);
  console.error(
    `audit chain BROKEN at entry #${verdict.firstBroken} (${verdict.reason})` +
      (bad ? `: ${bad.at} ${bad.action} alert=${bad.alertId ?? "-"}` : "") +
      `; ${verdict.entries} entries checked`,
  );
  process.exit(1);
}
