// Browser suite, e-mail: a person subscribes on the no-JavaScript page in Chromium and
// confirms with the button behind the link they received; a real alert goes out through
// the fan-out to the local SMTP server; its HTML part is rendered in Chromium as a mail
// client shows it (inline poster in place, nothing remote) at desktop and phone widths,
// with screenshots for the README; the one-click unsubscribe link works.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { d1 } from "../scripts/lib/local.mjs";
import { checkA11y } from "./lib/a11y.mjs";
import { ARTIFACTS, authorisedExercise, withStackAndBrowser } from "./lib/browser.mjs";

describe("e-mail in a real browser", () => {
  let stack;
  let browser;
  const address = "reader@example.org";
  withStackAndBrowser((s, b) => ((stack = s), (browser = b)));

  const mails = () => stack.mail.standin.list({ to: address });
  async function waitMail(pick, what) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const m = mails().find(pick);
      if (m) return m;
      if (Date.now() > deadline) throw new Error(`no ${what} e-mail`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it("subscribes on the page, confirms with the button behind the link: double opt-in", async () => {
    const { page } = browser;
    await page.goto(`${stack.origin}/subscribe/email?lang=en`);
    await page.getByRole("heading", { name: "Receive Child Alerts by e-mail" }).waitFor();
    await checkA11y(page, "e-mail subscribe page");
    await page.getByLabel("E-mail address").fill(address);
    await page.getByLabel("Namur").check();
    await page.getByLabel("Also receive exercises (marked EXERCISE)").check();
    await page.getByRole("button", { name: "Subscribe" }).click();
    await page.getByText("Almost done: we sent you an e-mail.").waitFor();
    assert.equal(d1("SELECT status FROM email_subscribers", { persistTo: stack.persistTo })[0].status, "pending");

    const confirmation = await waitMail((m) => m.headers["x-child-alert"] === "confirmation", "confirmation");
    const link = /https?:\/\/\S+\/email\/confirm\?t=[A-Za-z0-9_-]+&lang=en/.exec(confirmation.text)[0];
    await page.goto(link);
    assert.equal(d1("SELECT status FROM email_subscribers", { persistTo: stack.persistTo })[0].status, "pending"); // opening is not confirming
    await page.getByRole("button", { name: "Confirm my subscription" }).click();
    await page.getByText("Confirmed: you will receive Child Alerts by e-mail.").waitFor();
    assert.equal(d1("SELECT status FROM email_subscribers", { persistTo: stack.persistTo })[0].status, "active");
  });

  it("the alert e-mail renders as a mail client shows it, on a desktop and on a phone; one click unsubscribes", async () => {
    const { call, staff, alertId } = await authorisedExercise(stack, "email");
    const data = { alertId };
    // Let the poster set render (the e-mail carries the landscape poster inline).
    for (let i = 0; i < 120; i++) {
      const { data: set } = await call("GET", `/alerts/${data.alertId}/posters`, undefined, staff.cell.cookie);
      if (set.status === "ready") break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await call("POST", `/alerts/${data.alertId}/launch`, undefined, staff.cell.cookie);
    const alert = await waitMail((m) => m.headers["x-child-alert"]?.includes(`${data.alertId}; event=alert`), "alert");
    assert.match(alert.subject, /^EXERCISE — CHILD ALERT: Noa Voorbeeld, 8 years old$/);
    assert.equal(alert.attachments.length, 1);

    const { page } = browser;
    for (const [name, width] of [["desktop", 1000], ["phone", 375]]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`${stack.mail.web}/message/${alert.index}.html`);
      await page.getByText("Noa Voorbeeld").first().waitFor();
      // The inline poster is there and loaded; nothing overflows the screen.
      const poster = page.getByRole("img", { name: /CHILD ALERT: Noa Voorbeeld/ });
      await poster.waitFor();
      assert.ok(await poster.evaluate((img) => img.complete && img.naturalWidth === 1200));
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), `no horizontal scroll (${name})`);
      await page.getByText("116 000").first().waitFor();
      await page.screenshot({ path: join(ARTIFACTS, `email-alert-${name}.png`), fullPage: true });
    }
    await checkA11y(page, "alert e-mail");

    // The List-Unsubscribe link, used the way mail clients do (RFC 8058 one-click POST).
    const url = /^<(.+)>$/.exec(alert.headers["list-unsubscribe"])[1];
    const res = await fetch(url, { method: "POST", body: "List-Unsubscribe=One-Click", headers: { "Content-Type": "application/x-www-form-urlencoded" } });
    assert.equal(res.status, 200);
    assert.equal(d1("SELECT status FROM email_subscribers", { persistTo: stack.persistTo })[0].status, "unsubscribed");
    await call("POST", `/alerts/${data.alertId}/stop`, { reason: "found_safe" }, staff.magistrate.cookie);
  });
});
