// Issue 23, item 5, written as the attacker's steps: with a stolen session cookie, mint a
// link that adds a passkey, survive the revocation of the stolen key, and come back; or
// keep reading a case through a live socket after the session ended.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { SoftAuthenticator } from "../../e2e/lib/soft-authenticator.ts";
import { b64url } from "../bytes.ts";
import worker from "../index.ts";
import { createInvitation } from "../staff/passkeys.ts";
import { api, as, createAlert, db, expectOk, makeStaff, makeTeam, openLiveFeed, ORIGIN, ownDeviceLink, registerFrom, type Team, until } from "../test/helpers.ts";

let t: Team;
beforeAll(async () => {
  t = await makeTeam();
});

const keyOf = (a: SoftAuthenticator) => b64url(a.credentials[0]!.id);

describe("a stolen session cannot outlive the key", () => {
  it("a session alone cannot mint an 'add a passkey' link: it takes a fresh assertion with one of the person's own keys", async () => {
    const victim = await makeStaff("investigator");
    const thief = await makeStaff("investigator"); // has a passkey, but not the victim's
    const stolen = { cookie: victim.cookie, ip: "203.0.113.66" };
    // The old way: the session cookie alone.
    expect((await api("POST", "/auth/passkeys/invitation", undefined, stolen)).status).toBe(400);
    // The ceremony started with the stolen session, answered with the thief's own key.
    const opts = expectOk(await api("POST", "/auth/passkeys/invitation/options", undefined, stolen));
    expect(opts.body.options.allowCredentials.map((c: { id: string }) => c.id)).toEqual([keyOf(victim.auth)]);
    const forged = await api("POST", "/auth/passkeys/invitation", { challengeId: opts.body.challengeId, response: await thief.auth.get({ ...opts.body.options, allowCredentials: [] }) }, stolen);
    expect(forged.status).toBe(401);
    // A challenge made for someone else is no use either.
    const theirs = expectOk(await api("POST", "/auth/passkeys/invitation/options", undefined, as(thief)));
    const crossed = await api("POST", "/auth/passkeys/invitation", { challengeId: theirs.body.challengeId, response: await victim.auth.get({ ...theirs.body.options, allowCredentials: [] }) }, as(victim));
    expect(crossed.body.code).toBe("E_CHALLENGE_INVALID");
    expect((await env.DB.prepare("SELECT count(*) AS n FROM invitations WHERE user_id = ?").bind(victim.userId).first<{ n: number }>())!.n).toBe(0);
    // The holder of the key gets the link.
    expectOk(await ownDeviceLink(victim), 201);
  });

  it("the admin revokes the stolen key: the thief's session, live feeds and the link they minted all end; they cannot come back", async () => {
    const victim = await makeStaff("cell");
    const id = await createAlert(victim);
    // What a thief holding a session (and, before this issue, a minted link) had.
    const minted = await createInvitation(db(), { email: victim.email, displayName: "x", role: "cell", createdBy: victim.userId }, new Date());
    const feed = await openLiveFeed(victim, `/alerts/${id}/live`);
    const board = await openLiveFeed(victim, "/board/live");
    expectOk(await api("POST", `/admin/users/${victim.userId}/passkeys/${encodeURIComponent(keyOf(victim.auth))}/revoke`, undefined, as(t.admin)), 204);
    expect((await api("GET", "/auth/me", undefined, as(victim))).status).toBe(401);
    expect(await until(() => feed.closed() !== null && board.closed() !== null)).toBe(true);
    const back = (await registerFrom(`${ORIGIN}/invite#${minted.token}`)).res;
    expect(back.status).toBe(401);
    expect(back.body.code).toBe("E_INVITATION_INVALID");
  });

  it("the owner revokes a key (theirs, stolen): every session of theirs ends, and so does every pending link", async () => {
    const owner = await makeStaff("operator");
    const second = expectOk(await ownDeviceLink(owner), 201);
    const laptop = expectOk((await registerFrom(second.body.link)).res);
    const laptopCookie = laptop.headers.get("Set-Cookie")!.split(";")[0]!;
    const pending = expectOk(await ownDeviceLink(owner), 201); // minted, not used yet
    // The thief's copy of the original session, and the original key revoked from the laptop.
    const stolen = { cookie: owner.cookie, ip: "203.0.113.67" };
    expectOk(await api("POST", `/auth/passkeys/${encodeURIComponent(keyOf(owner.auth))}/revoke`, undefined, { cookie: laptopCookie, ip: "10.23.6.1" }), 204);
    expect((await api("GET", "/auth/me", undefined, stolen)).status).toBe(401);
    expect((await api("GET", "/auth/me", undefined, { cookie: laptopCookie, ip: "10.23.6.1" })).status).toBe(401); // signs in again
    expect(((await registerFrom(pending.body.link)).res).body.code).toBe("E_INVITATION_INVALID");
  });
});

describe("a live socket ends with its session", () => {
  it("a session that idled out closes its open live feeds at the next cron run (tips carry contact details)", async () => {
    const s = await makeStaff("investigator");
    const id = await createAlert(t.cell);
    const feed = await openLiveFeed(s, `/alerts/${id}/live`);
    const other = await openLiveFeed(t.investigator, `/alerts/${id}/live`);
    const hash = [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(s.cookie.split("=")[1]!)))].map((b) => b.toString(16).padStart(2, "0")).join("");
    const threeHoursAgo = new Date(Date.now() - 3 * 3_600_000).toISOString();
    expect((await env.DB.prepare("UPDATE sessions SET last_seen_at = ?, created_at = ? WHERE token_hash = ?").bind(threeHoursAgo, threeHoursAgo, hash).run()).meta.changes).toBe(1);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: new Date(), cron: "*/5 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await until(() => feed.closed() !== null)).toBe(true);
    expect(feed.closed()).toBe(4401);
    expect(other.closed()).toBeNull();
  });
});


