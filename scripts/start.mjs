// `npm start`: build the dashboard, apply D1 migrations, seed demo data, start the
// Worker locally (D1, R2, Queues, Durable Objects in Miniflare) and print where to go.
import { startPushStandIn } from "../e2e/lib/push-standin.mjs";
import { startSmtpCatcher } from "../e2e/lib/smtp-standin.mjs";
import { startWebhookReceiver } from "../e2e/lib/webhook-standin.mjs";
import { startTurnstileStandIn } from "../e2e/lib/turnstile-standin.mjs";
import { startSocialStandIn } from "../e2e/lib/social-standin.mjs";
import { startTelephonyApiStandIn } from "../e2e/lib/telephony-api-standin.mjs";
import { openWebhookSecret } from "./lib/sealed.mjs";
import { applyMigrations, buildDashboard, d1, DEFAULT_PORT, ensureDevVars, parseArgs, PUSH_STANDIN_PORT, SMTP_CATCHER_PORT, SMTP_CATCHER_WEB_PORT, SOCIAL_STANDIN_PORT, startWorker, LOCAL_TELEPHONY_TOKEN, TELEPHONY_API_STANDIN_PORT, TURNSTILE_STANDIN_PORT, WEBHOOK_RECEIVER_PORT } from "./lib/local.mjs";
import { DEMO_SOCIAL, demoSocialStandIn, seed } from "./seed.mjs";

const args = parseArgs(process.argv.slice(2));
const port = Number(args.port ?? process.env.PORT ?? DEFAULT_PORT);
const origin = `http://localhost:${port}`;
const t0 = Date.now();
const step = (msg) => console.log(`\x1b[1m▸\x1b[0m ${msg} \x1b[2m(${((Date.now() - t0) / 1000).toFixed(1)} s)\x1b[0m`);

step("building the dashboard");
buildDashboard();

const vars = ensureDevVars(port);
step(`starting the push-service stand-in on http://localhost:${PUSH_STANDIN_PORT}`);
const push = await startPushStandIn({ port: PUSH_STANDIN_PORT, vapidPublicKey: vars.VAPID_PUBLIC_KEY });
step(`starting the local SMTP catcher on port ${SMTP_CATCHER_PORT} (caught e-mails: http://localhost:${SMTP_CATCHER_WEB_PORT})`);
const mail = await startSmtpCatcher({ smtpPort: SMTP_CATCHER_PORT, webPort: SMTP_CATCHER_WEB_PORT });
step(`starting the partners' webhook receiver on http://localhost:${WEBHOOK_RECEIVER_PORT} (verifies every signature)`);
const hooks = await startWebhookReceiver({ port: WEBHOOK_RECEIVER_PORT });
step(`starting the Turnstile stand-in on http://localhost:${TURNSTILE_STANDIN_PORT} (the tip form's challenge, Cloudflare's test keys)`);
const turnstile = await startTurnstileStandIn({ port: TURNSTILE_STANDIN_PORT });
step(`starting the social networks' stand-in on http://localhost:${SOCIAL_STANDIN_PORT} (Mastodon, Bluesky, X, Facebook and Telegram APIs)`);
const social = await startSocialStandIn({ port: SOCIAL_STANDIN_PORT });
step(`starting the telephony provider's API stand-in on http://localhost:${TELEPHONY_API_STANDIN_PORT} (call recordings, deleted at the purge)`);
const telephonyApi = await startTelephonyApiStandIn({ port: TELEPHONY_API_STANDIN_PORT, authToken: vars.TELEPHONY_AUTH_TOKEN ?? LOCAL_TELEPHONY_TOKEN });
step("applying D1 migrations (local)");
applyMigrations();
// The stand-in keeps its accounts in memory: tell it again the demo's (their credentials are the demo's fixed ones).
const demoNames = Object.values(DEMO_SOCIAL).map((a) => `'${a.name.replace(/'/g, "''")}'`).join(",");
social.standin.register(d1(`SELECT id, network FROM social_accounts WHERE name IN (${demoNames})`).map((a) => demoSocialStandIn(a.id, a.network, social.origin)));
// The receiver keeps its partners' secrets in memory: tell it again those of the local partners.
const local = `http://localhost:${WEBHOOK_RECEIVER_PORT}/hook/`;
// (D1 holds them sealed with the local sealing key: opened here as the Worker opens them.)
for (const p of d1(`SELECT id, webhook_url AS url, webhook_secret AS secret FROM partners WHERE webhook_url LIKE '${local}%' AND webhook_secret IS NOT NULL`)) {
  hooks.standin.register(p.url.slice(local.length), await openWebhookSecret(vars.SOCIAL_CREDENTIALS_KEY, p.id, p.secret));
}
step("seeding demo staff and the demo alert");
const { links } = await seed({ origin });

step(`starting the Worker on ${origin}`);
const worker = await startWorker({ port, log: !!args.verbose });
const stop = () => {
  worker.stop();
  push.close();
  void mail.close();
  void hooks.close();
  void turnstile.close();
  void social.close();
  void telephonyApi.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
worker.child.on("exit", (code) => {
  console.error(`wrangler dev exited (${code}).\n${worker.output().slice(-4000)}`);
  process.exit(code ?? 1);
});
if (!args.verbose) worker.child.stdout.on("data", (d) => /error|exception/i.test(String(d)) && process.stderr.write(d));

console.log(`
\x1b[1mChild Alert is running locally.\x1b[0m
  Dashboard      ${origin}/
  Subscribe      ${origin}/subscribe            (citizens: web push)
                 ${origin}/subscribe/email      (citizens: e-mail, double opt-in)
  Push stand-in  ${push.origin}/__stats   (local push service: decrypts and records)
  E-mails        ${mail.web}/           (every e-mail the Worker sent, caught locally)
  Webhooks       ${hooks.origin}/__messages   (partners' webhook deliveries, signatures verified)
  Social posts   ${social.origin}/__posts   (what the official accounts posted and deleted, per network)
  116 000 line   ${origin}/telephony/voice  (TwiML webhooks; signed with TELEPHONY_AUTH_TOKEN from .dev.vars)
  Feeds          ${origin}/api/v1/feeds/alerts.json · ${origin}/api/v1/feeds/cap.atom
  Readiness      ${origin}/readiness   (each channel's far side checked; GET ${origin}/api/v1/metrics with Authorization: Bearer $METRICS_TOKEN from .dev.vars)
  API docs       ${origin}/api/v1/docs
  OpenAPI        ${origin}/api/v1/openapi.json

One-time sign-in links (each registers a passkey for that demo user; valid 72 h).
Open one in Chrome/Edge/Safari/Firefox; without a platform authenticator, use
Chrome DevTools → More tools → WebAuthn → "Enable virtual authenticator environment".
${links.map((l) => `  ${l.role.padEnd(12)} ${l.link}`).join("\n")}

The dashboard works the whole alert: open the cell, investigator, operator and magistrate
links in separate browser profiles (or windows in private mode) and run a drill by hand.
Drive the demo alert through the whole lifecycle:  npm run demo   (in another terminal)
Worker errors are printed here; every Worker log line with  npm start -- --verbose
Stop with Ctrl-C. Local data live in .wrangler/state (delete it for a fresh start).
`);
