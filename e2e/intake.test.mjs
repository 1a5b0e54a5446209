// Browser suite, the 116 000 intake (issue 14): a citizen sends a tip from the public
// alert page (Turnstile stand-in widget); the case's investigator sees it arrive live on
// the alert's screen and acknowledges it; a simulated provider puts a caller in the
// alert's queue, the call-taker's console shows the caller live, takes the call and
// records an urgent tip, which reaches the investigator live too. axe on both screens;
// screenshots for the README.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { checkA11y } from "./lib/a11y.mjs";
import { ARTIFACTS, authorisedExercise, openPeople, signInByInvitation, startStack } from "./lib/browser.mjs";
import { LOCAL_TELEPHONY_TOKEN } from "../scripts/lib/local.mjs";
import { ownDeviceLink } from "../scripts/lib/drill.mjs";
import { telephonyProvider } from "../scripts/lib/telephony.mjs";

describe("the 116 000 intake in a real browser", () => {
  let stack;
  let browser;
  before(async () => {
    stack = await startStack();
    browser = await openPeople(["citizen", "calltaker", "investigator", "admin"]);
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it("web tip → investigator live → acknowledged; a call queued → taken in the console → its urgent tip reaches the investigator", async () => {
    const { citizen, calltaker, investigator } = browser.people;
    const { call, staff, alertId } = await authorisedExercise(stack, "intake");
    await call("POST", `/alerts/${alertId}/launch`, undefined, staff.cell.cookie);

    // The case's investigator (who signed off) opens the alert on a second device of theirs.
    const data = await ownDeviceLink(stack.origin, staff.investigator);
    await investigator.page.goto(data.link);
    await investigator.page.getByRole("button", { name: "Create my passkey" }).click();
    await investigator.page.locator("#signed-in").waitFor({ timeout: 15_000 });
    await investigator.page.goto(`${stack.origin}/alerts/${alertId}`);
    await investigator.page.locator("#tips-card").waitFor();
    await investigator.page.locator(".live-dot.open").waitFor({ timeout: 15_000 });

    // A citizen, from the push action "I have information" (#tip), without contact details.
    const page = citizen.page;
    await page.goto(`${stack.origin}/alert/${alertId}?lang=en#tip`);
    await page.locator('.cf-turnstile[data-standin="turnstile"]').waitFor({ state: "attached" });
    await page.getByLabel("What you saw").fill("A girl in a yellow raincoat with a man, platform 3 of Namur station");
    await page.getByLabel("Where").fill("Namur station");
    await page.getByLabel("When").fill("10 minutes ago");
    await page.getByLabel("I stay anonymous").check();
    await checkA11y(page, "public alert page with the tip form");
    const sentAt = Date.now();
    await page.getByRole("button", { name: "Send to the investigators" }).click();
    await page.getByText("Thank you. Your information has arrived.").waitFor();

    // Live on the investigator's screen (no reload), then acknowledged.
    const tip = investigator.page.locator(".tip", { hasText: "yellow raincoat" });
    await tip.waitFor({ timeout: 10_000 });
    const seenMs = Date.now() - sentAt;
    await investigator.page.getByRole("button", { name: "Acknowledge" }).first().click();
    await tip.getByText(/Acknowledged at/).waitFor();
    await investigator.page.locator("#intake-figures", { hasText: "1 tips, 1 acknowledged" }).waitFor();

    // The call-taker's console: a caller queued by the (simulated) provider shows up live.
    await signInByInvitation(calltaker.page, stack, { email: "calltaker@intake.e2e", displayName: "Call-taker", role: "calltaker" });
    const consolePage = calltaker.page;
    await consolePage.goto(`${stack.origin}/intake`);
    const card = consolePage.locator(`[data-alert="${alertId}"]`);
    await card.locator(`#queue-${alertId}`, { hasText: "0 caller(s) waiting" }).waitFor();
    const provider = telephonyProvider(stack.origin, LOCAL_TELEPHONY_TOKEN);
    const caller = await provider.call({ lang: "en", from: "+32470123456", drill: true });
    assert.equal(caller.queued, true);
    assert.match(caller.heard, /number 1 in the queue/);
    await card.locator(`#queue-${alertId}`, { hasText: "1 caller(s) waiting" }).waitFor({ timeout: 10_000 });
    await checkA11y(consolePage, "call-taker console");
    await consolePage.screenshot({ path: join(ARTIFACTS, "intake-console.png"), fullPage: true });
    await card.getByRole("button", { name: "Take the next call" }).click();
    await card.getByText(/Your call: EN/).waitFor();
    assert.equal(await card.getByLabel("Caller's phone").inputValue(), "+32470123456");
    // Keyboard only: the form in tab order.
    await card.getByLabel("What the caller saw").focus();
    await consolePage.keyboard.type("The caller saw the white van on the E411 towards Luxembourg");
    await card.getByLabel("Where").fill("E411, Wavre exit");
    await card.getByLabel(/Urgent/).check();
    await card.getByLabel("Your assessment of the information").selectOption("plausible");
    await card.getByRole("button", { name: "Send to the investigators" }).click();
    await card.getByText("Sent to the investigators.").waitFor();
    await provider.left(caller, "bridged");
    await card.locator(".tip", { hasText: "E411" }).waitFor();

    // The urgent tip reaches the investigator live.
    const urgent = investigator.page.locator(".tip.urgent", { hasText: "E411" });
    await urgent.waitFor({ timeout: 10_000 });
    assert.match(await urgent.innerText(), /URGENT · call/);
    await checkA11y(investigator.page, "alert screen with tips");
    await investigator.page.locator("#tips-card").screenshot({ path: join(ARTIFACTS, "intake-tips.png") });
    console.log(`web tip on the investigator's screen ${seenMs} ms after the citizen pressed Send`);
  });

  it("the admin configures the line: provider, routing number, normal hotline; the webhook URLs to enter are shown", async () => {
    const { page } = browser.people.admin;
    await signInByInvitation(page, stack, { email: "admin@intake.e2e", displayName: "Admin", role: "admin" });
    await page.goto(`${stack.origin}/admin`);
    const card = page.locator("section", { has: page.locator("#line-h") });
    await card.getByLabel("Provider").selectOption("telnyx");
    await card.getByLabel("Routing number").fill("+3227000000");
    await card.getByLabel("Normal 116 000 line").fill("+3225551212");
    await card.getByRole("button", { name: "Save the line" }).click();
    await card.getByRole("status").waitFor();
    await card.getByText(`POST ${stack.origin}/telephony/voice`, { exact: true }).waitFor();
    await card.getByText(`POST ${stack.origin}/telephony/voice?drill=1`, { exact: true }).waitFor();
    await card.getByText(/auth token is set/).waitFor();
    // The line now sends callers of another number to the admin's hotline.
    const provider = telephonyProvider(stack.origin, LOCAL_TELEPHONY_TOKEN);
    const heard = await provider.post("/telephony/voice", { AccountSid: `AC${"0".repeat(32)}`, CallSid: `CA${"c".repeat(32)}`, From: "+32470000000", To: "+3220000001", CallStatus: "ringing" });
    assert.equal(String(heard.Dial), "+3225551212");
    await checkA11y(page, "admin with the 116 000 line");
  });
});
