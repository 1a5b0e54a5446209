// The fan-outs' watchdog (issue 27): a channel that stalls mid-alert (recipients pending,
// nothing delivered for 30 s) or fails pages the operator and the cell within 30 s, once
// per incident, and again when it delivers. The rule's cases on the decision alone, then
// the whole path: a push service that stops accepting while an alert goes out.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { FAILING_SHARE, look, STALL_MS, type Watch } from "../fanout/watch.ts";
import { type FanoutCounters, NO_COUNTS } from "../fanout/ledger.ts";
import { api, as, citizen, expectOk, liveAlert, makeTeam, type Staff, standin, type Team } from "../test/helpers.ts";

const T0 = Date.parse("2026-12-07T03:00:00Z");
const fanout = (over: Partial<FanoutCounters> = {}): FanoutCounters => ({
  ...NO_COUNTS,
  fanoutId: "f1",
  channel: "push",
  event: "alert",
  versionId: "v1",
  version: 1,
  startedAt: new Date(T0).toISOString(),
  status: "running",
  pagesPlanned: 4,
  pagesDone: 1,
  ...over,
});

describe("the watchdog's rule", () => {
  it("stalled: recipients pending and nothing delivered for 30 s — once, then closed when it delivers again", () => {
    let w: Watch | undefined;
    let step = look(fanout({ sent: 100 }), w, T0 + 1_000);
    w = step.watch;
    // Still delivering: no incident, however long it takes.
    for (let s = 1; s <= 10; s++) {
      step = look(fanout({ sent: 100 + s }), w, T0 + 1_000 + s * 10_000);
      w = step.watch;
      expect(step.opened).toBeUndefined();
    }
    const last = T0 + 101_000;
    step = look(fanout({ sent: 110, retrying: 50 }), w, last + STALL_MS - 1);
    expect(step.opened).toBeUndefined();
    w = step.watch;
    step = look(fanout({ sent: 110, retrying: 50 }), w, last + STALL_MS);
    expect(step.opened).toEqual({ n: 1, reason: "stalled" });
    w = step.watch;
    step = look(fanout({ sent: 110, retrying: 50 }), w, last + STALL_MS + 60_000);
    expect(step.opened).toBeUndefined(); // still stalled: not told again
    w = step.watch;
    step = look(fanout({ sent: 111, retrying: 49 }), w, last + STALL_MS + 70_000);
    expect(step.closed).toEqual({ n: 1 });
    // A second stall is a second incident.
    w = step.watch;
    step = look(fanout({ sent: 111, retrying: 49 }), w, last + 2 * STALL_MS + 70_000);
    expect(step.opened).toEqual({ n: 2, reason: "stalled" });
  });

  it("a finished fan-out is not stalled; one whose permanent failures reach a fifth of what it settled is failing", () => {
    const quiet = look(fanout({ sent: 5, status: "done", pagesDone: 4 }), { sent: 5, progressAt: T0, incidents: 0 }, T0 + 10 * STALL_MS);
    expect(quiet.opened).toBeUndefined();
    // 4 of 5 social accounts posted, one refused for good: 20 % — the operator must know.
    const social = look(fanout({ channel: "mastodon", sent: 4, failed: 1 }), undefined, T0 + 1_000);
    expect(social.opened).toEqual({ n: 1, reason: "failing" });
    expect(1 / 5).toBeGreaterThanOrEqual(FAILING_SHARE);
    // 3 refusals in 1,000 deliveries is the everyday (a few dead browsers): no page.
    expect(look(fanout({ sent: 997, failed: 3 }), undefined, T0 + 1_000).opened).toBeUndefined();
  });
});

describe("paged when a channel stalls mid-alert", () => {
  let t: Team;
  beforeAll(async () => {
    t = await makeTeam();
  });
  const events = async (who: Staff, alertId: string) =>
    (expectOk(await api("GET", "/inbox", undefined, as(who))).body.items as { event: string; alertId: string; createdAt: string }[]).filter((i) => i.alertId === alertId);

  it("a push service that stops accepting: the operator and the cell are paged within 30 s of the stall, once; told again when it delivers", { timeout: 150_000 }, async () => {
    const fine = await citizen();
    const stuck = await citizen();
    // The operator's phone, opted in to be woken.
    const phone = await standin.subscribe();
    expectOk(await api("POST", "/me/tip-push", { subscription: { endpoint: phone.endpoint, keys: phone.keys } }, as(t.operator)), 201);
    // This browser's push service answers 429 (come back in 10 s) to everything, for now.
    await standin.behave({ id: stuck.id, status: 429, retryAfter: 10, times: 1000 });
    const alertId = await liveAlert(t);
    // The other browser has it: the last delivery, after which nothing is delivered.
    for (let i = 0; i < 100 && !(await standin.received(fine.id)).length; i++) await new Promise((r) => setTimeout(r, 100));
    const lastDelivery = (await standin.received(fine.id))[0]!.at;
    let paged: { createdAt: string } | undefined;
    for (let i = 0; i < 600 && !paged; i++) {
      paged = (await events(t.operator, alertId)).find((e) => e.event === "channel_stalled");
      if (!paged) await new Promise((r) => setTimeout(r, 100));
    }
    expect(paged, "no page 60 s after the stall").toBeDefined();
    const after = Date.parse(paged!.createdAt) - lastDelivery;
    expect(after).toBeGreaterThanOrEqual(STALL_MS - 1_000);
    expect(after).toBeLessThanOrEqual(STALL_MS + 30_000);
    expect((await events(t.cell, alertId)).some((e) => e.event === "channel_stalled")).toBe(true);
    expect((await events(t.investigator, alertId)).some((e) => e.event.startsWith("channel_"))).toBe(false);
    // …and the operator's phone was woken: which alert and channel, nothing about the child.
    let woken: { payload: { type: string; tag: string; url: string } }[] = [];
    for (let i = 0; i < 50 && !woken.length; i++) {
      woken = (await standin.received(phone.id)) as never;
      if (!woken.length) await new Promise((r) => setTimeout(r, 100));
    }
    expect(woken[0]!.payload).toMatchObject({ type: "staff", tag: `channel:${alertId}:push` });
    expect(JSON.stringify(woken[0]!.payload)).not.toMatch(/Lina|Exemple/);
    // The live panel says so.
    const live = expectOk(await api("GET", `/alerts/${alertId}/fanout`, undefined, as(t.operator))).body.fanouts as FanoutCounters[];
    expect(live.find((f) => f.channel === "push" && f.event === "alert")!.incident?.reason).toBe("stalled");

    // The push service accepts again: the retry delivers, and they are told.
    await standin.behave({ id: stuck.id, status: 429, times: 0 });
    let recovered: unknown;
    for (let i = 0; i < 400 && !recovered; i++) {
      recovered = (await events(t.operator, alertId)).find((e) => e.event === "channel_recovered");
      if (!recovered) await new Promise((r) => setTimeout(r, 100));
    }
    expect(recovered, "no recovery notice 40 s after the push service came back").toBeDefined();
    expect(await standin.received(stuck.id)).toHaveLength(1);
    expect((await events(t.operator, alertId)).filter((e) => e.event === "channel_stalled")).toHaveLength(1);
    // …and by e-mail, with the alert's reference.
    const mailed = (await (await fetch(`https://smtp.test/__messages?to=${encodeURIComponent(t.operator.email)}`)).json()) as { subject: string }[];
    expect(mailed.some((m) => m.subject.includes(alertId.slice(0, 8)) && /a channel is failing or stalled/.test(m.subject))).toBe(true);
    void env;
  });
});
