// Browser suite, dashboard: the operator watches a live alert's channel progress pushed
// over the WebSocket, stops it with a reason and a confirmation, and sees the retraction
// go out — in a second browser tab too. Also: the dashboard's API types are current.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { apiClient, concert, staffFor } from "../scripts/lib/drill.mjs";
import { generate, SCHEMA_FILE } from "../scripts/gen-client.mjs";
import { DEMO_CONTENT, DEMO_FILE } from "../scripts/seed.mjs";
import { ARTIFACTS, signInByInvitation, useSession, withStackAndBrowser } from "./lib/browser.mjs";

describe("dashboard: live panel and the stop command", () => {
  let stack;
  let browser;
  withStackAndBrowser((s, b) => ((stack = s), (browser = b)));
  /** The staff the first test registers (reused: registrations spend the shared public rate limit). */
  let team;

  it("the dashboard's API types are generated from the current OpenAPI document", async () => {
    assert.equal(readFileSync(SCHEMA_FILE, "utf8"), await generate(stack.origin), "run `npm run gen:client`");
  });

  it("shows channel progress live, and stops the alert with a reason and a confirmation", async () => {
    const call = apiClient(stack.origin);
    const sub = stack.push.standin.subscribe();
    await call("POST", "/push/subscriptions", { subscription: { endpoint: sub.endpoint, keys: sub.keys }, lang: "fr", regions: ["BE"], exercise: true });
    const staff = (team = await staffFor(
      stack.origin,
      ["cell", "investigator", "operator", "counsellor", "magistrate"].map((role) => ({ email: `${role}@dash.e2e`, displayName: role, role })),
      { persistTo: stack.persistTo },
    ));
    const { data } = await call("POST", "/alerts", { exercise: true, content: DEMO_CONTENT, file: DEMO_FILE }, staff.cell.cookie);
    const id = data.alertId;
    await concert(stack.origin, staff, id);

    // The operator signs in in the browser and opens the alert before the launch.
    const { page, context } = browser;
    await signInByInvitation(page, stack, { email: "olivia.operator@dash.e2e", displayName: "Olivia Operator", role: "operator" });
    await page.goto(`${stack.origin}/alerts/${id}`);
    await page.locator("#alert-state", { hasText: "authorised" }).waitFor();
    const second = await context.newPage(); // a second screen watching the same alert
    await second.goto(`${stack.origin}/alerts/${id}`);
    await second.locator("#alert-state", { hasText: "authorised" }).waitFor();

    await call("POST", `/alerts/${id}/launch`, undefined, staff.cell.cookie);
    await page.locator("#alert-state", { hasText: "live" }).waitFor({ timeout: 15_000 });
    await page.locator('#fanout tr[data-event="alert"] td:nth-child(3)', { hasText: "1" }).waitFor({ timeout: 15_000 });
    await second.locator('#fanout tr[data-event="alert"] td:nth-child(3)', { hasText: "1" }).waitFor({ timeout: 15_000 });
    // Rows come from the channel registry, named in the UI language.
    await page.locator('#fanout tr[data-channel="push"][data-event="alert"] td:first-child', { hasText: /Web push · .* v1/ }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-live.png"), fullPage: true });

    await page.getByLabel("Reason").selectOption("found_safe");
    await page.getByRole("button", { name: "Stop the alert everywhere" }).click();
    await page.getByRole("button", { name: "Confirm: stop now" }).click();
    await page.locator("#alert-state", { hasText: "stopped" }).waitFor({ timeout: 15_000 });
    await second.locator("#alert-state", { hasText: "stopped" }).waitFor({ timeout: 15_000 });
    await page.locator('#fanout tr[data-event="stop"] td:nth-child(3)', { hasText: "1" }).waitFor({ timeout: 15_000 });
    assert.equal(await page.getByRole("button", { name: "Stop the alert everywhere" }).count(), 0);
    assert.equal(stack.push.standin.subs.get(sub.id).messages.at(-1).payload.type, "stop");
    await second.close();
  });

  it("the magistrate authorises from the screen: criteria, risk assessment, then the passkey", async () => {
    const call = apiClient(stack.origin);
    const staff = await staffFor(
      stack.origin,
      ["cell", "investigator", "operator", "counsellor"].map((role) => ({ email: `${role}@auth.e2e`, displayName: role, role })),
      { persistTo: stack.persistTo },
    );
    const { data } = await call("POST", "/alerts", { exercise: true, content: DEMO_CONTENT, file: DEMO_FILE }, staff.cell.cookie);
    await concert(stack.origin, staff, data.alertId, () => {}, { authorise: false });

    const { page } = browser;
    await signInByInvitation(page, stack, { email: "marc.magistrate@dash.e2e", displayName: "Marc Magistrate", role: "magistrate" });
    await page.goto(`${stack.origin}/alerts/${data.alertId}`);
    // No magistrate is in charge of this case yet (issue 23): Marc takes charge of it first.
    await page.getByRole("button", { name: "Take charge of this case" }).click();
    await page.locator("#case-magistrate", { hasText: "Marc Magistrate" }).waitFor({ timeout: 15_000 });
    await page.getByRole("heading", { name: "Authorisation" }).waitFor();
    assert.match(await page.locator("#sign-card").textContent(), /content hash/);

    // Without the criteria the signature is refused, and the reason is shown.
    await page.getByLabel(/Risk assessment/).fill("Publicity weighed against the risk to the child; broadcasting is the safer course.");
    await page.getByRole("button", { name: "Sign the authorisation with my passkey" }).click();
    await page.getByRole("alert").filter({ hasText: /criteria not met/ }).waitFor({ timeout: 15_000 });

    for (const box of await page.locator("input[name=criterion]").all()) await box.check();
    await page.getByRole("button", { name: "Sign the authorisation with my passkey" }).click();
    await page.locator("#alert-state", { hasText: "authorised" }).waitFor({ timeout: 15_000 });
    const view = (await call("GET", `/alerts/${data.alertId}`, undefined, staff.cell.cookie)).data;
    assert.equal(view.state, "authorised");
    assert.ok(view.signOffs.some((o) => o.kind === "authorisation" && o.signer === "Marc Magistrate" && o.valid));
  });
  it("the operator refuses with a written reason: the alert is blocked and the launch says why; lifting reopens concertation", async () => {
    const call = apiClient(stack.origin);
    const staff = await staffFor(stack.origin, [{ email: "cell@refuse.e2e", displayName: "cell", role: "cell" }], { persistTo: stack.persistTo });
    const { data } = await call("POST", "/alerts", { exercise: true, content: DEMO_CONTENT, file: DEMO_FILE }, staff.cell.cookie);
    await call("POST", `/alerts/${data.alertId}/submit`, undefined, staff.cell.cookie);

    const { page } = browser;
    await signInByInvitation(page, stack, { email: "otto.operator@dash.e2e", displayName: "Otto Operator", role: "operator" });
    await page.goto(`${stack.origin}/alerts/${data.alertId}`);
    await page.locator("#alert-state", { hasText: "concertation" }).waitFor();

    // A reason of a word or two is refused by the rules, and the screen says so.
    await page.getByLabel("Written reason for the refusal").fill("No.");
    await page.getByRole("button", { name: "Refuse the broadcast" }).click();
    await page.getByRole("button", { name: "Confirm: block the launch" }).click();
    await page.getByRole("alert").filter({ hasText: "written reason" }).waitFor({ timeout: 15_000 });

    await page.getByLabel("Written reason for the refusal").fill("The family has located a relative who may be with the child; publicity now would endanger her.");
    await page.getByRole("button", { name: "Refuse the broadcast" }).click();
    await page.getByRole("button", { name: "Confirm: block the launch" }).click();
    await page.locator("#alert-state", { hasText: "blocked" }).waitFor({ timeout: 15_000 });
    assert.match(await page.locator("#objections").textContent(), /operator's refusal.*may be with the child/);
    assert.match(await page.locator("#launch-why").textContent(), /blocked by the operator's refusal/);
    assert.equal(await page.getByRole("button", { name: "Launch the alert" }).isDisabled(), true);

    await page.getByRole("button", { name: "Lift" }).click();
    await page.locator("#alert-state", { hasText: "concertation" }).waitFor({ timeout: 15_000 });
    assert.match(await page.locator("#objections").textContent(), /lifted/);
  });

  it("issue 29: a search notice is marked as one; the cell escalates it to a Child Alert draft from the screen", async () => {
    const call = apiClient(stack.origin);
    const staff = team ?? (team = await staffFor(stack.origin, ["cell", "operator"].map((role) => ({ email: `${role}@notice.e2e`, displayName: role, role })), { persistTo: stack.persistTo }));
    const { data } = await call("POST", "/alerts", { exercise: true, content: DEMO_CONTENT, file: DEMO_FILE, kind: "search_notice", initiative: "parents" }, staff.operator.cookie);

    const { page } = browser;
    await useSession(page, stack, staff.cell);
    // Both kinds in one list, the notice marked.
    await page.goto(`${stack.origin}/`);
    await page.locator("tr", { hasText: "Search notice" }).first().waitFor({ timeout: 15_000 });
    await page.goto(`${stack.origin}/alerts/${data.alertId}`);
    await page.locator("#kind-badge", { hasText: "Search notice" }).waitFor({ timeout: 15_000 });
    assert.match(await page.locator("#kind-panel").textContent(), /Initiative: the parents/);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-notice.png"), fullPage: true });
    await page.getByRole("button", { name: "Escalate to a Child Alert" }).click();
    await page.waitForURL((u) => /\/alerts\/[0-9a-f-]{36}$/.test(u.pathname) && !u.pathname.endsWith(data.alertId), { timeout: 15_000 });
    // The Child Alert draft: no notice badge, its origin linked, its own concertation ahead.
    await page.locator("#alert-state", { hasText: "draft" }).waitFor({ timeout: 15_000 });
    assert.equal(await page.locator("#kind-badge").count(), 0);
    assert.equal(await page.locator("#origin-link").getAttribute("href"), `/alerts/${data.alertId}`);
    const escalated = page.url().split("/").at(-1);
    const { data: detail } = await call("GET", `/alerts/${escalated}`, undefined, staff.operator.cookie);
    assert.equal(detail.kind, "child_alert");
    assert.equal(detail.originAlertId, data.alertId);
  });
});
