// Browser suite, the drill: four people — cell, investigator, operator, magistrate — each
// in their own browser context with their own passkey, run a whole (exercise) alert through
// the dashboard: draft with a photo, concertation (with a change that resets the sign-offs),
// the parents' side, authorisation, launch, live counters, extension, stop. A second screen
// sees every step live. axe-core checks each screen on the way; screenshots for the README.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { apiClient, staffFor } from "../scripts/lib/drill.mjs";
import { createInvitations, ROOT } from "../scripts/lib/local.mjs";
import { DEMO_CONTENT } from "../scripts/seed.mjs";
import { checkA11y } from "./lib/a11y.mjs";
import { ARTIFACTS, openPeople, startStack } from "./lib/browser.mjs";

const T = { timeout: 20_000 };
const PEOPLE = [
  ["cell", "Claire Cell"],
  ["investigator", "Ivan Investigator"],
  ["operator", "Olivia Operator"],
  ["magistrate", "Marc Magistrate"],
  ["admin", "Ada Admin"],
];

describe("the drill through the dashboard: four people, one alert", () => {
  let stack;
  let browsers;
  let p; // role → page
  let alertId;
  let sub;
  before(async () => {
    stack = await startStack();
    browsers = await openPeople(PEOPLE.map(([role]) => role));
    p = Object.fromEntries(Object.entries(browsers.people).map(([k, v]) => [k, v.page]));
    sub = stack.push.standin.subscribe();
    await apiClient(stack.origin)("POST", "/push/subscriptions", { subscription: { endpoint: sub.endpoint, keys: sub.keys }, lang: "fr", regions: ["BE"], exercise: true });
  });
  after(async () => {
    await browsers?.close();
    await stack?.close();
  });

  const state = (page, s) => page.locator("#alert-state", { hasText: s }).waitFor(T);
  const party = (page, kind) => page.locator(`#parties tr[data-party="${kind}"]`);

  it("everyone accepts their invitation with a passkey and lands on the alert list", async () => {
    const links = createInvitations(
      PEOPLE.map(([role, displayName]) => ({ email: `${role}@drill.e2e`, displayName, role })),
      { origin: stack.origin, persistTo: stack.persistTo },
    );
    for (const { role, link } of links) {
      const page = p[role];
      await page.goto(link);
      await page.getByRole("button", { name: "Create my passkey" }).waitFor(T);
      if (role === "cell") await checkA11y(page, "invitation");
      await page.getByRole("button", { name: "Create my passkey" }).click();
      await page.locator("#signed-in").waitFor(T);
    }
    await p.cell.getByRole("heading", { name: "Alerts" }).waitFor(T);
    await checkA11y(p.cell, "alert list");
    // Sign out and back in with the passkey.
    await p.investigator.getByRole("button", { name: "Sign out" }).click();
    await p.investigator.getByRole("button", { name: "Sign in with a passkey" }).waitFor(T);
    await checkA11y(p.investigator, "sign-in");
    await p.investigator.getByRole("button", { name: "Sign in with a passkey" }).click();
    await p.investigator.locator("#signed-in", { hasText: "Ivan Investigator" }).waitFor(T);
  });

  it("the cell drafts the alert: inline validation, photo upload, poster previews", async () => {
    const page = p.cell;
    // The magistrate keeps the alert list open: new alerts and their states arrive live.
    await p.magistrate.getByRole("heading", { name: "Alerts" }).waitFor(T);
    await p.magistrate.locator(".title-row .live-dot.open").waitFor(T);
    await page.getByRole("link", { name: "New alert" }).first().click();
    await page.getByRole("heading", { name: "New alert" }).waitFor(T);
    // Submitting an empty form shows what is missing, next to each field; nothing is created.
    await page.getByRole("button", { name: "Create the draft" }).click();
    await page.getByText("The purpose attestation is required (rule 5).").waitFor(T);
    assert.equal(await page.locator("#f-firstName").getAttribute("aria-invalid"), "true");
    assert.deepEqual(await page.evaluate(() => fetch("/api/v1/alerts").then((r) => r.json())), { alerts: [] });
    await checkA11y(page, "editor with errors");

    await page.getByLabel("First name").fill("Lina");
    await page.getByLabel("Last name").fill("Exemple");
    await page.getByLabel("Age", { exact: true }).fill("9");
    // French and Dutch, side by side (German and English not targeted for this one).
    await page.getByRole("checkbox", { name: "German", exact: true }).uncheck();
    await page.getByRole("checkbox", { name: "English", exact: true }).uncheck();
    assert.equal(await page.getByLabel("Description (German)").count(), 0);
    await page.getByLabel("Description (French)").fill("Mince, cheveux bruns mi-longs, yeux bleus, 1 m 30.");
    await page.getByLabel("Description (Dutch)").fill("Slank, halflang bruin haar, blauwe ogen, 1 m 30.");
    await page.getByLabel("Clothing (French)").fill("Imperméable rouge, jean bleu, baskets blanches.");
    // A copy from French is a starting point, marked until it is edited.
    await page.getByRole("group", { name: "Clothing" }).getByRole("button", { name: "Copy from French" }).click();
    assert.equal(await page.getByLabel("Clothing (Dutch)").inputValue(), "Imperméable rouge, jean bleu, baskets blanches.");
    await page.getByRole("group", { name: "Clothing" }).locator(".lang.copied").getByText("Copied from another language").waitFor(T);
    await page.getByLabel("Place (French)").fill("Namur, place d'Armes");
    await page.getByLabel("Date and time").fill("2026-11-23T07:30");
    await page.getByLabel("Vehicle (French)").fill("Break gris");
    await page.getByLabel("Vehicle (Dutch)").fill("Grijze stationwagen");
    await page.getByLabel(/only to find the child safe/).check();
    assert.equal(await page.locator("#f-firstName").getAttribute("aria-invalid"), null);
    // A draft may be saved with texts still to translate.
    await page.getByRole("button", { name: "Create the draft" }).click();
    await page.waitForURL(/\/alerts\/[0-9a-f-]{36}\/edit$/, T);
    alertId = /alerts\/([0-9a-f-]{36})/.exec(page.url())[1];
    // The mark survives a reload: it is stored with the draft.
    await page.getByRole("group", { name: "Clothing" }).locator(".lang.copied").waitFor(T);

    // Submission is refused while Dutch lacks a text, field by field.
    await page.getByRole("link", { name: "Back to the alert" }).click();
    await state(page, "draft");
    await page.getByRole("button", { name: "Submit for concertation" }).click();
    const refusal = page.getByRole("alert").filter({ hasText: "A targeted language still lacks a text" });
    await refusal.waitFor(T);
    assert.match(await refusal.innerText(), /Clothing \(Dutch\).*Place \(Dutch\)|Place \(Dutch\).*Clothing \(Dutch\)/);
    await state(page, "draft");

    await page.getByRole("link", { name: "Edit the content" }).click();
    await page.getByLabel("Clothing (Dutch)").fill("Rode regenjas, blauwe jeans, witte sneakers.");
    assert.equal(await page.getByRole("group", { name: "Clothing" }).locator(".lang.copied").count(), 0);
    await page.getByLabel("Place (Dutch)").fill("Namen, Wapenplein");
    await page.locator("#f-photo-file").setInputFiles(join(ROOT, "worker/test/fixtures/photo-exif.jpg"));
    await page.getByRole("img", { name: "Photo 1 of the child" }).waitFor(T);
    await page.getByRole("button", { name: "Save a new version" }).click();
    await page.getByRole("status").filter({ hasText: "Saved as a new version" }).waitFor(T);
    // Under 30 s: the set arrives by the live feed, not by the one late safety look.
    await page.locator(".posters img").first().waitFor({ timeout: 25_000 });
    await page.waitForFunction(() => [...document.querySelectorAll(".posters img")].every((i) => i.complete && i.naturalWidth > 0), null, { timeout: 60_000 });
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-editor.png"), fullPage: true });
    await checkA11y(page, "editor with poster previews");
    // The Dutch posters say the Dutch texts (the image's text alternative comes from the model the renderer draws).
    await page.locator("#poster-lang").selectOption("nl");
    const dutchPrint = page.locator(".posters img[alt*='format print, NL']");
    await dutchPrint.waitFor(T);
    const alt = await dutchPrint.getAttribute("alt");
    assert.match(alt, /Slank, halflang bruin haar/);
    assert.match(alt, /Rode regenjas/);
    assert.doesNotMatch(alt, /Imperméable/);
    await page.waitForFunction(() => [...document.querySelectorAll(".posters img")].every((i) => i.complete && i.naturalWidth > 0), null, { timeout: 60_000 });
    await dutchPrint.screenshot({ path: join(ARTIFACTS, "poster-print-nl.png") });

    await page.getByRole("link", { name: "Back to the alert" }).click();
    await state(page, "draft");
    // Launch is not possible, and the screen says why.
    await page.locator("#launch-why", { hasText: "not been submitted" }).waitFor(T);
    assert.equal(await page.getByRole("button", { name: "Launch the alert" }).isDisabled(), true);
    // Rule 11 needs a judicial file to compare with: no submission before the PV number is given.
    await page.getByRole("button", { name: "Submit for concertation" }).click();
    await page.getByRole("alert").filter({ hasText: "police report (PV) number" }).waitFor(T);
    await state(page, "draft");
    await page.getByLabel("Police report (PV) number").fill("NA.55.LL.004521/2026");
    await page.getByRole("button", { name: "Save the file" }).click();
    await page.getByRole("status").filter({ hasText: "Judicial file saved." }).waitFor(T);
    await page.getByRole("button", { name: "Submit for concertation" }).click();
    await state(page, "concertation");
    // The magistrate's list (never reloaded) shows the new alert, now in concertation.
    await p.magistrate.locator(".alerts tr", { hasText: "Lina" }).locator(".state", { hasText: "concertation" }).waitFor(T);
  });

  it("concertation: sign-offs with passkeys; a change resets them visibly; the parents' side is recorded", async () => {
    const url = `${stack.origin}/alerts/${alertId}`;
    // The cell names the case's people (issue 23): its investigator, and the magistrate in charge.
    await p.cell.goto(url);
    await p.cell.getByLabel("Name an investigator").selectOption({ label: "Ivan Investigator" });
    await p.cell.locator("#case-members").getByRole("button", { name: "Name", exact: true }).first().click();
    await p.cell.locator("#case-investigators", { hasText: "Ivan Investigator" }).waitFor(T);
    await p.cell.getByLabel("Name the magistrate in charge").selectOption({ label: "Marc Magistrate" });
    await p.cell.locator("#case-members").getByRole("button", { name: "Name", exact: true }).last().click();
    await p.cell.locator("#case-magistrate", { hasText: "Marc Magistrate" }).waitFor(T);
    for (const role of ["investigator", "operator", "magistrate"]) await p[role].goto(url);
    await state(p.investigator, "concertation");
    // The signer reads what they sign: the content of the version, and its posters.
    await p.investigator.locator("#content-under-review", { hasText: "Rode regenjas, blauwe jeans, witte sneakers." }).waitFor(T);
    await p.investigator.locator("#content-under-review", { hasText: "Imperméable rouge, jean bleu, baskets blanches." }).waitFor(T);
    await p.investigator.locator("#content-under-review summary").click();
    await p.investigator.locator("#content-under-review .posters img").first().waitFor({ timeout: 60_000 });
    await p.investigator.getByRole("button", { name: "Sign off this version with my passkey" }).click();
    await party(p.investigator, "investigator").getByText("signed").waitFor(T);
    // The cell's screen updates without reloading.
    await party(p.cell, "investigator").getByText("signed").waitFor(T);

    // Opening the editor and saving without a change keeps the version and its sign-offs.
    await p.cell.getByRole("link", { name: "Edit the content" }).click();
    await p.cell.getByRole("button", { name: "Save a new version" }).click();
    await p.cell.getByRole("status").filter({ hasText: "Nothing changed." }).waitFor(T);
    // The cell changes the clothing: a new version; the investigator's sign-off no longer counts.
    await p.cell.getByLabel("Clothing (French)").fill("Imperméable rouge, jean bleu, baskets blanches, sac à dos vert.");
    await p.cell.getByLabel("Clothing (Dutch)").fill("Rode regenjas, blauwe jeans, witte sneakers, groene rugzak.");
    await p.cell.getByRole("button", { name: "Save a new version" }).click();
    await p.cell.getByRole("status").filter({ hasText: "Saved as a new version" }).waitFor(T);
    await p.investigator.locator("#reset-notice").waitFor(T);
    await party(p.investigator, "investigator").getByText("pending").waitFor(T);
    await p.investigator.getByRole("button", { name: "Sign off this version with my passkey" }).click();
    await party(p.investigator, "investigator").getByText("signed").waitFor(T);

    await p.operator.getByRole("button", { name: "Sign off this version with my passkey" }).click();
    await party(p.operator, "operator").getByText("signed").waitFor(T);
    await p.operator.getByLabel("Basis").selectOption("parental_consent");
    await p.operator.getByRole("button", { name: "Record" }).click();
    await p.operator.locator("#consent-status", { hasText: "Consent of the parents" }).waitFor(T);

    await p.cell.goto(url);
    await p.cell.getByRole("button", { name: "Sign off this version with my passkey" }).click();
    await party(p.cell, "cell").getByText("signed").waitFor(T);
    await p.cell.locator("#launch-why", { hasText: "magistrate has not authorised" }).waitFor(T);
    await checkA11y(p.cell, "alert screen in concertation");
  });

  it("the magistrate authorises: criteria, risk assessment, summary, passkey — by keyboard", async () => {
    const page = p.magistrate;
    await page.getByRole("heading", { name: "Authorisation" }).waitFor(T);
    assert.match(await page.locator("#sign-card").textContent(), /content hash/);
    // The signer sees which judicial file the alert must match, and who is in charge.
    assert.match(await page.locator("#sign-card #summary-file").textContent(), /PV NA\.55\.LL\.004521\/2026 · magistrate in charge: \S+/);
    await checkA11y(page, "authorisation");
    // Keyboard only: focus the first criterion, then Space / Tab / type / Enter.
    await page.locator("input[name=criterion]").first().focus();
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press("Space");
      await page.keyboard.press("Tab");
    }
    await page.keyboard.type("Publicity weighed against the risk to the child; broadcasting is the safer course.");
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Sign the authorisation with my passkey");
    await page.keyboard.press("Enter");
    await state(page, "authorised");
    await state(p.cell, "authorised");
    await party(p.cell, "authorisation").getByText("Marc Magistrate").waitFor(T);
  });

  it("the admin adds the official Mastodon account: the credentials are typed once, sealed, never shown again", async () => {
    const admin = p.admin;
    const token = "drill-mastodon-access-token-0123456789";
    // The network's stand-in knows the account by its token (as Mastodon does).
    stack.social.standin.register([{ id: "drill-mastodon", network: "mastodon", target: stack.social.origin, credentials: { accessToken: token }, handle: "alerte_drill" }]);
    await admin.goto(`${stack.origin}/admin`);
    const form = admin.locator("#social-add");
    await form.getByLabel("Network").selectOption("mastodon");
    await form.getByLabel("Account", { exact: true }).fill("@alerte_drill");
    await form.getByLabel("Instance").fill(stack.social.origin);
    await form.getByLabel("accessToken").fill(token);
    await form.getByLabel("Also post exercises").check(); // the drill's alert is an exercise
    await form.getByRole("button", { name: "Add the account" }).click();
    await admin.getByRole("status").filter({ hasText: "@alerte_drill added" }).waitFor(T);
    await admin.locator("#social-accounts tr", { hasText: "@alerte_drill" }).waitFor(T);
    assert.equal(await form.getByLabel("accessToken").inputValue(), "");
    assert.ok(!(await admin.content()).includes(token), "the token is not on the page any more");
  });

  it("the cell launches after a confirmation; everyone sees the counters move live; the magistrate extends", async () => {
    const page = p.cell;
    await page.getByRole("button", { name: "Launch the alert" }).click();
    await page.getByText("This runs the exercise").waitFor(T);
    await page.getByRole("button", { name: "Confirm: launch now" }).click();
    for (const role of ["cell", "investigator", "operator", "magistrate"]) await state(p[role], "live");
    // The investigator's screen never reloaded: the counters arrive over the WebSocket.
    await p.investigator.locator('#fanout tr[data-channel="push"][data-event="alert"] td:nth-child(3)', { hasText: "1" }).waitFor(T);
    await page.locator('#fanout tr[data-channel="push"][data-event="alert"] td:nth-child(3)', { hasText: "1" }).waitFor(T);
    assert.equal(stack.push.standin.subs.get(sub.id).messages.at(-1).payload.type, "alert");
    // On the official Mastodon account, with the poster; the alert screen lists the post with its link.
    await page.locator('#fanout tr[data-channel="mastodon"][data-event="alert"] td:nth-child(3)', { hasText: "1" }).waitFor(T);
    await page.locator("#social-posts tr", { hasText: "@alerte_drill" }).filter({ hasText: "online" }).waitFor(T);
    const posted = [...stack.social.standin.posts.values()].filter((x) => x.owner === "drill-mastodon");
    assert.deepEqual(posted.map((x) => [x.type, x.live, x.media]), [["alert", true, true]]);
    await page.locator("#time-left").waitFor(T);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-live.png"), fullPage: true });
    await checkA11y(page, "live panel");

    await p.magistrate.getByRole("button", { name: "Extend by 6 hours" }).click();
    await p.magistrate.getByRole("button", { name: "Confirm: extend by 6 hours" }).click();
    await p.cell.locator("#time-left", { hasText: "extended 1× of 3" }).waitFor(T);

    // Rule 9: the case's investigator is told of the launch and the extension, in the inbox and by e-mail.
    const inv = p.investigator;
    await inv.getByRole("link", { name: /^Inbox/ }).click();
    await inv.locator("#inbox li.unread", { hasText: "Alert extended" }).waitFor(T);
    await inv.locator("#inbox li.unread", { hasText: "Alert launched" }).waitFor(T);
    await checkA11y(inv, "inbox");
    const launchedMail = () => stack.mail.standin.list({ to: "investigator@drill.e2e" }).find((m) => m.subject?.endsWith(": launched"));
    for (let i = 0; i < 100 && !launchedMail(); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(launchedMail()?.text.includes(`/alerts/${alertId}`), "the launch e-mail links to the alert");
    await inv.locator("#inbox li.unread a", { hasText: "Alert launched" }).click();
    await state(inv, "live");
  });

  it("a citizen's tip reaches the case's investigator live, who acknowledges it (rule 10)", async () => {
    const inv = p.investigator;
    await inv.locator("#tips-card").waitFor(T);
    const res = await fetch(`${stack.origin}/api/v1/alerts/${alertId}/tips/web`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: stack.origin },
      body: JSON.stringify({ text: "Drill tip: a child in a red raincoat at Liège-Guillemins", anonymous: true, turnstileToken: "XXXX.DUMMY.TOKEN.XXXX" }),
    });
    assert.equal(res.status, 201);
    const tip = inv.locator(".tip", { hasText: "Liège-Guillemins" });
    await tip.waitFor(T);
    await tip.getByRole("button", { name: "Acknowledge" }).click();
    await tip.getByText(/Acknowledged at/).waitFor(T);
    // The operator sees the figures, never the tip itself.
    await p.operator.goto(`${stack.origin}/alerts/${alertId}`);
    await p.operator.locator("#intake-figures", { hasText: "1 tips, 1 acknowledged" }).waitFor(T);
    assert.equal(await p.operator.locator(".tip").count(), 0);
  });

  it("the operator stops it: reason, confirmation; the retraction goes out; all screens follow", async () => {
    const page = p.operator;
    // Keyboard only: the reason, then the command, then the confirmation (which takes the focus).
    await page.getByLabel("Reason", { exact: true }).selectOption("found_other");
    await page.getByLabel("Reason", { exact: true }).focus();
    await page.keyboard.press("ArrowUp"); // back to "Found safe"
    assert.equal(await page.getByLabel("Reason", { exact: true }).inputValue(), "found_safe");
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Stop the alert everywhere");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.activeElement?.textContent === "Confirm: stop now", null, T);
    await page.keyboard.press("Enter");
    for (const role of ["cell", "investigator", "operator", "magistrate"]) await state(p[role], "stopped");
    await p.investigator.locator('#fanout tr[data-channel="push"][data-event="stop"] td:nth-child(3)', { hasText: "1" }).waitFor(T);
    assert.equal(stack.push.standin.subs.get(sub.id).messages.at(-1).payload.type, "stop");
    // The Mastodon post with the child's face is deleted; "found — thank you" is up, and the screen says so.
    await page.locator("#social-posts tr", { hasText: "found / ended" }).waitFor(T);
    await page.locator("#social-posts tr", { hasText: "alert v" }).filter({ hasText: "deleted" }).first().waitFor(T);
    const left = [...stack.social.standin.posts.values()].filter((x) => x.owner === "drill-mastodon" && x.live);
    assert.deepEqual(left.map((x) => x.type), ["stop"]);
    await page.locator("section", { has: page.locator("#social-posts") }).screenshot({ path: join(ARTIFACTS, "dashboard-social.png") });
    assert.equal(await page.getByRole("button", { name: "Stop the alert everywhere" }).count(), 0);
    await checkA11y(page, "stopped alert");

    await p.cell.getByRole("link", { name: "Audit trail" }).click();
    await p.cell.locator("#chain-status", { hasText: "Chain intact" }).waitFor(T);
    const actions = await p.cell.locator("#audit tbody tr td:nth-child(3)").allTextContents();
    for (const a of ["created", "submitted", "signed_off", "authorised", "launched", "broadcast_completed", "extended", "stopped"]) assert.ok(actions.includes(a), `${a} in ${actions}`);
    // Each broadcast's outcome per channel, counts only.
    await p.cell.locator("#audit tr", { hasText: "broadcast_completed" }).filter({ hasText: "push" }).filter({ hasText: "sent" }).first().waitFor(T);
    await p.cell.locator("#audit", { hasText: "Marc Magistrate (magistrate)" }).waitFor(T);
    await p.cell.screenshot({ path: join(ARTIFACTS, "dashboard-audit.png"), fullPage: true });
    await checkA11y(p.cell, "audit trail");
  });

  it("the drill's scorecard: every step timed against its target, each channel's delivery and withdrawal; it prints", async () => {
    const page = p.magistrate;
    await page.goto(`${stack.origin}/alerts/${alertId}`);
    await page.locator("#drill-scorecard-link").click();
    await page.getByRole("heading", { name: "Drill scorecard" }).waitFor(T);
    // Kept once withdrawn everywhere (the Mastodon deletion included).
    await page.locator("#drill-status", { hasText: "complete" }).waitFor(T);
    for (const step of ["created", "signoff_investigator", "signoff_cell", "signoff_operator", "consent", "authorised", "launched", "tip_received", "tip_forwarded", "tip_acknowledged", "stopped"]) {
      const cells = await page.locator(`#drill-steps tr[data-step="${step}"] td`).allTextContents();
      assert.notEqual(cells[1], "—", `${step} has a time`);
    }
    for (const channel of ["push", "mastodon"]) {
      const cells = await page.locator(`#drill-channels tr[data-channel="${channel}"] td`).allTextContents();
      assert.match(cells[2], /^\+\d/, `${channel}: first delivery timed`);
      assert.match(cells[6], /^\+\d/, `${channel}: withdrawal timed`);
    }
    for (const target of ["authorisation_to_first_push", "stop_to_withdrawn_everywhere", "tip_to_investigator"]) {
      const row = page.locator(`#drill-targets tr[data-target="${target}"]`);
      assert.match(await row.getAttribute("data-pass"), /^(true|false)$/, `${target} judged`);
    }
    await page.locator("#drill-chart").waitFor(T);
    await page.screenshot({ path: join(ARTIFACTS, "drill-scorecard.png"), fullPage: true });
    await checkA11y(page, "drill scorecard");
    // Printed: no header, navigation or buttons.
    await page.emulateMedia({ media: "print" });
    assert.equal(await page.locator("header").isVisible(), false);
    assert.equal(await page.getByRole("button", { name: "Print" }).isVisible(), false);
    assert.ok(await page.locator("#drill-targets").isVisible());
    await page.emulateMedia({ media: "screen" });
    // The history lists it with its measures.
    await page.getByRole("link", { name: "Drills" }).first().click();
    await page.locator("#drill-history tbody tr").first().waitFor(T);
  });

  it("readiness: the operator checks every channel before a launch; a drill is one button away", async () => {
    const page = p.operator;
    await page.getByRole("link", { name: "Readiness" }).click();
    await page.getByRole("heading", { name: "Readiness of the channels" }).waitFor(T);
    await page.getByRole("button", { name: "Check now" }).click();
    await page.locator("#readiness-push .health-ok").first().waitFor(T);
    await page.locator("#readiness-mastodon tr", { hasText: "credentials accepted as" }).waitFor(T);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-readiness.png"), fullPage: true });
    await checkA11y(page, "readiness");
    await page.getByRole("link", { name: "Drills" }).click();
    await page.getByRole("button", { name: "Run a drill" }).click();
    await page.locator("#alert-state", { hasText: "draft" }).waitFor(T);
    await page.locator(".badge", { hasText: "EXERCISE" }).first().waitFor(T);
  });

  it("an alert written elsewhere (API, other time zone) opens in the editor and saves unchanged: no spurious reset", async () => {
    const page = p.cell;
    const created = await page.evaluate(async (content) => {
      const res = await fetch("/api/v1/alerts", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ exercise: true, content }) });
      return res.json();
    }, DEMO_CONTENT);
    assert.match(DEMO_CONTENT.lastSeen.at, /\+0[12]:00$/);
    await page.goto(`${stack.origin}/alerts/${created.alertId}/edit`);
    await page.getByRole("button", { name: "Save a new version" }).click();
    await page.getByRole("status").filter({ hasText: "Nothing changed." }).waitFor(T);
  });

  it("statistics for the cell, administration for the admin; the whole UI in French, Dutch, German", async () => {
    const cell = p.cell;
    await cell.getByRole("link", { name: "Statistics" }).click();
    await cell.locator("#stats-totals").waitFor(T);
    await checkA11y(cell, "statistics");
    const [download] = await Promise.all([cell.waitForEvent("download"), cell.locator("#stats-csv").click()]);
    const csv = await (await download.createReadStream()).toArray().then((c) => Buffer.concat(c).toString());
    assert.match(csv, new RegExp(`^alertId,kind,exercise,outcome`));
    assert.match(csv, new RegExp(`${alertId},child_alert,true,launched`));
    assert.doesNotMatch(csv, /Lina|Exemple|Namur/);

    // Four eyes (issue 23): a second admin, bootstrapped from the command line as the first was.
    const call = apiClient(stack.origin);
    const second = (await staffFor(stack.origin, [{ email: "bram@drill.e2e", displayName: "Bram Admin", role: "admin" }], { persistTo: stack.persistTo })).admin;
    const admin = p.admin;
    await admin.getByRole("heading", { name: "Administration" }).waitFor(T);
    await admin.getByLabel("Name").fill("Nina Newcomer");
    await admin.getByLabel("E-mail").fill("nina@drill.example");
    await admin.getByLabel("Role", { exact: true }).selectOption("counsellor");
    // A drill seat (issue 27): an account for npm run drill's team, on exercises only.
    await admin.getByLabel("For drills only").check();
    await admin.getByRole("button", { name: "Create the invitation" }).click();
    assert.match(await admin.locator("#invite-link").textContent({ timeout: 20_000 }), /\/invite#/);
    await admin.locator("#invitations li", { hasText: "nina@drill.example" }).getByText("drill seat").waitFor(T);
    // The drills' targets are the admin's (issue 27): set on the Drills screen, in seconds.
    await admin.goto(`${stack.origin}/drills`);
    await admin.getByLabel("Tip → investigators (s)").fill("1.5");
    await admin.getByRole("button", { name: "Save the targets" }).click();
    await admin.getByRole("status").filter({ hasText: "Targets saved" }).waitFor(T);
    assert.equal((await call("GET", "/drills", undefined, second.cookie)).data.targets.tip_to_investigator, 1500);
    await checkA11y(admin, "drill targets");
    await admin.goto(`${stack.origin}/admin`);
    // A counsellor's account waits for the second admin too.
    await admin.locator("#invitations li", { hasText: "nina@drill.example" }).getByText("awaits a second administrator's approval").waitFor(T);
    await admin.getByLabel("Role of Ivan Investigator").selectOption("calltaker");
    // Asked, not done: one admin alone changes no one's role.
    await admin.getByRole("status").filter({ hasText: "takes effect once another administrator approves it" }).waitFor(T);
    await admin.locator("#account-requests li", { hasText: "Ivan Investigator" }).getByText("yours: another administrator approves it").waitFor(T);
    // Web push switched off and on again (one row per channel of the registry).
    const pushRow = admin.locator("#channels tr", { has: admin.getByRole("rowheader", { name: "Web push" }) });
    await admin.locator("#channels tr", { has: admin.getByRole("rowheader", { name: "E-mail" }) }).waitFor(T);
    await pushRow.getByRole("button", { name: "Switch off" }).click();
    await pushRow.getByRole("button", { name: "Confirm" }).click();
    await pushRow.getByText("Off", { exact: true }).waitFor(T);
    await pushRow.getByRole("button", { name: "Switch on" }).click();
    await pushRow.getByRole("button", { name: "Confirm" }).click();
    await pushRow.getByText("On", { exact: true }).waitFor(T);
    // Rule 9's mailboxes: a bad address is refused with the reason, a good list is saved.
    await admin.getByLabel("Federal police").fill("not an address");
    await admin.getByRole("button", { name: "Save addresses" }).click();
    await admin.getByRole("alert").filter({ hasText: "Invalid email address" }).waitFor(T);
    await admin.getByLabel("Federal police").fill("dispatch@police.example");
    await admin.getByLabel("Missing-persons cell").fill("cell-desk@police.example\nduty@police.example");
    await admin.getByRole("button", { name: "Save addresses" }).click();
    await admin.getByRole("status").filter({ hasText: "Saved." }).waitFor(T);
    await admin.screenshot({ path: join(ARTIFACTS, "dashboard-admin.png"), fullPage: true });
    await checkA11y(admin, "admin");
    // The second admin approves: the role change takes effect, and Ivan's session ends.
    const { data: waiting } = await call("GET", "/admin/users", undefined, second.cookie);
    assert.equal(waiting.requests.length, 1);
    await call("POST", `/admin/account-requests/${waiting.requests[0].id}/approve`, undefined, second.cookie);
    await p.investigator.goto(`${stack.origin}/`);
    await p.investigator.getByRole("button", { name: "Sign in with a passkey" }).waitFor(T);

    for (const [lang, heading, stop] of [
      ["fr", "Alertes", "arrêtée"],
      ["nl", "Alerts", "gestopt"],
      ["de", "Alarme", "beendet"],
    ]) {
      await cell.goto(`${stack.origin}/`);
      await cell.locator("#ui-lang").selectOption(lang);
      await cell.getByRole("heading", { name: heading, exact: true }).waitFor(T);
      assert.equal(await cell.evaluate(() => document.documentElement.lang), lang);
      await cell.goto(`${stack.origin}/alerts/${alertId}`);
      await cell.locator("#alert-state", { hasText: stop }).waitFor(T);
      await checkA11y(cell, `alert screen (${lang})`);
    }
    await cell.locator("#ui-lang").selectOption("en");
  });
});
