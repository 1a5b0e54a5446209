// Accessibility (axe-core, WCAG 2 A/AA) of every page built so far: the citizen pages in
// each language, and the staff screens. No serious or critical violation allowed.
import { after, before, describe, it } from "node:test";
import { apiClient, concert, signOff, staffFor } from "../scripts/lib/drill.mjs";
import { createInvitations } from "../scripts/lib/local.mjs";
import { DEMO_CONTENT, DEMO_FILE } from "../scripts/seed.mjs";
import { checkA11y } from "./lib/a11y.mjs";
import { openBrowser, startStack } from "./lib/browser.mjs";

describe("accessibility (axe-core)", () => {
  let stack;
  let browser;
  let alertId;
  let staff;
  before(async () => {
    stack = await startStack();
    browser = await openBrowser();
    staff = await staffFor(
      stack.origin,
      ["cell", "investigator", "operator", "counsellor", "magistrate"].map((role) => ({ email: `${role}@a11y.e2e`, displayName: role, role })),
      { persistTo: stack.persistTo },
    );
    const call = apiClient(stack.origin);
    const { data } = await call("POST", "/alerts", { exercise: true, content: DEMO_CONTENT, file: DEMO_FILE }, staff.cell.cookie);
    alertId = data.alertId;
    await concert(stack.origin, staff, alertId);
    await call("POST", `/alerts/${alertId}/launch`, undefined, staff.cell.cookie);
    // Issue 29: a published search notice, for the public list (which shows real notices only).
    const { data: notice } = await call("POST", "/alerts", { exercise: false, content: DEMO_CONTENT, file: DEMO_FILE, kind: "search_notice", initiative: "parents" }, staff.operator.cookie);
    await concert(stack.origin, staff, notice.alertId, () => {}, { authorise: false });
    await signOff(stack.origin, staff, "magistrate", notice.alertId, "authorisation", { riskAssessment: "A public search campaign is opportune for this child." });
    await call("POST", `/alerts/${notice.alertId}/launch`, undefined, staff.operator.cookie);
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it("citizen pages: subscribe, the live alert page and the search notices' list, in every language", async () => {
    const { page } = browser;
    for (const lang of ["fr", "nl", "de", "en"]) {
      await page.goto(`${stack.origin}/subscribe?lang=${lang}`);
      await checkA11y(page, `/subscribe?lang=${lang}`);
      await page.goto(`${stack.origin}/alert/${alertId}?lang=${lang}`);
      await checkA11y(page, `/alert?lang=${lang}`);
      // The public list of search notices (issue 29), with one notice and its filters.
      await page.goto(`${stack.origin}/notices?lang=${lang}`);
      await page.locator(".notice-item").first().waitFor();
      await checkA11y(page, `/notices?lang=${lang}`);
    }
  });

  it("staff screens: invitation, sign-in, alert list, alert screen; the public page after the stop", async () => {
    const { page } = browser;
    const [inv] = createInvitations([{ email: "ada.a11y@e2e.test", displayName: "Ada", role: "operator" }], { origin: stack.origin, persistTo: stack.persistTo });
    await page.goto(inv.link);
    await page.getByRole("button", { name: "Create my passkey" }).waitFor();
    await checkA11y(page, "invitation");
    await page.getByRole("button", { name: "Create my passkey" }).click();
    await page.locator("#signed-in").waitFor({ timeout: 15_000 });
    await page.locator("table").waitFor();
    await checkA11y(page, "alert list");
    await page.goto(`${stack.origin}/alerts/${alertId}`);
    await page.locator("#alert-state").waitFor();
    await checkA11y(page, "alert screen");
    await page.goto(`${stack.origin}/`);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("button", { name: "Sign in with a passkey" }).waitFor();
    await checkA11y(page, "sign-in");
    await apiClient(stack.origin)("POST", `/alerts/${alertId}/stop`, { reason: "found_safe" }, staff.cell.cookie);
    await page.goto(`${stack.origin}/alert/${alertId}?lang=fr`);
    await checkA11y(page, "public page after the stop");
  });
});
