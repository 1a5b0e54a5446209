// Issue 23, item 2, written as the attacker's steps: one admin alone tries to fill the
// signing seats (new accounts on their own devices, new roles, a re-enabled account).
// DOMAIN.md: no one alone can launch; the seats are held by different people.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { smtp } from "../test/standins/email.ts";
import { api, as, changeAccount, expectOk, makeStaff, makeTeam, registerFrom, type Staff, type Team } from "../test/helpers.ts";

let t: Team;
beforeAll(async () => {
  t = await makeTeam();
});

const invite = (by: Staff, role: string, email = `seat.${crypto.randomUUID().slice(0, 8)}@example.test`) =>
  api("POST", "/admin/invitations", { email, displayName: `Seat ${role}`, role }, as(by));
const roleOf = async (id: string) => (await env.DB.prepare("SELECT role, disabled_at FROM users WHERE id = ?").bind(id).first<{ role: string; disabled_at: string | null }>())!;
const inboxOf = async (s: Staff) => expectOk(await api("GET", "/inbox", undefined, as(s))).body.items as { alertId: string; event: string }[];

describe("four eyes on every seat", () => {
  it("one admin alone cannot bring a magistrate (nor investigator, cell, operator, counsellor, admin) account into being", async () => {
    for (const role of ["magistrate", "investigator", "cell", "operator", "counsellor", "admin"]) {
      const inv = expectOk(await invite(t.admin, role), 201);
      expect(inv.body.needsApproval, role).toBe(true);
      // The attacker uses the link on their own device: refused until a second admin approves.
      const used = (await registerFrom(inv.body.link)).res;
      expect(used.status, role).toBe(409);
      expect(used.body.code).toBe("E_INVITATION_PENDING");
      // …and approving it themself is refused.
      expect((await api("POST", `/admin/invitations/${inv.body.id}/approve`, undefined, as(t.admin))).status, role).toBe(403);
    }
    expect((await env.DB.prepare("SELECT count(*) AS n FROM users WHERE email LIKE 'seat.%'").first<{ n: number }>())!.n).toBe(0);
  });

  it("a second admin's approval lets the link work; both admins and the audit trail know who asked and who approved", async () => {
    const inv = expectOk(await invite(t.admin, "magistrate"), 201);
    const listed = expectOk(await api("GET", "/admin/users", undefined, as(t.admin2))).body.invitations.find((i: { id: string }) => i.id === inv.body.id);
    expect(listed).toMatchObject({ needsApproval: true, createdBy: t.admin.userId, approvedBy: null });
    expectOk(await api("POST", `/admin/invitations/${inv.body.id}/approve`, undefined, as(t.admin2)), 204);
    expectOk((await registerFrom(inv.body.link)).res);
    const audit = (await env.DB.prepare("SELECT action, actor_user_id AS actor, details FROM audit_entries WHERE details LIKE ?").bind(`%${inv.body.id}%`).all<{ action: string; actor: string }>()).results;
    expect(audit.map((a) => [a.action, a.actor]).slice(0, 2)).toEqual([
      ["invitation_created", t.admin.userId],
      ["invitation_approved", t.admin2.userId],
    ]);
    expect(audit[2]!.action).toBe("passkey_registered");
    // Every admin's inbox had the request, then its approval.
    for (const a of [t.admin, t.admin2]) {
      const mine = (await inboxOf(a)).filter((i) => i.alertId === inv.body.id).map((i) => i.event);
      expect(mine.sort()).toEqual(["account_approval_needed", "account_change_approved"]);
    }
  });

  it("a call-taker's account (no seat) needs no second admin", async () => {
    const inv = expectOk(await invite(t.admin, "calltaker"), 201);
    expect(inv.body.needsApproval).toBe(false);
    expectOk((await registerFrom(inv.body.link)).res);
  });

  it("one admin alone cannot change a role: the request waits, the person keeps their role; not the asker, not the person, but a second admin approves", async () => {
    const s = await makeStaff("calltaker");
    const asked = expectOk(await api("PATCH", `/admin/users/${s.userId}`, { role: "magistrate" }, as(t.admin)));
    expect(asked.body.pending).toEqual([expect.objectContaining({ kind: "role", role: "magistrate", requestedBy: t.admin.userId })]);
    expect((await roleOf(s.userId)).role).toBe("calltaker");
    // Still a call-taker: the session goes on, and the magistrate's work is refused.
    expect(expectOk(await api("GET", "/auth/me", undefined, as(s))).body.user.role).toBe("calltaker");
    const requestId = asked.body.pending[0].id;
    expect((await api("POST", `/admin/account-requests/${requestId}/approve`, undefined, as(t.admin))).status).toBe(403);
    // Every admin sees it waiting, with who asked; the person concerned is told in their inbox and by e-mail.
    const waiting = expectOk(await api("GET", "/admin/users", undefined, as(t.admin2))).body.requests;
    expect(waiting).toContainEqual(expect.objectContaining({ id: requestId, userId: s.userId, requestedBy: t.admin.userId }));
    expect((await inboxOf(s)).map((i) => i.event)).toContain("account_approval_needed");
    const mail = await smtp.waitFor(s.email, 1);
    expect(mail[0]!.subject).toContain("waits for a second administrator");
    // Nothing about someone else's account reaches a bystander of the same role.
    const bystander = await makeStaff("calltaker");
    expect((await inboxOf(bystander)).filter((i) => i.alertId === requestId)).toEqual([]);

    expectOk(await api("POST", `/admin/account-requests/${requestId}/approve`, undefined, as(t.admin2)));
    expect((await roleOf(s.userId)).role).toBe("magistrate");
    expect((await api("GET", "/auth/me", undefined, as(s))).status).toBe(401); // signs in again under the new role
    // Approved once: a second approval finds nothing pending.
    expect((await api("POST", `/admin/account-requests/${requestId}/approve`, undefined, as(t.admin2))).status).toBe(404);
  });

  it("an admin cannot approve a change to their own account, nor one they asked for through another admin's account", async () => {
    const confederate = t.admin2;
    const asked = expectOk(await api("PATCH", `/admin/users/${confederate.userId}`, { role: "magistrate" }, as(t.admin)));
    // The person concerned (an admin too) cannot approve their own new role.
    expect((await api("POST", `/admin/account-requests/${asked.body.pending[0].id}/approve`, undefined, as(confederate))).status).toBe(403);
    expectOk(await api("POST", `/admin/account-requests/${asked.body.pending[0].id}/cancel`, undefined, as(t.admin)), 204);
    expect((await roleOf(confederate.userId)).role).toBe("admin");
  });

  it("disabling takes effect at once; re-enabling waits for a second admin", async () => {
    const s = await makeStaff("operator");
    const off = expectOk(await api("PATCH", `/admin/users/${s.userId}`, { disabled: true }, as(t.admin)));
    expect(off.body.pending).toEqual([]);
    expect((await roleOf(s.userId)).disabled_at).not.toBeNull();
    const on = expectOk(await api("PATCH", `/admin/users/${s.userId}`, { disabled: false }, as(t.admin)));
    expect(on.body.pending).toEqual([expect.objectContaining({ kind: "enable" })]);
    expect((await roleOf(s.userId)).disabled_at).not.toBeNull();
    await changeAccount(t, s.userId, { disabled: false });
    expect((await roleOf(s.userId)).disabled_at).toBeNull();
  });

  // Last in the file: it leaves a single active admin.
  it("with a single active admin, these changes are refused and nothing is written (the second admin comes from the command line)", async () => {
    const others = (await env.DB.prepare("SELECT id FROM users WHERE role = 'admin' AND disabled_at IS NULL AND id <> ?").bind(t.admin.userId).all<{ id: string }>()).results;
    for (const o of others) expectOk(await api("PATCH", `/admin/users/${o.id}`, { disabled: true }, as(t.admin)));
    const s = await makeStaff("calltaker");
    const before = (await env.DB.prepare("SELECT count(*) AS n FROM account_requests").first<{ n: number }>())!.n;
    const role = await api("PATCH", `/admin/users/${s.userId}`, { role: "cell" }, as(t.admin));
    expect(role.status).toBe(409);
    expect(role.body.code).toBe("E_SECOND_ADMIN_NEEDED");
    expect((await invite(t.admin, "magistrate")).body.code).toBe("E_SECOND_ADMIN_NEEDED");
    expect((await env.DB.prepare("SELECT count(*) AS n FROM account_requests").first<{ n: number }>())!.n).toBe(before);
    // A call-taker's account still can be made by one admin.
    expectOk(await invite(t.admin, "calltaker"), 201);
  });
});
