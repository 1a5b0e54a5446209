// The OpenMetrics text an outside monitor scrapes (issue 27): GET /api/v1/metrics with
// `Authorization: Bearer <METRICS_TOKEN>`. Every number comes from where the system keeps
// it: deliveries per channel and outcome (finished broadcasts from the audit trail, which
// is append-only, plus the running ones of live alerts: a counter that only grows), what
// is queued and retrying now, dead letters, each health check, live alerts. No child data.
import { CHANNEL_NAMES } from "../channels/index.ts";
import type { Db } from "../db/client.ts";
import { allHealth } from "../db/health.ts";
import { auditedLiveBroadcasts, deadLettersByChannel, finishedOutcomes } from "../db/channel-figures.ts";
import { backlogByChannel, liveFanouts } from "../health/queued.ts";
import { alertStub } from "../alert/api.ts";
import type { FanoutCounters } from "../fanout/ledger.ts";

const OUTCOMES = ["sent", "failed", "removed"] as const;
type Outcome = (typeof OUTCOMES)[number];

/** A label value, escaped as OpenMetrics requires (backslash, double quote, newline). */
const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const labels = (l: Record<string, string>) => `{${Object.entries(l).map(([k, v]) => `${k}="${esc(v)}"`).join(",")}}`;

class Family {
  readonly lines: string[] = [];
  readonly name: string;
  readonly type: "counter" | "gauge";
  readonly help: string;
  constructor(name: string, type: "counter" | "gauge", help: string) {
    this.name = name;
    this.type = type;
    this.help = help;
  }
  add(l: Record<string, string>, value: number): this {
    this.lines.push(`${this.name}${this.type === "counter" ? "_total" : ""}${labels(l)} ${value}`);
    return this;
  }
  text(): string {
    return [`# TYPE ${this.name} ${this.type}`, `# HELP ${this.name} ${this.help}`, ...this.lines].join("\n");
  }
}

export async function openMetrics(env: Env, db: Db): Promise<string> {
  const delivered = new Map<string, number>(); // `${channel}|${outcome}`
  const bump = (channel: string, outcome: Outcome, n: number) => delivered.set(`${channel}|${outcome}`, (delivered.get(`${channel}|${outcome}`) ?? 0) + n);
  for (const r of await finishedOutcomes(db)) for (const o of OUTCOMES) bump(r.channel, o, r[o] ?? 0);
  // A broadcast in the audit trail is counted from there, even if its object has not yet marked it so.
  const [audited, { alerts: live, fanouts }] = await Promise.all([auditedLiveBroadcasts(db), liveFanouts(db, async (id) => (await alertStub(env, id).fanouts()) as FanoutCounters[])]);
  const running = fanouts.filter((c) => !audited.has(`${c.fanoutId}|${c.channel}`));
  for (const c of running) {
    bump(c.channel, "sent", c.sent);
    bump(c.channel, "failed", c.failed);
    bump(c.channel, "removed", c.pruned);
  }
  const backlog = backlogByChannel(running);
  const dead = await deadLettersByChannel(db);
  const health = await allHealth(db);

  const deliveries = new Family("child_alert_deliveries", "counter", "Deliveries per channel and outcome (sent, failed for good, removed as gone), every broadcast since the start.");
  const pages = new Family("child_alert_backlog_pages", "gauge", "Page jobs of live alerts not yet done (queued or running).");
  const retrying = new Family("child_alert_retrying_recipients", "gauge", "Recipients of live alerts waiting for a retry.");
  const dl = new Family("child_alert_dead_letters", "counter", "Jobs that exhausted their retries (dead-letter queue), by channel for page jobs.");
  const up = new Family("child_alert_channel_check_up", "gauge", "Each health check of a channel's far side: 1 ok, 0 failing (off checks are not listed).");
  const since = new Family("child_alert_channel_check_since_seconds", "gauge", "When each health check entered its current status (Unix time).");
  const alerts = new Family("child_alert_live_alerts", "gauge", "Alerts live now, real and exercises.");
  for (const ch of CHANNEL_NAMES) {
    for (const o of OUTCOMES) deliveries.add({ channel: ch, outcome: o }, delivered.get(`${ch}|${o}`) ?? 0);
    pages.add({ channel: ch }, backlog.get(ch)?.pages ?? 0);
    retrying.add({ channel: ch }, backlog.get(ch)?.retrying ?? 0);
  }
  for (const [channel, n] of dead) dl.add({ channel }, n);
  for (const h of health.filter((x) => x.status !== "off")) {
    up.add({ channel: h.channel, check: h.target }, h.status === "ok" ? 1 : 0);
    since.add({ channel: h.channel, check: h.target }, Math.floor(Date.parse(h.since) / 1000));
  }
  alerts.add({ kind: "real" }, live.filter((a) => !a.exercise).length).add({ kind: "exercise" }, live.filter((a) => a.exercise).length);
  return `${[deliveries, pages, retrying, dl, up, since, alerts].map((f) => f.text()).join("\n")}\n# EOF\n`;
}
