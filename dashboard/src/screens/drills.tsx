// Drills (issue 27): run one (cell, operator), the ones under way, the kept scorecards with
// the trend of each target; and one drill's scorecard — the timeline, a chart, each target
// met or not — which prints cleanly (print stylesheet).
import { Fragment } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, must } from "../api/client";
import type { components } from "../api/schema";
import { t } from "../i18n";
import { channelName, useChannels } from "../lib/channels";
import { navigate } from "../lib/router";
import { ErrorBox, fmtTime, THead, useFocusHeading } from "../ui";

type Card = components["schemas"]["DrillScorecard"];
type TargetKey = Card["targets"][number]["key"];

const secs = (ms: number | null | undefined) => (ms === null || ms === undefined ? "—" : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`);

function Verdict({ pass }: { pass: boolean | null }) {
  if (pass === null) return <span class="health health-unchecked">{t("drill.notYet")}</span>;
  return <span class={`health ${pass ? "health-ok" : "health-failing"}`}>{pass ? t("drill.pass") : t("drill.fail")}</span>;
}

/** The admin sets the targets, in seconds (kept in milliseconds; audited). */
function TargetsForm({ targets, onSaved }: { targets: Record<TargetKey, number>; onSaved: (t: Record<TargetKey, number>) => void }) {
  const [draft, setDraft] = useState(() => Object.fromEntries(Object.entries(targets).map(([k, v]) => [k, String(v / 1000)])) as Record<TargetKey, string>);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setSaved(false);
    setError(null);
    try {
      const body = Object.fromEntries(Object.entries(draft).map(([k, v]) => [k, Math.round(Number(v) * 1000)])) as Record<TargetKey, number>;
      onSaved(await must(api.PUT("/drills/targets", { body })));
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form id="drill-targets-form" class="inline-form" onSubmit={save}>
      <h2>{t("drill.setTargets")}</h2>
      {(Object.keys(targets) as TargetKey[]).map((k) => (
        <Fragment key={k}>
          <label for={`target-${k}`}>{t(`drill.target.${k}` as never)} (s)</label>
          <input id={`target-${k}`} type="number" min="0.1" max="3600" step="0.1" required value={draft[k]} onInput={(e) => setDraft({ ...draft, [k]: (e.target as HTMLInputElement).value })} />
        </Fragment>
      ))}
      <button type="submit" disabled={busy}>
        {t("drill.saveTargets")}
      </button>
      {saved && (
        <span role="status" class="ok">
          {t("drill.targetsSaved")}
        </span>
      )}
      <ErrorBox error={error} />
    </form>
  );
}

export function DrillsScreen({ canRun, canSetTargets }: { canRun: boolean; canSetTargets: boolean }) {
  const [data, setData] = useState<Awaited<ReturnType<typeof load>> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const h1 = useFocusHeading(null);
  const load = async () => must(api.GET("/drills"));
  useEffect(() => {
    load().then(setData, setError);
  }, []);
  const run = async () => {
    setBusy(true);
    try {
      const { alertId } = await must(api.POST("/drills"));
      navigate(`/alerts/${alertId}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <>
      <h1 tabIndex={-1} ref={h1}>
        {t("drill.title")}
      </h1>
      <p>{t("drill.intro")}</p>
      {canRun && (
        <p>
          <button type="button" id="run-drill" disabled={busy} onClick={run}>
            {t("drill.run")}
          </button>
        </p>
      )}
      <ErrorBox error={error} />
      {data && data.running.length > 0 && (
        <>
          <h2>{t("drill.running")}</h2>
          <ul>
            {data.running.map((r) => (
              <li key={r.alertId}>
                <a href={`/drills/${r.alertId}`}>{fmtTime(r.createdAt)}</a> — {t(`state.${r.state}` as never)}
              </li>
            ))}
          </ul>
        </>
      )}
      {data && canSetTargets && <TargetsForm targets={data.targets} onSaved={(targets) => setData({ ...data, targets })} />}
      {data && (
        <>
          <h2>{t("drill.history")}</h2>
          {data.history.length === 0 ? (
            <p>{t("drill.none")}</p>
          ) : (
            <table id="drill-history">
              <THead cols={[t("drill.when"), ...(Object.keys(data.targets) as TargetKey[]).map((k) => `${t(`drill.target.${k}` as never)} (≤ ${secs(data.targets[k])})`)]} />
              <tbody>
                {data.history.map((h) => (
                  <tr key={h.alertId}>
                    <td>
                      <a href={`/drills/${h.alertId}`}>{fmtTime(h.startedAt)}</a>
                    </td>
                    {h.targets.map((x) => (
                      <td key={x.key}>
                        {secs(x.actualMs)} <Verdict pass={x.pass} />
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </>
  );
}

/** The timeline as a chart: each step a mark on one time axis from the creation to the last withdrawal. */
function Timeline({ card }: { card: Card }) {
  const channels = useChannels();
  const marks: { label: string; at: number; kind: string }[] = [];
  for (const s of card.steps) if (s.at) marks.push({ label: t(`drill.step.${s.key}` as never), at: Date.parse(s.at), kind: "step" });
  for (const c of card.channels) {
    const name = channelName(channels, c.channel);
    if (c.first) marks.push({ label: `${name}: ${t("drill.first")}`, at: Date.parse(c.first), kind: "send" });
    if (c.p100) marks.push({ label: `${name}: 100 %`, at: Date.parse(c.p100), kind: "send" });
    if (c.withdrawn) marks.push({ label: `${name}: ${t("drill.withdrawn")}`, at: Date.parse(c.withdrawn), kind: "stop" });
  }
  if (marks.length < 2) return null;
  marks.sort((a, b) => a.at - b.at);
  const t0 = marks[0]!.at;
  const span = Math.max(1, marks.at(-1)!.at - t0);
  const W = 900;
  const rowH = 18;
  return (
    <svg id="drill-chart" viewBox={`0 0 ${W + 260} ${marks.length * rowH + 10}`} width="100%" role="img" aria-label={t("drill.chart")}>
      {marks.map((m, i) => {
        const x = 250 + (W * (m.at - t0)) / span;
        return (
          <g key={i}>
            <text x={240} y={i * rowH + 14} text-anchor="end" font-size="12">
              {m.label}
            </text>
            <line x1={250} x2={x} y1={i * rowH + 10} y2={i * rowH + 10} stroke="#ccc" />
            <circle cx={x} cy={i * rowH + 10} r={5} fill={m.kind === "stop" ? "#8a0015" : m.kind === "send" ? "#1f5fa8" : "#0b6b2e"} />
            <text x={Math.min(x + 8, W + 200)} y={i * rowH + 14} font-size="11">
              +{secs(m.at - t0)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export function ScorecardScreen({ id }: { id: string }) {
  const [card, setCard] = useState<Card | null>(null);
  const [error, setError] = useState<unknown>(null);
  const channels = useChannels();
  const h1 = useFocusHeading(id);
  useEffect(() => {
    must(api.GET("/drills/{id}", { params: { path: { id } } })).then(setCard, setError);
  }, [id]);
  return (
    <div class="scorecard">
      <p class="no-print">
        <a href="/drills">← {t("drill.title")}</a> · <a href={`/alerts/${id}`}>{t("nav.backToAlert")}</a> ·{" "}
        <button type="button" onClick={() => window.print()}>
          {t("drill.print")}
        </button>
      </p>
      <h1 tabIndex={-1} ref={h1}>
        {t("drill.scorecard")}
      </h1>
      <ErrorBox error={error} />
      {card && (
        <>
          <p id="drill-status" class={card.complete ? "ok" : ""}>
            {fmtTime(card.startedAt)} · {card.complete ? t("drill.complete") : t("drill.underway")}
          </p>
          <h2>{t("drill.targets")}</h2>
          <table id="drill-targets">
            <THead cols={[t("drill.targetCol"), t("drill.goal"), t("drill.actual"), ""]} />
            <tbody>
              {card.targets.map((x) => (
                <tr key={x.key} data-target={x.key} data-pass={String(x.pass)}>
                  <td>{t(`drill.target.${x.key}` as never)}</td>
                  <td>≤ {secs(x.targetMs)}</td>
                  <td>{secs(x.actualMs)}</td>
                  <td>
                    <Verdict pass={x.pass} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>{t("drill.timeline")}</h2>
          <Timeline card={card} />
          <table id="drill-steps">
            <THead cols={[t("drill.step"), t("drill.at"), t("drill.sinceStart")]} />
            <tbody>
              {card.steps.map((s) => (
                <tr key={s.key} data-step={s.key}>
                  <td>{t(`drill.step.${s.key}` as never)}</td>
                  <td>{s.at ? fmtTime(s.at) : "—"}</td>
                  <td>{s.at ? `+${secs(Date.parse(s.at) - Date.parse(card.startedAt))}` : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>{t("drill.channels")}</h2>
          <table id="drill-channels">
            <THead cols={[t("live.channel"), t("drill.delivered"), t("drill.first"), "50 %", "99 %", "100 %", t("drill.withdrawn")]} />
            <tbody>
              {card.channels.map((c) => {
                const launched = card.steps.find((s) => s.key === "launched")?.at ?? null;
                const stopped = card.steps.find((s) => s.key === "stopped")?.at ?? null;
                const after = (from: string | null, at: string | null) => (from && at ? `+${secs(Date.parse(at) - Date.parse(from))}` : "—");
                return (
                  <tr key={c.channel} data-channel={c.channel}>
                    <td>{channelName(channels, c.channel)}</td>
                    <td>{c.delivered}</td>
                    <td>{after(launched, c.first)}</td>
                    <td>{after(launched, c.p50)}</td>
                    <td>{after(launched, c.p99)}</td>
                    <td>{after(launched, c.p100)}</td>
                    <td>{after(stopped, c.withdrawn)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
