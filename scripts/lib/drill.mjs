// Drives the public API like the staff would, with software passkeys: used by
// `npm run demo` and by the browser tests to put an alert on the air.
import { SoftAuthenticator } from "../../e2e/lib/soft-authenticator.ts";
import { createInvitations } from "./local.mjs";
import { DEMO_FILE } from "../seed.mjs";

export const DECISION = {
  criteria: { minorOrProtected: true, immediateDanger: true, enoughInformation: true, broadcastNotRiskier: true },
  riskAssessment: "Publicity weighed against the risk to the child; broadcasting is the safer course.",
};

export function apiClient(origin, base = origin.replace("localhost", "127.0.0.1")) {
  return async function call(method, path, body, cookie) {
    let res;
    for (let attempt = 1; ; attempt++) {
      res = await fetch(`${base}/api/v1${path}`, {
        method,
        headers: { Origin: origin, "X-Requested-With": "child-alert", ...(cookie ? { Cookie: cookie } : {}), ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
      // The public endpoints are rate-limited per client (a demo run twice in a minute meets it): wait it out.
      if (res.status !== 429 || attempt > 3) break;
      const wait = Math.min(65, Number(res.headers.get("retry-after") ?? 60));
      console.log(`  (rate limited on ${path}: waiting ${wait} s, as the server asks)`);
      await res.body?.cancel();
      await new Promise((r) => setTimeout(r, wait * 1000));
    }
    const data = res.status === 204 ? null : await res.json();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${data?.code}: ${data?.detail ?? data?.title}`);
    return { data, res };
  };
}

/** Invites each person (D1 through wrangler), registers a software passkey, signs in. */
export async function staffFor(origin, people, d1opts = {}) {
  const call = apiClient(origin);
  const links = createInvitations(people, { origin, ...d1opts });
  const staff = {};
  for (const { role, token } of links) {
    const auth = new SoftAuthenticator("localhost", origin);
    const { data: opts } = await call("POST", "/auth/register/options", { token });
    const { data, res } = await call("POST", "/auth/register/verify", { challengeId: opts.challengeId, response: await auth.create(opts.options) });
    staff[role] = { auth, cookie: res.headers.get("set-cookie").split(";")[0], name: data.user.displayName, id: data.user.id };
  }
  return staff;
}

/** A link for a new device of one's own: a fresh assertion with a passkey the person holds, then the link. */
export async function ownDeviceLink(origin, person) {
  const call = apiClient(origin);
  const { data: opts } = await call("POST", "/auth/passkeys/invitation/options", undefined, person.cookie);
  const { data } = await call("POST", "/auth/passkeys/invitation", { challengeId: opts.challengeId, response: await person.auth.get(opts.options) }, person.cookie);
  return data;
}

export async function signOff(origin, staff, role, alertId, kind, decision) {
  const call = apiClient(origin);
  const s = staff[role];
  const { data: opts } = await call("POST", `/alerts/${alertId}/signoffs/options`, decision === undefined ? { kind } : { kind, decision }, s.cookie);
  const response = await s.auth.get(opts.options);
  const { data } = await call("POST", `/alerts/${alertId}/signoffs`, { challengeId: opts.challengeId, response }, s.cookie);
  return { ...data, contentHash: opts.contentHash };
}

/** submit → three sign-offs → consent → authorisation (unless `authorise: false`); `step` reports progress. */
export async function concert(origin, staff, alertId, step = () => {}, { authorise = true, closeFile = false } = {}) {
  const call = apiClient(origin);
  // The case's people (issue 23): the cell names its investigator and its magistrate in charge.
  for (const role of ["investigator", "magistrate"].filter((r) => staff[r])) await call("POST", `/alerts/${alertId}/members`, { userId: staff[role].id, role }, staff.cell.cookie);
  step("cell named the case's investigator and magistrate in charge");
  // The judicial file (issue 24.5): the PV number is needed before submission; every signer sees it.
  const { data: before } = await call("GET", `/alerts/${alertId}`, undefined, staff.cell.cookie);
  if (!before.file.pvNumber) await call("PUT", `/alerts/${alertId}/file`, DEMO_FILE, staff.cell.cookie);
  await call("POST", `/alerts/${alertId}/submit`, undefined, staff.cell.cookie);
  const { data: submitted } = await call("GET", `/alerts/${alertId}`, undefined, staff.cell.cookie);
  step("cell submitted it for concertation", `PV ${submitted.file.pvNumber}, magistrate in charge ${submitted.file.magistrateInCharge?.name ?? "—"}`);
  for (const [role, kind] of [["investigator", "investigator"], ["cell", "cell"], ["operator", "operator"]]) {
    const r = await signOff(origin, staff, role, alertId, kind);
    step(`${role} signed off with a passkey`, `hash ${r.contentHash.slice(0, 16)}…`);
  }
  await call("POST", `/alerts/${alertId}/consent`, { basis: "parental_consent", note: "Both parents consent." }, staff.counsellor.cookie);
  step("counsellor recorded the parents' consent");
  // Protocol §2.2.6: the magistrate in charge may close the file to the counsellor once the consent is in (the secrecy of the investigation).
  if (closeFile && staff.magistrate) {
    await call("PUT", `/alerts/${alertId}/file/access`, { closedTo: ["counsellor"] }, staff.magistrate.cookie);
    const refused = await call("GET", `/alerts/${alertId}`, undefined, staff.counsellor.cookie).then(() => "read it", (e) => e.message.replace(/^GET \S+ → /, ""));
    step("magistrate closed the file to the counsellor (secrecy of the investigation)", `the counsellor now gets: ${refused}`);
  }
  if (!authorise) return;
  const auth = await signOff(origin, staff, "magistrate", alertId, "authorisation", DECISION);
  step("magistrate authorised (criteria + risk assessment, passkey)", `state ${auth.state}`);
}

const secs = (ms) => (ms === null || ms === undefined ? "—" : `${(ms / 1000).toFixed(2)} s`);
const since = (from, at) => (from && at ? Date.parse(at) - Date.parse(from) : null);

/** A drill's scorecard (GET /drills/{id}) as text lines: its steps (with `steps`), each channel, each target. */
export function scorecardLines(card, { steps = true } = {}) {
  const at = (key) => card.steps.find((s) => s.key === key)?.at ?? null;
  const [launched, stopped] = [at("launched"), at("stopped")];
  return [
    ...(steps ? ["Steps", ...card.steps.map((s) => `  ${s.key.replaceAll("_", " ").padEnd(22)} ${s.at ? `+${secs(since(card.startedAt, s.at))}` : "—"}`)] : []),
    "Channels (after the launch; withdrawal after the stop)",
    ...card.channels.map((x) => `  ${x.channel.padEnd(9)} ${String(x.delivered).padStart(6)} delivered · first ${secs(since(launched, x.first))} · 50 % ${secs(since(launched, x.p50))} · 100 % ${secs(since(launched, x.p100))} · withdrawn ${secs(since(stopped, x.withdrawn))}`),
    "Targets",
    ...card.targets.map((t) => `  ${t.pass === null ? "·" : t.pass ? "✓" : "✗"} ${t.key.replaceAll("_", " ").padEnd(30)} ${secs(t.actualMs).padStart(8)}  (target ≤ ${secs(t.targetMs)})${t.pass === null ? "  not measured" : ""}`),
  ];
}
