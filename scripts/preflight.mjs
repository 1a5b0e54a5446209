// `npm run preflight [-- --config wrangler.toml] [--env name] [--secrets A,B,…]`: checks a
// production configuration before `wrangler deploy` and names everything missing or
// unsafe. The secrets set on Cloudflare are read with `wrangler secret list` (or given
// with --secrets, e.g. to check a config before the Worker exists). Exit 1 on a problem.
import { parseArgs } from "./lib/local.mjs";
import { readConfig, resourcesOf, runWrangler, secretNames } from "./lib/wrangler-config.mjs";

/** Secrets needed only when a feature is configured (wrangler.toml [vars]); every other one is always needed. */
const NEEDED_WHEN = {
  SMTP_USER: (v) => !!v.SMTP_HOST,
  SMTP_PASS: (v) => !!v.SMTP_HOST,
  DKIM_PRIVATE_KEY: (v) => !!v.DKIM_DOMAIN,
};
/** Variables that let the Worker reach local stand-ins: empty in production. */
const LOCAL_ONLY = ["PUSH_EXTRA_HOSTS", "WEBHOOK_EXTRA_HOSTS", "SOCIAL_EXTRA_HOSTS"];
/** The outside services' official origins (the code uses only these outside local/test; a different value is a mistake). */
const OFFICIAL = {
  TURNSTILE_ORIGIN: "https://challenges.cloudflare.com",
  TELEPHONY_API_ORIGIN: "https://api.twilio.com",
  X_API_ORIGIN: "https://api.x.com",
  FACEBOOK_GRAPH_ORIGIN: "https://graph.facebook.com",
  TELEGRAM_API_ORIGIN: "https://api.telegram.org",
};
const EXAMPLE = /(^|\.)example\.(org|com|net)$/i;

/** Every problem of a production config, as sentences naming what to set. */
export function preflight(cfg, secrets) {
  const v = cfg.vars ?? {};
  const problems = [];
  const need = (ok, msg) => ok || problems.push(msg);

  let origin = null;
  try {
    origin = new URL(String(v.APP_ORIGIN ?? ""));
  } catch {
    /* reported below */
  }
  need(origin !== null, "APP_ORIGIN is not a URL: set [vars] APP_ORIGIN to the public https origin (e.g. https://alert.your-domain)");
  if (origin) {
    need(origin.protocol === "https:", `APP_ORIGIN must be https (is ${origin.origin})`);
    need(!EXAMPLE.test(origin.hostname), `APP_ORIGIN is still the example one (${origin.origin}): set your domain`);
    need(origin.origin === v.APP_ORIGIN.replace(/\/$/, ""), `APP_ORIGIN must be an origin only, without a path (is ${v.APP_ORIGIN})`);
    const rp = String(v.RP_ID ?? "");
    need(rp === origin.hostname || origin.hostname.endsWith(`.${rp}`), `RP_ID (${rp || "empty"}) must be APP_ORIGIN's host or a parent domain of it (passkeys are bound to it)`);
  }
  need(v.ENVIRONMENT === "production", `ENVIRONMENT must be "production" (is "${v.ENVIRONMENT ?? ""}"): local and test relax the outside services' origins`);
  need(/^[A-Za-z0-9_-]{43}$/.test(String(v.AUDIT_PUBLIC_KEY ?? "")), "AUDIT_PUBLIC_KEY is not set (the Ed25519 public half, 32 bytes base64url): anyone verifies the audit anchors with it");
  need(!EXAMPLE.test(String(v.VAPID_SUBJECT ?? "").replace(/^mailto:[^@]*@/, "")), `VAPID_SUBJECT is still the example contact (${v.VAPID_SUBJECT}): push services write to it`);
  if (v.SMTP_HOST) {
    need(v.SMTP_SECURITY !== "none", 'SMTP_SECURITY "none" is for a relay on this machine only: use "tls" (465) or "starttls" (587)');
    need(!EXAMPLE.test(String(v.MAIL_FROM ?? "").replace(/^.*@|>$/g, "")), `MAIL_FROM is still the example address (${v.MAIL_FROM})`);
  }
  need(!!String(v.TURNSTILE_SITE_KEY ?? "").trim(), "TURNSTILE_SITE_KEY is empty: the public tip form's challenge needs the site key (with the secret TURNSTILE_SECRET)");
  for (const name of LOCAL_ONLY) need(!String(v[name] ?? "").trim(), `${name} must be empty in production (it lets the Worker reach local stand-ins): is "${v[name]}"`);
  for (const [name, official] of Object.entries(OFFICIAL)) need(!v[name] || v[name] === official, `${name} must be ${official} (is ${v[name]})`);

  for (const d of resourcesOf(cfg).d1) need(d.id && !/^0{8}-(0{4}-){3}0{12}$/.test(d.id), `D1 ${d.binding} (${d.name}) has no database_id: npm run provision prints it`);

  const have = new Set(secrets);
  for (const name of secretNames()) {
    const needed = NEEDED_WHEN[name] ? NEEDED_WHEN[name](v) : true;
    need(!needed || have.has(name), `secret ${name} is missing: npx wrangler secret put ${name}`);
  }
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = parseArgs(process.argv.slice(2));
  const cfg = readConfig({ ...(args.config ? { config: args.config } : {}), ...(args.env ? { env: args.env } : {}) });
  let secrets;
  if (typeof args.secrets === "string") secrets = args.secrets.split(",").map((s) => s.trim()).filter(Boolean);
  else {
    const r = runWrangler(["secret", "list", "--format", "json", ...(args.config ? ["--config", args.config] : []), ...(args.env ? ["--env", args.env] : [])]);
    try {
      secrets = JSON.parse(r.output.slice(r.output.indexOf("["))).map((s) => s.name);
    } catch {
      console.error(`Could not read the Worker's secrets (wrangler secret list):\n${r.output.trim()}\nSign in (npx wrangler login) or give them with --secrets NAME,NAME…`);
      process.exit(2);
    }
  }
  const problems = preflight(cfg, secrets);
  if (!problems.length) {
    console.log("preflight: ready to deploy — npm run build:dashboard && npx wrangler deploy");
    process.exit(0);
  }
  console.error(`preflight: ${problems.length} problem(s) before deploying:`);
  for (const p of problems) console.error(`  ✗ ${p}`);
  process.exit(1);
}
