import { beforeAll, describe, expect, it } from "vitest";
import { ROLES, type Permission, rolesFor } from "../domain/roles.ts";
import { challengeHead, signOffDigest } from "../domain/index.ts";
import { SoftAuthenticator } from "../../e2e/lib/soft-authenticator.ts";
import { createInvitation } from "../staff/passkeys.ts";
import { api, as, createAlert, db, expectOk, makeContent, makeStaff, makeTeam, nameCase, ORIGIN, type Team, FILE } from "../test/helpers.ts";
import { env } from "cloudflare:workers";

let t: Team;
let alertId: string;
beforeAll(async () => {
  t = await makeTeam();
  alertId = await createAlert(t.cell);
});

/**
 * Who may do what, written out here from DOMAIN.md and the protocol — not read from
 * rolesFor, the table under test: a change to the roles' table must change this too.
 */
const MAY: Partial<Record<Permission, readonly string[]>> = {
  "alert.read": ["magistrate", "investigator", "cell", "operator", "counsellor"],
  // Issue 29: the foundation drafts search notices too (§2.3.3.1: its own or the parents' initiative); a Child Alert stays
  // the cell's and the investigators' (the create command refuses the foundation one, 403: notices.test.ts).
  "alert.create": ["investigator", "cell", "operator"],
  "alert.edit": ["investigator", "cell", "operator"],
  "alert.submit": ["investigator", "cell"],
  "alert.launch": ["cell", "operator"],
  "alert.stop": ["magistrate", "cell", "operator"],
  // A Child Alert's extension is the magistrate's; a search notice's "still needed?" the foundation answers too (issue 29).
  "alert.extend": ["magistrate", "operator"],
  // §2.3.3.1: a search notice on the social networks at the magistrate's request; an unfound Child Alert continued as one by the magistrate.
  "alert.socialRequest": ["magistrate"],
  "alert.continue": ["magistrate"],
  // Issue 28: a peer's request to relay its alert — the cell decides; the foundation sees it.
  "peer.requests": ["cell", "operator"],
  "peer.relay": ["cell"],
  "alert.cancel": ["magistrate", "investigator", "cell"],
  "alert.signOff": ["magistrate", "investigator", "cell", "operator"],
  "alert.consent": ["magistrate", "operator", "counsellor"],
  "alert.object": ["magistrate", "operator"],
  "alert.assign": ["cell", "magistrate"],
  // The PV number comes from those who draft (and the magistrate); only the magistrate closes the file (DOMAIN "The judicial file").
  "alert.file": ["cell", "investigator", "magistrate"],
  "alert.closeFile": ["magistrate"],
  // The foundation handles foreign organisations' poster requests (protocol §2.3.3.4).
  "alert.foreign": ["operator"],
  "audit.read": ["magistrate", "cell", "operator", "admin"],
  "audit.verify": ["magistrate", "cell", "operator", "admin"],
  "admin.users": ["admin"],
  "admin.channels": ["admin"],
  "admin.partners": ["admin", "operator"],
  "admin.social": ["admin"],
  "social.retract": ["cell", "operator"],
  "stats.read": ["cell", "admin"],
  "tip.read": ["investigator", "cell", "calltaker"],
  "tip.record": ["calltaker"],
  "tip.ack": ["investigator", "cell"],
  "intake.read": ["magistrate", "investigator", "cell", "operator", "calltaker"],
  "intake.take": ["calltaker"],
  // Issue 27: whether the channels can reach people — those who launch and run them, the admin who holds the
  // credentials, the magistrate who authorises; a check on demand by those who run them.
  "health.read": ["operator", "cell", "admin", "magistrate"],
  "health.check": ["operator", "cell", "admin"],
  // "Run a drill" (cell, operator); its scorecard for the seats that take part and the admin; targets "editable by the admin".
  "drill.run": ["cell", "operator"],
  "drill.read": ["cell", "operator", "magistrate", "investigator", "admin"],
  "drill.targets": ["admin"],
  // A device woken by push: tip readers (issue 14), and the operator and the cell paged when a channel stalls (issue 27).
  "staff.push": ["investigator", "cell", "calltaker", "operator"],
};

describe("role checks on every staff route", () => {
  it("the roles' table says what the written-out table says", () => {
    for (const [permission, roles] of Object.entries(MAY)) expect([...rolesFor(permission as Permission)].sort(), permission).toEqual([...roles!].sort());
  });

  const routes: [string, (id: string) => string, Permission, unknown?][] = [
    ["GET", () => "/alerts", "alert.read"],
    ["POST", () => "/alerts", "alert.create", { exercise: true, content: makeContent() }],
    ["GET", (id) => `/alerts/${id}`, "alert.read"],
    ["PUT", (id) => `/alerts/${id}/content`, "alert.edit", { content: makeContent({ circumstances: "Role check edit." }) }],
    ["POST", (id) => `/alerts/${id}/submit`, "alert.submit"],
    ["PUT", (id) => `/alerts/${id}/file`, "alert.file", { pvNumber: "NA.55.LL.004521/2026" }],
    ["PUT", (id) => `/alerts/${id}/file/access`, "alert.closeFile", { closedTo: [] }],
    ["POST", (id) => `/alerts/${id}/foreign-requests`, "alert.foreign", { organisation: "Missing Children Europe member", country: "FR" }],
    ["POST", (id) => `/alerts/${id}/launch`, "alert.launch"],
    ["POST", (id) => `/alerts/${id}/stop`, "alert.stop", { reason: "found_safe" }],
    ["POST", (id) => `/alerts/${id}/extend`, "alert.extend"],
    ["POST", (id) => `/alerts/${id}/cancel`, "alert.cancel"],
    ["POST", (id) => `/alerts/${id}/signoffs/options`, "alert.signOff", { kind: "cell" }],
    ["POST", (id) => `/alerts/${id}/consent`, "alert.consent", { basis: "parental_consent" }],
    ["POST", (id) => `/alerts/${id}/objections`, "alert.object", { kind: "operator_refusal", reason: "Role check reason." }],
    ["GET", (id) => `/alerts/${id}/audit`, "audit.read"],
    ["GET", () => "/audit/verify", "audit.verify"],
    ["GET", () => "/admin/users", "admin.users"],
    ["POST", () => "/admin/invitations", "admin.users", { email: "x@example.test", displayName: "X", role: "cell" }],
    ["PATCH", () => "/admin/users/6f1c2b1e-8f0a-4a57-9d1c-3e5b2a9c7d10", "admin.users", { disabled: false }],
    ["GET", () => "/admin/channels", "admin.channels"],
    ["GET", () => "/channels", "alert.read"],
    ["PUT", () => "/admin/channels/push", "admin.channels", { enabled: true }],
    ["GET", () => "/statistics/2026", "stats.read"],
    ["GET", () => "/admin/partners", "admin.partners"],
    ["POST", () => "/admin/partners", "admin.partners", { name: "P", domains: ["p.example"], country: "BE", languages: ["fr"] }],
    ["PATCH", () => "/admin/partners/6f1c2b1e-8f0a-4a57-9d1c-3e5b2a9c7d10", "admin.partners", { name: "Q" }],
    ["POST", () => "/admin/partners/6f1c2b1e-8f0a-4a57-9d1c-3e5b2a9c7d10/key", "admin.partners"],
    ["POST", () => "/admin/partners/6f1c2b1e-8f0a-4a57-9d1c-3e5b2a9c7d10/revoke", "admin.partners"],
    ["GET", () => "/admin/partners/6f1c2b1e-8f0a-4a57-9d1c-3e5b2a9c7d10/deliveries", "admin.partners"],
    ["GET", () => "/admin/intake-line", "admin.channels"],
    ["PUT", () => "/admin/intake-line", "admin.channels", { provider: "twilio", routingNumber: "+3227000000", fallbackNumber: "+3227000116" }],
    ["GET", (id) => `/alerts/${id}/tips`, "tip.read"],
    ["DELETE", () => "/me/tip-push", "staff.push", { endpoint: "https://fcm.googleapis.com/fcm/send/x" }],
    ["GET", () => "/readiness", "health.read"],
    ["GET", () => "/admin/peers", "admin.partners"],
    ["POST", () => "/admin/peers", "admin.partners", { name: "Peer", country: "NL", capEndpoint: "https://peer.test/cap" }],
    ["GET", (id) => `/alerts/${id}/peers`, "alert.read"],
    ["DELETE", () => "/admin/peers/6f1c2b1e-8f0a-4a57-9d1c-3e5b2a9c7d10", "admin.partners"],
    ["GET", () => "/peer-requests", "peer.requests"],
    ["POST", () => "/peer-requests/6f1c2b1e-8f0a-4a57-9d1c-3e5b2a9c7d10/relay", "peer.relay", { firstName: "A", age: 5, purposeAttestation: true }],
    ["POST", () => "/peer-requests/6f1c2b1e-8f0a-4a57-9d1c-3e5b2a9c7d10/dismiss", "peer.relay", { reason: "not for us" }],
    ["POST", (id) => `/alerts/${id}/social-request`, "alert.socialRequest"],
    ["POST", (id) => `/alerts/${id}/continue-as-notice`, "alert.continue"],
    ["POST", (id) => `/alerts/${id}/escalate`, "alert.create"],
    ["POST", () => "/readiness/check", "health.check", { channels: ["push"] }],
    ["POST", () => "/drills", "drill.run"],
    ["GET", () => "/drills", "drill.read"],
    ["GET", (id) => `/drills/${id}`, "drill.read"],
    ["PUT", () => "/drills/targets", "drill.targets", { tip_to_investigator: 2000 }],
    ["POST", (id) => `/alerts/${id}/tips`, "tip.record", { text: "Role check tip.", anonymous: true, recording: "refused", assessment: "doubtful" }],
    ["POST", (id) => `/alerts/${id}/tips/6f1c2b1e-8f0a-4a57-9d1c-3e5b2a9c7d10/ack`, "tip.ack"],
    ["POST", (id) => `/alerts/${id}/tips/6f1c2b1e-8f0a-4a57-9d1c-3e5b2a9c7d10/useful`, "tip.ack", { useful: true }],
    ["GET", (id) => `/alerts/${id}/intake`, "intake.read"],
    ["GET", () => "/intake/alerts", "intake.take"],
    ["POST", (id) => `/alerts/${id}/calls/next`, "intake.take"],
    ["GET", () => "/admin/social-accounts", "admin.social"],
    ["POST", () => "/admin/social-accounts", "admin.social", { network: "telegram", name: "@ca", lang: "fr", target: "@childalert_fr", credentials: { botToken: "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ" } }],
    ["PATCH", () => "/admin/social-accounts/6f1c2b1e-8f0a-4a57-9d1c-3e5b2a9c7d10", "admin.social", { name: "Q" }],
    ["POST", () => "/admin/social-accounts/6f1c2b1e-8f0a-4a57-9d1c-3e5b2a9c7d10/disable", "admin.social"],
    ["GET", (id) => `/alerts/${id}/social`, "alert.read"],
    ["POST", (id) => `/alerts/${id}/social/6f1c2b1e-8f0a-4a57-9d1c-3e5b2a9c7d10/delete`, "social.retract"],
  ];

  for (const [method, path, permission, body] of routes) {
    const refused = ROLES.filter((r) => !MAY[permission]!.includes(r));
    it(`${method} ${path(":id")} refuses ${refused.join(", ") || "nobody"} (403 E_FORBIDDEN_ROLE) and anonymous callers (401)`, async () => {
      for (const role of refused) {
        const res = await api(method, path(alertId), body, as(t[role]));
        expect(res.status, `${role} on ${method} ${path(":id")}`).toBe(403);
        expect(res.body.code).toBe("E_FORBIDDEN_ROLE");
        expect(res.headers.get("Content-Type")).toBe("application/problem+json");
      }
      const anon = await api(method, path(alertId), body);
      expect(anon.status).toBe(401);
      expect(anon.body.code).toBe("E_UNAUTHENTICATED");
    });
  }

  it("the admin cannot read a child's data", async () => {
    expect((await api("GET", `/alerts/${alertId}`, undefined, as(t.admin))).status).toBe(403);
  });
});

describe("passkey sign-offs cannot be forged or replayed", () => {
  let id: string;
  beforeAll(async () => {
    id = await createAlert(t.cell);
    await nameCase(t, id);
    expectOk(await api("POST", `/alerts/${id}/submit`, undefined, as(t.cell)));
  });

  it("refuses a replayed assertion (401 E_CHALLENGE_INVALID)", async () => {
    const opts = expectOk(await api("POST", `/alerts/${id}/signoffs/options`, { kind: "investigator" }, as(t.investigator)));
    const response = await t.investigator.auth.get(opts.body.options);
    const body = { challengeId: opts.body.challengeId, response };
    expectOk(await api("POST", `/alerts/${id}/signoffs`, body, as(t.investigator)));
    const replay = await api("POST", `/alerts/${id}/signoffs`, body, as(t.investigator));
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe("E_CHALLENGE_INVALID");
  });

  it("refuses an assertion over a different challenge (401 E_BAD_ASSERTION)", async () => {
    const opts = expectOk(await api("POST", `/alerts/${id}/signoffs/options`, { kind: "cell" }, as(t.cell)));
    const response = await t.cell.auth.get(opts.body.options, { challenge: "A".repeat(64) });
    const res = await api("POST", `/alerts/${id}/signoffs`, { challengeId: opts.body.challengeId, response }, as(t.cell));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("E_BAD_ASSERTION");
    // The verifier library's own explanation is logged, not echoed to the caller.
    expect(res.body.detail).toBeUndefined();
  });

  it("refuses an assertion without user verification, or from another origin", async () => {
    for (const o of [{ userVerified: false }, { origin: "https://phish.example" }]) {
      const opts = expectOk(await api("POST", `/alerts/${id}/signoffs/options`, { kind: "cell" }, as(t.cell)));
      const response = await t.cell.auth.get(opts.body.options, o);
      const res = await api("POST", `/alerts/${id}/signoffs`, { challengeId: opts.body.challengeId, response }, as(t.cell));
      expect(res.status).toBe(401);
      expect(res.body.code).toBe("E_BAD_ASSERTION");
    }
  });

  it("refuses a challenge issued to someone else", async () => {
    const opts = expectOk(await api("POST", `/alerts/${id}/signoffs/options`, { kind: "operator" }, as(t.operator)));
    const response = await t.operator.auth.get(opts.body.options);
    const res = await api("POST", `/alerts/${id}/signoffs`, { challengeId: opts.body.challengeId, response }, as(t.cell));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("E_CHALLENGE_INVALID");
  });

  it("refuses a signature by another person's passkey on one's own challenge", async () => {
    const opts = expectOk(await api("POST", `/alerts/${id}/signoffs/options`, { kind: "operator" }, as(t.operator)));
    const response = await t.cell.auth.get({ ...opts.body.options, allowCredentials: undefined });
    const res = await api("POST", `/alerts/${id}/signoffs`, { challengeId: opts.body.challengeId, response }, as(t.operator));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("E_BAD_ASSERTION");
  });

  it("the sign-off challenge embeds H(content hash ‖ kind ‖ decision) and a nonce", async () => {
    const opts = expectOk(await api("POST", `/alerts/${id}/signoffs/options`, { kind: "operator" }, as(t.operator)));
    const raw = Uint8Array.from(atob(opts.body.options.challenge.replace(/-/g, "+").replace(/_/g, "/")), (ch) => ch.charCodeAt(0));
    expect(challengeHead(opts.body.options.challenge)).toBe(await signOffDigest(opts.body.contentHash, "operator", null));
    expect(challengeHead(opts.body.options.challenge)).not.toBe(await signOffDigest(opts.body.contentHash, "cell", null));
    expect(raw.length).toBe(48);
  });
});

describe("sign-in", () => {
  it("signs in with a registered passkey and gets a HttpOnly, Secure, SameSite=Strict session cookie", async () => {
    const s = await makeStaff("cell");
    const opts = expectOk(await api("POST", "/auth/login/options", undefined, { ip: s.ip }));
    const response = await s.auth.get(opts.body.options);
    const res = expectOk(await api("POST", "/auth/login/verify", { challengeId: opts.body.challengeId, response }, { ip: s.ip }));
    const cookie = res.headers.get("Set-Cookie")!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const me = expectOk(await api("GET", "/auth/me", undefined, { cookie: cookie.split(";")[0] }));
    expect(me.body.user.role).toBe("cell");
  });

  it("an invitation link works once", async () => {
    const inv = await createInvitation(db(), { email: "once@example.test", displayName: "Once", role: "operator", createdBy: null }, new Date());
    const auth = new SoftAuthenticator(env.RP_ID, ORIGIN);
    const opts = expectOk(await api("POST", "/auth/register/options", { token: inv.token }));
    expectOk(await api("POST", "/auth/register/verify", { challengeId: opts.body.challengeId, response: await auth.create(opts.body.options) }));
    const again = await api("POST", "/auth/register/options", { token: inv.token });
    expect(again.status).toBe(401);
    expect(again.body.code).toBe("E_INVITATION_INVALID");
  });

  it("a disabled account loses its sessions and cannot sign in", async () => {
    const s = await makeStaff("investigator");
    expectOk(await api("PATCH", `/admin/users/${s.userId}`, { disabled: true }, as(t.admin)));
    expect((await api("GET", "/auth/me", undefined, as(s))).status).toBe(401);
    const opts = expectOk(await api("POST", "/auth/login/options", undefined, { ip: s.ip }));
    const res = await api("POST", "/auth/login/verify", { challengeId: opts.body.challengeId, response: await s.auth.get(opts.body.options) }, { ip: s.ip });
    expect(res.status).toBe(401);
  });

  it("sign-out ends the session on the server", async () => {
    const s = await makeStaff("counsellor");
    expect((await api("POST", "/auth/logout", undefined, as(s))).status).toBe(204);
    expect((await api("GET", "/auth/me", undefined, as(s))).status).toBe(401);
  });

  it("an admin invites through the API and the link registers a passkey", async () => {
    const res = expectOk(await api("POST", "/admin/invitations", { email: "New.Magistrate@Example.test", displayName: "New Magistrate", role: "magistrate" }, as(t.admin)), 201);
    expect(res.body.link).toMatch(new RegExp(`^${ORIGIN}/invite#[A-Za-z0-9_-]{40,}$`));
    const token = res.body.link.split("#")[1];
    // A magistrate's seat: the link works once a second admin approved it (four-eyes.test.ts).
    expectOk(await api("POST", `/admin/invitations/${res.body.id}/approve`, undefined, as(t.admin2)), 204);
    const look = expectOk(await api("POST", "/auth/invitations/lookup", { token }));
    expect(look.body).toMatchObject({ email: "new.magistrate@example.test", role: "magistrate" });
  });
});

describe("CSRF and abuse", () => {
  it("refuses a state-changing request without our Origin (403 E_BAD_ORIGIN)", async () => {
    for (const origin of [null, "https://evil.example"]) {
      const res = await api("POST", "/alerts", { exercise: true, content: makeContent(), file: FILE }, { ...as(t.cell), origin });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe("E_BAD_ORIGIN");
    }
  });

  it("rate-limits the public sign-in endpoints per client (429 with Retry-After)", async () => {
    const responses = [];
    for (let i = 0; i < 40; i++) responses.push(await api("POST", "/auth/login/options", undefined, { ip: "192.0.2.77" }));
    expect(responses.slice(0, 10).every((r) => r.status === 200)).toBe(true);
    // The refusal itself (checked on the first one: a later request may already fall in the next window).
    const limited = responses.find((r) => r.status === 429);
    expect(limited).toBeDefined();
    expect(limited!.body.code).toBe("E_RATE_LIMITED");
    expect(limited!.headers.get("Retry-After")).toBe("60");
    // Another client is not affected.
    expect((await api("POST", "/auth/login/options", undefined, { ip: "192.0.2.78" })).status).toBe(200);
  });
});
