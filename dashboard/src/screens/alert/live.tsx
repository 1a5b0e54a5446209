// The live panel (pushed over the alert's WebSocket: per channel progress, time left) and the stop / extend card.
import { useState } from "preact/hooks";
import { STOP_REASONS } from "../../../../worker/domain/lifecycle.ts";
import { REVIEW_LEAD_MS } from "../../../../worker/domain/duration.ts";
import { api, type FanoutCounters, must } from "../../api/client";
import { lang, t } from "../../i18n";
import { channelName, useChannels } from "../../lib/channels";
import { ConfirmButton, ErrorBox, fmtDuration, fmtTime, Progress, useNow, THead } from "../../ui";
import { useCommand, type Ctx } from "./context.tsx";
import { Throughput } from "./throughput.tsx";

export function LivePanel({ ctx, fanouts }: { ctx: Ctx; fanouts: FanoutCounters[] }) {
  const { d } = ctx;
  const channels = useChannels();
  const now = useNow(15_000);
  const left = d.endsAt ? Date.parse(d.endsAt) - now : null;
  const [exec, busy, error] = useCommand(ctx);
  return (
    <section class="card live" aria-labelledby="live-h">
      <h2 id="live-h">{t("live.title")}</h2>
      <dl class="facts">
        <dt>{t("live.launched")}</dt>
        <dd>
          {fmtTime(d.launchedAt)} ({t("live.ago", { d: fmtDuration(now - Date.parse(d.launchedAt!)) })})
        </dd>
        {d.state === "live" && left !== null && (
          <>
            <dt>{t("live.timeLeft")}</dt>
            <dd id="time-left" class={left < REVIEW_LEAD_MS ? "urgent" : ""}>
              <strong>{fmtDuration(left)}</strong> · {t("live.until", { at: fmtTime(d.endsAt) })} · {t("live.extensions", { n: String(d.extensions) })}
            </dd>
          </>
        )}
        {d.stoppedAt && (
          <>
            <dt>{t("live.stopped")}</dt>
            <dd>
              {fmtTime(d.stoppedAt)} — {t(`stop.${d.stopReason}` as never)}
            </dd>
          </>
        )}
      </dl>
      {d.state === "live" && left !== null && left < REVIEW_LEAD_MS && <p class="notice">{t("live.reviewPrompt", { minutes: String(REVIEW_LEAD_MS / 60_000) })}</p>}
      {d.state === "live" && ctx.can("alert.extend") && (d.kind === "search_notice" || ctx.role === "magistrate") && (
        <p>
          <ConfirmButton
            label={t(d.kind === "search_notice" ? "notice.confirm" : "live.extend")}
            confirmLabel={t(d.kind === "search_notice" ? "notice.confirmConfirm" : "live.extendConfirm")}
            disabled={busy || (d.kind !== "search_notice" && d.extensions >= 3)}
            onConfirm={() => exec(() => must(api.POST("/alerts/{id}/extend", { params: { path: { id: ctx.id } } })))}
          />{" "}
          {d.kind !== "search_notice" && d.extensions >= 3 && <small>{t("live.noMoreExtensions")}</small>}
        </p>
      )}
      <ErrorBox error={error} />
      <h3>{t("live.channels")}</h3>
      <table id="fanout">
        <THead cols={[t("live.message"), t("live.pages"), t("live.sent"), t("live.failed"), t("live.removed"), t("live.retrying"), t("live.fenced"), t("live.progress")]} />
        <tbody>
          {channels.map((ch) => {
            const mine = fanouts.filter((f) => f.channel === ch.channel);
            const name = ch.label[lang()];
            return mine.length ? (
              mine.map((f) => (
                <tr data-channel={f.channel} data-event={f.event} key={`${f.fanoutId}:${f.channel}`}>
                  <td>
                    {name} · {t(`event.${f.event}`)}
                    {f.event !== "stop" && ` v${f.version}`}
                    {f.status === "waiting" && <small> ({t("live.waiting")})</small>}
                    {f.status === "superseded" && <small> ({t("live.superseded")})</small>}
                  </td>
                  <td>
                    {f.pagesDone}/{f.pagesPlanned}
                  </td>
                  <td>{f.sent}</td>
                  <td>{f.failed}</td>
                  <td>{f.pruned}</td>
                  <td>{f.retrying}</td>
                  <td>{f.fenced}</td>
                  <td>
                    <Progress value={f.pagesDone} max={f.pagesPlanned} label={`${name} · ${t(`event.${f.event}`)}`} />
                  </td>
                </tr>
              ))
            ) : (
              <tr data-channel={ch.channel} key={ch.channel}>
                <td>{name}</td>
                <td colSpan={7}>{t("live.nothingYet")}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <Throughput id={ctx.id} fanouts={fanouts} />
      <ul class="plain-errors">
        {fanouts.flatMap((f) => {
          const channel = channelName(channels, f.channel);
          const key = `${f.fanoutId}:${f.channel}`;
          return [
            f.incident ? (
              <li key={`${key}-i`} class="error">
                {t(`live.incident.${f.incident.reason}`, { channel, since: fmtTime(f.incident.since) })}
              </li>
            ) : null,
            f.switchedOff ? <li key={`${key}-off`}>{t("live.switchedOff", { channel, event: t(`event.${f.event}`) })}</li> : null,
            f.failed ? <li key={`${key}-f`}>{t("live.failedPlain", { channel, n: String(f.failed) })}</li> : null,
            f.deadPages ? <li key={`${key}-d`}>{t("live.deadPlain", { n: String(f.deadPages) })}</li> : null,
            f.retrying > 0 ? <li key={`${key}-r`}>{t("live.retryingPlain", { channel, n: String(f.retrying) })}</li> : null,
          ];
        })}
      </ul>
    </section>
  );
}

export function StopCard({ ctx }: { ctx: Ctx }) {
  const [reason, setReason] = useState<string>(ctx.role === "magistrate" ? "withdrawn" : "found_safe");
  const [exec, busy, error] = useCommand(ctx);
  if (!ctx.can("alert.stop")) return null;
  return (
    <section class="card stop" id="stop-card" aria-labelledby="stop-h">
      <h2 id="stop-h">{t("stop.title")}</h2>
      <p>{t("stop.intro")}</p>
      <label for="stop-reason">{t("stop.reason")}</label>{" "}
      <select id="stop-reason" value={reason} onChange={(e) => setReason((e.target as HTMLSelectElement).value)}>
        {STOP_REASONS.filter((r) => r !== "expired").map((r) => (
          <option value={r}>{t(`stop.${r}`)}</option>
        ))}
      </select>
      <p>
        <ConfirmButton
          danger
          label={t("stop.button")}
          confirmLabel={t("stop.confirm")}
          disabled={busy}
          onConfirm={() => exec(() => must(api.POST("/alerts/{id}/stop", { params: { path: { id: ctx.id } }, body: { reason: reason as "found_safe" } })))}
        />
      </p>
      <ErrorBox error={error} />
    </section>
  );
}
