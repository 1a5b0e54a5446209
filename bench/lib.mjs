// Shared set-up of the push benches: a local deployment (wrangler dev + HTTP stand-in,
// as under `npm start`), staff with software passkeys, subscriptions, and an HTTPS
// stand-in plus key pair for the web-push peer.
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import selfsigned from "selfsigned";
import { startPushStandIn } from "../e2e/lib/push-standin.mjs";
import { startStack } from "../e2e/lib/browser.mjs";
import { apiClient, concert, signOff, staffFor, DECISION } from "../scripts/lib/drill.mjs";
import { buildDashboard, d1, vapidKeys, wrangler } from "../scripts/lib/local.mjs";
import { demoContentIn, DEMO_FILE } from "../scripts/seed.mjs";

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function ourStack(options = {}) {
  buildDashboard({ ifMissing: true });
  const stack = await startStack(options);
  const staff = await staffFor(
    stack.origin,
    ["cell", "investigator", "operator", "counsellor", "magistrate", "admin"].map((role) => ({ email: `${role}@bench.test`, displayName: role, role })),
    { persistTo: stack.persistTo },
  );
  const call = apiClient(stack.origin);
  return { stack, staff, call };
}

/** Inserts literal rows straight into local D1 (stand-in data only; the API would rate-limit a bulk load). */
function insertRows(stack, table, columns, rows) {
  const file = join(tmpdir(), `child-alert-bench-${table}-${process.pid}.sql`);
  const lines = [];
  for (let i = 0; i < rows.length; i += 200) {
    lines.push(`INSERT INTO ${table} (${columns.join(", ")}) VALUES ${rows.slice(i, i + 200).map((r) => `(${r.join(", ")})`).join(",")};`);
  }
  writeFileSync(file, lines.join("\n"));
  wrangler(["d1", "execute", "DB", "--local", "--persist-to", stack.persistTo, "--file", file]);
}

/** Stand-in web-push subscriptions; returns how many are stored. */
export function insertSubscriptions(stack, subs) {
  const rows = subs.map((s) => [`'${crypto.randomUUID()}'`, `'${s.endpoint}'`, `'${s.keys.p256dh}'`, `'${s.keys.auth}'`, "'fr'", `'["BE"]'`, 0]);
  insertRows(stack, "subscriptions", ["id", "endpoint", "p256dh", "auth", "lang", "regions", "exercise"], rows);
  return d1("SELECT count(*) AS n FROM subscriptions", { persistTo: stack.persistTo })[0].n;
}

/** Drafts an alert and takes it through concertation up to (not including) the authorisation. */
export async function readyForAuthorisation({ stack, staff, call }) {
  const { data } = await call("POST", "/alerts", { exercise: false, content: demoContentIn(["fr"], { targeting: { regions: ["BE"], languages: ["fr"] } }), file: DEMO_FILE }, staff.cell.cookie);
  await concert(stack.origin, staff, data.alertId, () => {}, { authorise: false });
  return data.alertId;
}

/** Waits until the version's poster set is rendered (the e-mail carries one inline). */
export async function postersReady({ call, staff }, id) {
  for (let i = 0; i < 120; i++) {
    const { data: set } = await call("GET", `/alerts/${id}/posters`, undefined, staff.cell.cookie);
    if (set.status === "ready") return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function authoriseAndLaunch({ stack, staff, call }, id) {
  await signOff(stack.origin, staff, "magistrate", id, "authorisation", DECISION);
  await call("POST", `/alerts/${id}/launch`, undefined, staff.cell.cookie);
}

export async function peerStandIn() {
  const keys = vapidKeys();
  const pems = await selfsigned.generate([{ name: "commonName", value: "localhost" }], { days: 1, keySize: 2048 });
  const push = await startPushStandIn({ vapidPublicKey: keys.VAPID_PUBLIC_KEY, tls: { key: pems.private, cert: pems.cert } });
  return { push, keys };
}

export { concert };

/** Confirmed e-mail subscribers; returns how many are active. */
export function insertEmailSubscribers(stack, addresses) {
  const rows = addresses.map((a) => [`'${crypto.randomUUID()}'`, `'${a}'`, "'fr'", `'["BE"]'`, 0, "'active'"]);
  insertRows(stack, "email_subscribers", ["id", "address", "lang", "regions", "exercise", "status"], rows);
  return d1("SELECT count(*) AS n FROM email_subscribers WHERE status = 'active'", { persistTo: stack.persistTo })[0].n;
}
