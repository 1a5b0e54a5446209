// Rule 9 and the staff notices: the e-mails reach a real SMTP server (the stand-in of
// vitest.config.ts) through the queue, the inbox shows the same notices per person.
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { smtp, type CaughtMail } from "../test/standins/email.ts";
import { alertStub } from "../alert/api.ts";
import { mailNotices } from "./notices.ts";
import { remailNotices } from "../alert/timers.ts";
import { api, as, createAlert, DECISION, expectOk, liveAlert, makeContent, makeStaff, makeTeam, signOff, type Team } from "../test/helpers.ts";

let t: Team;
const POLICE = `police.${crypto.randomUUID().slice(0, 8)}@federal-police.test`;
const CELL_BOX = `cell.${crypto.randomUUID().slice(0, 8)}@federal-police.test`;

beforeAll(async () => {
  t = await makeTeam();
  expectOk(await api("PUT", "/admin/mailboxes", { federal_police: [` ${POLICE.toUpperCase()} `], cell: [CELL_BOX] }, as(t.admin)));
});

const about = (id: string, subject: string) => (m: CaughtMail) => m.headers["x-child-alert"]?.startsWith("notice;") && m.text?.includes(id) && m.subject?.endsWith(subject);

async function mailsTo(address: string, id: string, subject: string, n = 1): Promise<CaughtMail[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const got = (await smtp.messages(address)).filter(about(id, subject));
    if (got.length >= n) return got;
    if (Date.now() > deadline) throw new Error(`no "${subject}" e-mail for ${address} about ${id}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("rule 9 by e-mail", () => {
  it("launch, published update, extension and stop e-mail the police and cell mailboxes and the case's investigator, without child data", { timeout: 60_000 }, async () => {
    const id = await liveAlert(t, makeContent({ child: { ...makeContent().child, firstName: "Zoëlle" } }));
    for (const to of [POLICE, CELL_BOX, t.investigator.email, t.cell.email]) {
      const [mail] = await mailsTo(to, id, "launched");
      expect(mail!.text).toContain(`${env.APP_ORIGIN}/alerts/${id}`);
      expect(mail!.text).toContain("live");
      // Only the alert's id and state: the name, the description and the photo stay in the dashboard.
      expect(`${mail!.subject} ${mail!.text} ${mail!.html}`).not.toContain("Zoëlle");
      expect(mail!.attachments).toEqual([]);
    }
    // An investigator who took no part in this case is not mailed (the case has its own).
    const other = await makeStaff("investigator");
    expect((await smtp.messages(other.email)).filter(about(id, "launched"))).toEqual([]);

    // A published update (the magistrate authorises the new version of the live alert).
    const v2 = expectOk(await api("PUT", `/alerts/${id}/content`, { content: makeContent({ child: { ...makeContent().child, firstName: "Zoëlle" }, circumstances: "Seen later near the station." }) }, as(t.cell)));
    // The pending version asks the magistrate for the authorisation.
    await mailsTo(t.magistrate.email, id, "sign-off requested");
    expectOk(await signOff(t.magistrate, id, "authorisation", DECISION));
    expect(v2.body.versionId).toBeTruthy();
    await mailsTo(POLICE, id, "update published");
    await mailsTo(t.investigator.email, id, "update published");

    expectOk(await api("POST", `/alerts/${id}/extend`, undefined, as(t.magistrate)));
    await mailsTo(CELL_BOX, id, "extended");

    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
    const [stopped] = await mailsTo(POLICE, id, "stopped");
    expect(stopped!.text).toContain("stopped");
    await mailsTo(t.investigator.email, id, "stopped");
    // The end reaches every seat (rule 12): the foundation and the magistrate in charge too.
    await mailsTo(t.operator.email, id, "stopped");
    await mailsTo(t.magistrate.email, id, "stopped");
    // Every notice of the alert was handled; each address once per notice.
    const rows = await env.DB.prepare("SELECT mail_status, count(*) AS n FROM notifications WHERE alert_id = ? GROUP BY mail_status").bind(id).all();
    expect(rows.results).toEqual([{ mail_status: "sent", n: expect.any(Number) }]);
    expect((await smtp.messages(POLICE)).filter(about(id, "launched"))).toHaveLength(1);
  });

  it("submitting asks every signing party for its sign-off, by e-mail and in their inbox", async () => {
    const id = await createAlert(t.cell);
    expectOk(await api("POST", `/alerts/${id}/submit`, undefined, as(t.cell)));
    for (const who of [t.magistrate, t.operator, t.investigator]) {
      const [mail] = await mailsTo(who.email, id, "sign-off requested");
      expect(mail!.text).toContain("Your sign-off is requested.");
      const inbox = expectOk(await api("GET", "/inbox", undefined, as(who))).body;
      expect(inbox.items.find((i: { alertId: string }) => i.alertId === id)).toMatchObject({ event: "signoff_requested", readAt: null });
    }
    // Not the mailboxes: a sign-off request is not a rule 9 event.
    expect((await smtp.messages(POLICE)).filter(about(id, "sign-off requested"))).toEqual([]);
  });

  it("the review prompt reaches the magistrate by e-mail through the Durable Object alarm", async () => {
    const id = await liveAlert(t);
    await env.DB.prepare("UPDATE alerts SET ends_at = ? WHERE id = ?").bind(new Date(Date.now() + 10 * 60_000).toISOString(), id).run();
    expect(await runDurableObjectAlarm(alertStub(env, id) as unknown as DurableObjectStub)).toBe(true);
    const [mail] = await mailsTo(t.magistrate.email, id, "review due");
    expect(mail!.text).toContain("extend it or let it end");
    expect(mail!.text).toMatch(/Ends \/ Fin \/ Einde \/ Ende: \d{4}-/);
    expect((await smtp.messages(POLICE)).filter(about(id, "review due"))).toEqual([]);
  });

  it("a redelivered job mails no address twice; without a relay the notices stay in the inbox, marked", async () => {
    const id = await liveAlert(t);
    await mailsTo(POLICE, id, "launched");
    const unmailed = () => env.DB.prepare("SELECT count(*) AS n FROM notifications WHERE alert_id = ? AND mailed_at IS NULL").bind(id).first<{ n: number }>();
    while ((await unmailed())!.n > 0) await new Promise((r) => setTimeout(r, 50));
    expect(await mailNotices(env, id)).toEqual({ notices: 0, mailed: 0 });
    // A notice half sent before a crash: the address already recorded is skipped.
    await env.DB.prepare("UPDATE notifications SET mailed_at = NULL, mail_status = NULL WHERE alert_id = ? AND event = 'launched' AND recipient_role = 'cell'").bind(id).run();
    const before = (await smtp.messages(POLICE)).filter(about(id, "launched")).length;
    const again = await mailNotices(env, id);
    expect(again).toEqual({ notices: 1, mailed: 0 });
    expect((await smtp.messages(POLICE)).filter(about(id, "launched"))).toHaveLength(before);
    // Two runs at once (a second job, the cron's): one claims each notice, the other skips it.
    await env.DB.prepare("UPDATE notifications SET mailed_at = NULL, mail_status = NULL WHERE alert_id = ? AND event = 'launched' AND recipient_role = 'cell'").bind(id).run();
    await env.DB.prepare("DELETE FROM notice_mails WHERE notification_id IN (SELECT id FROM notifications WHERE alert_id = ? AND event = 'launched' AND recipient_role = 'cell')").bind(id).run();
    const both = await Promise.all([mailNotices(env, id), mailNotices(env, id)]);
    expect(both.map((r) => r.notices).sort()).toEqual([0, 1]);
    expect((await smtp.messages(POLICE)).filter(about(id, "launched"))).toHaveLength(before + 1);

    const all = (await env.DB.prepare("UPDATE notifications SET mailed_at = NULL, mail_status = NULL WHERE alert_id = ?").bind(id).run()).meta.changes;
    expect(await mailNotices({ ...env, SMTP_HOST: "" }, id)).toEqual({ notices: all, mailed: 0 });
    const statuses = await env.DB.prepare("SELECT DISTINCT mail_status AS s FROM notifications WHERE alert_id = ?").bind(id).all();
    expect(statuses.results).toEqual([{ s: "no_relay" }]);
  });
});

describe("the cron's safety net", () => {
  it("asks again for notices left unmailed (their queue send failed)", async () => {
    const id = await liveAlert(t);
    await mailsTo(POLICE, id, "launched");
    // A notice recorded three minutes ago whose job never arrived.
    await env.DB.prepare(
      "INSERT INTO notifications (id, alert_id, recipient_role, event, dedupe_key, created_at) VALUES (?, ?, 'cell', 'updated', ?, ?)",
    )
      .bind(crypto.randomUUID(), id, `${id}:lost`, new Date(Date.now() - 3 * 60_000).toISOString())
      .run();
    expect(await remailNotices(env, new Date())).toBeGreaterThanOrEqual(1);
    await mailsTo(POLICE, id, "update published");
  });
});

describe("the inbox", () => {
  it("shows each person the notices for them, counts the unread, and marks read per person", async () => {
    const id = await liveAlert(t);
    const cell2 = await makeStaff("cell");
    const mine = expectOk(await api("GET", "/inbox", undefined, as(t.cell))).body;
    const launched = mine.items.find((i: { alertId: string; event: string }) => i.alertId === id && i.event === "launched");
    expect(launched).toMatchObject({ readAt: null });
    expect(mine.unread).toBeGreaterThan(0);
    const theirs = expectOk(await api("GET", "/inbox", undefined, as(cell2))).body;

    const after = expectOk(await api("POST", "/inbox/read", { ids: [launched.id] }, as(t.cell))).body;
    expect(after.unread).toBe(mine.unread - 1);
    expect(after.items.find((i: { id: string }) => i.id === launched.id).readAt).not.toBeNull();
    // Read by one cell member, still unread for the other.
    expect(expectOk(await api("GET", "/inbox", undefined, as(cell2))).body.unread).toBe(theirs.unread);

    // Someone else's notice cannot be marked: the counselor has no notice of this alert.
    const counsellor = expectOk(await api("POST", "/inbox/read", { ids: [launched.id] }, as(t.counsellor))).body;
    expect(counsellor.items.find((i: { id: string }) => i.id === launched.id)).toBeUndefined();
    expect((await env.DB.prepare("SELECT count(*) AS n FROM notice_reads WHERE notification_id = ? AND user_id = ?").bind(launched.id, t.counsellor.userId).first())!.n).toBe(0);

    expect(expectOk(await api("POST", "/inbox/read", { all: true }, as(cell2))).body.unread).toBe(0);
    // The operator is not told of a launch by rule 9 (the authorities are); the magistrate was asked to sign.
    expect(expectOk(await api("GET", "/inbox", undefined, as(t.operator))).body.items.filter((i: { alertId: string; event: string }) => i.alertId === id && i.event === "launched")).toEqual([]);
  });

  it("refuses bad input with a problem", async () => {
    expect((await api("POST", "/inbox/read", { ids: ["nope"] }, as(t.cell))).status).toBe(400);
    expect((await api("POST", "/inbox/read", {}, as(t.cell))).status).toBe(400);
    // The most ids one call takes fit D1's parameter limit; one more is refused up front.
    const ids = Array.from({ length: 50 }, () => crypto.randomUUID());
    expect((await api("POST", "/inbox/read", { ids }, as(t.cell))).status).toBe(200);
    expect((await api("POST", "/inbox/read", { ids: [...ids, crypto.randomUUID()] }, as(t.cell))).status).toBe(400);
    expect((await api("GET", "/inbox")).status).toBe(401);
  });
});

describe("the authorities' mailboxes (admin)", () => {
  it("only the admin reads and sets them; addresses are normalised and validated", async () => {
    const got = expectOk(await api("GET", "/admin/mailboxes", undefined, as(t.admin))).body;
    expect(got.federal_police).toEqual([POLICE]);
    expect(got.cell).toEqual([CELL_BOX]);
    expect((await api("GET", "/admin/mailboxes", undefined, as(t.cell))).status).toBe(403);
    const bad = await api("PUT", "/admin/mailboxes", { cell: ["not an address"] }, as(t.admin));
    expect(bad.status).toBe(400);
    expect(bad.headers.get("Content-Type")).toContain("application/problem+json");
    expect((await api("PUT", "/admin/mailboxes", {}, as(t.admin))).status).toBe(400);
    expect((await api("PUT", "/admin/mailboxes", { cell: Array.from({ length: 11 }, (_, i) => `c${i}@x.test`) }, as(t.admin))).status).toBe(400);
    // Nothing was written by the refused calls.
    expect(expectOk(await api("GET", "/admin/mailboxes", undefined, as(t.admin))).body).toEqual(got);
  });
});
