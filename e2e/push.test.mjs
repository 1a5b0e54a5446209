// Browser suite, web push: a citizen subscribes from the real page in Chromium
// (permission asked on a click, service worker registered, subscription stored); a
// real alert goes out through the fan-out and the push-service stand-in decrypts it;
// that very payload is delivered to the service worker (CDP) and shown with the right
// title, tag and actions; the stop message replaces it.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { apiClient } from "../scripts/lib/drill.mjs";
import { d1 } from "../scripts/lib/local.mjs";
import { ARTIFACTS, authorisedExercise, openBrowser, startStack } from "./lib/browser.mjs";
import { startGcmStandIn } from "./lib/gcm-standin.mjs";

describe("web push in a real browser", () => {
  let stack;
  let browser;
  let gcm;
  before(async () => {
    stack = await startStack();
    gcm = await startGcmStandIn();
    browser = await openBrowser({ extraArgs: gcm.args });
    await browser.context.grantPermissions(["notifications"], { origin: stack.origin });
  });
  after(async () => {
    await browser?.close();
    await gcm?.close();
    await stack?.close();
  });

  it("the subscribe page asks on a click, registers the service worker and stores the subscription", async () => {
    const { page } = browser;
    await page.goto(`${stack.origin}/subscribe?lang=en`);
    await page.getByRole("heading", { name: "Receive Child Alerts" }).waitFor();
    await page.getByLabel("Liège").check();
    await page.getByLabel("Also receive exercises (marked EXERCISE)").check();
    await page.getByRole("button", { name: "Receive alerts" }).click();
    await page.getByText("Done: this device will receive Child Alerts.").waitFor({ timeout: 30_000 });
    const rows = d1("SELECT endpoint, lang, regions, exercise FROM subscriptions", { persistTo: stack.persistTo });
    assert.equal(rows.length, 1);
    assert.match(rows[0].endpoint, /^https:\/\/(fcm\.googleapis|jmt17\.google)\.com\/fcm\/send\//);
    assert.equal(rows[0].lang, "en");
    assert.deepEqual(JSON.parse(rows[0].regions).sort(), ["BE", "BE-WLG"]);
    assert.equal(rows[0].exercise, 1);
    await page.screenshot({ path: join(ARTIFACTS, "subscribe.png"), fullPage: true });
    // Reloading shows the current state and offers to leave; leaving deletes the subscription.
    await page.reload();
    await page.getByRole("button", { name: "Stop receiving" }).click();
    await page.getByText("You will no longer receive alerts on this device.").waitFor();
    assert.equal(d1("SELECT count(*) AS n FROM subscriptions", { persistTo: stack.persistTo })[0].n, 0);
  });

  it("a pushed alert shows with the poster text, tag and actions; the stop replaces it", async () => {
    const { page, cdp } = browser;
    // A real alert through the real pipeline, to a stand-in subscriber: its decrypted payload is what the browser gets.
    const sub = stack.push.standin.subscribe();
    await apiClient(stack.origin)("POST", "/push/subscriptions", { subscription: { endpoint: sub.endpoint, keys: sub.keys }, lang: "en", regions: ["BE"], exercise: true });
    const { call, staff, alertId } = await authorisedExercise(stack, "push");
    const data = { alertId };
    await call("POST", `/alerts/${alertId}/launch`, undefined, staff.cell.cookie);
    const waitFor = async (n) => {
      const deadline = Date.now() + 30_000;
      while (stack.push.standin.subs.get(sub.id).messages.length < n) {
        if (Date.now() > deadline) throw new Error("push not delivered");
        await new Promise((r) => setTimeout(r, 50));
      }
      return stack.push.standin.subs.get(sub.id).messages;
    };
    const [alertMsg] = await waitFor(1);

    // Deliver it to the page's service worker.
    const registrations = new Map();
    cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations: regs }) => {
      for (const r of regs) if (!r.isDeleted) registrations.set(r.scopeURL, r.registrationId);
    });
    await cdp.send("ServiceWorker.enable");
    const deadline = Date.now() + 10_000;
    while (!registrations.get(`${stack.origin}/`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const registrationId = registrations.get(`${stack.origin}/`);
    assert.ok(registrationId, "service worker registration");
    const notifications = () =>
      page.evaluate(async () =>
        (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, actions: n.actions.map((a) => a.action), image: n.image })),
      );
    // The service worker writes one console line per message it handled; the test reads the
    // notifications only after it (Chromium's getNotifications, called while a notification is
    // still being displayed, can drop that notification: polling during the display made this test flaky).
    const handled = [];
    browser.context.on("console", (m) => m.text().startsWith("child-alert push ") && handled.push(m.text()));
    const deliver = async (payload) => {
      const seen = handled.length;
      await cdp.send("ServiceWorker.deliverPushMessage", { origin: stack.origin, registrationId, data: JSON.stringify(payload) });
      const prefix = `child-alert push ${payload.tag} ${payload.type} v${payload.version ?? 0}: `;
      const deadline = Date.now() + 30_000;
      let line;
      while (!(line = handled.slice(seen).find((l) => l.startsWith(prefix)))) {
        if (Date.now() > deadline) throw new Error(`the service worker never handled ${prefix}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return line.slice(prefix.length);
    };

    // The text shows at once; the poster follows in place (a data: URL, no second download).
    assert.match(alertMsg.payload.image, /\/poster\/push-en\.png$/);
    assert.equal(await deliver(alertMsg.payload), "shown with its poster");
    let shown = await notifications();
    assert.equal(shown.length, 1);
    assert.equal(shown[0].tag, data.alertId);
    assert.match(shown[0].title, /^EXERCISE — CHILD ALERT: Noa Voorbeeld, 8 years old/);
    assert.match(shown[0].body, /116 000/);
    assert.deepEqual(shown[0].actions, ["call", "tip"]);
    assert.match(shown[0].image, /^data:image\/png;base64,iVBORw0KGgo/);

    // A duplicate replaces, never stacks.
    assert.equal(await deliver(alertMsg.payload), "shown with its poster");
    assert.equal((await notifications()).length, 1);

    // A newer version replaces it; a late retry of the older one is ignored.
    const v2 = { ...alertMsg.payload, type: "update", version: alertMsg.payload.version + 1, body: "VERSION TWO" };
    assert.equal(await deliver(v2), "shown with its poster");
    assert.deepEqual((await notifications()).map((n) => n.body), ["VERSION TWO"]);
    assert.equal(await deliver(alertMsg.payload), "ignored (a newer version or the end was shown)");
    assert.deepEqual((await notifications()).map((n) => n.body), ["VERSION TWO"]);

    // Stop: "found — thank you" replaces the alert.
    await call("POST", `/alerts/${data.alertId}/stop`, { reason: "found_safe" }, staff.magistrate.cookie);
    const msgs = await waitFor(2);
    assert.equal(await deliver(msgs[1].payload), "shown");
    shown = await notifications();
    assert.equal(shown.length, 1);
    assert.match(shown[0].title, /CHILD FOUND/);
    assert.equal(shown[0].tag, data.alertId);
    assert.doesNotMatch(JSON.stringify(shown), /Noa/);
    // Content arriving after the stop (a late retry) never brings the child's notification back.
    assert.equal(await deliver(v2), "ignored (a newer version or the end was shown)");
    assert.match((await notifications())[0].title, /CHILD FOUND/);

    // The public page now only thanks.
    await page.goto(`${stack.origin}/alert/${data.alertId}?lang=en`);
    await page.getByRole("heading", { name: "CHILD FOUND" }).waitFor();
  });
});
