// Browser-test harness: a Worker under `wrangler dev` on its own port and state folder,
// and Debian Chromium driven by playwright-core with a CDP virtual authenticator.
import { PASS_SECRET, PASS_SITE_KEY, startTurnstileStandIn } from "./turnstile-standin.mjs";
import { after, before } from "node:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { applyMigrations, createInvitations, LOCAL_TELEPHONY_TOKEN, ROOT, startWorker, vapidKeys, auditKeys, publicationSigningKey } from "../../scripts/lib/local.mjs";
import { startPushStandIn } from "./push-standin.mjs";
import { startSmtpCatcher } from "./smtp-standin.mjs";
import { startSocialStandIn } from "./social-standin.mjs";
import { apiClient, concert, staffFor } from "../../scripts/lib/drill.mjs";
import { demoContentIn, DEMO_FILE } from "../../scripts/seed.mjs";
import { randomBytes } from "node:crypto";

/**
 * Where the browser suite writes its screenshots and rendered posters: an ignored folder,
 * so a test run leaves the working tree clean. `npm run screenshots` copies the README's
 * images from the last run into docs/screenshots/.
 */
export const ARTIFACTS = process.env.E2E_ARTIFACTS ?? join(ROOT, ".test-results", "screenshots");
/**
 * Chromium hands out endpoints on its staging push host when its GCM URLs are overridden
 * (as the browser tests do to subscribe offline). Allowed in the test stack only; the
 * tests unsubscribe before any alert goes out, so nothing is ever sent there.
 */
const CHROMIUM_STAGING_PUSH_HOST = "jmt17.google.com";
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

/** A fresh local deployment: migrated D1 in a temp folder, Worker on a free port. */
export async function startStack({ socialLatencyMs = 0, onLog, vars: extraVars = {} } = {}) {
  const persistTo = mkdtempSync(join(tmpdir(), "child-alert-e2e-"));
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  applyMigrations({ persistTo });
  const vapid = vapidKeys();
  const push = await startPushStandIn({ vapidPublicKey: vapid.VAPID_PUBLIC_KEY });
  const mail = await startSmtpCatcher();
  const turnstile = await startTurnstileStandIn();
  // The five social networks' APIs (bench:social gives them a realistic latency).
  const social = await startSocialStandIn({ latencyMs: socialLatencyMs });
  const worker = await startWorker({
    port,
    persistTo,
    // E2E_WORKER_LOG=1 prints the Worker's log lines (wrangler dev) with the test output.
    log: onLog ?? process.env.E2E_WORKER_LOG === "1",
    vars: {
      APP_ORIGIN: origin,
      RP_ID: "localhost",
      ENVIRONMENT: "test",
      PUSH_EXTRA_HOSTS: `${new URL(push.origin).host},${CHROMIUM_STAGING_PUSH_HOST}`,
      ...vapid,
      SMTP_HOST: "127.0.0.1",
      SMTP_PORT: String(mail.smtpPort),
      SMTP_SECURITY: "none",
      MAIL_FROM: "Child Alert (test) <alerts@child-alert.test>",
      EMAIL_TOKEN_SECRET: randomBytes(32).toString("base64url"),
      TURNSTILE_ORIGIN: turnstile.origin,
      TURNSTILE_SITE_KEY: PASS_SITE_KEY,
      TURNSTILE_SECRET: PASS_SECRET,
      TELEPHONY_AUTH_TOKEN: LOCAL_TELEPHONY_TOKEN,
      SOCIAL_CREDENTIALS_KEY: randomBytes(32).toString("base64url"),
      SOCIAL_EXTRA_HOSTS: new URL(social.origin).host,
      X_API_ORIGIN: social.origin,
      FACEBOOK_GRAPH_ORIGIN: social.origin,
      TELEGRAM_API_ORIGIN: social.origin,
      ...auditKeys(),
      PUBLICATION_SIGNING_KEY: publicationSigningKey(),
      METRICS_TOKEN: "e2e-metrics-token",
      ...extraVars,
    },
  });
  return {
    origin,
    persistTo,
    push,
    mail,
    social,
    async close() {
      worker.stop();
      await push.close();
      await mail.close();
      await turnstile.close();
      await social.close();
      rmSync(persistTo, { recursive: true, force: true });
    },
  };
}

const AUTHENTICATOR = {
  protocol: "ctap2",
  transport: "internal",
  hasResidentKey: true,
  hasUserVerification: true,
  isUserVerified: true,
  automaticPresenceSimulation: true,
};

/**
 * One Chromium, one isolated context per person (own cookies, own storage) and a virtual
 * passkey authenticator on each person's page: several staff members at once.
 */
export async function openPeople(names, { locale = "en-GB" } = {}) {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install it with 'apt-get install -y chromium' (see .ci/run)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
  const people = {};
  for (const name of names) {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    await cdp.send("WebAuthn.addVirtualAuthenticator", { options: AUTHENTICATOR });
    people[name] = { context, page };
  }
  return { people, close: () => browser.close() };
}

/** Chromium with a virtual passkey authenticator (CTAP2, resident keys, user verification). */
export async function openBrowser({ extraArgs = [] } = {}) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it with 'apt-get install -y chromium' (see .ci/run)`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), "child-alert-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1200, height: 800 },
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", ...extraArgs],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", { options: AUTHENTICATOR });
  return {
    context,
    page,
    cdp,
    authenticatorId,
    setUserVerified: (isUserVerified) => cdp.send("WebAuthn.setUserVerified", { authenticatorId, isUserVerified }),
    credentials: async () => (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * The usual frame of a browser suite: a fresh stack and one Chromium before the tests,
 * both closed after. `use(stack, browser)` receives them.
 */
export function withStackAndBrowser(use) {
  let stack;
  let browser;
  before(async () => {
    stack = await startStack();
    browser = await openBrowser();
    use(stack, browser);
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });
}

/** Invites a staff member and accepts the invitation in `page`: a new passkey, signed in as them. */
/**
 * A page signed in with a session made over the API (scripts/lib/drill.mjs staffFor): no
 * second passkey registration, which would spend the shared per-client rate limit of the
 * public endpoints that a browser file's many sign-ins already use.
 */
export async function useSession(page, stack, person) {
  const [name, ...value] = person.cookie.split("=");
  await page.context().clearCookies();
  // As the Worker sets it: a __Host- cookie (Secure, Path=/, no Domain; Chromium keeps Secure cookies on localhost).
  const host = new URL(stack.origin).hostname;
  await page.context().addCookies([{ name, value: value.join("="), domain: host, path: "/", secure: true, httpOnly: true, sameSite: "Strict" }]);
}

export async function signInByInvitation(page, stack, person) {
  const [inv] = createInvitations([person], { origin: stack.origin, persistTo: stack.persistTo });
  await page.goto(inv.link);
  await page
    .getByRole("button", { name: "Create my passkey" })
    .click()
    .catch(async (err) => {
      throw new Error(`no "Create my passkey" on the invitation page; it shows: ${(await page.locator("main").innerText().catch(() => "?")).slice(0, 300)}`, { cause: err });
    });
  await page
    .locator("#signed-in", { hasText: person.displayName })
    .waitFor({ timeout: 15_000 })
    .catch(async (err) => {
      throw new Error(`not signed in as ${person.displayName}; the page shows: ${(await page.locator("main").innerText().catch(() => "?")).slice(0, 300)}`, { cause: err });
    });
}

/**
 * An authorised exercise alert about the demo child (English and French unless told), drafted and taken
 * through concertation over the API by a fresh team (`tag` keeps their addresses apart).
 */
export async function authorisedExercise(stack, tag, languages = ["en", "fr"]) {
  const call = apiClient(stack.origin);
  const staff = await staffFor(
    stack.origin,
    ["cell", "investigator", "operator", "counsellor", "magistrate"].map((role) => ({ email: `${role}@${tag}.e2e`, displayName: role, role })),
    { persistTo: stack.persistTo },
  );
  const { data } = await call("POST", "/alerts", { exercise: true, content: demoContentIn(languages, { targeting: { regions: ["BE"], languages } }), file: DEMO_FILE }, staff.cell.cookie);
  await concert(stack.origin, staff, data.alertId);
  return { call, staff, alertId: data.alertId };
}
