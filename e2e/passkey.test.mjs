// Browser test: a staff member opens an invitation link, creates a passkey in Chromium
// (CDP virtual authenticator), lands signed in, signs out and signs in again with it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createInvitations, ROOT } from "../scripts/lib/local.mjs";
import { seed } from "../scripts/seed.mjs";
import { ARTIFACTS, openBrowser, startStack } from "./lib/browser.mjs";

describe("staff passkeys in a real browser", () => {
  let stack;
  let browser;
  before(async () => {
    stack = await startStack();
    await seed({ origin: stack.origin, persistTo: stack.persistTo });
    browser = await openBrowser();
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it("the dashboard's files are served with the same security headers as the Worker's pages (dashboard/public/_headers)", async () => {
    for (const path of ["/", "/alerts", "/invite"]) {
      const res = await fetch(`${stack.origin}${path}`);
      assert.match(res.headers.get("content-type") ?? "", /text\/html/, path);
      const csp = res.headers.get("content-security-policy") ?? "";
      assert.match(csp, /script-src 'self'(;|$)/, `${path}: ${csp}`);
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff", path);
      assert.equal(res.headers.get("referrer-policy"), "strict-origin-when-cross-origin", path);
    }
  });

  it("registers a passkey from an invitation link and is signed in", async () => {
    const [inv] = createInvitations([{ email: "chloe.cell@example.test", displayName: "Chloé Cell", role: "cell" }], {
      origin: stack.origin,
      persistTo: stack.persistTo,
    });
    const { page } = browser;
    await page.goto(inv.link);
    await page.getByText("You are invited as").waitFor();
    assert.match(await page.textContent("main"), /cell/);
    await page.getByRole("button", { name: "Create my passkey" }).click();
    await page.locator("#signed-in").waitFor({ timeout: 15_000 });
    assert.equal(await page.textContent("#signed-in"), "Chloé Cell · missing-persons cell");
    assert.equal((await browser.credentials()).length, 1, "the passkey lives in the authenticator");
    // The seeded demo draft is listed with who it waits on.
    await page.getByRole("cell", { name: "Noa" }).waitFor();
    assert.match(await page.textContent("table"), /draft/);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-alerts.png"), fullPage: true });
  });

  it("the invitation link cannot be used twice", async () => {
    const [inv] = createInvitations([{ email: "once@example.test", displayName: "Once", role: "operator" }], {
      origin: stack.origin,
      persistTo: stack.persistTo,
    });
    const { page } = browser;
    await page.goto(inv.link);
    await page.getByRole("button", { name: "Create my passkey" }).click();
    await page.locator("#signed-in", { hasText: "Once" }).waitFor({ timeout: 15_000 });
    await page.goto(inv.link);
    await page.getByRole("alert").waitFor();
    assert.match(await page.getByRole("alert").textContent(), /unknown, expired or already used/);
  });

  it("signs out, then signs in again with the same passkey", async () => {
    const { page } = browser;
    await page.goto(`${stack.origin}/`);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("button", { name: "Sign in with a passkey" }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "sign-in.png") });
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await page.locator("#signed-in").waitFor({ timeout: 15_000 });
    assert.match(await page.textContent("#signed-in"), /· (missing-persons cell|operator)$/);
  });

  it("refuses a sign-in without user verification", async () => {
    const { page } = browser;
    await page.getByRole("button", { name: "Sign out" }).click();
    await browser.setUserVerified(false);
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await page.getByRole("alert").waitFor({ timeout: 15_000 });
    assert.equal(await page.locator("#signed-in").count(), 0);
    await browser.setUserVerified(true);
  });

  it("every step was audited and the chain verifies (npm run audit:verify)", () => {
    const r = spawnSync(process.execPath, [join(ROOT, "scripts", "audit-verify.mjs"), "--persist-to", stack.persistTo, "--origin", stack.origin], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /audit chain OK: \d+ entries/);
    // No launch here, so no head published yet: said, not an error.
    assert.match(r.stdout, /published heads: none yet|published heads OK/);
  });
});
