// Admin and statistics: role changes, channel switches (and what the fan-out does with
// them), the yearly PII-free export, and the permissions the dashboard is told about.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { permissionsOf } from "../domain/index.ts";
import { api, as, changeAccount, citizen, expectOk, liveAlert, makeContent, makeStaff, makeTeam, settledFanouts, standin, type Team, FILE } from "../test/helpers.ts";

let t: Team;
beforeAll(async () => {
  t = await makeTeam();
});

const auditActions = async () =>
  (await env.DB.prepare("SELECT action, details FROM audit_entries ORDER BY seq").all<{ action: string; details: string }>()).results;

describe("GET /auth/me", () => {
  it("tells the dashboard what the signed-in role may do", async () => {
    const me = expectOk(await api("GET", "/auth/me", undefined, as(t.magistrate))).body;
    expect(me.permissions).toEqual(permissionsOf("magistrate"));
    expect(me.permissions).toContain("alert.extend");
    expect(me.permissions).not.toContain("alert.launch");
    expect(expectOk(await api("GET", "/auth/me", undefined, as(t.admin))).body.permissions).not.toContain("alert.read");
  });
});

describe("PATCH /api/v1/admin/users/{id}", () => {
  it("changes a role: audited, the person's sessions end, the new role applies at next sign-in", async () => {
    const s = await makeStaff("investigator");
    expectOk(await api("GET", "/alerts", undefined, as(s)));
    const res = await changeAccount(t, s.userId, { role: "calltaker" });
    expect(res.body.role).toBe("investigator"); // asked for, not yet in effect when the PATCH answered
    expect((await api("GET", "/auth/me", undefined, as(s))).status).toBe(401); // session ended at the approval
    const last = (await auditActions()).at(-1)!;
    expect(last.action).toBe("user_role_changed");
    expect(JSON.parse(last.details)).toEqual({ userId: s.userId, from: "investigator", to: "calltaker", requestId: res.body.pending[0].id });
    const row = await env.DB.prepare("SELECT role FROM users WHERE id = ?").bind(s.userId).first<{ role: string }>();
    expect(row!.role).toBe("calltaker");
  });

  it("refuses an empty change, an unknown role, and an admin demoting themself", async () => {
    const s = await makeStaff("cell");
    expect((await api("PATCH", `/admin/users/${s.userId}`, {}, as(t.admin))).body.code).toBe("E_VALIDATION");
    expect((await api("PATCH", `/admin/users/${s.userId}`, { role: "superuser" }, as(t.admin))).body.code).toBe("E_VALIDATION");
    const self = await api("PATCH", `/admin/users/${t.admin.userId}`, { role: "cell" }, as(t.admin));
    expect(self.status).toBe(422);
    expect(self.body.code).toBe("E_RULE");
  });
});

describe("channel settings", () => {
  it("lists every channel of the registry with its audience; a switched-off channel sends no alert, but the stop still goes out", async () => {
    const sub = await citizen();
    const before = expectOk(await api("GET", "/admin/channels", undefined, as(t.admin))).body.channels;
    expect(before).toEqual([
      expect.objectContaining({ channel: "push", enabled: true, audience: expect.any(Number) }),
      expect.objectContaining({ channel: "email", enabled: true, audience: expect.any(Number) }),
      expect.objectContaining({ channel: "webhooks", enabled: true, audience: expect.any(Number) }),
      ...["mastodon", "bluesky", "x", "facebook", "telegram"].map((channel) => expect.objectContaining({ channel, enabled: true, configured: true, audience: expect.any(Number) })),
    ]);
    expect(before[0].audience).toBeGreaterThanOrEqual(1);
    expect((await api("GET", "/admin/channels", undefined, as(t.cell))).status).toBe(403);

    const off = expectOk(await api("PUT", "/admin/channels/push", { enabled: false }, as(t.admin))).body.channels;
    expect(off[0]).toMatchObject({ channel: "push", enabled: false, updatedBy: t.admin.userId });
    expect((await auditActions()).at(-1)!.action).toBe("channel_disabled");

    const id = await liveAlert(t);
    const [alert] = await settledFanouts(id, ["alert"], as(t.operator));
    expect(alert).toMatchObject({ event: "alert", switchedOff: true, pagesPlanned: 0, sent: 0 });
    expect(await standin.received(sub.id)).toHaveLength(0);

    expectOk(await api("PUT", "/admin/channels/push", { enabled: true }, as(t.admin)));
    expect((await api("PUT", "/admin/channels/sms", { enabled: true }, as(t.admin))).body.code).toBe("E_VALIDATION");
    // Back on: the next alert reaches the subscriber.
    const next = await liveAlert(t);
    await settledFanouts(next, ["alert"], as(t.operator));
    expect((await standin.received(sub.id)).map((m) => m.payload.type)).toEqual(["alert"]);
    // Switched off while that alert is live: the retraction still reaches its recipient.
    expectOk(await api("PUT", "/admin/channels/push", { enabled: false }, as(t.admin)));
    expectOk(await api("POST", `/alerts/${next}/stop`, { reason: "found_safe" }, as(t.cell)));
    await settledFanouts(next, ["stop"], as(t.operator));
    expect((await standin.received(sub.id)).map((m) => m.payload.type)).toEqual(["alert", "stop"]);
    expectOk(await api("PUT", "/admin/channels/push", { enabled: true }, as(t.admin)));
  });
});

describe("GET /api/v1/statistics/{year}", () => {
  it("counts the year's alerts without any personal data, as JSON and CSV; audited", async () => {
    const year = new Date().getUTCFullYear();
    const NAME = "Zoltana";
    const id = await liveAlert(t, makeContent({ child: { ...makeContent().child, firstName: NAME } }));
    const tip = expectOk(await api("POST", `/alerts/${id}/tips/web`, { text: "Seen in Namur with a raincoat", anonymous: true, turnstileToken: "XXXX.DUMMY.TOKEN.XXXX" }), 201).body.id;
    expectOk(await api("POST", `/alerts/${id}/tips/${tip}/useful`, { useful: true }, as(t.cell)));
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
    const cancelled = await liveAlert(t).then(async () => {
      const res = expectOk(await api("POST", "/alerts", { exercise: false, content: makeContent(), file: FILE }, as(t.cell)), 201);
      expectOk(await api("POST", `/alerts/${res.body.alertId}/cancel`, undefined, as(t.cell)));
      return res.body.alertId as string;
    });

    const json = expectOk(await api("GET", `/statistics/${year}`, undefined, as(t.cell))).body;
    expect(json.year).toBe(year);
    const mine = json.alerts.find((a: { alertId: string }) => a.alertId === id);
    expect(mine).toMatchObject({ exercise: false, outcome: "launched", endReason: "found_safe", extensions: 0, updates: 0 });
    expect(mine.durationMinutes).toBeGreaterThanOrEqual(0);
    // One set of figures per channel of the registry.
    const registry = ["push", "email", "webhooks", "mastodon", "bluesky", "x", "facebook", "telegram"];
    expect(Object.keys(mine.channels)).toEqual(registry);
    expect(mine.channels.push).toEqual({ sent: expect.any(Number), failed: expect.any(Number), retractions: expect.any(Number) });
    expect(Object.keys(json.totals.sent)).toEqual(registry);
    expect(mine.tips).toEqual({ total: 1, web: 1, call: 0, acknowledged: 1, useful: 1 });
    expect(json.totals.usefulTips).toBeGreaterThanOrEqual(1);
    expect(json.alerts.find((a: { alertId: string }) => a.alertId === cancelled)).toMatchObject({ outcome: "cancelled", launchedAt: null });
    expect(json.totals.launched).toBeGreaterThanOrEqual(2);
    expect(json.totals.cancelledBeforeLaunch).toBeGreaterThanOrEqual(1);
    expect(json.totals.foundSafe).toBeGreaterThanOrEqual(1);
    const text = JSON.stringify(json);
    for (const pii of [NAME, "Exemple", "raincoat", "Namur", "1-ABC-123", "Publicity weighed", "parents"]) expect(text).not.toContain(pii);

    const csv = await api("GET", `/statistics/${year}?format=csv`, undefined, as(t.admin));
    expect(csv.status).toBe(200);
    expect(csv.headers.get("Content-Type")).toMatch(/^text\/csv/);
    expect(csv.headers.get("Content-Disposition")).toContain(`child-alert-statistics-${year}.csv`);
    const lines = String(csv.body).trim().split("\r\n");
    expect(lines[0]).toBe("alertId,kind,exercise,outcome,launchedAt,endedAt,durationMinutes,extensions,endReason,updates,push_sent,push_failed,push_retractions,email_sent,email_failed,email_retractions,webhooks_sent,webhooks_failed,webhooks_retractions,mastodon_sent,mastodon_failed,mastodon_retractions,bluesky_sent,bluesky_failed,bluesky_retractions,x_sent,x_failed,x_retractions,facebook_sent,facebook_failed,facebook_retractions,telegram_sent,telegram_failed,telegram_retractions,tips_total,tips_web,tips_call,tips_acknowledged,tips_useful");
    expect(lines.find((l) => l.startsWith(id))).toMatch(/,false,launched,.*,found_safe,0,/);
    expect(String(csv.body)).not.toContain(NAME);

    expect((await api("GET", `/statistics/${year}`, undefined, as(t.investigator))).status).toBe(403);
    expect((await api("GET", "/statistics/19", undefined, as(t.cell))).body.code).toBe("E_VALIDATION");
    expect((await api("GET", `/statistics/${year}?format=xml`, undefined, as(t.cell))).body.code).toBe("E_VALIDATION");
    expect((await auditActions()).filter((a) => a.action === "statistics_exported").length).toBeGreaterThanOrEqual(2);
  });
});
