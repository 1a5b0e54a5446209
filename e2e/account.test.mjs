// Browser test (issue 11): a person's passkeys on "My account" — name one, add one on a
// second device (and be e-mailed about it), revoke one; an admin's "add a passkey" link
// for someone else waits for a second admin's approval in the admin screen, and an admin
// revokes a lost passkey there (the person's session ends). Each person has their own
// Chromium context with its own virtual authenticator (a device).
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { checkA11y } from "./lib/a11y.mjs";
import { ARTIFACTS, openPeople, signInByInvitation, startStack } from "./lib/browser.mjs";

const OWNER = { email: "magda.magistrate@example.test", displayName: "Magda Magistrate", role: "magistrate" };

async function until(what, check, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("my passkeys and the admins' approvals in the dashboard", () => {
  let stack;
  let browser;
  let people;
  before(async () => {
    stack = await startStack();
    browser = await openPeople(["laptop", "phone", "alice", "bob"]);
    people = browser.people;
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  const addedMails = () => stack.mail.standin.list({ to: OWNER.email, tag: "passkey_added" });
  const rows = (page, table) => page.locator(`#${table} tbody tr`);

  it("the owner names a passkey, adds one on a second device (e-mailed), and cannot revoke the last one", async () => {
    const { page } = people.laptop;
    await signInByInvitation(page, stack, OWNER);
    await page.locator("#signed-in").click();
    await page.getByRole("heading", { name: "My account" }).waitFor();
    await until("the passkey listed", async () => (await rows(page, "my-passkeys").count()) === 1);
    // The only passkey: no revoke button, it would lock the owner out.
    assert.match(await rows(page, "my-passkeys").first().innerText(), /your last passkey/);
    assert.equal(await page.getByRole("button", { name: "Revoke" }).count(), 0);

    await page.getByRole("textbox", { name: /Name of the passkey added/ }).fill("Office laptop");
    await page.getByRole("button", { name: "Save" }).click();
    await until("the name saved", async () => (await page.getByRole("textbox", { name: /Name of the passkey added/ }).inputValue()) === "Office laptop" && (await page.getByRole("button", { name: "Save" }).isDisabled()));

    await page.getByRole("button", { name: "Add a passkey on another device" }).click();
    const link = await page.locator("#device-link").innerText();
    assert.match(link, /\/invite#[A-Za-z0-9_-]{20,}$/);
    // The second device opens the link: a new passkey, signed in as the same person.
    const phone = people.phone.page;
    await phone.goto(link);
    await phone.getByRole("button", { name: "Create my passkey" }).click();
    await phone.locator("#signed-in", { hasText: OWNER.displayName }).waitFor({ timeout: 15_000 });
    // The owner is told by e-mail, that they asked for it themselves.
    const [mail] = await until("the passkey-added e-mail", () => addedMails().length >= 1 && addedMails());
    assert.match(mail.text, /You asked for this link yourself\./);
    assert.match(mail.text, /\/account/);

    await page.reload();
    await until("two passkeys listed", async () => (await rows(page, "my-passkeys").count()) === 2);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-account.png"), fullPage: true });
    await checkA11y(page, "my account");
    // Revoke the phone's (the unnamed one); the laptop's is the last again.
    const phoneRow = page.locator(`#my-passkeys tbody tr[data-name=""]`);
    await phoneRow.getByRole("button", { name: "Revoke" }).click();
    await phoneRow.getByRole("button", { name: "Revoke for good" }).click();
    // Revoking a key ends every session of its owner (issue 23): the laptop signs in again with the key it keeps.
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await page.locator("#signed-in", { hasText: OWNER.displayName }).waitFor({ timeout: 15_000 });
    await page.goto(`${stack.origin}/account`);
    await until("the phone's key revoked", async () => /revoked/.test(await phoneRow.innerText()));
    assert.equal(await page.getByRole("button", { name: "Revoke" }).count(), 0, "the remaining key is the last one");
  });

  it("an admin's link for the magistrate waits for a second admin; that admin approves; a lost passkey is revoked and the owner's session ends", async () => {
    const alice = people.alice.page;
    const bob = people.bob.page;
    await signInByInvitation(alice, stack, { email: "alice.admin@account.e2e", displayName: "Alice Admin", role: "admin" });
    await signInByInvitation(bob, stack, { email: "bob.admin@account.e2e", displayName: "Bob Admin", role: "admin" });

    await alice.goto(`${stack.origin}/admin`);
    await alice.getByLabel("Name", { exact: true }).fill("Magda Magistrate");
    await alice.getByLabel("E-mail", { exact: true }).fill(OWNER.email);
    await alice.getByLabel("Role", { exact: true }).selectOption("magistrate");
    await alice.getByRole("button", { name: "Create the invitation" }).click();
    await alice.locator("#invite-link, [role=alert]").first().waitFor();
    assert.equal(await alice.getByRole("alert").count(), 0, await alice.locator("main").innerText());
    const link = await alice.locator("#invite-link").innerText();
    const pending = alice.locator("#invitations li", { hasText: OWNER.email });
    await pending.waitFor();
    assert.match(await pending.innerText(), /adds a passkey to an existing account/);
    assert.match(await pending.innerText(), /awaits a second administrator's approval/);
    // Alice made it: she cannot approve it.
    assert.equal(await pending.getByRole("button", { name: "Approve" }).count(), 0);
    assert.match(await pending.innerText(), /another administrator approves it/);

    // Before the approval the link is refused.
    const res = await fetch(`${stack.origin}/api/v1/auth/register/options`, { method: "POST", headers: { "content-type": "application/json", origin: stack.origin }, body: JSON.stringify({ token: link.split("#")[1] }) });
    assert.equal((await res.json()).code, "E_INVITATION_PENDING");

    await bob.goto(`${stack.origin}/admin`);
    const forBob = bob.locator("#invitations li", { hasText: OWNER.email });
    await forBob.getByRole("button", { name: "Approve" }).click();
    await until("approved", async () => /approved/.test(await forBob.innerText()) && (await forBob.getByRole("button", { name: "Approve" }).count()) === 0);
    await bob.screenshot({ path: join(ARTIFACTS, "dashboard-admin-approval.png"), fullPage: true });
    await checkA11y(bob, "admin with a pending invitation");

    // Bob revokes the magistrate's laptop passkey (lost): her session there ends.
    await bob.getByRole("button", { name: "Passkeys of Magda Magistrate" }).click();
    const laptopRow = bob.locator("#admin-passkeys tbody tr", { hasText: "Office laptop" });
    await laptopRow.getByRole("button", { name: "Revoke" }).click();
    await laptopRow.getByRole("button", { name: "Revoke for good" }).click();
    await until("the laptop key revoked", async () => /revoked/.test(await bob.locator("#admin-passkeys tbody tr", { hasText: "Office laptop" }).innerText()));

    const laptop = people.laptop.page;
    await laptop.goto(`${stack.origin}/account`);
    await laptop.getByRole("button", { name: "Sign in with a passkey" }).waitFor({ timeout: 15_000 });
    // And the revoked passkey no longer signs in.
    await laptop.getByRole("button", { name: "Sign in with a passkey" }).click();
    await laptop.getByRole("alert").waitFor({ timeout: 15_000 });
    assert.equal(await laptop.locator("#signed-in").count(), 0);
  });
});
