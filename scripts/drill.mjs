// `npm run drill` (issue 27): a drill against any Child Alert — the local stack or a
// deployed one. It runs a drill as the dashboard's "Run a drill" does (an exercise alert
// with a fictional child, every channel's exercise audience only) and times it on the
// server's own scorecard; it prints every step and each target met or missed, and exits
// 0 when all were met, 3 when one was missed, 1 when the drill could not run.
//
// The drill team's seats sign in with passkeys like everyone: the CLI holds software
// passkeys for the seats enrolled in its team file (`--enrol <invitation link>`, once per
// seat; the file keeps their private keys, mode 0600). Only drill seats are enrolled: accounts
// that act on exercise alerts only, so a lost team file runs drills and nothing else. A seat
// not in the team is played by its person in the dashboard: the CLI waits for it and times it.
//
//   npm run drill                                    the local stack (`npm start`): a team is enrolled for you
//   npm run drill -- --origin https://alerts.example.org --enrol 'https://alerts.example.org/invite#…'
//   npm run drill -- --origin https://alerts.example.org [--team drill-team.json] [--no-tip] [--wait 900]
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { SoftAuthenticator } from "../e2e/lib/soft-authenticator.ts";
import { apiClient, DECISION, scorecardLines, signOff } from "./lib/drill.mjs";
import { createInvitations, DEFAULT_PORT, parseArgs, PUSH_STANDIN_PORT, ROOT } from "./lib/local.mjs";

const TEAM_ROLES = ["cell", "investigator", "operator", "counsellor", "magistrate"];
const a = parseArgs(process.argv.slice(2));
if (a.help) {
  const lines = readFileSync(new URL(import.meta.url), "utf8").split("\n");
  console.log(lines.slice(0, lines.findIndex((l) => !l.startsWith("//"))).map((l) => l.slice(3)).join("\n"));
  process.exit(0);
}

const isLocal = (o) => ["localhost", "127.0.0.1"].includes(new URL(o).hostname);
const fail = (message) => {
  console.error(`\n✗ ${message}`);
  process.exit(1);
};

// --- the team file: the seats this CLI plays, with their passkeys
function readTeam(file) {
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, "utf8"));
}
function writeTeam(file, team) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(team, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** Registers a software passkey from an invitation link; the seat joins the team file. */
async function enrol(link, file, team) {
  const url = new URL(link);
  const token = url.hash.slice(1);
  if (!token) fail(`${link} is not an invitation link (its token follows the '#')`);
  const origin = url.origin;
  if (team && team.origin !== origin) fail(`the team in ${file} is for ${team.origin}, not ${origin}: use another --team file`);
  const call = apiClient(origin);
  // Who the link is for, before a passkey is made for it: an admin is no drill seat.
  const { data: invited } = await call("POST", "/auth/invitations/lookup", { token });
  if (!TEAM_ROLES.includes(invited.role)) fail(`this link is for ${invited.displayName}, a${invited.role === "admin" ? "n" : ""} ${invited.role}: a drill team has ${TEAM_ROLES.join(", ")} seats`);
  // The team file holds private keys: only drill seats, which act on exercises alone, are kept in it.
  if (!invited.drillSeat) fail(`this link is for ${invited.displayName}'s ordinary ${invited.role} seat, which can act on real alerts: a drill team holds drill seats only (the admin invites one with "for drills only")`);
  const { data: opts } = await call("POST", "/auth/register/options", { token });
  const rpId = opts.options.rp?.id ?? url.hostname;
  const auth = new SoftAuthenticator(rpId, origin);
  const { data, res } = await call("POST", "/auth/register/verify", { challengeId: opts.challengeId, response: await auth.create(opts.options) });
  const { role, displayName: name, id: userId } = data.user;
  const next = team ?? { origin, rpId, members: {} };
  // Registering signed the seat in: its session is kept for the first drill (no second ceremony).
  next.members[role] = { userId, name, passkeys: await auth.save(), session: res.headers.get("set-cookie")?.split(";")[0] ?? null };
  writeTeam(file, next);
  return { role, name };
}

/** The local stack's team: invited through its D1 (as `npm run invite` does), enrolled once. */
async function localTeam(origin, file) {
  const links = createInvitations(
    TEAM_ROLES.map((role) => ({ email: `${role}@drill-seats.child-alert.local`, displayName: `Drill ${role[0].toUpperCase()}${role.slice(1)}`, role, drillSeat: true })),
    { origin },
  );
  let team = null;
  for (const { link } of links) {
    await enrol(link, file, team);
    team = readTeam(file);
  }
  return team;
}

/**
 * A session per seat: the one kept in the team file while the server still takes it, else
 * a sign-in with the seat's passkey. Every assertion's counter is written back at once
 * (the server refuses a counter that does not grow: a copied passkey).
 */
async function signIn(team, file) {
  const call = apiClient(team.origin);
  const seats = {};
  for (const [role, m] of Object.entries(team.members)) {
    const auth = await SoftAuthenticator.restore(team.rpId, team.origin, m.passkeys);
    // Every assertion's counter goes to the file at once (the shared signOff asks `auth.get`).
    const seat = { ...m, cookie: m.session ?? null, auth: { get: (options) => assertAs(team, file, role, auth, options) } };
    const me = seat.cookie ? await call("GET", "/auth/me", undefined, seat.cookie).catch(() => null) : null;
    if (me?.data?.user?.id !== m.userId || me.data.user.role !== role) {
      const { data: opts } = await call("POST", "/auth/login/options");
      const { data, res } = await call("POST", "/auth/login/verify", { challengeId: opts.challengeId, response: await seat.auth.get(opts.options) });
      if (data.user.role !== role) fail(`${m.name} is now a ${data.user.role}, not a ${role}: enrol the ${role} again`);
      seat.cookie = m.session = res.headers.get("set-cookie").split(";")[0];
      writeTeam(file, team);
    }
    seats[role] = seat;
  }
  return seats;
}

/** One passkey assertion by a seat; its counter is kept in the team file at once. */
async function assertAs(team, file, role, auth, options) {
  const response = await auth.get(options);
  team.members[role].passkeys = await auth.save();
  writeTeam(file, team);
  return response;
}

// --- the drill
// Without --origin: the local stack of `npm start`, whose team the CLI enrols itself through its D1.
const local = !a.origin && !a.enrol;
const origin = (a.origin ?? `http://localhost:${a.port ?? DEFAULT_PORT}`).replace(/\/$/, "");
const teamFile = resolve(a.team ?? (local ? join(ROOT, ".local", "drill-team.json") : "drill-team.json"));
const waitS = Number(a.wait ?? 900);

if (a.enrol) {
  const { role, name } = await enrol(a.enrol, teamFile, readTeam(teamFile)).catch((e) => fail(`enrolment refused: ${e.message}`));
  console.log(`${name} (${role}) enrolled: a passkey for ${new URL(a.enrol).origin} kept in ${teamFile} (mode 0600; keep it as you keep a key)`);
  const team = readTeam(teamFile);
  const missing = TEAM_ROLES.filter((r) => !team.members[r]);
  console.log(missing.length ? `Seats played by people in the dashboard: ${missing.join(", ")}` : "Every seat of the drill is in the team.");
  process.exit(0);
}

const call = apiClient(origin);
let team = readTeam(teamFile);
if (team && team.origin !== origin) fail(`the team in ${teamFile} is for ${team.origin}, not ${origin}: use --team`);
try {
  await fetch(`${origin.replace("localhost", "127.0.0.1")}/api/v1/health`);
} catch {
  fail(`no Child Alert answers on ${origin}${isLocal(origin) ? " (start it first: npm start)" : ""}`);
}

let seats;
if (team) {
  seats = await signIn(team, teamFile).catch(async (e) => {
    // The local stack starts afresh now and then: its team is enrolled again.
    if (!local) fail(`sign-in refused: ${e.message}`);
    return null;
  });
}
if (!seats) {
  if (!local) fail(`no drill team for ${origin} in ${teamFile}: an admin invites the seats, then each link is enrolled once with\n  npm run drill -- --origin ${origin} --enrol '<invitation link>'`);
  team = await localTeam(origin, teamFile);
  seats = await signIn(team, teamFile);
}
if (!seats.cell) fail(`the team has no cell seat: the cell runs the drill (enrol one with --enrol)`);

// Locally, a tester's browser at the push-service stand-in of `npm start` (it decrypts what
// it gets): the exercise audience of web push. A deployed origin has its testers' browsers.
if (local) {
  const sub = await (await fetch(`http://localhost:${PUSH_STANDIN_PORT}/__subscribe`, { method: "POST" }).catch(() => null))?.json();
  if (sub) await call("POST", "/push/subscriptions", { subscription: { endpoint: sub.endpoint, keys: sub.keys }, lang: "fr", regions: ["BE"], exercise: true });
}

const t0 = Date.now();
const clock = () => `${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s`;
const say = (line, detail = "") => console.log(`${clock()}  ${line}${detail ? `  \x1b[2m${detail}\x1b[0m` : ""}`);
const as = (role) => seats[role].cookie;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

console.log(`Drill against ${origin} — played by the CLI: ${Object.keys(seats).join(", ")}; by people in the dashboard: ${TEAM_ROLES.filter((r) => !seats[r]).join(", ") || "nobody"}\n`);
// A drill that cannot go on is not left on the air: the CLI stops what it launched (or
// cancels what it drafted) before it exits — on an error, a missed wait, or Ctrl-C.
class DrillFailure extends Error {}
const abort = (message) => {
  throw new DrillFailure(message);
};
let drillId = null;
let stopped = false;
async function cleanUp(why) {
  if (!drillId || stopped) return;
  stopped = true;
  // Where the drill stands decides: live → stop it; not launched yet → cancel it.
  const state = await call("GET", `/alerts/${drillId}`, undefined, as("cell")).then((r) => r.data.state, () => "unknown");
  if (["stopped", "cancelled", "purged"].includes(state)) return;
  const [path, body, what] = state === "live" ? [`/alerts/${drillId}/stop`, { reason: "withdrawn" }, "stopped"] : [`/alerts/${drillId}/cancel`, undefined, "cancelled"];
  await call("POST", path, body, as("cell")).then(
    () => console.error(`  the drill was ${what} (${why}): ${origin}/drills/${drillId}`),
    (e) => console.error(`  ✗ the drill could not be ${what}: ${e.message} — stop it in the dashboard: ${origin}/alerts/${drillId}`),
  );
}
process.once("SIGINT", () => {
  console.error("\n✗ interrupted");
  void cleanUp("interrupted").then(() => process.exit(130));
});

async function drill() {
  const { data: created } = await call("POST", "/drills", undefined, as("cell"));
  const alertId = created.alertId;
  drillId = alertId;
  const card = async () => (await call("GET", `/drills/${alertId}`, undefined, as("cell"))).data;
  const stepAt = (c, key) => c.steps.find((s) => s.key === key)?.at ?? null;
  say("drill created: an exercise alert with a fictional child", `${origin}/alerts/${alertId}`);

  /** A step the CLI plays itself if it holds the seat, else waits for its person to do it in the dashboard. */
  async function seat(role, stepKey, what, play) {
    if (seats[role]) {
      await play();
      say(what);
      return;
    }
    say(`waiting for the ${role}: ${what}`, `${origin}/alerts/${alertId}`);
    const until = Date.now() + waitS * 1000;
    while (!stepAt(await card(), stepKey)) {
      if (Date.now() > until) abort(`the ${role} did not ${what} within ${waitS} s`);
      await sleep(1000);
    }
    say(`the ${role} did it: ${what}`);
  }

  // The case's people: the seats the CLI plays are named on the case (people in the dashboard name themselves or are named by the cell).
  if (seats.investigator) await call("POST", `/alerts/${alertId}/members`, { userId: seats.investigator.userId, role: "investigator" }, as("cell"));
  if (seats.magistrate) await call("POST", `/alerts/${alertId}/members`, { userId: seats.magistrate.userId, role: "magistrate" }, as("cell"));
  await call("POST", `/alerts/${alertId}/submit`, undefined, as("cell"));
  say("the cell submitted it for concertation");

  const sign = (role, kind, decision) => signOff(origin, seats, role, alertId, kind, decision);
  await seat("investigator", "signoff_investigator", "sign off as the investigators (passkey)", () => sign("investigator", "investigator"));
  await seat("cell", "signoff_cell", "sign off as the cell (passkey)", () => sign("cell", "cell"));
  await seat("operator", "signoff_operator", "sign off as the operator (passkey)", () => sign("operator", "operator"));
  await seat("counsellor", "consent", "record the parents' side", () => call("POST", `/alerts/${alertId}/consent`, { basis: "parental_consent", note: "Drill: both parents consent." }, as("counsellor")));
  await seat("magistrate", "authorised", "authorise it (criteria, risk assessment, passkey)", () => sign("magistrate", "authorisation", DECISION));

  await call("POST", `/alerts/${alertId}/launch`, undefined, as("cell"));
  say("the cell launched it: every channel's exercise audience");

  // Every channel's broadcast delivered (or given up) before the tip and the stop.
  const fanouts = async () => (await call("GET", `/alerts/${alertId}/fanout`, undefined, as("cell"))).data.fanouts;
  for (const until = Date.now() + 120_000; ; await sleep(500)) {
    const f = await fanouts();
    const content = f.filter((x) => x.event === "alert");
    if (content.length && content.every((x) => x.status === "done" || x.status === "superseded")) {
      say("every channel delivered the alert", content.map((x) => `${x.channel} ${x.sent}`).join(", "));
      break;
    }
    if (Date.now() > until) {
      say("not every channel finished within 120 s", content.map((x) => `${x.channel} ${x.sent} sent, ${x.status}`).join(", "));
      break;
    }
  }

  // The way back in: a tip, forwarded to the case's investigators, acknowledged.
  if (!a["no-tip"]) {
    // Turnstile's documented test token: taken where the origin uses Turnstile's test keys (local, staging).
    const tip = { text: "Drill: I saw the child of the exercise near the station.", seenWhere: "the station", anonymous: true, turnstileToken: "XXXX.DUMMY.TOKEN.XXXX" };
    if (await call("POST", `/alerts/${alertId}/tips/web`, tip).then(() => true, () => false)) say("a tip sent from the alert page");
    else {
      say(`waiting for a tip (the page's Turnstile refuses a script here): send one from the alert page or call the drills' test number`, `${origin}/alert/${alertId}`);
      const until = Date.now() + waitS * 1000;
      while (!stepAt(await card(), "tip_received")) {
        if (Date.now() > until) abort(`no tip within ${waitS} s (--no-tip leaves the tip out)`);
        await sleep(1000);
      }
      say("a tip arrived");
    }
    await seat("investigator", "tip_acknowledged", "acknowledge the tip", async () => {
      for (const until = Date.now() + 30_000; ; await sleep(250)) {
        const { data } = await call("GET", `/alerts/${alertId}/tips`, undefined, as("investigator"));
        if (data.tips.length) {
          await call("POST", `/alerts/${alertId}/tips/${data.tips[0].id}/ack`, undefined, as("investigator"));
          return;
        }
        if (Date.now() > until) abort("the tip never reached the investigator");
      }
    });
  }

  await call("POST", `/alerts/${alertId}/stop`, { reason: "found_safe" }, as("cell"));
  stopped = true;
  say("the cell stopped it: the retraction goes out on every channel");
  let c;
  for (const until = Date.now() + 120_000; !(c = await card()).complete; await sleep(500)) {
    if (Date.now() > until) abort(`not withdrawn everywhere 120 s after the stop: ${c.channels.filter((x) => !x.withdrawn).map((x) => x.channel).join(", ")}`);
  }
  say("withdrawn everywhere; the scorecard is kept (times only, no child data)", `${origin}/drills/${alertId}`);

  // The scorecard, as the dashboard shows it.
  console.log(`\n${scorecardLines(c).join("\n")}`);
  const missed = c.targets.filter((t) => t.pass === false);
  const unmeasured = c.targets.filter((t) => t.pass === null).length;
  console.log(`\nDrill: ${missed.length ? `missed ${missed.map((t) => t.key).join(", ")}` : "every measured target met"}${unmeasured ? ` (${unmeasured} not measured)` : ""} · ${origin}/drills/${alertId}`);
  return missed.length ? 3 : 0;
}

try {
  process.exit(await drill());
} catch (e) {
  console.error(`\n✗ ${e instanceof DrillFailure ? e.message : `the drill failed: ${e.message}`}`);
  await cleanUp(e instanceof DrillFailure ? "it could not go on" : "an error");
  process.exit(1);
}
