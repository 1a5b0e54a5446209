// Local operations shared by `npm start`, `npm run invite`, `npm run audit:verify`,
// `npm run demo` and the browser tests: wrangler D1 commands, invitations written
// straight into D1 (bootstrap path that works before any admin exists), and starting
// the Worker with `wrangler dev`.
import { spawn, spawnSync } from "node:child_process";
import { createHash, generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const WRANGLER = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
export const DEFAULT_PORT = 8787;

/** Builds the dashboard into dashboard/dist (the Worker serves it as its assets); `ifMissing` skips a build already there. */
export function buildDashboard({ ifMissing = false } = {}) {
  if (ifMissing && existsSync(join(ROOT, "dashboard", "dist", "index.html"))) return;
  const vite = spawnSync(process.execPath, [join(ROOT, "node_modules", "vite", "bin", "vite.js"), "build", "--config", "dashboard/vite.config.ts", "--logLevel", "warn"], {
    cwd: ROOT,
    stdio: "inherit",
  });
  if (vite.status !== 0) throw new Error(`the dashboard build failed (vite exited ${vite.status})`);
}
const INVITATION_TTL_MS = 72 * 3_600_000;

/**
 * Runs wrangler with the Node that runs this script (Node 22 from node_modules under npm).
 * `wrangler d1 execute --local` shares the SQLite file with a running `wrangler dev`: when
 * the Worker holds the write lock at that moment, SQLite answers SQLITE_BUSY before
 * anything is written, and the command is tried again (a few times, backing off).
 */
export function wrangler(args, opts = {}) {
  for (let attempt = 1; ; attempt++) {
    try {
      return wranglerOnce(args, { ...opts, quiet: opts.quiet || attempt < 5 });
    } catch (err) {
      if (attempt >= 5 || !String(err.output ?? "").includes("SQLITE_BUSY")) {
        if (!opts.quiet && attempt < 5) process.stderr.write(String(err.output ?? ""));
        throw err;
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250 * attempt);
    }
  }
}

function wranglerOnce(args, { input, quiet = false } = {}) {
  const r = spawnSync(process.execPath, [WRANGLER, ...args], {
    cwd: ROOT,
    input,
    encoding: "utf8",
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) {
    if (!quiet) process.stderr.write(r.stdout + r.stderr);
    throw Object.assign(new Error(`wrangler ${args.slice(0, 3).join(" ")} failed (exit ${r.status})`), { output: r.stdout + r.stderr });
  }
  return r.stdout;
}

const target = ({ remote = false, persistTo } = {}) =>
  remote ? ["--remote"] : ["--local", ...(persistTo ? ["--persist-to", persistTo] : [])];

export function applyMigrations(opts = {}) {
  return wrangler(["d1", "migrations", "apply", "DB", ...target(opts)]);
}

const sqlString = (v) => (v === null || v === undefined ? "NULL" : `'${String(v).replace(/'/g, "''")}'`);

/** Runs SQL against D1 and returns the rows of the last statement. */
export function d1(sql, opts = {}) {
  const out = wrangler(["d1", "execute", "DB", ...target(opts), "--json", "--command", sql], { quiet: opts.quiet });
  const parsed = JSON.parse(out.slice(out.indexOf("[")));
  return parsed.at(-1)?.results ?? [];
}

export const ROLES = ["magistrate", "investigator", "cell", "operator", "counsellor", "calltaker", "admin"];

/**
 * Creates invitations (one-time links to register a passkey) in one D1 round-trip. For
 * an e-mail that already has an account, the link adds a passkey to it. Only the
 * token's SHA-256 is stored.
 */
export function createInvitations(list, { origin, ...opts }) {
  for (const { email, role } of list) {
    if (!ROLES.includes(role)) throw new Error(`unknown role "${role}" (one of: ${ROLES.join(", ")})`);
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new Error(`invalid e-mail "${email}"`);
  }
  const emails = list.map((i) => i.email.toLowerCase());
  const users = new Map(
    d1(`SELECT id, email, role, display_name, drill_seat FROM users WHERE email IN (${emails.map(sqlString).join(", ")})`, opts).map((u) => [u.email, u]),
  );
  const now = new Date();
  const out = [];
  const inserts = list.map(({ displayName, role, drillSeat = false }, i) => {
    const existing = users.get(emails[i]);
    if (existing && existing.role !== role) throw new Error(`${emails[i]} is already a ${existing.role}`);
    if (existing && !!existing.drill_seat !== drillSeat) throw new Error(`${emails[i]} is ${existing.drill_seat ? "a drill seat" : "an ordinary seat"}: a drill seat is an account of its own`);
    const token = randomBytes(32).toString("base64url");
    out.push({ email: emails[i], role, token, link: `${origin}/invite#${token}`, existing: !!existing });
    const values = [randomUUID(), createHash("sha256").update(token).digest("hex"), emails[i], existing?.display_name ?? displayName, role,
      existing?.id ?? null, "cli", now.toISOString(), new Date(now.getTime() + INVITATION_TTL_MS).toISOString()];
    // A drill seat (issue 27) acts on exercises only: `npm run drill`'s local team.
    return `INSERT INTO invitations (id, token_hash, email, display_name, role, user_id, created_by, created_at, expires_at, drill_seat) VALUES (${values.map(sqlString).join(", ")}, ${drillSeat ? 1 : 0})`;
  });
  d1(inserts.join(";\n"), opts);
  return out;
}

/** A VAPID key pair in the format browsers and web-push use (base64url). */
export function vapidKeys() {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const jwk = privateKey.export({ format: "jwk" });
  const pub = Buffer.concat([Buffer.of(4), Buffer.from(jwk.x, "base64url"), Buffer.from(jwk.y, "base64url")]);
  return { VAPID_PUBLIC_KEY: pub.toString("base64url"), VAPID_PRIVATE_KEY: jwk.d };
}

/** Port of the local push-service stand-in started by `npm start`. */
/** An Ed25519 pair for the audit anchors: the private half as the Worker's secret, the public half to verify heads. */
/** A publication key (issue 28): ES256, PKCS#8 base64url, as the secret PUBLICATION_SIGNING_KEY holds it. */
export function publicationSigningKey() {
  return generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({ format: "der", type: "pkcs8" }).toString("base64url");
}

export function auditKeys() {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  return {
    AUDIT_SIGNING_KEY: privateKey.export({ format: "der", type: "pkcs8" }).toString("base64url"),
    AUDIT_PUBLIC_KEY: Buffer.from(raw).toString("base64url"),
  };
}

export const PUSH_STANDIN_PORT = 8790;
/** The local SMTP catcher of `npm start` (SMTP), and its page listing what it caught (HTTP). */
export const SMTP_CATCHER_PORT = 2525;
export const SMTP_CATCHER_WEB_PORT = 8791;
/** The local partners' webhook receiver of `npm start` (verifies every delivery's Standard Webhooks signature). */
export const WEBHOOK_RECEIVER_PORT = 8792;
/** The local Turnstile stand-in of `npm start` (its documented test keys). */
export const TURNSTILE_STANDIN_PORT = 8793;
/** The social networks' local stand-in of `npm start` (Mastodon, Bluesky, X, Facebook, Telegram APIs on one origin). */
export const SOCIAL_STANDIN_PORT = 8794;
/** The telephony provider's REST API stand-in (recordings deleted at the purge). */
export const TELEPHONY_API_STANDIN_PORT = 8795;
/** The telephony provider's auth token for local runs: the telephony simulator (`npm run demo`) signs with it. */
export const LOCAL_TELEPHONY_TOKEN = "local-telephony-auth-token-0123456789";

/**
 * Local-only overrides of wrangler.toml's production vars and the local secrets (read
 * by `wrangler dev`). VAPID keys are created once and kept: rotating them would orphan
 * every existing subscription (see README).
 */
/** The local `.dev.vars` as an object (empty when there is none). */
export function readDevVars() {
  const file = join(ROOT, ".dev.vars");
  const current = existsSync(file) ? readFileSync(file, "utf8") : "";
  return Object.fromEntries(current.split("\n").filter((l) => l.includes("=")).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
}

export function ensureDevVars(port = DEFAULT_PORT) {
  const file = join(ROOT, ".dev.vars");
  const have = readDevVars();
  const vapid = have.VAPID_PUBLIC_KEY && have.VAPID_PRIVATE_KEY ? { VAPID_PUBLIC_KEY: have.VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY: have.VAPID_PRIVATE_KEY } : vapidKeys();
  // Kept once made: a new key would not verify the heads published before.
  const audit = have.AUDIT_SIGNING_KEY && have.AUDIT_PUBLIC_KEY ? { AUDIT_SIGNING_KEY: have.AUDIT_SIGNING_KEY, AUDIT_PUBLIC_KEY: have.AUDIT_PUBLIC_KEY } : auditKeys();
  const defaults = {
    APP_ORIGIN: `http://localhost:${port}`,
    RP_ID: "localhost",
    ENVIRONMENT: "local",
    PUSH_EXTRA_HOSTS: `localhost:${PUSH_STANDIN_PORT}`,
    // Partners' webhooks may go to the local receiver (plain http, this machine only).
    WEBHOOK_EXTRA_HOSTS: `localhost:${WEBHOOK_RECEIVER_PORT}`,
    // E-mail goes to the local catcher (plain SMTP is allowed only to this machine).
    SMTP_HOST: "127.0.0.1",
    SMTP_PORT: String(SMTP_CATCHER_PORT),
    SMTP_SECURITY: "none",
    MAIL_FROM: "Child Alert (local) <alerts@child-alert.local>",
    EMAIL_TOKEN_SECRET: randomBytes(32).toString("base64url"),
    // The tip form's challenge: the local Turnstile stand-in with Cloudflare's documented always-pass test keys.
    TURNSTILE_ORIGIN: `http://localhost:${TURNSTILE_STANDIN_PORT}`,
    TURNSTILE_SITE_KEY: "1x00000000000000000000AA",
    TURNSTILE_SECRET: "1x0000000000000000000000000000000AA",
    // The 116 000 line's webhooks are signed with this token (the demo's simulated provider uses it).
    TELEPHONY_AUTH_TOKEN: LOCAL_TELEPHONY_TOKEN,
    TELEPHONY_API_ORIGIN: `http://localhost:${TELEPHONY_API_STANDIN_PORT}`,
    // The social networks: their APIs are the local stand-in's; the credentials' sealing key is local.
    SOCIAL_CREDENTIALS_KEY: randomBytes(32).toString("base64url"),
    // The publication key (issue 28): signs what is published; its public half at /.well-known/child-alert-keys.json.
    PUBLICATION_SIGNING_KEY: publicationSigningKey(),
    // An outside monitor's token for GET /api/v1/metrics (OpenMetrics).
    METRICS_TOKEN: randomBytes(24).toString("base64url"),
    SOCIAL_EXTRA_HOSTS: `localhost:${SOCIAL_STANDIN_PORT}`,
    X_API_ORIGIN: `http://localhost:${SOCIAL_STANDIN_PORT}`,
    FACEBOOK_GRAPH_ORIGIN: `http://localhost:${SOCIAL_STANDIN_PORT}`,
    TELEGRAM_API_ORIGIN: `http://localhost:${SOCIAL_STANDIN_PORT}`,
    ...vapid,
    ...audit,
  };
  // A value the user wrote stays; only what is missing is added (and said).
  const added = Object.keys(defaults).filter((k) => have[k] === undefined);
  const wanted = { ...defaults, ...have };
  for (const k of ["APP_ORIGIN", "RP_ID", "SMTP_HOST", "SMTP_PORT"]) {
    if (have[k] !== undefined && have[k] !== defaults[k]) console.log(`  .dev.vars: keeping your ${k}=${have[k]} (npm start would use ${defaults[k]})`);
  }
  if (added.length) {
    writeFileSync(file, Object.entries(wanted).map(([k, v]) => `${k}=${v}`).join("\n") + "\n");
    console.log(`  .dev.vars: added ${added.join(", ")}`);
  }
  return wanted;
}

/**
 * Starts `wrangler dev` and resolves once /api/v1/health answers. `vars` override
 * APP_ORIGIN etc. (the browser tests run on their own port and state folder). `log`:
 * true prints the Worker's output; a function receives it (bench:scale reads its lines).
 */
export async function startWorker({ port = DEFAULT_PORT, persistTo, vars = {}, log = false, config, healthPath = "/api/v1/health" } = {}) {
  const args = [WRANGLER, "dev", "--port", String(port), "--ip", "127.0.0.1", "--local", "--show-interactive-dev-session=false"];
  if (config) args.push("--config", config);
  if (persistTo) args.push("--persist-to", persistTo);
  for (const [k, v] of Object.entries(vars)) args.push("--var", `${k}:${v}`);
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", CI: "true" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: process.platform !== "win32",
  });
  let output = "";
  const collect = (d) => {
    output += d;
    if (typeof log === "function") log(String(d));
    else if (log) process.stdout.write(d);
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const stop = () => {
    if (child.exitCode !== null) return;
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      child.kill("SIGTERM");
    }
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}${healthPath}`);
      if (res.ok) return { child, stop, output: () => output };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  stop();
  throw new Error(`wrangler dev did not answer on port ${port} within 60 s:\n${output}`);
}

export function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) continue;
    const key = a.slice(2);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith("--")) out[key] = true;
    else out[key] = argv[++i];
  }
  return out;
}
