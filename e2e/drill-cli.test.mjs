// `npm run drill` against a deployed Child Alert (issue 27): nothing of the stack's own
// database is used — the admins invite the seats through the API (four eyes), the CLI
// enrols a software passkey per seat from the links, signs in, runs the drill, and waits
// for the seat it does not hold (here the magistrate, a person in the dashboard, played by
// this test through the API) — then prints the server's scorecard and exits by its targets.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SoftAuthenticator } from "./lib/soft-authenticator.ts";
import { apiClient, DECISION, signOff, staffFor } from "../scripts/lib/drill.mjs";
import { ROOT } from "../scripts/lib/local.mjs";
import { startStack } from "./lib/browser.mjs";

const CLI = join(ROOT, "scripts", "drill.mjs");

describe("npm run drill against any origin: a team of drill seats enrolled from invitation links", () => {
  let stack;
  let call;
  let dir;
  let admins;
  const links = {};
  before(async () => {
    stack = await startStack();
    call = apiClient(stack.origin);
    dir = mkdtempSync(join(tmpdir(), "child-alert-drill-"));
    // The first two admins are bootstrapped from the command line, as on a new deployment.
    admins = [
      (await staffFor(stack.origin, [{ email: "ada@cli.example.org", displayName: "Ada Admin", role: "admin" }], { persistTo: stack.persistTo })).admin,
      (await staffFor(stack.origin, [{ email: "bart@cli.example.org", displayName: "Bart Admin", role: "admin" }], { persistTo: stack.persistTo })).admin,
    ];
    // Drill seats (they act on exercises only), an ordinary cell seat and an admin.
    for (const [key, role, drillSeat] of [["cell", "cell", true], ["investigator", "investigator", true], ["operator", "operator", true], ["counsellor", "counsellor", true], ["magistrate", "magistrate", true], ["ordinary", "cell", false], ["admin", "admin", false]]) {
      const { data } = await call("POST", "/admin/invitations", { email: `${key}.drill@cli.example.org`, displayName: `Drill ${key}`, role, drillSeat }, admins[0].cookie);
      if (data.needsApproval) await call("POST", `/admin/invitations/${data.id}/approve`, undefined, admins[1].cookie);
      links[key] = data.link;
    }
  });
  after(async () => {
    await stack?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const run = (args) => spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: "utf8", timeout: 60_000 });

  it("enrols a seat per link into a team file only its owner reads; refuses an admin's link and a team for another origin", async () => {
    const team = join(dir, "team.json");
    for (const role of ["cell", "investigator", "operator", "counsellor"]) {
      const r = run(["--enrol", links[role], "--team", team]);
      assert.equal(r.status, 0, r.stderr + r.stdout);
      assert.match(r.stdout, new RegExp(`\\(${role}\\) enrolled`));
    }
    assert.equal(statSync(team).mode & 0o777, 0o600, "the team file holds private keys: owner only");
    const saved = JSON.parse(readFileSync(team, "utf8"));
    assert.deepEqual(Object.keys(saved.members).sort(), ["cell", "counsellor", "investigator", "operator"]);
    assert.equal(saved.origin, stack.origin);

    const admin = run(["--enrol", links.admin, "--team", team]);
    assert.equal(admin.status, 1);
    assert.match(admin.stderr, /an admin: a drill team has/);
    // An ordinary seat can act on real alerts: its passkey is not put in a file.
    const ordinary = run(["--enrol", links.ordinary, "--team", team]);
    assert.equal(ordinary.status, 1);
    assert.match(ordinary.stderr, /ordinary cell seat, which can act on real alerts: a drill team holds drill seats only/);
    // The link was only looked up, not used: it still opens for its person.
    await call("POST", "/auth/invitations/lookup", { token: links.ordinary.split("#")[1] });
    assert.equal(Object.keys(JSON.parse(readFileSync(team, "utf8")).members).length, 4);

    const elsewhere = run(["--origin", "https://alerts.elsewhere.example", "--team", team]);
    assert.equal(elsewhere.status, 1);
    assert.match(elsewhere.stderr, /is for http:\/\/localhost:\d+, not https:\/\/alerts\.elsewhere\.example/);
    const none = run(["--origin", stack.origin, "--team", join(dir, "nobody.json")]);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /no drill team .* --enrol/s);
  });

  it("a drill that cannot go on is not left behind: a wait that runs out, or Ctrl-C, cancels it", async () => {
    const team = join(dir, "team.json");
    // Read with the cell seat's session, which the CLI keeps in its team file between runs.
    const stateOf = async (out) => {
      const id = out.match(/\/alerts\/([0-9a-f-]{36})/)[1];
      const { session } = JSON.parse(readFileSync(team, "utf8")).members.cell;
      return (await call("GET", `/alerts/${id}`, undefined, session)).data.state;
    };

    const timedOut = run(["--origin", stack.origin, "--team", team, "--wait", "2"]);
    assert.equal(timedOut.status, 1, timedOut.stdout + timedOut.stderr);
    assert.match(timedOut.stderr, /the magistrate did not authorise it .* within 2 s/);
    assert.match(timedOut.stderr, /the drill was cancelled/);
    assert.equal(await stateOf(timedOut.stdout), "cancelled");

    const child = spawn(process.execPath, [CLI, "--origin", stack.origin, "--team", team, "--wait", "60"], { cwd: dir });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
      if (/waiting for the magistrate/.test(out)) child.kill("SIGINT");
    });
    child.stderr.on("data", (d) => (err += d));
    const code = await new Promise((resolve) => child.on("exit", resolve));
    assert.equal(code, 130, out + err);
    assert.match(err, /interrupted[\s\S]*the drill was cancelled/);
    assert.equal(await stateOf(out), "cancelled");
  });

  it("runs the drill, waits for the magistrate in the dashboard, and prints the server's scorecard", async () => {
    // The magistrate is a person: their own passkey, their own session.
    const magistrate = { auth: new SoftAuthenticator("localhost", stack.origin) };
    const { data: opts } = await call("POST", "/auth/register/options", { token: links.magistrate.split("#")[1] });
    const { data: me, res } = await call("POST", "/auth/register/verify", { challengeId: opts.challengeId, response: await magistrate.auth.create(opts.options) });
    Object.assign(magistrate, { id: me.user.id, cookie: res.headers.get("set-cookie").split(";")[0] });
    // A tester's browser subscribed to exercises: web push's exercise audience.
    const sub = stack.push.standin.subscribe();
    await call("POST", "/push/subscriptions", { subscription: { endpoint: sub.endpoint, keys: sub.keys }, lang: "fr", regions: ["BE"], exercise: true });

    const child = spawn(process.execPath, [CLI, "--origin", stack.origin, "--team", join(dir, "team.json"), "--wait", "60"], { cwd: dir });
    let out = "";
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    const exited = new Promise((resolve) => child.on("exit", resolve));
    let alertId;
    let signed = false;
    await new Promise((resolve, reject) => {
      child.stdout.on("data", async (d) => {
        out += d;
        alertId ??= out.match(/\/alerts\/([0-9a-f-]{36})/)?.[1];
        if (!signed && /waiting for the magistrate/.test(out)) {
          signed = true;
          // In the dashboard: the magistrate takes charge of the case and authorises it.
          try {
            await call("POST", `/alerts/${alertId}/members`, { userId: magistrate.id, role: "magistrate" }, magistrate.cookie);
            await signOff(stack.origin, { magistrate }, "magistrate", alertId, "authorisation", DECISION);
            resolve();
          } catch (e) {
            reject(e);
          }
        }
      });
      exited.then((code) => reject(new Error(`the CLI ended (${code}) before waiting for the magistrate:\n${out}\n${err}`)));
    });
    const code = await exited;
    assert.equal(code, 0, `${out}\n${err}`);
    assert.match(out, /played by the CLI: cell, investigator, operator, counsellor; by people in the dashboard: magistrate/);
    assert.match(out, /the magistrate did it: authorise it/);
    assert.match(out, /✓ authorisation to first push/);
    assert.match(out, /✓ stop to withdrawn everywhere/);
    assert.match(out, /✓ tip to investigator/);
    assert.match(out, /Drill: every measured target met/);

    // The scorecard it printed is the server's, kept once withdrawn everywhere.
    const { data: card } = await call("GET", `/drills/${alertId}`, undefined, magistrate.cookie);
    assert.equal(card.complete, true);
    for (const step of card.steps) assert.ok(step.at, `step ${step.key} timed`);
    const push = card.channels.find((c) => c.channel === "push");
    assert.equal(push.delivered, 1);
    assert.ok(push.withdrawn);
    // The tester's browser had the exercise and then its withdrawal.
    const got = stack.push.standin.subs.get(sub.id).messages.map((m) => m.payload.type);
    assert.deepEqual([got[0], got.at(-1)], ["alert", "stop"], `the tester's browser got ${JSON.stringify(got)}`);
  });
});
