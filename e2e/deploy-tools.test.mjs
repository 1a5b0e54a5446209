// The deploy tools (issue 26): `npm run provision` creates what wrangler.toml names, once,
// and `npm run preflight` refuses a config that is not ready for production. Cloudflare's
// API cannot be reached here: provisioning runs against a stand-in for the wrangler CLI
// (WRANGLER_BIN) that answers as Cloudflare documents — created, or "already exists"
// (D1), code 10004 (R2), code 11009 (Queues) — and keeps what exists in a file.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { ROOT } from "../scripts/lib/local.mjs";

const dir = mkdtempSync(join(tmpdir(), "child-alert-deploy-tools-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const FAKE_WRANGLER = `
const fs = require("node:fs");
const state = process.env.FAKE_STATE;
const have = fs.existsSync(state) ? JSON.parse(fs.readFileSync(state, "utf8")) : [];
const args = process.argv.slice(2);
fs.appendFileSync(state + ".log", args.join(" ") + "\\n");
const name = args.at(-1);
if (process.env.FAKE_DENY && name === process.env.FAKE_DENY) { console.error("Authentication error [code: 10000]"); process.exit(1); }
if (have.includes(args.slice(0, -1).join(" ") + " " + name)) {
  if (args[0] === "d1") console.error("A database with that name already exists"); 
  else if (args[0] === "r2") console.error("The bucket you tried to create already exists, and you own it. [code: 10004]");
  else console.error("Queue name '" + name + "' is already taken. Please use a different name and try again. [code: 11009]");
  process.exit(1);
}
have.push(args.slice(0, -1).join(" ") + " " + name);
fs.writeFileSync(state, JSON.stringify(have));
if (args[0] === "d1") console.log('[[d1_databases]]\\nbinding = "DB"\\ndatabase_name = "' + name + '"\\ndatabase_id = "1b9f0a52-6c1e-4c53-8f55-2d8b3a1c7e90"');
else console.log("Created " + name);
`;
const fake = join(dir, "fake-wrangler.cjs");
writeFileSync(fake, FAKE_WRANGLER);

const node = (script, args, env = {}) =>
  spawnSync(process.execPath, [join(ROOT, "scripts", script), ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env } });

/** The names wrangler.toml gives, read with a plain scan (not the tool's own reader). */
function namesInToml() {
  const toml = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
  const all = (re) => [...toml.matchAll(re)].map((m) => m[1]);
  return {
    d1: all(/^database_name\s*=\s*"([^"]+)"/gm),
    r2: all(/^bucket_name\s*=\s*"([^"]+)"/gm),
    queues: [...new Set(all(/^(?:queue|dead_letter_queue)\s*=\s*"([^"]+)"/gm))],
  };
}

describe("npm run provision", () => {
  const state = join(dir, "cloudflare.json");
  const env = { WRANGLER_BIN: fake, FAKE_STATE: state };

  test("--dry-run prints one create command per resource of wrangler.toml and creates nothing", () => {
    const r = node("provision.mjs", ["--dry-run"], env);
    assert.equal(r.status, 0, r.stderr);
    const n = namesInToml();
    for (const name of n.d1) assert.match(r.stdout, new RegExp(`wrangler d1 create ${name}\\n`));
    for (const name of n.r2) assert.match(r.stdout, new RegExp(`wrangler r2 bucket create ${name}\\n`));
    for (const name of n.queues) assert.match(r.stdout, new RegExp(`wrangler queues create ${name}\\n`));
    assert.equal(r.stdout.match(/npx wrangler /g).length, n.d1.length + n.r2.length + n.queues.length);
    assert.throws(() => readFileSync(state), /ENOENT/);
  });

  test("creates every resource once; a second run finds them and changes nothing; a refusal is named and fails", () => {
    const first = node("provision.mjs", [], env);
    assert.equal(first.status, 0, first.stdout + first.stderr);
    const n = namesInToml();
    const created = JSON.parse(readFileSync(state, "utf8"));
    assert.deepEqual(created.sort(), [
      ...n.d1.map((x) => `d1 create ${x}`),
      ...n.r2.map((x) => `r2 bucket create ${x}`),
      ...n.queues.map((x) => `queues create ${x}`),
    ].sort());
    assert.match(first.stdout, /put database_id = "1b9f0a52-6c1e-4c53-8f55-2d8b3a1c7e90" into wrangler\.toml/);
    assert.ok(n.queues.includes("child-alert-fanout-dlq") && n.queues.some((q) => q.startsWith("child-alert-push-")));

    const second = node("provision.mjs", [], env);
    assert.equal(second.status, 0, second.stdout + second.stderr);
    assert.equal(second.stdout.match(/exists already/g).length, created.length);
    assert.equal(JSON.parse(readFileSync(state, "utf8")).length, created.length);

    rmSync(state);
    const denied = node("provision.mjs", [], { ...env, FAKE_DENY: "child-alert-webhooks" });
    assert.equal(denied.status, 1);
    assert.match(denied.stderr, /✗ queue child-alert-webhooks: Authentication error/);
    assert.match(denied.stdout, /1 resource\(s\) could not be created/);
    assert.equal(JSON.parse(readFileSync(state, "utf8")).length, created.length - 1, "the others are created all the same");
  });
});

describe("npm run preflight", () => {
  const audit = generateKeyPairSync("ed25519").publicKey.export({ format: "der", type: "spki" }).subarray(-32).toString("base64url");
  const ALL_SECRETS = "EMAIL_TOKEN_SECRET,VAPID_PUBLIC_KEY,VAPID_PRIVATE_KEY,AUDIT_SIGNING_KEY,TURNSTILE_SECRET,TELEPHONY_AUTH_TOKEN,SOCIAL_CREDENTIALS_KEY,METRICS_TOKEN,PUBLICATION_SIGNING_KEY,SMTP_USER,SMTP_PASS";
  /** wrangler.toml with production values in place of the example ones. */
  function config(change = (s) => s) {
    let s = readFileSync(join(ROOT, "wrangler.toml"), "utf8")
      .replace('APP_ORIGIN = "https://alert.example.org"', 'APP_ORIGIN = "https://alert.police.example-country.eu"')
      .replace('RP_ID = "alert.example.org"', 'RP_ID = "police.example-country.eu"')
      .replace('AUDIT_PUBLIC_KEY = ""', `AUDIT_PUBLIC_KEY = "${audit}"`)
      .replace('VAPID_SUBJECT = "mailto:alerts@alert.example.org"', 'VAPID_SUBJECT = "mailto:alerts@police.example-country.eu"')
      .replace('SMTP_HOST = ""', 'SMTP_HOST = "smtp.police.example-country.eu"')
      .replace('MAIL_FROM = "Child Alert <alerts@alert.example.org>"', 'MAIL_FROM = "Child Alert <alerts@police.example-country.eu>"')
      .replace('TURNSTILE_SITE_KEY = ""', 'TURNSTILE_SITE_KEY = "0x4AAAAAAAA-real-site-key"')
      .replace('database_id = "00000000-0000-0000-0000-000000000000"', 'database_id = "1b9f0a52-6c1e-4c53-8f55-2d8b3a1c7e90"');
    s = change(s);
    const file = join(dir, `wrangler-${Math.random().toString(36).slice(2)}.toml`);
    writeFileSync(file, s.replace('main = "worker/index.ts"', `main = "${join(ROOT, "worker/index.ts")}"`));
    return file;
  }

  test("a production config with every secret is ready", () => {
    const r = node("preflight.mjs", ["--config", config(), "--secrets", ALL_SECRETS]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /ready to deploy/);
  });

  test("the repository's own wrangler.toml (the example) is refused, naming each thing to set", () => {
    const r = node("preflight.mjs", ["--secrets", ""]);
    assert.equal(r.status, 1);
    for (const what of ["APP_ORIGIN is still the example one", "AUDIT_PUBLIC_KEY is not set", "has no database_id", "TURNSTILE_SITE_KEY is empty", "secret AUDIT_SIGNING_KEY is missing", "secret VAPID_PRIVATE_KEY is missing"]) {
      assert.ok(r.stderr.includes(what), `names: ${what}\n${r.stderr}`);
    }
    assert.doesNotMatch(r.stderr, /SMTP_PASS/, "e-mail is off (no SMTP_HOST): its secrets are not asked for");
  });

  test("each unsafe production setting is refused on its own", () => {
    const cases = [
      [(s) => s.replace('PUSH_EXTRA_HOSTS = ""', 'PUSH_EXTRA_HOSTS = "localhost:8790"'), /PUSH_EXTRA_HOSTS must be empty/],
      [(s) => s.replace('SOCIAL_EXTRA_HOSTS = ""', 'SOCIAL_EXTRA_HOSTS = "127.0.0.1:8794"'), /SOCIAL_EXTRA_HOSTS must be empty/],
      [(s) => s.replace('ENVIRONMENT = "production"', 'ENVIRONMENT = "local"'), /ENVIRONMENT must be "production"/],
      [(s) => s.replace(/^SMTP_SECURITY = "tls"$/m, 'SMTP_SECURITY = "none"'), /SMTP_SECURITY "none"/],
      [(s) => s.replace('RP_ID = "police.example-country.eu"', 'RP_ID = "other.eu"'), /RP_ID \(other\.eu\) must be APP_ORIGIN's host/],
      [(s) => s.replace('APP_ORIGIN = "https://alert.police.example-country.eu"', 'APP_ORIGIN = "http://alert.police.example-country.eu"'), /APP_ORIGIN must be https/],
      [(s) => s.replace('TELEPHONY_API_ORIGIN = "https://api.twilio.com"', 'TELEPHONY_API_ORIGIN = "https://twilio.attacker.test"'), /TELEPHONY_API_ORIGIN must be https:\/\/api\.twilio\.com/],
    ];
    for (const [change, problem] of cases) {
      const r = node("preflight.mjs", ["--config", config(change), "--secrets", ALL_SECRETS]);
      assert.equal(r.status, 1, `refused: ${problem}`);
      assert.match(r.stderr, problem);
      assert.match(r.stderr, /1 problem\(s\)/, `only that problem: ${r.stderr}`);
    }
    const noPass = node("preflight.mjs", ["--config", config(), "--secrets", ALL_SECRETS.replace(",SMTP_PASS", "")]);
    assert.equal(noPass.status, 1);
    assert.match(noPass.stderr, /secret SMTP_PASS is missing: npx wrangler secret put SMTP_PASS/);
  });
});
