import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
// @ts-expect-error plain JS module shared with the browser tests and benchmarks
import { PushStandIn } from "./e2e/lib/push-standin.mjs";
// @ts-expect-error plain JS module shared with `npm start` and the benchmarks
import { SmtpStandIn } from "./e2e/lib/smtp-standin.mjs";
// @ts-expect-error plain JS module
import { testCertificates } from "./e2e/lib/test-ca.mjs";
// @ts-expect-error plain JS module shared with `npm start` and the benchmark
import { SocialStandIn } from "./e2e/lib/social-standin.mjs";
// @ts-expect-error plain JS module shared with `npm start` and the browser tests
import { WebhookStandIn } from "./e2e/lib/webhook-standin.mjs";
// @ts-expect-error plain JS module: a peer alerting system abroad, signing and checking with xmlsec1
import { PeerStandIn } from "./e2e/lib/peer-standin.mjs";
// @ts-expect-error plain JS module shared with `npm start`
import { TelephonyApiStandIn } from "./e2e/lib/telephony-api-standin.mjs";
// @ts-expect-error plain JS module shared with `npm start` and the browser tests
import { PASS_SECRET, PASS_SITE_KEY, TurnstileStandIn } from "./e2e/lib/turnstile-standin.mjs";
import { defineConfig } from "vitest/config";
// The official Twilio library: our webhook signature check is cross-checked against it (issue 14).
import twilio from "twilio";
// @ts-expect-error CommonJS without types for this path: an independent DKIM verifier (mailauth)
import { dkimVerify } from "mailauth/lib/dkim/verify.js";

/** Image fixtures (see worker/test/fixtures/make.mjs), handed to workerd as one JSON binding. */
const fixtures = Object.fromEntries(
  readdirSync("worker/test/fixtures")
    .filter((f) => !f.endsWith(".mjs"))
    .map((f) => [f, readFileSync(`worker/test/fixtures/${f}`).toString("base64")]),
);

/** A VAPID key pair for this test run (the app signs with it; the stand-in verifies against it). */
/** The audit anchors' Ed25519 pair for the test Worker. */
const audit = generateKeyPairSync("ed25519");
/** The publication key (issue 28): ES256, PKCS#8 base64url as the secret holds it. */
const publication = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({ format: "der", type: "pkcs8" }).toString("base64url");

function vapidKeys() {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const jwk = privateKey.export({ format: "jwk" }) as { d: string; x: string; y: string };
  const pub = Buffer.concat([Buffer.of(4), Buffer.from(jwk.x, "base64url"), Buffer.from(jwk.y, "base64url")]);
  return { publicKey: pub.toString("base64url"), privateKey: jwk.d };
}

/** A DKIM key for this run: the Worker signs with it; https://dkim.test verifies with mailauth against its public half (as DNS would publish it). */
function dkimKeys() {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    domain: "child-alert.test",
    selector: "alert2026",
    privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKey: publicKey.export({ type: "spki", format: "der" }).toString("base64"),
  };
}

/** dkimVerify's view of a message: one result per signature. */
async function verifyDkim(raw: string, key: ReturnType<typeof dkimKeys>) {
  const resolver = async (name: string, type: string) => {
    if (type === "TXT" && name === `${key.selector}._domainkey.${key.domain}`) return [[`v=DKIM1; k=rsa; p=${key.publicKey}`]];
    throw Object.assign(new Error(`no ${type} record for ${name}`), { code: "ENOTFOUND" });
  };
  const r = await dkimVerify(Buffer.from(raw, "utf8"), { resolver });
  return (r.results as { status: { result: string; comment?: string }; signingDomain: string; selector: string }[]).map((x) => ({
    result: x.status.result,
    comment: x.status.comment ?? null,
    domain: x.signingDomain,
    selector: x.selector,
  }));
}

/** Every outbound request of the Worker in tests goes to the push stand-in; nothing else leaves. */
const PUSH_ORIGIN = "https://push.test";
/** The SMTP stand-in's control API (what it received, behaviours), for the tests only. */
const SMTP_CONTROL = "https://smtp.test";
/** The social networks' test hosts (one stand-in serves them all; social.test is its control API). */
const SOCIAL_HOSTS = new Set(["mastodon.test", "bsky.test", "x.test", "graph.facebook.test", "telegram.test", "social.test"]);

export default defineConfig(async () => {
  const vapid = vapidKeys();
  const dkim = dkimKeys();
  const pushService = new PushStandIn({ origin: PUSH_ORIGIN, vapidPublicKey: vapid.publicKey });
  // Partners' webhook receivers: every delivery verified with the standardwebhooks library.
  const hooks = new WebhookStandIn();
  // A peer system abroad (issue 28): checks our CAP's signature with xmlsec1 and signs its own.
  const peer = new PeerStandIn({
    ourKeyPem: createPublicKey(createPrivateKey({ key: Buffer.from(publication, "base64url"), format: "der", type: "pkcs8" })).export({ type: "spki", format: "pem" }),
  });
  // Cloudflare Turnstile's Siteverify, as documented for its test keys.
  const turnstile = new TurnstileStandIn();
  // The five social networks' APIs, each as documented (issue 15).
  const social = new SocialStandIn();
  // The telephony provider's REST API (recordings), as documented (issue 23).
  const telephonyApi = new TelephonyApiStandIn({ authToken: "test-telephony-auth-token" });
  const migrations = await readD1Migrations("migrations");
  // A real SMTP server in this process: the relay the Worker's e-mail channel talks to.
  const smtp = new SmtpStandIn({ unref: true });
  const smtpPort = await smtp.start();
  // The same with TLS, as production relays are: implicit TLS (465 style) and STARTTLS
  // (587 style), with a certificate from a local CA that workerd trusts. workerd takes
  // trust from its own store, which Miniflare extends from NODE_EXTRA_CA_CERTS when it
  // loads: scripts/vitest.mjs (npm run test:worker) and npm test make the CA first.
  const ca = process.env.TEST_CA_JSON ? JSON.parse(readFileSync(process.env.TEST_CA_JSON, "utf8")) : null;
  const tls = await testCertificates("127.0.0.1", ca ?? undefined);
  const smtpTls = new SmtpStandIn({ secure: true, key: tls.key, cert: tls.cert, auth: { user: "relay", pass: "secret" }, unref: true });
  const smtpStartTls = new SmtpStandIn({ key: tls.key, cert: tls.cert, auth: { user: "relay", pass: "secret" }, unref: true });
  const [smtpTlsPort, smtpStartTlsPort] = [await smtpTls.start(), await smtpStartTls.start()];
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            TEST_FIXTURES: fixtures,
            APP_ORIGIN: "http://localhost:8787",
            RP_ID: "localhost",
            ENVIRONMENT: "test",
            RETENTION_HOURS: "1",
            POSTERS_ON_SAVE: "false",
            // Small ledger spans: the contract suite's few thousand recipients cross many shards and page parts.
            LEDGER_SPAN_KEYS: "512",
            // No head start for push in the runtime tests (bench:push-latency measures it): each channel's suite runs alone.
            PUSH_HEAD_START_S: "0",
            VAPID_PUBLIC_KEY: vapid.publicKey,
            VAPID_PRIVATE_KEY: vapid.privateKey,
            VAPID_SUBJECT: "mailto:alerts@child-alert.test",
            AUDIT_SIGNING_KEY: audit.privateKey.export({ format: "der", type: "pkcs8" }).toString("base64url"),
            AUDIT_PUBLIC_KEY: Buffer.from(audit.publicKey.export({ format: "der", type: "spki" }).subarray(-32)).toString("base64url"),
            PUSH_EXTRA_HOSTS: "push.test",
            WEBHOOK_EXTRA_HOSTS: "hooks.test,peer.test",
            TURNSTILE_ORIGIN: "https://turnstile.test",
            TURNSTILE_SITE_KEY: PASS_SITE_KEY,
            TURNSTILE_SECRET: PASS_SECRET,
            TELEPHONY_AUTH_TOKEN: "test-telephony-auth-token",
            METRICS_TOKEN: "test-metrics-token",
            PUBLICATION_SIGNING_KEY: publication,
            TELEPHONY_API_ORIGIN: "https://telephony-api.test",
            SOCIAL_CREDENTIALS_KEY: randomBytes(32).toString("base64url"),
            SOCIAL_EXTRA_HOSTS: "mastodon.test,bsky.test,x.test,graph.facebook.test,telegram.test",
            X_API_ORIGIN: "https://x.test",
            FACEBOOK_GRAPH_ORIGIN: "https://graph.facebook.test",
            TELEGRAM_API_ORIGIN: "https://telegram.test",
            TIP_ACK_MINUTES: "5",
            SMTP_HOST: "127.0.0.1",
            SMTP_PORT: String(smtpPort),
            SMTP_SECURITY: "none",
            MAIL_FROM: "Child Alert <alerts@child-alert.test>",
            EMAIL_TOKEN_SECRET: "test-secret-for-unsubscribe-links-0123456789",
            TEST_DKIM: JSON.stringify({ domain: dkim.domain, selector: dkim.selector, privateKey: dkim.privateKey }),
            TEST_SMTP_TLS: JSON.stringify({ trusted: !!ca, implicitPort: smtpTlsPort, startTlsPort: smtpStartTlsPort }),
          },
          outboundService: async (request: Request) => {
            const url = new URL(request.url);
            if (url.origin === "https://dkim.test") {
              // GET ?to=: the newest message the local relay accepted for that address; POST: a raw message.
              const raw = request.method === "POST" ? await request.text() : (smtp.messages as { to: string[]; raw: string }[]).filter((m) => m.to.includes(url.searchParams.get("to") ?? "")).at(-1)?.raw;
              if (!raw) return new Response("no such message", { status: 404 });
              return Response.json({ raw, results: await verifyDkim(raw, dkim) });
            }
            if (url.origin === "https://twilio.test") {
              // POST /sign {authToken, url, params}: the signature Twilio would send; /validate adds {signature}: does Twilio accept it?
              const b = (await request.json()) as { authToken: string; url: string; params: Record<string, string>; signature?: string };
              if (url.pathname === "/sign") return Response.json({ signature: twilio.getExpectedTwilioSignature(b.authToken, b.url, b.params) });
              return Response.json({ valid: twilio.validateRequest(b.authToken, b.signature ?? "", b.url, b.params) });
            }
            if (url.origin === PUSH_ORIGIN) return pushService.handle(request);
            if (url.origin === "https://hooks.test") return hooks.handle(request);
            if (url.origin === "https://peer.test") return peer.handle(request);
            if (url.origin === "https://turnstile.test") return turnstile.handle(request);
            if (url.origin === "https://telephony-api.test") return telephonyApi.handle(request);
            if (SOCIAL_HOSTS.has(url.host)) return social.handle(request);
            if (url.origin === SMTP_CONTROL) return smtp.handle(request);
            if (url.origin === "https://smtp-tls.test") return smtpTls.handle(request);
            if (url.origin === "https://smtp-starttls.test") return smtpStartTls.handle(request);
            return new Response(`outbound request to ${url.host} refused in tests`, { status: 502 });
          },
        },
      }),
    ],
    test: {
      include: ["worker/**/*.test.ts", "worker/**/*.test.tsx", "templates/**/*.test.ts", "templates/**/*.test.tsx"],
      setupFiles: ["./worker/test/apply-migrations.ts"],
      testTimeout: 30_000,
      // Two files at a time even on a 2-core machine (vitest's default there is one): a file
      // spends most of its time waiting on timers, stand-ins and workerd, not on a core.
      maxWorkers: 2,
    },
  };
});
