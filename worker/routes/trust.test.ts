// Trust, tried from outside as an attacker would (issue 11): each test failed on the code
// before its fix.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import worker from "../index.ts";
import { describe, expect, it } from "vitest";
import type { Role } from "../domain/index.ts";
import { SoftAuthenticator } from "../../e2e/lib/soft-authenticator.ts";
import { b64url } from "../bytes.ts";
import { createInvitation } from "../staff/passkeys.ts";
import { type StoredSignOff, verifyStoredSignOff } from "../staff/signoff-verify.ts";
import { smtp, type CaughtMail } from "../test/standins/email.ts";
import { retellPasskeys } from "../staff/passkey-notice.ts";
import { api, as, authorisedAlert, changeAccount, openLiveFeed, ownDeviceLink, registerFrom, until, createAlert, db, DECISION, expectOk, makeContent, makeStaff, makeTeam, nameCase, ORIGIN, signOff, type Staff, type Team, FILE } from "../test/helpers.ts";

/** A role change ends the person's sessions: they sign in again with their passkey. */
async function changeRoleAndSignIn(t: Team, s: Staff, role: Role): Promise<Staff> {
  await changeAccount(t, s.userId, { role });
  const opts = expectOk(await api("POST", "/auth/login/options", undefined, { ip: s.ip }));
  const res = expectOk(await api("POST", "/auth/login/verify", { challengeId: opts.body.challengeId, response: await s.auth.get(opts.body.options) }, { ip: s.ip }));
  return { ...s, role, cookie: res.headers.get("Set-Cookie")!.split(";")[0]! };
}

describe("one person, one signature per alert", () => {
  it("after role changes the same person cannot sign a second part nor authorise; the others still can", async () => {
    const t = await makeTeam();
    const id = await createAlert(t.cell);
    await nameCase(t, id);
    expectOk(await api("POST", `/alerts/${id}/submit`, undefined, as(t.cell)));
    expectOk(await signOff(t.investigator, id, "investigator"));

    let same = await changeRoleAndSignIn(t, t.investigator, "cell");
    const asCell = await signOff(same, id, "cell");
    expect(asCell.status).toBe(409);
    expect(asCell.body.code).toBe("E_ONE_SEAT");
    same = await changeRoleAndSignIn(t, same, "operator");
    expect((await signOff(same, id, "operator")).body.code).toBe("E_ONE_SEAT");

    expectOk(await signOff(t.cell, id, "cell"));
    expectOk(await signOff(t.operator, id, "operator"));
    expectOk(await api("POST", `/alerts/${id}/consent`, { basis: "parental_consent", note: "Both parents agreed by phone." }, as(t.counsellor)));
    same = await changeRoleAndSignIn(t, same, "magistrate");
    const authorise = await signOff(same, id, "authorisation", DECISION);
    expect(authorise.body.code).toBe("E_ONE_SEAT");
    expect((await api("GET", `/alerts/${id}`, undefined, as(t.cell))).body.state).toBe("concertation");

    expectOk(await signOff(t.magistrate, id, "authorisation", DECISION));
    expect((await api("GET", `/alerts/${id}`, undefined, as(t.cell))).body.state).toBe("authorised");
  });
});

/** Every stored sign-off of an alert, re-checked as `npm run signoffs:verify` does. */
async function verifyAll(alertId: string) {
  const { results } = await env.DB.prepare(
    `SELECT s.id, s.alert_id AS alertId, s.kind, s.content_hash AS contentHash, s.credential_id AS credentialId, s.challenge,
            s.authenticator_data AS authenticatorData, s.client_data_json AS clientDataJson, s.signature, s.decision,
            v.content_hash AS versionHash, v.content, a.exercise, c.public_key AS publicKey
       FROM sign_offs s JOIN alert_versions v ON v.id = s.version_id JOIN alerts a ON a.id = s.alert_id
       LEFT JOIN credentials c ON c.id = s.credential_id WHERE s.alert_id = ? ORDER BY s.created_at`,
  )
    .bind(alertId)
    .all<StoredSignOff & { versionHash: string; content: string | null; exercise: number; publicKey: string | null }>();
  return Promise.all(
    results.map((r) => verifyStoredSignOff(r, { exercise: !!r.exercise, contentHash: r.versionHash, content: r.content }, r.publicKey, { origin: ORIGIN, rpId: env.RP_ID })),
  );
}

describe("the magistrate's decision is signed, not only the content", () => {
  it("every stored sign-off re-verifies by itself; a decision, content or kind altered afterwards is named", async () => {
    const t = await makeTeam();
    const id = await authorisedAlert(t);
    const verdicts = await verifyAll(id);
    expect(verdicts.map((v) => [v.kind, v.ok, v.binds])).toEqual([
      ["investigator", true, "decision"],
      ["cell", true, "decision"],
      ["operator", true, "decision"],
      ["authorisation", true, "decision"],
    ]);

    // Someone with database access softens the risk assessment after the ceremony.
    const row = await env.DB.prepare("SELECT decision FROM sign_offs WHERE alert_id = ? AND kind = 'authorisation'").bind(id).first<{ decision: string }>();
    const altered = JSON.stringify({ ...JSON.parse(row!.decision), riskAssessment: "Weighed quickly; publish anyway, it costs nothing." });
    await env.DB.prepare("UPDATE sign_offs SET decision = ? WHERE alert_id = ? AND kind = 'authorisation'").bind(altered, id).run();
    // …and passes the operator's signature off as the cell's.
    await env.DB.prepare("DELETE FROM sign_offs WHERE alert_id = ? AND kind = 'cell'").bind(id).run();
    await env.DB.prepare("UPDATE sign_offs SET kind = 'cell' WHERE alert_id = ? AND kind = 'operator'").bind(id).run();
    const after = await verifyAll(id);
    const bad = after.filter((v) => !v.ok);
    expect(bad).toHaveLength(2);
    for (const v of bad) expect(v.problems.join(" ")).toMatch(/altered after the ceremony/);
    expect(bad.map((v) => v.kind).sort()).toEqual(["authorisation", "cell"]);
    expect(after.filter((v) => v.ok).map((v) => v.kind)).toEqual(["investigator"]);
  });

  it("the decision is given when the ceremony starts; the final step cannot carry another one", async () => {
    const t = await makeTeam();
    const id = await createAlert(t.cell);
    await nameCase(t, id);
    expectOk(await api("POST", `/alerts/${id}/submit`, undefined, as(t.cell)));
    for (const [who, kind] of [[t.investigator, "investigator"], [t.cell, "cell"], [t.operator, "operator"]] as const) expectOk(await signOff(who, id, kind));
    expectOk(await api("POST", `/alerts/${id}/consent`, { basis: "parental_consent", note: "Both parents agreed by phone." }, as(t.counsellor)));
    // No decision at the start: refused before the passkey is asked for.
    expect((await api("POST", `/alerts/${id}/signoffs/options`, { kind: "authorisation" }, as(t.magistrate))).body.code).toBe("E_RULE");
    const opts = expectOk(await api("POST", `/alerts/${id}/signoffs/options`, { kind: "authorisation", decision: DECISION }, as(t.magistrate)));
    const response = await t.magistrate.auth.get(opts.body.options);
    const swapped = await api("POST", `/alerts/${id}/signoffs`, { challengeId: opts.body.challengeId, response, decision: { ...DECISION, riskAssessment: "Something else entirely, written later." } }, as(t.magistrate));
    expect(swapped.status).toBe(400);
    expectOk(await api("POST", `/alerts/${id}/signoffs`, { challengeId: opts.body.challengeId, response }, as(t.magistrate)));
    const stored = await env.DB.prepare("SELECT decision FROM sign_offs WHERE alert_id = ? AND kind = 'authorisation'").bind(id).first<{ decision: string }>();
    expect(JSON.parse(stored!.decision).riskAssessment).toBe(DECISION.riskAssessment);
  });
});

describe("invitations are used once, atomically", () => {
  /** Two registrations started from one link, finished at the same moment. */
  async function race(token: string, ip: string) {
    const starts = await Promise.all([0, 1].map(() => api("POST", "/auth/register/options", { token }, { ip })));
    const finishes = await Promise.all(
      starts.map(async (o) => {
        expectOk(o);
        const response = await new SoftAuthenticator(env.RP_ID, ORIGIN).create(o.body.options);
        return { challengeId: o.body.challengeId, response };
      }),
    );
    return Promise.all(finishes.map((body) => api("POST", "/auth/register/verify", body, { ip })));
  }

  it("a new-account link used twice in parallel: exactly one account, the other a clear 4xx (10 trials)", async () => {
    for (let i = 0; i < 10; i++) {
      const email = `race.${i}.${crypto.randomUUID().slice(0, 8)}@example.test`;
      const inv = await createInvitation(db(), { email, displayName: "Race", role: "operator", createdBy: null }, new Date());
      const results = await race(inv.token, `10.9.${i}.1`);
      expect(results.map((r) => r.status).sort(), `trial ${i}`).toEqual([200, 401]);
      expect(results.find((r) => r.status === 401)!.body.code).toBe("E_INVITATION_INVALID");
      const n = await env.DB.prepare("SELECT COUNT(*) AS n FROM credentials c JOIN users u ON u.id = c.user_id WHERE u.email = ?").bind(email).first<{ n: number }>();
      expect(n!.n).toBe(1);
    }
  });

  it("an \"add a passkey\" link used twice in parallel registers one passkey (10 trials)", async () => {
    const s = await makeStaff("investigator");
    for (let i = 0; i < 10; i++) {
      const inv = await createInvitation(db(), { email: s.email, displayName: "x", role: "investigator", createdBy: null }, new Date());
      const before = await env.DB.prepare("SELECT COUNT(*) AS n FROM credentials WHERE user_id = ?").bind(s.userId).first<{ n: number }>();
      const results = await race(inv.token, `10.8.${i}.1`);
      expect(results.map((r) => r.status).sort(), `trial ${i}`).toEqual([200, 401]);
      const after = await env.DB.prepare("SELECT COUNT(*) AS n FROM credentials WHERE user_id = ?").bind(s.userId).first<{ n: number }>();
      expect(after!.n - before!.n).toBe(1);
    }
  });
});

describe("sessions", () => {
  it("the cookie is __Host- prefixed (Secure, path /, no Domain)", async () => {
    const s = await makeStaff("cell");
    expect(s.cookie).toMatch(/^__Host-ca_session=/);
    const opts = expectOk(await api("POST", "/auth/login/options", undefined, { ip: s.ip }));
    const res = expectOk(await api("POST", "/auth/login/verify", { challengeId: opts.body.challengeId, response: await s.auth.get(opts.body.options) }, { ip: s.ip }));
    const set = res.headers.get("Set-Cookie")!;
    expect(set).toMatch(/^__Host-ca_session=[^;]+;.*Path=\//);
    expect(set).toMatch(/Secure/);
    expect(set).not.toMatch(/Domain=/i);
  });

  it("a session unused for two hours ends; use keeps it alive; the cron deletes ended sessions and expired challenges", async () => {
    const s = await makeStaff("investigator");
    const hash = async () => {
      const token = decodeURIComponent(s.cookie.split("=").slice(1).join("="));
      const bytes = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token)));
      return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
    };
    const h = await hash();
    const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
    await env.DB.prepare("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?").bind(ago(90 * 60_000), h).run();
    expectOk(await api("GET", "/auth/me", undefined, as(s)));
    const touched = await env.DB.prepare("SELECT last_seen_at AS at FROM sessions WHERE token_hash = ?").bind(h).first<{ at: string }>();
    expect(Date.now() - Date.parse(touched!.at)).toBeLessThan(60_000);

    await env.DB.prepare("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?").bind(ago(121 * 60_000), h).run();
    expect((await api("GET", "/auth/me", undefined, as(s))).status).toBe(401);

    const staleChallenge = crypto.randomUUID();
    await env.DB.prepare("INSERT INTO challenges (id, purpose, challenge, expires_at) VALUES (?, 'login', 'x', ?)").bind(staleChallenge, ago(60_000)).run();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: new Date(), cron: "*/5 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await env.DB.prepare("SELECT 1 FROM sessions WHERE token_hash = ?").bind(h).first()).toBeNull();
    expect(await env.DB.prepare("SELECT 1 FROM challenges WHERE id = ?").bind(staleChallenge).first()).toBeNull();
  });
});

describe("names are text", () => {
  it("a first name made of a zero-width space, or with an RTL override, is refused with a field error; nothing is written", async () => {
    const t = await makeTeam();
    const before = await env.DB.prepare("SELECT COUNT(*) AS n FROM alerts").first<{ n: number }>();
    for (const firstName of ["\u200B", "Noa\u202E"]) {
      const content = makeContent();
      const res = await api("POST", "/alerts", { exercise: true, content: { ...content, child: { ...content.child, firstName } }, file: FILE }, as(t.cell));
      expect(res.status).toBe(400);
      expect(res.body.code).toBe("E_VALIDATION");
      expect(res.body.errors[0]).toMatchObject({ path: "content.child.firstName", message: expect.stringMatching(/invisible|text-direction/) });
    }
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM alerts").first<{ n: number }>()).toEqual(before);
  });
});

describe("headers", () => {
  it("every HTML page the Worker writes has a CSP without inline scripts (bar its nonce), nosniff, frame-ancestors and Referrer-Policy", async () => {
    const t = await makeTeam();
    const live = await authorisedAlert(t);
    expectOk(await api("POST", `/alerts/${live}/launch`, undefined, as(t.cell)));
    // The widget's iframe is issued to a registered partner (its id, on its declared site).
    const partner = expectOk(await api("POST", "/admin/partners", { name: "Trust check", domains: ["trust.news.example"], country: "BE", languages: ["fr", "nl"], exercise: true }, as(t.admin)), 201).body.partner.id as string;
    const routes = ["/subscribe", "/subscribe?lang=nl", "/subscribe/email", "/email/confirm?t=abc", "/email/unsubscribe?s=x&t=y", `/alert/${live}`, `/alert/${live}?lang=de`, `/alert/${crypto.randomUUID()}`, "/api/v1/docs", "/partners", `/widget/frame?partner=${partner}&lang=fr`, `/widget/frame?partner=${partner}&lang=nl`];
    for (const path of routes) {
      const res = await exports.default.fetch(new Request(`${ORIGIN}${path}`, { headers: { Referer: "https://trust.news.example/page" } }));
      expect(res.headers.get("Content-Type"), path).toMatch(/^text\/html/);
      const csp = res.headers.get("Content-Security-Policy") ?? "";
      const scriptSrc = /script-src ([^;]+)/.exec(csp)?.[1] ?? "";
      expect(scriptSrc, path).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
      // The widget's iframe variant is made to be framed by partners' pages; nothing else is.
      expect(csp, path).toMatch(path.startsWith("/widget/frame") ? /frame-ancestors \*/ : /frame-ancestors 'none'/);
      expect(res.headers.get("X-Frame-Options"), path).toBe(path.startsWith("/widget/frame") ? null : "DENY");
      expect(csp, path).toMatch(/object-src 'none'/);
      expect(res.headers.get("X-Content-Type-Options"), path).toBe("nosniff");
      expect(res.headers.get("Referrer-Policy"), path).toMatch(/^(no-referrer|strict-origin-when-cross-origin)$/);
      const html = await res.text();
      // An inline script runs only with this response's nonce.
      for (const m of html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)) {
        const nonce = /nonce="([^"]+)"/.exec(m[1]!)?.[1];
        expect(nonce, `${path}: inline script without a nonce`).toBeTruthy();
        expect(scriptSrc).toContain(`'nonce-${nonce}'`);
      }
    }
  });

  it("/health says only that it answers", async () => {
    const res = await api("GET", "/health");
    expect(res.body).toEqual({ ok: true });
  });
});

/** The id (base64url) a server knows a software passkey by. */
const credId = (a: SoftAuthenticator) => b64url(a.credentials[0]!.id);

/** Registers a passkey from an invitation link with a new software authenticator; returns the response and the authenticator. */
async function signInWith(auth: SoftAuthenticator, ip: string) {
  const opts = expectOk(await api("POST", "/auth/login/options", undefined, { ip }));
  return api("POST", "/auth/login/verify", { challengeId: opts.body.challengeId, response: await auth.get(opts.body.options) }, { ip });
}

describe("the admin cannot become someone else", () => {
  it("an admin's 'add a passkey' link for the magistrate works only once a second admin approved it; the owner's own link needs no one; the owner is e-mailed each time", async () => {
    const t = await makeTeam();
    const creator = await makeStaff("admin", "Creator Admin");
    const other = await makeStaff("admin", "Approver Admin");
    // A new account's first passkey is no news to its owner.
    expect(await addedMails(t.magistrate.email, 0)).toEqual([]);
    const created = expectOk(await api("POST", "/admin/invitations", { email: t.magistrate.email, displayName: "x", role: "magistrate" }, as(creator)), 201);
    expect(created.body.needsApproval).toBe(true);
    const pending = await registerFrom(created.body.link, "10.7.0.1");
    expect(pending.res.status).toBe(409);
    expect(pending.res.body.code).toBe("E_INVITATION_PENDING");
    // The same admin cannot approve their own link.
    expect((await api("POST", `/admin/invitations/${created.body.id}/approve`, undefined, as(creator))).status).toBe(403);
    expectOk(await api("POST", `/admin/invitations/${created.body.id}/approve`, undefined, as(other)), 204);
    expectOk((await registerFrom(created.body.link, "10.7.0.2")).res);
    // The owner is told, with who made and who approved the link, and where to revoke it.
    const [byAdmin] = await addedMails(t.magistrate.email, 1);
    expect(byAdmin!.text).toContain("Link made by Creator Admin, approved by Approver Admin.");
    expect(byAdmin!.text).toContain(`${env.APP_ORIGIN}/account`);

    // The magistrate, signed in, adds a device without anyone's approval (and is told too).
    const own = expectOk(await ownDeviceLink(t.magistrate), 201);
    expectOk((await registerFrom(own.body.link, "10.7.0.3")).res);
    const keys = expectOk(await api("GET", "/auth/passkeys", undefined, as(t.magistrate))).body.passkeys;
    expect(keys).toHaveLength(3);
    const mails = await addedMails(t.magistrate.email, 2);
    expect(mails.filter((m) => m.text!.includes("You asked for this link yourself."))).toHaveLength(1);
    // Each added passkey is marked told (so the cron's catch-up leaves it), and mailed once.
    const untold = () => env.DB.prepare("SELECT count(*) AS n FROM credentials WHERE user_id = ? AND owner_told_at IS NULL").bind(t.magistrate.userId).first<{ n: number }>();
    for (let i = 0; i < 100 && (await untold())!.n > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await untold())!.n).toBe(0);
    expect(await addedMails(t.magistrate.email, 0)).toHaveLength(2);
  });
});

describe("the owner is told of an added passkey", () => {
  it("if the job was lost, the cron tells the owner", async () => {
    const s = await makeStaff("cell");
    const own = expectOk(await ownDeviceLink(s), 201);
    expectOk((await registerFrom(own.body.link, "10.7.1.1")).res);
    await addedMails(s.email, 1);
    // As if the queue had lost the job: the key is untold, and registered 3 minutes ago.
    const id = (await env.DB.prepare("SELECT id FROM credentials WHERE user_id = ? AND invitation_id IS NOT NULL ORDER BY created_at DESC").bind(s.userId).first<{ id: string }>())!.id;
    await env.DB.prepare("UPDATE credentials SET owner_told_at = NULL, created_at = ? WHERE id = ?").bind(new Date(Date.now() - 3 * 60_000).toISOString(), id).run();
    expect(await retellPasskeys(env, new Date())).toBeGreaterThanOrEqual(1);
    expect(await addedMails(s.email, 2)).toHaveLength(2);
  });
});

/** The "passkey added" e-mails an address received, once there are at least `n` (none expected: waits a moment). */
async function addedMails(address: string, n: number): Promise<CaughtMail[]> {
  const deadline = Date.now() + (n ? 15_000 : 1_000);
  for (;;) {
    const got = (await smtp.messages(address)).filter((m) => m.headers["x-child-alert"] === "account; event=passkey_added");
    if ((n && got.length >= n) || Date.now() > deadline) return got;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("revocation", () => {
  it("a revoked passkey is refused for good (also after the account is disabled and re-enabled); the last one cannot be revoked by its owner", async () => {
    const t = await makeTeam();
    const s = t.investigator;
    const own = expectOk(await ownDeviceLink(s), 201);
    const second = await registerFrom(own.body.link, "10.6.0.1");
    expectOk(second.res);
    const keys = expectOk(await api("GET", "/auth/passkeys", undefined, as(s))).body.passkeys as { id: string; name: string | null }[];
    expect(keys).toHaveLength(2);
    const original = credId(s.auth);
    expectOk(await api("PATCH", `/auth/passkeys/${encodeURIComponent(original)}`, { name: "work phone" }, as(s)), 204);
    expect(expectOk(await api("GET", "/auth/passkeys", undefined, as(s))).body.passkeys.find((k: { id: string }) => k.id === original).name).toBe("work phone");
    // Revoke the original passkey with the session it opened: the new one remains.
    expectOk(await api("POST", `/auth/passkeys/${encodeURIComponent(original)}/revoke`, undefined, as(s)), 204);
    expect((await signInWith(s.auth, "10.6.0.2")).body.code).toBe("E_BAD_ASSERTION");
    const withNew = await signInWith(second.auth, "10.6.0.3");
    expectOk(withNew);
    const cookie = withNew.headers.get("Set-Cookie")!.split(";")[0]!;
    const newId = credId(second.auth);
    const last = await api("POST", `/auth/passkeys/${encodeURIComponent(newId)}/revoke`, undefined, { cookie, ip: "10.6.0.3" });
    expect(last.body.code).toBe("E_RULE");

    await changeAccount(t, s.userId, { disabled: true });
    await changeAccount(t, s.userId, { disabled: false });
    expect((await signInWith(s.auth, "10.6.0.4")).body.code).toBe("E_BAD_ASSERTION");
    expectOk(await signInWith(second.auth, "10.6.0.5"));
  });

  it("the admin revokes a lost passkey: the person's sessions end; a pending invitation can be revoked", async () => {
    const t = await makeTeam();
    const s = t.operator;
    const lost = credId(s.auth);
    expectOk(await api("GET", "/auth/me", undefined, as(s)));
    expectOk(await api("POST", `/admin/users/${s.userId}/passkeys/${encodeURIComponent(lost)}/revoke`, undefined, as(t.admin)), 204);
    expect((await api("GET", "/auth/me", undefined, as(s))).status).toBe(401);
    expect((await signInWith(s.auth, "10.5.0.1")).body.code).toBe("E_BAD_ASSERTION");
    const listed = expectOk(await api("GET", `/admin/users/${s.userId}/passkeys`, undefined, as(t.admin))).body.passkeys;
    expect(listed[0].revokedAt).toBeTruthy();

    const inv = expectOk(await api("POST", "/admin/invitations", { email: `new.${crypto.randomUUID().slice(0, 6)}@example.test`, displayName: "New", role: "cell" }, as(t.admin)), 201);
    expectOk(await api("POST", `/admin/invitations/${inv.body.id}/revoke`, undefined, as(t.admin)), 204);
    expect((await registerFrom(inv.body.link, "10.5.0.2")).res.body.code).toBe("E_INVITATION_INVALID");
  });

  it("disabling, demoting or signing out closes that person's open live feeds at once", async () => {
    const t = await makeTeam();
    const id = await createAlert(t.cell);
    await nameCase(t, id);
    const open = openLiveFeed;
    const board = await open(t.investigator, "/board/live");
    const alert = await open(t.investigator, `/alerts/${id}/live`);
    const bystander = await open(t.cell, "/board/live");
    await changeAccount(t, t.investigator.userId, { role: "operator" });
    expect(await until(() => board.closed() !== null && alert.closed() !== null)).toBe(true);
    expect(board.closed()).toBe(4401);
    expect(bystander.closed()).toBeNull();

    const mine = await open(t.cell, `/alerts/${id}/live`);
    expectOk(await api("POST", "/auth/logout", undefined, as(t.cell)), 204);
    expect(await until(() => mine.closed() !== null && bystander.closed() !== null)).toBe(true);
  });
});

describe("an anchored audit trail", () => {
  const verify = async (who: Staff) => expectOk(await api("GET", "/audit/verify", undefined, as(who))).body;
  const waitForHead = async (who: Staff, seqAtLeast: number) => {
    for (let i = 0; i < 200; i++) {
      const v = await verify(who);
      if ((v.anchors?.newest?.seq ?? 0) >= seqAtLeast) return v;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("no head anchored");
  };

  it("a launch anchors the chain's head (signed, one object per head); cutting off the newest entries or rewriting one is named", async () => {
    const t = await makeTeam();
    const id = await authorisedAlert(t);
    expectOk(await api("POST", `/alerts/${id}/launch`, undefined, as(t.cell)));
    const top = await env.DB.prepare("SELECT MAX(seq) AS seq FROM audit_entries").first<{ seq: number }>();
    const v = await waitForHead(t.operator, top!.seq);
    expect(v.ok).toBe(true);
    expect(v.anchors).toMatchObject({ badSignatures: 0, problems: [] });
    expect(["alert"]).toContain(v.anchors.newest.reason);
    const anchors = expectOk(await api("GET", "/audit/anchors")).body;
    expect(anchors.heads.at(-1)).toMatchObject({ seq: v.anchors.newest.seq, signature: expect.any(String) });
    // Publishing the same head again never overwrites it.
    const key = `heads/${String(v.anchors.newest.seq).padStart(12, "0")}.json`;
    const before = await (await env.AUDIT_ANCHORS.get(key))!.text();
    const { publishHead } = await import("../audit/anchors.ts");
    expect(await publishHead(env, db(), "again")).toBeNull();
    expect(await (await env.AUDIT_ANCHORS.get(key))!.text()).toBe(before);

    // Someone with database access removes the newest entries (chain still internally consistent).
    const head = v.anchors.newest.seq as number;
    const saved = await env.DB.prepare("SELECT * FROM audit_entries WHERE seq >= ? ORDER BY seq").bind(head - 1).all();
    await env.DB.prepare("DELETE FROM audit_entries WHERE seq >= ?").bind(head - 1).run();
    const cut = await verify(t.operator);
    expect(cut.ok).toBe(false);
    expect(cut.anchors.problems).toContainEqual(expect.objectContaining({ seq: head, kind: "truncated" }));
    // Put back, then rewrite the anchored entry's hash.
    for (const r of saved.results as Record<string, unknown>[]) {
      const cols = Object.keys(r);
      await env.DB.prepare(`INSERT INTO audit_entries (${cols.join(",")}) VALUES (${cols.map(() => "?").join(",")})`).bind(...cols.map((k) => r[k] as string)).run();
    }
    expect((await verify(t.operator)).ok).toBe(true);
    await env.DB.prepare("UPDATE audit_entries SET hash = ? WHERE seq = ?").bind("f".repeat(64), head).run();
    const rewritten = await verify(t.operator);
    expect(rewritten.anchors.problems).toContainEqual(expect.objectContaining({ seq: head, kind: "rewritten" }));
    await env.DB.prepare("UPDATE audit_entries SET hash = ? WHERE seq = ?").bind((saved.results.find((r) => (r as { seq: number }).seq === head) as { hash: string }).hash, head).run();
  });
});
