// Numbers over time (issue 27): the OpenMetrics endpoint an outside monitor scrapes (its
// token, its format, deliveries that only grow, health checks, live alerts) and the live
// panel's throughput series, from an alert really sent to browsers.
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { checkHealth } from "../health/checks.ts";
import { api, as, citizen, expectOk, liveAlert, makeTeam, settledFanouts, standin, type Team } from "../test/helpers.ts";

let t: Team;
beforeAll(async () => {
  t = await makeTeam();
});

const scrape = (token?: string) =>
  exports.default.fetch(new Request(`${env.APP_ORIGIN}/api/v1/metrics`, { headers: token ? { Authorization: `Bearer ${token}` } : {} }));

/** The exposition, parsed strictly: every family declared (TYPE, HELP) before its samples, `# EOF` last. */
function parse(text: string): Map<string, number> {
  const lines = text.split("\n");
  expect(lines.at(-1)).toBe("");
  expect(lines.at(-2)).toBe("# EOF");
  const declared = new Map<string, string>();
  const samples = new Map<string, number>();
  for (const line of lines.slice(0, -2)) {
    const meta = /^# (TYPE|HELP) ([a-z_]+) (.+)$/.exec(line);
    if (meta) {
      if (meta[1] === "TYPE") declared.set(meta[2]!, meta[3]!);
      continue;
    }
    const m = /^([a-z_]+?)(_total)?(\{(?:[a-z_]+="(?:[^"\\]|\\.)*",?)*\})? (-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/.exec(line);
    expect(m, `not an OpenMetrics sample: ${line}`).not.toBeNull();
    const family = m![1]!;
    expect(declared.get(family), `${family} sampled before its TYPE`).toBeDefined();
    expect(!!m![2], `${family}: a counter's samples end in _total, a gauge's do not`).toBe(declared.get(family) === "counter");
    samples.set(`${family}${m![2] ?? ""}${m![3] ?? ""}`, Number(m![4]));
  }
  return samples;
}

describe("GET /api/v1/metrics (OpenMetrics)", () => {
  it("needs the monitoring token; a wrong one or none gets 401", async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape("test-metrics-tokeN")).status).toBe(401);
    // A staff session is no way in either.
    expect((await exports.default.fetch(new Request(`${env.APP_ORIGIN}/api/v1/metrics`, { headers: { Cookie: t.admin.cookie } }))).status).toBe(401);
  });

  it("scraped while an alert goes out: deliveries per channel that only grow, backlog, health, live alerts; and the live panel's throughput", async () => {
    await checkHealth(env, new Date(), ["push"]);
    const res = await scrape("test-metrics-token");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
    const before = parse(await res.text());
    expect(before.get('child_alert_channel_check_up{channel="push",check="vapid"}')).toBe(1);
    const sentBefore = before.get('child_alert_deliveries_total{channel="push",outcome="sent"}')!;
    expect(sentBefore).toBeGreaterThanOrEqual(0);

    const browsers = await Promise.all([citizen(), citizen(), citizen()]);
    const launchedAt = Date.now();
    const id = await liveAlert(t);
    await settledFanouts(id, ["alert"], as(t.cell));
    for (const b of browsers) expect(await standin.received(b.id)).toHaveLength(1);
    const during = parse(await (await scrape("test-metrics-token")).text());
    expect(during.get('child_alert_deliveries_total{channel="push",outcome="sent"}')).toBe(sentBefore + 3);
    expect(during.get('child_alert_live_alerts{kind="real"}')).toBeGreaterThanOrEqual(1);
    expect(during.get('child_alert_backlog_pages{channel="push"}')).toBe(0);

    // The broadcast goes to the audit trail when done: counted from there, not twice.
    for (let i = 0; i < 50; i++) {
      const audit = expectOk(await api("GET", `/alerts/${id}/audit`, undefined, as(t.cell))).body.entries as { action: string; details: string }[];
      if (audit.some((e) => e.action === "broadcast_completed" && JSON.parse(e.details).channel === "push")) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const after = parse(await (await scrape("test-metrics-token")).text());
    expect(after.get('child_alert_deliveries_total{channel="push",outcome="sent"}')).toBe(sentBefore + 3);

    // The readiness screen says when the channel last delivered.
    const ready = expectOk(await api("GET", "/readiness", undefined, as(t.operator))).body as { channels: { channel: string; lastDelivery: string | null }[] };
    expect(Date.parse(ready.channels.find((c) => c.channel === "push")!.lastDelivery!)).toBeGreaterThanOrEqual(launchedAt);
    expect(ready.channels.find((c) => c.channel === "email")!.lastDelivery).toBeNull();

    // The live panel's chart: the same three deliveries, in 5-second buckets.
    const series = expectOk(await api("GET", `/alerts/${id}/throughput`, undefined, as(t.operator))).body as { bucketS: number; channels: { channel: string; points: { at: number; sent: number }[] }[] };
    expect(series.bucketS).toBe(5);
    const push = series.channels.find((c) => c.channel === "push")!;
    expect(push.points.reduce((n, p) => n + p.sent, 0)).toBe(3);
    for (const p of push.points) expect(p.at % 5000).toBe(0);
  });
});
