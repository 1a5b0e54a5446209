// The channel contract suite: the guarantees every channel proves against its own
// stand-in (see ../../shared/CHANNELS.md). A channel's folder runs it with one line:
//   channelContract(pushStandIn);
// The stand-in is whatever plays the far side in tests (the push service, an SMTP
// server, a social network's API): it must record what it accepted and fail on demand.
import { createExecutionContext, createScheduledController, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import worker from "../index.ts";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { BroadcastEvent } from "../channels/channel.ts";
import { channelOf, type ChannelName } from "../channels/index.ts";
import { DRAIN_GRACE_MS, type FanoutCounters, fanoutFinished, MAX_LEASE_MS } from "../fanout/ledger.ts";
import type { AlertObject } from "../alert/object.ts";
import { alertStub } from "../alert/api.ts";
import { api, as, authorisedAlert, DECISION, expectOk, liveAlert, makeContent, makeTeam, signOff, type Team } from "./helpers.ts";
import { runPage } from "../fanout/page.ts";
import { pageShards } from "../fanout/shards.ts";
import type { Region } from "../domain/index.ts";

export interface Prefs {
  lang?: string;
  regions?: Region[];
  exercise?: boolean;
}

/** What the far side accepted, as the channel's stand-in saw it. */
export interface Accepted {
  /** The stand-in's id of the recipient. */
  id: string;
  type: BroadcastEvent;
  version: number;
  /** When it was accepted (ms since the epoch). */
  at: number;
}

export interface Behaviour {
  /** Answer this status instead of accepting (e.g. 429, 500, 403, 410). */
  status?: number;
  retryAfter?: number;
  /** How many times to answer `status`; then accept again. */
  times?: number;
  /** Answer this much later. */
  delayMs?: number;
}

export interface ChannelStandIn {
  channel: ChannelName;
  /** One recipient, through the channel's own public way in (rate limits and all). */
  recipient(prefs?: Prefs): Promise<string>;
  /** Many recipients at once, written straight to storage (the public API would rate-limit a bulk load). */
  recipients(n: number, prefs?: Prefs): Promise<string[]>;
  /** Recipients leave (unsubscribe), as churn. */
  drop(ids: string[]): Promise<void>;
  /** The recipient's storage key (the page runner's key). */
  keyOf(id: string): Promise<number>;
  /** Everything accepted for one alert. */
  accepted(alertId: string): Promise<Accepted[]>;
  behave(id: string, b: Behaviour): Promise<void>;
  /**
   * The channel's real audience. "crowd" (citizens, partners: thousands) runs the load
   * cases — a stop in the middle of 4,000 sends, 10,000 recipients paged, a burst over
   * 300 — and the outbox's failure cases against this channel. "handful" (official
   * accounts: a few per network) runs every other guarantee with its own protocol; its
   * engine proves the load and outbox cases once through a sibling that shares it (the
   * five social networks share one engine: Mastodon runs them).
   */
  audience: "crowd" | "handful";
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function channelContract(s: ChannelStandIn): void {
  // 60 s a case: on a loaded 2-core machine two suites share the stand-ins' one Node process
  // (the push stand-in decrypting thousands of payloads delays the SMTP server's answers).
  describe(`channel contract: ${s.channel}`, { timeout: 60_000 }, () => {
    let t: Team;
    beforeAll(async () => {
      t = await makeTeam();
    });
    const channel = channelOf(s.channel);
    const stub = (id: string) => alertStub(env, id);

    const counters = async (alertId: string) =>
      (expectOk(await api("GET", `/alerts/${alertId}/fanout`, undefined, as(t.operator))).body.fanouts as FanoutCounters[]).filter((c) => c.channel === s.channel);
    /** Waits until every broadcast of these events on the channel is finished. */
    const settled = async (alertId: string, events: BroadcastEvent[], timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const f = await counters(alertId);
        if (events.every((e) => f.some((c) => c.event === e)) && f.every(fanoutFinished)) return f;
        if (Date.now() > deadline) throw new Error(`fan-out not settled: ${JSON.stringify(f)}`);
        await sleep(100);
      }
    };
    const mine = async (alertId: string, ids: string[]) => {
      const set = new Set(ids);
      return (await s.accepted(alertId)).filter((m) => set.has(m.id));
    };
    const countBy = (ms: Accepted[], id: string, type?: BroadcastEvent) => ms.filter((m) => m.id === id && (!type || m.type === type)).length;
    const update = async (alertId: string, content: ReturnType<typeof makeContent>) => {
      expectOk(await api("PUT", `/alerts/${alertId}/content`, { content }, as(t.cell)));
      expectOk(await signOff(t.magistrate, alertId, "authorisation", DECISION));
    };
    /** When the stop committed (ms since the epoch), as the audit trail records it. */
    const stoppedAt = async (alertId: string) =>
      Date.parse((expectOk(await api("GET", `/alerts/${alertId}/audit`, undefined, as(t.operator))).body.entries as { action: string; at: string }[]).find((e) => e.action === "stopped")!.at);
    const stop = async (alertId: string) => expectOk(await api("POST", `/alerts/${alertId}/stop`, { reason: "found_safe" }, as(t.cell)));

    it("sends exactly one message per targeted recipient; regions, languages and the exercise opt-in are respected", async () => {
      const [fr, de, nl, elsewhere, drillOnly] = await Promise.all([
        s.recipient({ regions: ["BE-WLG"] }),
        s.recipient({ regions: ["BE"], lang: "de" }),
        s.recipient({ regions: ["BE-WLG"], lang: "nl" }),
        s.recipient({ regions: ["BE-VAN"] }),
        s.recipient({ regions: ["BE-WLG"], exercise: true }),
      ]);
      const id = await liveAlert(t, makeContent({ targeting: { regions: ["BE-WLG"], languages: ["fr", "de"] } }));
      await settled(id, ["alert"]);
      const got = await mine(id, [fr!, de!, nl!, elsewhere!, drillOnly!]);
      expect([fr, de, nl, elsewhere, drillOnly].map((r) => countBy(got, r!))).toEqual([1, 1, 0, 0, 1]);
      expect(got.every((m) => m.type === "alert" && m.version === 1)).toBe(true);

      // An exercise reaches only those who opted in.
      const optIn = await s.recipient({ exercise: true });
      const optOut = await s.recipient({ exercise: false });
      const drill = await authorisedAlert(t, makeContent(), true);
      expectOk(await api("POST", `/alerts/${drill}/launch`, undefined, as(t.cell)));
      await settled(drill, ["alert"]);
      const drillGot = await mine(drill, [optIn, optOut]);
      expect([countBy(drillGot, optIn), countBy(drillGot, optOut)]).toEqual([1, 0]);
      await stop(id);
      await stop(drill);
    });

    it("a redelivered page sends nothing again", async () => {
      const r = await s.recipient();
      const id = await liveAlert(t);
      const [f] = await settled(id, ["alert"]);
      expect(countBy(await s.accepted(id), r)).toBe(1);
      // The very page planned (marked done), then any page holding the recipient (it has this version).
      const pages = await runInDurableObject(stub(id), (o: AlertObject) =>
        (o as unknown as { ledger: { pages(id: string, ch: string): Promise<{ from: number; to: number }[]> } }).ledger.pages(f!.fanoutId, s.channel),
      );
      const key = await s.keyOf(r);
      for (const p of [pages.find((p) => p.from <= key && key < p.to)!, { from: key, to: key + 1 }]) {
        const job = { type: "page" as const, channel: s.channel, alertId: id, fanoutId: f!.fanoutId, event: "alert" as const, ...p, attempt: 0 };
        const result = await runPage(env, pageShards(env, job), job);
        expect(result.sent).toBe(0);
      }
      expect(countBy(await s.accepted(id), r)).toBe(1);
      await stop(id);
    });

    // Real waits: Retry-After 1 s, then the 5xx backoff (2 s, 4 s) through the queue's delays; on a loaded 2-core CI
    // machine these come late, so this case gets twice the default time.
    it("retries 429 (after its Retry-After) and 5xx; records a permanent refusal without holding back the rest", { timeout: 60_000 }, async () => {
      const [busy, broken, refused, fine] = await Promise.all([s.recipient(), s.recipient(), s.recipient(), s.recipient()]);
      await s.behave(busy!, { status: 429, retryAfter: 1, times: 1 });
      await s.behave(broken!, { status: 503, times: 2 });
      await s.behave(refused!, { status: 403 });
      const id = await liveAlert(t);
      const [f] = await settled(id, ["alert"], 50_000);
      const got = await mine(id, [busy!, broken!, refused!, fine!]);
      expect([busy, broken, refused, fine].map((r) => countBy(got, r!))).toEqual([1, 1, 0, 1]);
      expect(f!.failed).toBeGreaterThanOrEqual(1);
      expect(f!.retrying).toBe(0);
      await s.behave(refused!, { status: 403, times: 0 });
      await stop(id);
    });

    it("switched off: no new content goes out on the channel, but the retraction does", async () => {
      const r = await s.recipient();
      const id = await liveAlert(t);
      await settled(id, ["alert"]);
      expectOk(await api("PUT", `/admin/channels/${s.channel}`, { enabled: false }, as(t.admin)));
      try {
        await update(id, makeContent({ vehicle: { description: "Black SUV" } }));
        const f = await settled(id, ["update"]);
        expect(f.find((c) => c.event === "update")).toMatchObject({ switchedOff: true, sent: 0, pagesPlanned: 0 });
        await stop(id);
        await settled(id, ["stop"]);
      } finally {
        expectOk(await api("PUT", `/admin/channels/${s.channel}`, { enabled: true }, as(t.admin)));
      }
      expect((await mine(id, [r])).map((m) => m.type)).toEqual(["alert", "stop"]);
    });

    if (s.audience === "crowd") {
      it("stop mid-fan-out: 0 content messages accepted after the stop commits; the retraction reaches exactly those who got content", { timeout: 120_000 }, async () => {
        const ids = await s.recipients(4000);
        try {
          const id = await liveAlert(t);
          const deadline = Date.now() + 60_000;
          while ((await s.accepted(id)).length < 200) {
            if (Date.now() > deadline) throw new Error("fan-out did not start");
            await sleep(20);
          }
          await stop(id);
          const f = await settled(id, ["alert", "stop"], 90_000);
          const stopped = await stoppedAt(id);
          const all = await s.accepted(id);
          const content = all.filter((m) => m.type !== "stop");
          const retracted = new Set(all.filter((m) => m.type === "stop").map((m) => m.id));
          const reached = new Set(content.map((m) => m.id));
          expect(content.filter((m) => m.at > stopped)).toEqual([]);
          expect(reached.size).toBeLessThan(ids.length);
          expect(f.find((c) => c.event === "alert")!.fenced).toBeGreaterThan(0);
          expect([...reached].filter((r) => !retracted.has(r))).toEqual([]);
          expect(retracted.size).toBe(reached.size);
          expect(all.filter((m) => m.type === "stop")).toHaveLength(retracted.size); // one each
          console.log(`stop fence (${s.channel}): ${reached.size} got the alert, 0 after the stop, ${f.find((c) => c.event === "alert")!.fenced} fenced, ${retracted.size} retractions`);
        } finally {
          await s.drop(ids);
        }
      });
    }

    it("a slow far side at the stop: the stop commits only once the sends in flight have their answers; none is accepted after it", { timeout: 60_000 }, async () => {
      // Each message takes 700 ms to be accepted: far longer than a 200 ms stop-fence lease.
      const ids = await Promise.all(Array.from({ length: 24 }, () => s.recipient({ regions: ["BE-WNA"] })));
      for (const r of ids) await s.behave(r, { delayMs: 700 });
      const id = await liveAlert(t, makeContent({ targeting: { regions: ["BE-WNA"], languages: ["fr"] } }));
      const deadline = Date.now() + 30_000;
      while ((await mine(id, ids)).length < 1) {
        if (Date.now() > deadline) throw new Error("fan-out did not start");
        await sleep(10);
      }
      const asked = Date.now();
      await stop(id);
      const took = Date.now() - asked;
      await settled(id, ["alert", "stop"], 30_000);
      const stopped = await stoppedAt(id);
      const got = await mine(id, ids);
      const content = got.filter((m) => m.type !== "stop");
      expect(content.filter((m) => m.at > stopped)).toEqual([]);
      expect(content.length).toBeLessThan(ids.length); // stopped mid-fan-out
      const reached = new Set(content.map((m) => m.id));
      expect(new Set(got.filter((m) => m.type === "stop").map((m) => m.id))).toEqual(reached);
      // It waited for the answers, not until its limit for senders presumed dead (MAX_LEASE_MS + DRAIN_GRACE_MS from the stop).
      expect(took).toBeLessThan(MAX_LEASE_MS + DRAIN_GRACE_MS);
      for (const r of ids) await s.behave(r, { delayMs: 0 });
    });

    it("the retraction reaches a recipient whom an update dropped from the targeting", async () => {
      const [antwerp, hainaut] = await Promise.all([s.recipient({ regions: ["BE-VAN"] }), s.recipient({ regions: ["BE-WHT"] })]);
      const content = makeContent({ targeting: { regions: ["BE-VAN", "BE-WHT"], languages: ["fr", "nl", "de", "en"] } });
      const id = await liveAlert(t, content);
      await settled(id, ["alert"]);
      await update(id, { ...content, targeting: { regions: ["BE-VAN"], languages: ["fr", "nl", "de", "en"] } });
      await settled(id, ["update"]);
      await stop(id);
      await settled(id, ["stop"]);
      const got = await mine(id, [antwerp!, hainaut!]);
      expect(got.filter((m) => m.id === antwerp).map((m) => m.type)).toEqual(["alert", "update", "stop"]);
      expect(got.filter((m) => m.id === hainaut).map((m) => m.type)).toEqual(["alert", "stop"]);
    });

    it("no stale content: a version-1 retry delayed by Retry-After never follows version 2", async () => {
      const r = await s.recipient();
      await s.behave(r, { status: 429, retryAfter: 2, times: 1 });
      const id = await liveAlert(t);
      await sleep(300);
      await update(id, makeContent({ vehicle: { description: "Black SUV" } }));
      await settled(id, ["alert", "update"], 30_000);
      await sleep(2500); // past the Retry-After: the version-1 retry has run by now
      await settled(id, ["alert", "update"], 30_000);
      const got = await mine(id, [r]);
      expect(got.map((m) => m.version)).toEqual([2]);
      await stop(id);
    });

    it("a refused closing command loses no one: cancel on a live alert with a slow far side", async () => {
      const ids = await Promise.all(Array.from({ length: 30 }, () => s.recipient({ regions: ["BE-WLX"] })));
      for (const r of ids) await s.behave(r, { delayMs: 150 });
      const id = await liveAlert(t, makeContent({ targeting: { regions: ["BE-WLX"], languages: ["fr"] } }));
      while ((await s.accepted(id)).length < 3) await sleep(20);
      const cancel = await api("POST", `/alerts/${id}/cancel`, undefined, as(t.cell));
      expect(cancel.status).toBe(409);
      const [f] = await settled(id, ["alert"]);
      expect(f!.fenced).toBe(0);
      const got = await mine(id, ids);
      expect(ids.map((r) => countBy(got, r))).toEqual(ids.map(() => 1));
      await stop(id);
    });

    if (s.audience === "crowd") {
      it("pages are cut from the live recipients: 10,000 with 90 % gone → ⌈live / page size⌉ pages", { timeout: 120_000 }, async () => {
        const ids = await s.recipients(10_000, { regions: ["BE-WLX"] });
        try {
          await s.drop(ids.filter((_, i) => i % 10 !== 0));
          // The channel's own count of live recipients (not any one channel's table).
          const live = await channel.audienceSize(env);
          const id = await liveAlert(t, makeContent({ targeting: { regions: ["BE-WLX"], languages: ["fr"] } }));
          const [f] = await settled(id, ["alert"], 60_000);
          expect(f!.pagesPlanned).toBe(Math.ceil(live / channel.limits.pageSize));
          const got = await mine(id, ids);
          expect(got).toHaveLength(1000);
          await stop(id);
          await settled(id, ["stop"], 60_000);
        } finally {
          await s.drop(ids.filter((_, i) => i % 10 === 0));
        }
      });

      it("a burst of 20 updates: everyone ends on the newest, versions only go up, one message per sweep that ran, most sweeps coalesced", { timeout: 120_000 }, async () => {
        const ids = await s.recipients(300, { regions: ["BE-VLI"] });
        try {
          const content = makeContent({ targeting: { regions: ["BE-VLI"], languages: ["fr"] } });
          const id = await liveAlert(t, content);
          await settled(id, ["alert"], 60_000);
          for (const r of ids) await s.behave(r, { delayMs: 100 });
          for (let i = 1; i <= 20; i++) await update(id, { ...content, vehicle: { description: { fr: `Voiture vue ${i}` } } });
          const f = await settled(id, ["update"], 90_000);
          const got = (await mine(id, ids)).filter((m) => m.type === "update");
          const newest = Math.max(...got.map((m) => m.version));
          expect(newest).toBe(21);
          // A sweep runs at a time and the newer ones wait, folded into one: a recipient gets
          // at most one message per sweep that ran, in increasing versions, the last the newest.
          // How many sweeps run depends on how fast the updates come (two when all 20 land during
          // the first sweep; three under load), never one per update.
          const sweeps = f.filter((c) => c.event === "update" && c.status === "done").length;
          expect(sweeps + f.filter((c) => c.event === "update" && c.status === "superseded").length).toBe(20);
          expect(sweeps).toBeLessThanOrEqual(10);
          for (const r of ids) {
            const versions = got.filter((m) => m.id === r).map((m) => m.version);
            expect(versions.at(-1)).toBe(21);
            expect(versions.length).toBeLessThanOrEqual(sweeps);
            expect(versions.every((v, i) => i === 0 || v > versions[i - 1]!)).toBe(true);
          }
          console.log(`burst (${s.channel}): 20 updates → ${sweeps} sweeps, ${got.length} update messages for ${ids.length} recipients`);
          for (const r of ids) await s.behave(r, { delayMs: 0 });
          await stop(id);
          await settled(id, ["stop"], 60_000);
        } finally {
          await s.drop(ids);
        }
      });
    }

    // The outbox (alert/object.ts reconcile → fanout/plan.ts) is the same for every channel; each
    // engine proves it: the crowd channels, and the social engine once through Mastodon.
    if (s.audience === "crowd") {
      describe("a committed launch or stop always broadcasts (the outbox)", () => {
        /** Makes the channel's queues refuse every message in the alert's object, then restores them. */
        const queuesDown = (alertId: string) =>
          runInDurableObject(stub(alertId), (o: AlertObject) => {
            const target = o as unknown as { env: Env };
            const real = target.env;
            const down = { send: () => Promise.reject(new Error("queue unavailable")), sendBatch: () => Promise.reject(new Error("queue unavailable")) };
            const names = new Set(channel.limits.queues(real).map((q) => Object.entries(real).find(([, v]) => v === q)?.[0]));
            target.env = new Proxy(real, { get: (e, p) => (names.has(String(p)) ? down : (e as unknown as Record<string | symbol, unknown>)[p]) });
            return () => runInDurableObject(stub(alertId), () => void (target.env = real));
          });
        const unplanned = async (alertId: string) =>
          (await env.DB.prepare("SELECT count(*) AS n FROM broadcasts WHERE alert_id = ? AND planned_at IS NULL").bind(alertId).first<{ n: number }>())!.n;

        it("the queue fails during the launch, then recovers: the alert goes out exactly once", async () => {
          const [a, b] = await Promise.all([s.recipient(), s.recipient()]);
          const id = await authorisedAlert(t);
          const restore = await queuesDown(id);
          expectOk(await api("POST", `/alerts/${id}/launch`, undefined, as(t.cell)));
          await sleep(300);
          expect(await mine(id, [a!, b!])).toEqual([]);
          await restore();
          await runDurableObjectAlarm(stub(id));
          await settled(id, ["alert"]);
          expect(await unplanned(id)).toBe(0);
          const got = await mine(id, [a!, b!]);
          expect([countBy(got, a!), countBy(got, b!)]).toEqual([1, 1]);
          await stop(id);
        });

        it("the queue fails and the alarm is lost: the cron's safety net plans the broadcast", async () => {
          const a = await s.recipient();
          const id = await authorisedAlert(t);
          const restore = await queuesDown(id);
          expectOk(await api("POST", `/alerts/${id}/launch`, undefined, as(t.cell)));
          await restore();
          await runInDurableObject(stub(id), (_o, state) => state.storage.deleteAlarm());
          await env.DB.prepare("UPDATE broadcasts SET created_at = ? WHERE alert_id = ?").bind(new Date(Date.now() - 60_000).toISOString(), id).run();
          const ctx = createExecutionContext();
          await worker.scheduled(createScheduledController({ scheduledTime: new Date(), cron: "*/5 * * * *" }), env, ctx);
          await waitOnExecutionContext(ctx);
          await settled(id, ["alert"]);
          expect(countBy(await mine(id, [a]), a)).toBe(1);
          await stop(id);
        });

        it("the queue fails during the stop, then recovers: the retraction goes out exactly once", async () => {
          const [a, b] = await Promise.all([s.recipient(), s.recipient()]);
          const id = await liveAlert(t);
          await settled(id, ["alert"]);
          const restore = await queuesDown(id);
          await stop(id);
          await sleep(300);
          expect((await mine(id, [a!, b!])).filter((m) => m.type === "stop")).toEqual([]);
          await restore();
          await runDurableObjectAlarm(stub(id));
          await settled(id, ["stop"]);
          const got = await mine(id, [a!, b!]);
          expect([countBy(got, a!, "stop"), countBy(got, b!, "stop")]).toEqual([1, 1]);
        });
      });
    }

    it("appends each broadcast's outcome (counts only) to the audit trail", async () => {
      await s.recipient();
      const id = await liveAlert(t);
      const [f] = await settled(id, ["alert"]);
      await stop(id);
      await settled(id, ["stop"]);
      // The outcome is appended by the reconciler right after the fan-out is done: a moment later.
      const outcomesNow = async () =>
        (expectOk(await api("GET", `/alerts/${id}/audit`, undefined, as(t.operator))).body.entries as { action: string; details: string }[])
          .map((e) => ({ action: e.action, details: JSON.parse(e.details) as Record<string, unknown> }))
          .filter((e) => e.action === "broadcast_completed" && e.details.channel === s.channel);
      let outcomes = await outcomesNow();
      for (const deadline = Date.now() + 10_000; outcomes.length < 2 && Date.now() < deadline; outcomes = await outcomesNow()) await sleep(100);
      expect(outcomes.map((e) => e.details.event)).toEqual(["alert", "stop"]);
      expect(outcomes[0]!.details).toMatchObject({ broadcastId: f!.fanoutId, outcome: "completed", sent: f!.sent, failed: f!.failed, removed: f!.pruned, fenced: f!.fenced });
      expect(JSON.stringify(outcomes)).not.toContain("Lina");
    });
  });
}
