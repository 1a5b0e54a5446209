import {
  createExecutionContext,
  createScheduledController,
  evictDurableObject,
  runDurableObjectAlarm,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { fixture } from "../test/fixtures.ts";
import worker from "../index.ts";
import { beforeAll, describe, expect, it } from "vitest";
import { boardStub } from "../board/object.ts";
import { api, as, authorisedAlert, createAlert, renderPosterSet, expectOk, launchExisting, liveAlert, makeContent, makeTeam, nameCase, type Team, FILE } from "../test/helpers.ts";
import { allShards } from "../fanout/shards.ts";
import { alertStub } from "./api.ts";
import type { AlertObject } from "./object.ts";
import { ERASED_BY_PURGE } from "../domain/index.ts";

let t: Team;
beforeAll(async () => {
  t = await makeTeam();
});

const H = 3_600_000;
const stub = (id: string) => alertStub(env, id);
const row = (id: string) =>
  env.DB.prepare("SELECT * FROM alerts WHERE id = ?").bind(id).first<Record<string, string | number | null>>();
const auditActions = async (id: string) =>
  (await env.DB.prepare("SELECT action FROM audit_entries WHERE alert_id = ? ORDER BY seq").bind(id).all<{ action: string }>()).results.map(
    (r) => r.action,
  );
/** How many prepared messages (they carry the child's name) the alert's object and its ledger shards still hold. */
const heldMessages = async (id: string) => {
  let n = await runInDurableObject(stub(id), async (_o: AlertObject, state) => (await state.storage.list({ prefix: "message:" })).size);
  for (const shard of allShards(env, id)) n += await runInDurableObject(shard as unknown as DurableObjectStub, async (_o, state) => (await state.storage.list({ prefix: "message:" })).size);
  return n;
};
/** Moves the alert's clock: the stored end (or purge) time as if time had passed. */
const setColumn = (id: string, column: "ends_at" | "purge_at", at: Date) =>
  env.DB.prepare(`UPDATE alerts SET ${column} = ? WHERE id = ?`).bind(at.toISOString(), id).run();

describe("the alert's Durable Object is the single writer", () => {
  it("two simultaneous launches: exactly one wins", async () => {
    const id = await authorisedAlert(t);
    const [a, b] = await Promise.all([
      api("POST", `/alerts/${id}/launch`, undefined, as(t.cell)),
      api("POST", `/alerts/${id}/launch`, undefined, as(t.operator)),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect((await auditActions(id)).filter((x) => x === "launched")).toHaveLength(1);
  });

  it("launch and stop at once: the stop always wins, whatever the order of arrival", async () => {
    for (let i = 0; i < 4; i++) {
      const id = await authorisedAlert(t);
      const launch = () => api("POST", `/alerts/${id}/launch`, undefined, as(t.cell));
      const stop = () => api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.magistrate));
      const [l, s] = i % 2 ? await Promise.all([launch(), stop()]) : (await Promise.all([stop(), launch()])).reverse();
      expect(s!.status).toBe(200);
      // If the launch committed first it was followed by the stop (stopped, retracted everywhere); if not, the stop
      // withdrew the authorised alert — a cancel: nothing went out — and the launch was refused.
      if (l!.status === 200) expect((await row(id))!.state).toBe("stopped");
      else {
        expect(l!.body.code).toBe("E_INVALID_TRANSITION");
        expect((await row(id))!.state).toBe("cancelled");
        expect((await row(id))!.stop_reason).toBe("found_safe");
      }
    }
  });

  it("concurrent sign-offs on one alert are all recorded, and the audit chain stays intact", async () => {
    const res = expectOk(await api("POST", "/alerts", { exercise: false, content: makeContent(), file: FILE }, as(t.cell)), 201);
    await nameCase(t, res.body.alertId);
    const id = res.body.alertId;
    expectOk(await api("POST", `/alerts/${id}/submit`, undefined, as(t.cell)));
    const kinds = [
      [t.investigator, "investigator"],
      [t.cell, "cell"],
      [t.operator, "operator"],
    ] as const;
    const opts = await Promise.all(kinds.map(([who, kind]) => api("POST", `/alerts/${id}/signoffs/options`, { kind }, as(who))));
    const results = await Promise.all(
      kinds.map(async ([who], i) => {
        const response = await who.auth.get(opts[i]!.body.options);
        return api("POST", `/alerts/${id}/signoffs`, { challengeId: opts[i]!.body.challengeId, response }, as(who));
      }),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect((await api("GET", "/audit/verify", undefined, as(t.operator))).body.ok).toBe(true);
  });

  it("state survives eviction of the object (it lives in D1; timers in DO storage)", async () => {
    const id = await liveAlert(t);
    const before = await stub(id).timers();
    await evictDurableObject(stub(id));
    expect(await stub(id).timers()).toEqual(before);
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
  });
});

describe("duration timers (Durable Object alarms)", () => {
  it("launch arms the review prompt and the expiry", async () => {
    const id = await liveAlert(t);
    const r = (await row(id))!;
    const timers = await stub(id).timers();
    expect(timers.expiry).toBe(r.ends_at);
    expect(Date.parse(timers.review!)).toBe(Date.parse(r.ends_at as string) - 30 * 60_000);
    const alarm = await runInDurableObject(stub(id), (_o: AlertObject, state) => state.storage.getAlarm());
    expect(alarm).toBe(Date.parse(timers.review!));
  });

  it("prompts the magistrate to review before the end", async () => {
    const id = await liveAlert(t);
    await setColumn(id, "ends_at", new Date(Date.now() + 10 * 60_000));
    expect(await runDurableObjectAlarm(stub(id))).toBe(true);
    expect((await row(id))!.review_prompted_at).not.toBeNull();
    const n = await env.DB.prepare("SELECT recipient_role FROM notifications WHERE alert_id = ? AND event = 'review_due'").bind(id).all();
    expect(n.results).toEqual([{ recipient_role: "magistrate" }]);
    expect((await row(id))!.state).toBe("live");
  });

  it("at expiry the alert ends like a stop, with reason 'expired'", async () => {
    const id = await liveAlert(t);
    await setColumn(id, "ends_at", new Date(Date.now() - 1000));
    expect(await runDurableObjectAlarm(stub(id))).toBe(true);
    const r = (await row(id))!;
    expect(r.state).toBe("stopped");
    expect(r.stop_reason).toBe("expired");
    expect((await auditActions(id)).filter((a) => a !== "broadcast_completed").at(-1)).toBe("stopped");
    // The purge is now the only timer.
    expect(await stub(id).timers()).toEqual({ review: null, expiry: null, purge: r.purge_at });
  });

  it("extensions add 6 h each, stop at three (24 h in all), and re-arm the timers", async () => {
    const id = await liveAlert(t);
    const launched = Date.parse((await row(id))!.launched_at as string);
    for (let i = 1; i <= 3; i++) {
      const res = expectOk(await api("POST", `/alerts/${id}/extend`, undefined, as(t.magistrate)));
      expect(Date.parse(res.body.endsAt) - launched).toBe((6 + 6 * i) * H);
    }
    const fourth = await api("POST", `/alerts/${id}/extend`, undefined, as(t.magistrate));
    expect(fourth.status).toBe(409);
    expect(fourth.body.code).toBe("E_EXTENSIONS_EXHAUSTED");
    const timers = await stub(id).timers();
    expect(Date.parse(timers.expiry!) - launched).toBe(24 * H);
    expect((await row(id))!.extensions).toBe(3);
  });
});

describe("retention purge (rule 14)", () => {
  const CHILD = { firstName: "Zélie", lastName: "Purgetest", description: "Curly red hair, freckles, green coat." };

  it("erases the child's personal data from D1 and R2 and keeps a PII-free audit record", { timeout: 120_000 }, async () => {
    const content = makeContent({
      // One language: one poster set to render (each poster is a real satori + resvg render).
      targeting: { regions: ["BE"], languages: ["fr"] },
      child: { ...makeContent({ targeting: { regions: ["BE"], languages: ["fr"] } }).child, ...CHILD },
      accompanyingPerson: { description: "Tall man with a Purgetest tattoo." },
    });
    // A real photo, uploaded as the cell would, in the content; the posters rendered from it by the render job.
    const id = await createAlert(t.cell, content);
    const uploaded = await exports.default.fetch(
      new Request(`${env.APP_ORIGIN}/api/v1/alerts/${id}/photos`, {
        method: "POST",
        headers: { Origin: env.APP_ORIGIN, Cookie: t.cell.cookie, "Content-Type": "image/jpeg", "X-Requested-With": "child-alert" },
        body: fixture("photo-exif.jpg"),
      }),
    );
    expect(uploaded.status).toBe(201);
    const photo = ((await uploaded.json()) as { hash: string }).hash;
    const withPhoto = { ...content, child: { ...content.child, photos: [photo] } };
    const edited = expectOk(await api("PUT", `/alerts/${id}/content`, { content: withPhoto }, as(t.cell)));
    await launchExisting(t, id);
    // The poster set of the launched version: real PNGs in R2 under the alert's prefix, the photo in them.
    const posterRows = () => env.DB.prepare("SELECT r2_key FROM posters WHERE alert_id = ? AND version_id = ?").bind(id, edited.body.versionId).all<{ r2_key: string }>();
    // The render job, run here (in the queue it may still be waiting behind the fan-out's jobs).
    await renderPosterSet(id, edited.body.versionId);
    const posterKeys = (await posterRows()).results.map((r) => r.r2_key);
    expect(posterKeys.length).toBeGreaterThan(0);
    const png = await env.MEDIA.get(posterKeys[0]!);
    expect([...new Uint8Array(await png!.arrayBuffer()).slice(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    const photoKey = (await env.DB.prepare("SELECT r2_key FROM photos WHERE hash = ? AND alert_id = ?").bind(photo, id).first<{ r2_key: string }>())!.r2_key;
    expect(await env.MEDIA.head(photoKey)).not.toBeNull();
    await env.MEDIA.put(`alerts/other/keep.png`, new Uint8Array([1]));

    // The launch prepared the push message (name, description) in the alert's object.
    expect(await heldMessages(id)).toBeGreaterThan(0);
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
    const purgeAt = Date.parse((await row(id))!.purge_at as string);
    expect(purgeAt - Date.now()).toBeGreaterThan(0.9 * H); // RETENTION_HOURS=1 in tests

    // Not yet due: the alarm re-arms and purges nothing.
    await runDurableObjectAlarm(stub(id));
    expect((await row(id))!.state).toBe("stopped");

    // The staff e-mails of the launch and the stop are out (their recorded addresses are purged too).
    const unmailed = () => env.DB.prepare("SELECT count(*) AS n FROM notifications WHERE alert_id = ? AND mailed_at IS NULL").bind(id).first<{ n: number }>();
    for (let i = 0; i < 200 && (await unmailed())!.n > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await env.DB.prepare("SELECT count(*) AS n FROM notice_mails WHERE alert_id = ?").bind(id).first<{ n: number }>())!.n).toBeGreaterThan(0);

    // The launch and the stop each opened fan-outs: their counts must survive the purge as they are.
    const countsBefore = await stub(id).fanouts();
    expect(countsBefore.map((f) => f.event).sort()).toEqual(expect.arrayContaining(["alert", "stop"]));

    await setColumn(id, "purge_at", new Date(Date.now() - 1000));
    await runInDurableObject(stub(id), (_o: AlertObject, state) => state.storage.setAlarm(Date.now() + 60_000));
    expect(await runDurableObjectAlarm(stub(id))).toBe(true);
    expect((await row(id))!.state).toBe("purged");

    const dump = JSON.stringify(
      await Promise.all(
        [
          ["alerts", "id"],
          ["alert_versions", "alert_id"],
          ["sign_offs", "alert_id"],
          ["consents", "alert_id"],
          ["objections", "alert_id"],
          ["photos", "alert_id"],
          ["audit_entries", "alert_id"],
          ["notifications", "alert_id"],
          ["challenges", "alert_id"],
        ].map(async ([table, col]) => (await env.DB.prepare(`SELECT * FROM ${table} WHERE ${col} = ?`).bind(id).all()).results),
      ),
    );
    for (const pii of [CHILD.firstName, CHILD.lastName, "freckles", "tattoo", "Both parents", "Publicity weighed", FILE.pvNumber, FILE.magistrateRef]) {
      expect(dump, pii).not.toContain(pii);
    }
    expect((await env.MEDIA.list({ prefix: ERASED_BY_PURGE.mediaPrefix(id) })).objects).toHaveLength(0);
    // The uploaded photo and every rendered poster are gone from the store, whatever their keys.
    expect(await env.MEDIA.head(photoKey)).toBeNull();
    for (const key of posterKeys) expect(await env.MEDIA.head(key), key).toBeNull();
    // Everything the domain says the purge erases is erased.
    for (const [table, columns] of Object.entries(ERASED_BY_PURGE.columns)) {
      for (const column of columns) {
        const key = table === "alerts" ? "id" : "alert_id";
        const left = await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${key} = ? AND ${column} IS NOT NULL`).bind(id).first<{ n: number }>();
        expect(left!.n, `${table}.${column}`).toBe(0);
      }
    }
    for (const table of ERASED_BY_PURGE.rows) {
      expect((await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE alert_id = ?`).bind(id).first<{ n: number }>())!.n, table).toBe(0);
    }
    expect(await heldMessages(id)).toBe(0);
    // The public record (the child's data while live, "found" after the stop) is gone from both objects.
    expect(await stub(id).publicRecord()).toBeNull();
    expect(await boardStub(env).publicAlert(id)).toBeNull();
    expect(await stub(id).fanouts()).toEqual(countsBefore); // counts stay for the statistics
    expect(await env.MEDIA.head("alerts/other/keep.png")).not.toBeNull();

    // The PII-free skeleton remains: hashes, states, times, and an intact audit chain.
    const versions = await env.DB.prepare("SELECT content, content_hash FROM alert_versions WHERE alert_id = ?").bind(id).all();
    // Two versions (the draft, then the one with the photo), each kept as its hash only.
    expect(versions.results).toEqual([1, 2].map(() => ({ content: null, content_hash: expect.stringMatching(/^[0-9a-f]{64}$/) })));
    expect((await auditActions(id)).at(-1)).toBe("purged");
    expect((await api("GET", "/audit/verify", undefined, as(t.operator))).body.ok).toBe(true);
    expect(await stub(id).timers()).toEqual({ review: null, expiry: null, purge: null });
  });

  it("an alert with 150 versions purges completely (D1 binds at most 100 parameters per statement)", { timeout: 60_000 }, async () => {
    const id = await createAlert(t.cell);
    await nameCase(t, id);
    for (let i = 1; i < 150; i++) {
      expectOk(await api("PUT", `/alerts/${id}/content`, { content: makeContent({ circumstances: `Seen near the station, report ${i}.` }) }, as(t.cell)));
    }
    expectOk(await api("POST", `/alerts/${id}/submit`, undefined, as(t.cell)));
    const options = expectOk(await api("POST", `/alerts/${id}/signoffs/options`, { kind: "investigator" }, as(t.investigator)));
    expect(options.body.challengeId).toBeTruthy(); // a challenge left behind, to be erased too
    expectOk(await api("POST", `/alerts/${id}/cancel`, undefined, as(t.cell)));
    await setColumn(id, "purge_at", new Date(Date.now() - 1000));
    await runDurableObjectAlarm(stub(id));
    expect((await row(id))!.state).toBe("purged");
    const left = await env.DB.prepare(
      "SELECT (SELECT count(*) FROM alert_versions WHERE alert_id = ?1) AS versions, (SELECT count(*) FROM alert_versions WHERE alert_id = ?1 AND content IS NOT NULL) AS contents, (SELECT count(*) FROM challenges WHERE version_id IN (SELECT id FROM alert_versions WHERE alert_id = ?1)) AS challenges",
    )
      .bind(id)
      .first<{ versions: number; contents: number; challenges: number }>();
    expect(left).toEqual({ versions: 150, contents: 0, challenges: 0 });
  });

  it("a cancelled alert is purged too", async () => {
    const id = await authorisedAlert(t);
    expectOk(await api("POST", `/alerts/${id}/cancel`, undefined, as(t.cell)));
    await setColumn(id, "purge_at", new Date(Date.now() - 1000));
    await runDurableObjectAlarm(stub(id));
    expect((await row(id))!.state).toBe("purged");
  });
});

describe("cron safety net", () => {
  it("ends an overdue live alert even if its alarm was lost", async () => {
    const id = await liveAlert(t);
    await runInDurableObject(stub(id), (_o: AlertObject, state) => state.storage.deleteAlarm());
    await setColumn(id, "ends_at", new Date(Date.now() - 1000));
    const ctrl = createScheduledController({ scheduledTime: new Date(), cron: "*/5 * * * *" });
    const ctx = createExecutionContext();
    await worker.scheduled(ctrl, env, ctx);
    await waitOnExecutionContext(ctx);
    expect((await row(id))!.state).toBe("stopped");
    expect((await row(id))!.stop_reason).toBe("expired");
  });
});

describe("push first (issue 30): nothing else runs before the first browsers", () => {
  it("with a head start, a launch plans web push and enqueues its first page at once; push's other pages and every other channel follow at the alarm; everyone gets the alert once", { timeout: 60_000 }, async () => {
    const { pushStandIn } = await import("../test/standins/push.ts");
    const { emailStandIn } = await import("../test/standins/email.ts");
    // 1,200 browsers over several ledger spans (512 keys in tests) and an e-mail subscriber.
    const browsers = await pushStandIn.recipients(1200);
    const reader = await emailStandIn.recipient();
    const id = await authorisedAlert(t);
    await runInDurableObject(stub(id), (o: AlertObject) => {
      const target = o as unknown as { env: Env };
      target.env = { ...target.env, PUSH_HEAD_START_S: "1" };
    });
    expectOk(await api("POST", `/alerts/${id}/launch`, undefined, as(t.cell)));
    // Right after the launch: only push is planned, and only its first page is on the queue.
    const atLaunch = await stub(id).fanouts();
    expect(atLaunch.map((f) => f.channel)).toEqual(["push"]);
    const plan = await runInDurableObject(stub(id), (o: AlertObject) =>
      (o as unknown as { ledger: { plan(id: string, ch: string): Promise<{ pages: number; enqueued: number }> } }).ledger.plan(atLaunch[0]!.fanoutId, "push"),
    );
    expect(plan!.pages).toBeGreaterThan(1);
    expect(plan!.enqueued).toBe(1);
    // The alarm brings the rest: push's other pages (their shards get the message first), then e-mail.
    await runDurableObjectAlarm(stub(id));
    const deadline = Date.now() + 30_000;
    let fanouts = await stub(id).fanouts();
    while (!(fanouts.length >= 3 && fanouts.every((f) => f.status === "done" || f.status === "superseded")) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      fanouts = await stub(id).fanouts();
    }
    expect(fanouts.find((f) => f.channel === "push")).toMatchObject({ status: "done", sent: expect.any(Number) });
    const got = await pushStandIn.accepted(id);
    const mine = new Set(browsers);
    expect(got.filter((m) => mine.has(m.id) && m.type === "alert")).toHaveLength(1200);
    expect((await emailStandIn.accepted(id)).filter((m) => m.id === reader && m.type === "alert")).toHaveLength(1);
    await pushStandIn.drop(browsers);
  });
});

describe("the stop reaches every ledger shard", () => {
  it("after a stop, every shard of every channel holds its fence closed — also those no page ever reached — and a late content page sends nothing", { timeout: 30_000 }, async () => {
    const { pushStandIn } = await import("../test/standins/push.ts");
    const [browser] = await pushStandIn.recipients(1);
    const id = await liveAlert(t);
    const deadline = Date.now() + 10_000;
    while (!(await stub(id).fanouts()).some((f) => f.channel === "push" && f.status === "done") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
    for (const shard of allShards(env, id)) {
      expect(await runInDurableObject(shard as unknown as DurableObjectStub, (_o, state) => state.storage.get("fence:closed"))).toBe(true);
    }
    // A content page job delayed past the stop (a queue retry), holding a browser that subscribed meanwhile: fenced, nothing accepted.
    const { runPage } = await import("../fanout/page.ts");
    const { pageShards } = await import("../fanout/shards.ts");
    const [late] = await pushStandIn.recipients(1);
    const key = await pushStandIn.keyOf(late!);
    const push = (await stub(id).fanouts()).find((f) => f.channel === "push" && f.event === "alert")!;
    const job = { type: "page" as const, channel: "push" as const, alertId: id, fanoutId: push.fanoutId, event: "alert" as const, from: key, to: key + 1, attempt: 1 };
    const result = await runPage(env, pageShards(env, job), job);
    expect(result.sent).toBe(0);
    expect((await pushStandIn.accepted(id)).filter((m) => m.id === late && m.type === "alert")).toHaveLength(0);
    await pushStandIn.drop([browser!, late!]);
  });
});
