// `npm run demo` (with `npm start` running): drives the demo alert through the whole
// lifecycle over the public API — demo staff sign off with software passkeys, the
// magistrate authorises, the cell launches, then stops — printing each step's timing.
import { SoftAuthenticator } from "../e2e/lib/soft-authenticator.ts";
import { createInvitations, DEFAULT_PORT, parseArgs, PUSH_STANDIN_PORT } from "./lib/local.mjs";
import { DEMO_ALERT_ID, DEMO_CONTENT, DEMO_STAFF, demoEmail } from "./seed.mjs";

const a = parseArgs(process.argv.slice(2));
const origin = `http://localhost:${a.port ?? DEFAULT_PORT}`;
const base = `http://127.0.0.1:${a.port ?? DEFAULT_PORT}/api/v1`;
const t0 = performance.now();
let last = t0;

function step(label, detail = "") {
  const now = performance.now();
  console.log(`  ${((now - t0) / 1000).toFixed(2).padStart(6)} s  +${String(Math.round(now - last)).padStart(4)} ms  ${label}${detail ? `  \x1b[2m${detail}\x1b[0m` : ""}`);
  last = now;
}

async function call(method, path, body, cookie) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { Origin: origin, ...(cookie ? { Cookie: cookie } : {}), ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const data = res.status === 204 ? null : await res.json();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${data?.code}: ${data?.detail ?? data?.title}`);
  return { data, res };
}

try {
  await fetch(`${base}/health`);
} catch {
  console.error(`No Child Alert server on ${origin}. Start it first: npm start`);
  process.exit(1);
}

console.log(`Child Alert demo against ${origin}\n`);
const roles = ["cell", "investigator", "operator", "counsellor", "magistrate"];
const links = createInvitations(
  roles.map((role) => ({ email: demoEmail(role), displayName: DEMO_STAFF[role], role })),
  { origin },
);
step("invitations written for the demo staff");

const staff = {};
for (const { role, token } of links) {
  const auth = new SoftAuthenticator("localhost", origin);
  const { data: opts } = await call("POST", "/auth/register/options", { token });
  const { data, res } = await call("POST", "/auth/register/verify", { challengeId: opts.challengeId, response: await auth.create(opts.options) });
  staff[role] = { auth, cookie: res.headers.get("set-cookie").split(";")[0], name: data.user.displayName };
}
step("five staff registered software passkeys and signed in", roles.join(", "));
const tDrill = performance.now();

async function signOff(role, alertId, kind, decision) {
  const s = staff[role];
  const { data: opts } = await call("POST", `/alerts/${alertId}/signoffs/options`, { kind }, s.cookie);
  const response = await s.auth.get(opts.options);
  const { data } = await call("POST", `/alerts/${alertId}/signoffs`, { challengeId: opts.challengeId, response, decision }, s.cookie);
  return { ...data, contentHash: opts.contentHash };
}

// Use the seeded demo alert while it is still a draft; otherwise draft a new exercise alert.
let alertId = DEMO_ALERT_ID;
const current = await call("GET", `/alerts/${DEMO_ALERT_ID}`, undefined, staff.cell.cookie).catch(() => null);
if (current?.data.state !== "draft") {
  const { data } = await call("POST", "/alerts", { exercise: true, content: DEMO_CONTENT }, staff.cell.cookie);
  alertId = data.alertId;
  step("cell drafted a new exercise alert", alertId);
} else step("using the seeded demo draft", alertId);

// Three citizens subscribe (to the local push-service stand-in, which decrypts what it gets).
const pushBase = `http://localhost:${PUSH_STANDIN_PORT}`;
const citizens = [];
for (const lang of ["fr", "nl", "de"]) {
  const sub = await (await fetch(`${pushBase}/__subscribe`, { method: "POST" })).json();
  await call("POST", "/push/subscriptions", { subscription: { endpoint: sub.endpoint, keys: sub.keys }, lang, regions: ["BE"], exercise: true });
  citizens.push(sub);
}
step("three citizens subscribed to web push (exercise opt-in)", "fr, nl, de");
const pushStats = async () => (await (await fetch(`${pushBase}/__stats?tag=${alertId}`)).json()).byType;
async function waitFor(type, n) {
  const deadline = Date.now() + 30_000;
  while (((await pushStats())[type] ?? 0) < n) {
    if (Date.now() > deadline) throw new Error(`push ${type}: not delivered within 30 s`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

await call("POST", `/alerts/${alertId}/submit`, undefined, staff.cell.cookie);
step("cell submitted it for concertation");
for (const [role, kind] of [["investigator", "investigator"], ["cell", "cell"], ["operator", "operator"]]) {
  const r = await signOff(role, alertId, kind);
  step(`${role} signed off with a passkey`, `hash ${r.contentHash.slice(0, 16)}…`);
}
await call("POST", `/alerts/${alertId}/consent`, { basis: "parental_consent", note: "Demo: both parents consent." }, staff.counsellor.cookie);
step("counsellor recorded the parents' consent");
const decision = {
  criteria: { minorOrProtected: true, immediateDanger: true, enoughInformation: true, broadcastNotRiskier: true },
  riskAssessment: "Demo: publicity weighed against the risk to the child; broadcasting is the safer course.",
};
const auth = await signOff("magistrate", alertId, "authorisation", decision);
step("magistrate authorised (criteria + risk assessment, passkey)", `state ${auth.state}`);
const launch = await call("POST", `/alerts/${alertId}/launch`, undefined, staff.cell.cookie);
step("cell launched the alert", `state ${launch.data.state}, ends ${launch.data.endsAt}`);
await waitFor("alert", citizens.length);
const [first] = await (await fetch(`${pushBase}/__received?id=${citizens[0].id}`)).json();
step("web push delivered, decrypted by the push service", `${citizens.length} of ${citizens.length}: "${first.payload.title}"`);
const stop = await call("POST", `/alerts/${alertId}/stop`, { reason: "found_safe" }, staff.magistrate.cookie);
step("magistrate stopped it: child found safe", `state ${stop.data.state}`);
await waitFor("stop", citizens.length);
step("\"found — thank you\" replaced the alert on every device", `${citizens.length} stop messages, same tag`);
const { data: trail } = await call("GET", `/alerts/${alertId}/audit`, undefined, staff.operator.cookie);
step("audit trail read", `${trail.entries.length} entries for this alert, chain ${trail.chain.ok ? "intact" : "BROKEN"}`);

console.log(`\nDraft → sign-offs → authorisation → launch → stop over the API: ${Math.round(performance.now() - tDrill)} ms.`);
if (!trail.chain.ok) process.exit(1);
