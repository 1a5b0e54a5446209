// `npm run signoffs:verify -- <alert id> [--origin URL --rp-id ID] [--remote | --persist-to DIR]`:
// re-checks every stored sign-off of an alert offline, with the same code the tests use:
// each passkey signature against its credential's public key, that the signed challenge
// binds the content hash, the kind of sign-off and the decision recorded, and that the
// stored content still hashes to what was signed. Names each problem; exit 1 if any.
// The origin and RP id are the deployment's (APP_ORIGIN, RP_ID): by default `.dev.vars`.
import { verifyStoredSignOff } from "../worker/staff/signoff-verify.ts";
import { d1, parseArgs, readDevVars } from "./lib/local.mjs";

const args = parseArgs(process.argv.slice(2));
const alertId = process.argv.slice(2).find((a) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(a));
if (!alertId) {
  console.error("usage: npm run signoffs:verify -- <alert id> [--origin URL] [--rp-id ID] [--remote | --persist-to DIR]");
  process.exit(2);
}
const devVars = readDevVars();
const rp = { origin: args.origin ?? devVars.APP_ORIGIN ?? "http://localhost:8787", rpId: args["rp-id"] ?? devVars.RP_ID ?? "localhost" };
const opts = { remote: !!args.remote, persistTo: args["persist-to"] };
const rows = d1(
  `SELECT s.id, s.alert_id AS alertId, s.kind, s.role, s.content_hash AS contentHash, s.credential_id AS credentialId, s.challenge,
          s.authenticator_data AS authenticatorData, s.client_data_json AS clientDataJson, s.signature, s.decision, s.created_at AS at,
          v.number AS version, v.content_hash AS versionHash, v.content, a.exercise, c.public_key AS publicKey
     FROM sign_offs s JOIN alert_versions v ON v.id = s.version_id JOIN alerts a ON a.id = s.alert_id
     LEFT JOIN credentials c ON c.id = s.credential_id
    WHERE s.alert_id = '${alertId}' ORDER BY s.created_at`,
  opts,
);
if (!rows.length) {
  console.error(`no sign-offs stored for alert ${alertId}`);
  process.exit(1);
}
let bad = 0;
for (const r of rows) {
  const v = await verifyStoredSignOff(r, { exercise: !!r.exercise, contentHash: r.versionHash, content: r.content }, r.publicKey, rp);
  const what = v.binds === "decision" ? "content, kind and decision signed" : v.binds === "content" ? "content signed (given before decisions were signed)" : "binding broken";
  console.log(`${v.ok ? "OK    " : "BROKEN"} v${r.version} ${r.kind.padEnd(19)} by a ${r.role.padEnd(12)} ${r.at}  ${what}`);
  for (const p of v.problems) console.log(`         - ${p}`);
  if (!v.ok) bad++;
}
console.log(bad ? `${bad} of ${rows.length} sign-offs do NOT verify` : `all ${rows.length} sign-offs verify (origin ${rp.origin}, RP id ${rp.rpId})`);
process.exit(bad ? 1 : 0);
