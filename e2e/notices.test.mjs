// Browser suite, rule 9: the launch of an alert e-mails the federal police's and the
// cell's mailboxes and the case's investigator (no child data), and a cell member's
// inbox counts the unread notices live and opens the alert. Its own stack: the public
// rate limit (30 a minute per client) is not shared with the other dashboard tests.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { apiClient, concert, staffFor } from "../scripts/lib/drill.mjs";
import { DEMO_CONTENT, DEMO_FILE } from "../scripts/seed.mjs";
import { checkA11y } from "./lib/a11y.mjs";
import { ARTIFACTS, signInByInvitation, withStackAndBrowser } from "./lib/browser.mjs";

describe("the authorities informed: e-mail and the inbox", () => {
  let stack;
  let browser;
  withStackAndBrowser((s, b) => ((stack = s), (browser = b)));

  it("rule 9: the launch e-mails the authorities' mailboxes; the inbox counts the unread live and opens the alert", async () => {
    const { page } = browser;
    const call = apiClient(stack.origin);
    const staff = await staffFor(
      stack.origin,
      ["cell", "investigator", "operator", "counsellor", "magistrate", "admin"].map((role) => ({ email: `${role}@inbox.test`, displayName: role, role })),
      { persistTo: stack.persistTo },
    );
    // The admin sets the mailboxes (the admin screen's form is driven in the drill).
    await call("PUT", "/admin/mailboxes", { federal_police: ["dispatch@police.test"], cell: ["cell-desk@police.test", "duty@police.test"] }, staff.admin.cookie);
    await signInByInvitation(page, stack, { email: "carla.cell@dash.e2e", displayName: "Carla Cell", role: "cell" });
    const { data } = await call("POST", "/alerts", { exercise: true, content: DEMO_CONTENT, file: DEMO_FILE }, staff.cell.cookie);
    const id = data.alertId;
    await concert(stack.origin, staff, id);
    // The submission asked the cell for its sign-off: in the header's count.
    await page.goto(`${stack.origin}/`);
    const count = async () => Number((await page.locator("#inbox-count").textContent({ timeout: 15_000 })).replace(/\D+/g, ""));
    await page.locator("#inbox-count").waitFor({ timeout: 15_000 });
    const before = await count();

    await call("POST", `/alerts/${id}/launch`, undefined, staff.cell.cookie);
    // The launch notice arrives without a reload (the board's live feed).
    await page.waitForFunction((n) => Number((document.querySelector("#inbox-count")?.textContent ?? "").replace(/\D+/g, "")) > n, before, { timeout: 15_000 });
    for (const to of ["dispatch@police.test", "cell-desk@police.test", "duty@police.test", "investigator@inbox.test"]) {
      for (let i = 0; i < 100 && !stack.mail.standin.list({ to }).some((m) => m.subject?.includes("launched")); i++) await new Promise((r) => setTimeout(r, 100));
      const mail = stack.mail.standin.list({ to }).find((m) => m.subject?.includes("launched"));
      assert.ok(mail, `launch e-mail to ${to}`);
      assert.match(mail.subject, /^\[EXERCISE\] Child Alert [0-9a-f]{8}: launched$/);
      assert.ok(mail.text.includes(`${stack.origin}/alerts/${id}`));
      assert.ok(!mail.text.includes(DEMO_CONTENT.child.firstName) && !mail.html.includes(DEMO_CONTENT.child.firstName), "no child data in a staff e-mail");
    }

    await page.getByRole("link", { name: /^Inbox/ }).click();
    await page.locator("#inbox li.unread", { hasText: "Alert launched" }).first().waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-inbox.png"), fullPage: true });
    await checkA11y(page, "inbox");
    const unread = await count();
    await page.locator("#inbox li.unread a", { hasText: "Alert launched" }).first().click();
    await page.locator("#alert-state", { hasText: "live" }).waitFor({ timeout: 15_000 });
    await page.waitForFunction((n) => Number((document.querySelector("#inbox-count")?.textContent ?? "0").replace(/\D+/g, "")) === n - 1, unread);
    await call("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, staff.cell.cookie);
  });
});
