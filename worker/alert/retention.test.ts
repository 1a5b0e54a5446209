import { createExecutionContext, createScheduledController, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../index.ts";
import { fixture } from "../test/fixtures.ts";
import { api, as, createAlert, db, expectOk, makeContent, makeTeam, ORIGIN, type Team } from "../test/helpers.ts";
import { alertStub } from "./api.ts";
import { pruneEmailAddresses, pruneSubscriptions, sweepOrphanPhotos } from "./retention.ts";

let t: Team;
beforeAll(async () => {
  t = await makeTeam();
});

const H = 3_600_000;
const row = (id: string) => env.DB.prepare("SELECT state, purge_notice_at FROM alerts WHERE id = ?").bind(id).first<{ state: string; purge_notice_at: string | null }>();
const quietFor = (id: string, ms: number) => env.DB.prepare("UPDATE alerts SET updated_at = ? WHERE id = ?").bind(new Date(Date.now() - ms).toISOString(), id).run();
const notices = async (id: string) =>
  (await env.DB.prepare("SELECT event, recipient_role FROM notifications WHERE alert_id = ?").bind(id).all<{ event: string; recipient_role: string }>()).results;

describe("rule 14: unfinished alerts left without activity", () => {
  it("tells the cell a day before, then purges a draft nobody touched for 30 days", async () => {
    const id = await createAlert(t.cell);
    // Creating it armed the timer for the notice, 29 days from now.
    const timer = await alertStub(env, id).timers();
    expect(Date.parse(timer.purge!) - Date.now()).toBeGreaterThan(28.9 * 24 * H);

    await quietFor(id, 719.5 * H);
    await runDurableObjectAlarm(alertStub(env, id));
    expect((await row(id))!.state).toBe("draft");
    expect(await notices(id)).toEqual([{ event: "purge_soon", recipient_role: "cell" }]);

    await quietFor(id, 721 * H);
    await runDurableObjectAlarm(alertStub(env, id));
    expect((await row(id))!.state).toBe("purged");
    const v = await env.DB.prepare("SELECT count(*) AS n FROM alert_versions WHERE alert_id = ? AND content IS NOT NULL").bind(id).first<{ n: number }>();
    expect(v!.n).toBe(0);
    const entries = expectOk(await api("GET", `/alerts/${id}/audit`, undefined, as(t.operator))).body.entries as { action: string; details: string }[];
    expect(entries.map((e) => e.action)).toEqual(["created", "purge_notice", "purged"]);
    expect(JSON.parse(entries.at(-1)!.details)).toMatchObject({ from: "draft", reason: "abandoned" });
  });

  it("activity after the notice moves the purge out again", async () => {
    const id = await createAlert(t.cell);
    await quietFor(id, 719.5 * H);
    await runDurableObjectAlarm(alertStub(env, id));
    expect((await row(id))!.purge_notice_at).not.toBeNull();
    expectOk(await api("POST", `/alerts/${id}/submit`, undefined, as(t.cell))); // activity
    await runDurableObjectAlarm(alertStub(env, id));
    expect((await row(id))!.state).toBe("concertation");
  });

  it("the cron purges a blocked alert whose alarm was lost", async () => {
    const id = await createAlert(t.cell);
    expectOk(await api("POST", `/alerts/${id}/submit`, undefined, as(t.cell)));
    expectOk(await api("POST", `/alerts/${id}/objections`, { kind: "operator_refusal", reason: "The family's safety is at stake; we refuse this broadcast." }, as(t.operator)));
    expect((await row(id))!.state).toBe("blocked");
    await runInDurableObject(alertStub(env, id), (_o, state) => state.storage.deleteAlarm());
    await quietFor(id, 800 * H);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: new Date(), cron: "*/5 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect((await row(id))!.state).toBe("purged");
  });

  it("a live alert is never purged for inactivity", async () => {
    const { liveAlert } = await import("../test/helpers.ts");
    const id = await liveAlert(t);
    await quietFor(id, 800 * H);
    await runDurableObjectAlarm(alertStub(env, id));
    expect((await row(id))!.state).toBe("live");
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
  });
});

describe("rule 14: photos and subscriptions", () => {
  const upload = async (alertId: string, name: string) => {
    const res = await exports.default.fetch(new Request(`${ORIGIN}/api/v1/alerts/${alertId}/photos`, { method: "POST", headers: { Origin: ORIGIN, Cookie: t.cell.cookie, "X-Requested-With": "child-alert" }, body: fixture(name) }));
    return ((await res.json()) as { hash: string }).hash;
  };

  it("deletes a photo no version refers to (after a day's grace), keeps the ones in use", async () => {
    const id = await createAlert(t.cell);
    const used = await upload(id, "photo-exif.jpg");
    const dropped = await upload(id, "photo-text.png");
    expectOk(await api("PUT", `/alerts/${id}/content`, { content: makeContent({ child: { ...makeContent().child, photos: [used] } }) }, as(t.cell)));
    expect(await sweepOrphanPhotos(db(), env.MEDIA, new Date())).toBe(0); // within the grace period
    await env.DB.prepare("UPDATE photos SET created_at = ? WHERE alert_id = ?").bind(new Date(Date.now() - 25 * H).toISOString(), id).run();
    expect(await sweepOrphanPhotos(db(), env.MEDIA, new Date())).toBe(1);
    const left = (await env.DB.prepare("SELECT hash FROM photos WHERE alert_id = ?").bind(id).all<{ hash: string }>()).results.map((r) => r.hash);
    expect(left).toEqual([used]);
    expect(await env.MEDIA.head(`alerts/${id}/photos/${dropped}.jpg`)).toBeNull();
    expect(await env.MEDIA.head(`alerts/${id}/photos/${used}.jpg`)).not.toBeNull();
  });

  it("removes push subscriptions that failed 5 times in a row or were idle for a year", async () => {
    const year = 365 * 24 * H;
    const add = (endpoint: string, failures: number, lastSuccess: string | null, created: string) =>
      env.DB.prepare("INSERT INTO subscriptions (id, endpoint, p256dh, auth, lang, regions, exercise, failure_count, last_success_at, created_at) VALUES (?, ?, 'k', 'a', 'fr', '[\"BE\"]', 0, ?, ?, ?)")
        .bind(crypto.randomUUID(), endpoint, failures, lastSuccess, created)
        .run();
    const iso = (ms: number) => new Date(Date.now() - ms).toISOString();
    await add("https://push.test/push/failing", 5, iso(H), iso(2 * year));
    await add("https://push.test/push/idle", 0, iso(year + 24 * H), iso(2 * year));
    await add("https://push.test/push/never-used", 0, null, iso(year + 24 * H));
    await add("https://push.test/push/fine", 2, iso(30 * 24 * H), iso(2 * year));
    await add("https://push.test/push/new", 0, null, iso(H));
    expect(await pruneSubscriptions(db(), new Date())).toBe(3);
    const left = (await env.DB.prepare("SELECT endpoint FROM subscriptions WHERE endpoint LIKE 'https://push.test/push/%' ORDER BY endpoint").all<{ endpoint: string }>()).results.map((r) => r.endpoint);
    expect(left).toEqual(["https://push.test/push/fine", "https://push.test/push/new"]);
  });
});

describe("e-mail addresses that no longer receive alerts are not kept (issue 23)", () => {
  it("unsubscribed, bounced and never-confirmed (after a week) addresses are deleted; active ones and fresh requests stay", async () => {
    const day = 24 * H;
    const rows: [string, string, number, string | null][] = [
      ["gone.unsub@example.test", "unsubscribed", 400 * day, "2025-01-01T00:00:00.000Z"],
      ["gone.bounced@example.test", "bounced", 2 * day, "2026-01-01T00:00:00.000Z"],
      ["gone.never@example.test", "pending", 8 * day, null],
      ["stays.fresh@example.test", "pending", 1 * day, null],
      ["stays.active@example.test", "active", 500 * day, "2025-01-01T00:00:00.000Z"],
    ];
    for (const [address, status, age, confirmedAt] of rows) {
      await env.DB.prepare("INSERT INTO email_subscribers (id, address, lang, regions, exercise, status, created_at, confirmed_at) VALUES (?, ?, 'fr', '[\"BE\"]', 0, ?, ?, ?)")
        .bind(crypto.randomUUID(), address, status, new Date(Date.now() - age).toISOString(), confirmedAt)
        .run();
    }
    expect(await pruneEmailAddresses(db(), new Date())).toBeGreaterThanOrEqual(3);
    const left = (await env.DB.prepare("SELECT address FROM email_subscribers WHERE address LIKE 'gone.%' OR address LIKE 'stays.%' ORDER BY address").all<{ address: string }>()).results.map((r) => r.address);
    expect(left).toEqual(["stays.active@example.test", "stays.fresh@example.test"]);
  });
});
