// The 116 000 intake in the dashboard (issue 14):
// - the call-takers' console: each live alert's published content beside the form, the
//   line's live queue (waiting callers, wait times, abandoned calls), "take the next call"
//   (one call goes to one call-taker), the tip form under rule 10, and one's own tips;
// - the tips panel on an alert's screen for the case's investigators and the cell: tips
//   arriving live, acknowledge, useful or not; the intake's figures.
// Everything live from the alert's feed; keyboard-only usable.
import { useCallback, useEffect, useState } from "preact/hooks";
import { api, must } from "../api/client";
import type { components } from "../api/schema";
import { lang, t } from "../i18n";
import { useAlertLive } from "../lib/live";
import { ErrorBox, fmtDuration, useAction, useFocusHeading, useNow } from "../ui";

type Tip = components["schemas"]["Tip"];
type Metrics = components["schemas"]["IntakeMetrics"];
type ConsoleAlert = { alertId: string; exercise: boolean; endsAt: string | null; content: Record<string, any> | null; posterUrl: string | null; open: boolean; queue: QueueEntry[] };
type QueueEntry = { sid: string; lang: string; recording: "given" | "refused" | null; status: string; waitingSince: string | null; takenBy: string | null };
type Taken = QueueEntry & { from: string | null };

/** A localized field of the published content, in the UI language when the alert has it. */
const read = (v: unknown): string => {
  if (!v || typeof v !== "object") return typeof v === "string" ? v : "";
  const m = v as Record<string, string>;
  return m[lang()] ?? m.fr ?? Object.values(m)[0] ?? "";
};

export function IntakeConsole() {
  const [alerts, setAlerts] = useState<ConsoleAlert[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const h1 = useFocusHeading("intake");
  const reload = useCallback(async () => {
    try {
      setAlerts((await must(api.GET("/intake/alerts"))).alerts as ConsoleAlert[]);
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);
  return (
    <>
      <h1 tabIndex={-1} ref={h1}>
        {t("intake.title")}
      </h1>
      <ErrorBox error={error} />
      {alerts && alerts.length === 0 && <p id="no-live-alert">{t("intake.noLive")}</p>}
      {alerts?.map((a) => <ConsoleAlertCard key={a.alertId} a={a} />)}
    </>
  );
}

function ConsoleAlertCard({ a }: { a: ConsoleAlert }) {
  const [queue, setQueue] = useState<QueueEntry[]>(a.queue);
  const [counts, setCounts] = useState<{ abandoned: number; answered: number } | null>(null);
  const [taken, setTaken] = useState<Taken | null>(null);
  const [mine, setMine] = useState<Tip[]>([]);
  const [run, busy, error] = useAction();
  const now = useNow(1000);
  const refresh = useCallback(async () => {
    const [q, tips] = await Promise.all([must(api.GET("/alerts/{id}/intake", { params: { path: { id: a.alertId } } })), must(api.GET("/alerts/{id}/tips", { params: { path: { id: a.alertId } } }))]);
    setQueue(q.queue as QueueEntry[]);
    setCounts(q.metrics.calls);
    setMine(tips.tips);
  }, [a.alertId]);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  useAlertLive(a.alertId, (m) => {
    const type = (m as { type: string }).type;
    if (type === "intake" || type === "tip" || type === "tip_acked" || type === "hello") void refresh();
  });
  const c = a.content ?? {};
  const child = c.child ?? {};
  const name = [child.firstName, child.lastName].filter(Boolean).join(" ");
  const waiting = queue.filter((q) => q.status === "waiting");
  return (
    <section class="card" aria-labelledby={`c-${a.alertId}`} data-alert={a.alertId}>
      <h2 id={`c-${a.alertId}`}>
        {name} {a.exercise && <span class="badge">{t("common.exercise")}</span>}
      </h2>
      <div class="intake-grid">
        <div class="published">
          <h3>{t("intake.published")}</h3>
          {a.posterUrl && <img src={a.posterUrl} alt={name} width={600} height={315} class="poster-thumb" />}
          <dl>
            <dt>{t("intake.age")}</dt>
            <dd>{child.age}</dd>
            <dt>{t("f.clothing")}</dt>
            <dd>{read(child.clothing)}</dd>
            <dt>{t("f.description")}</dt>
            <dd>{read(child.description)}</dd>
            <dt>{t("f.place")}</dt>
            <dd>{read(c.lastSeen?.place)}</dd>
            {c.vehicle && (
              <>
                <dt>{t("f.vehicle")}</dt>
                <dd>
                  {read(c.vehicle.description)} {c.vehicle.plate}
                </dd>
              </>
            )}
          </dl>
        </div>
        <div>
          <h3>{t("intake.queue")}</h3>
          <p role="status" id={`queue-${a.alertId}`}>
            {a.open ? t("intake.waiting", { n: waiting.length }) : t("intake.lineClosed")}
            {counts && ` · ${t("intake.answered", { n: counts.answered })} · ${t("intake.abandoned", { n: counts.abandoned })}`}
          </p>
          {waiting.length > 0 && (
            <ul class="queue">
              {waiting.map((q) => (
                <li key={q.sid}>
                  {a.exercise && <span class="badge">{t("common.exercise")}</span>} {q.lang.toUpperCase()} · {fmtDuration(now - Date.parse(q.waitingSince ?? ""))} · {q.recording === "refused" ? t("intake.notRecorded") : t("intake.recorded")}
                </li>
              ))}
            </ul>
          )}
          <button id={`take-${a.alertId}`} disabled={busy || waiting.length === 0} onClick={() => run(async () => setTaken((await must(api.POST("/alerts/{id}/calls/next", { params: { path: { id: a.alertId } } }))).call as Taken))}>
            {t("intake.takeNext")}
          </button>
          <ErrorBox error={error} />
          {taken && (
            <p class="taken" role="status">
              {a.exercise && <span class="badge">{t("common.exercise")}</span>} {t("intake.taken", { lang: taken.lang.toUpperCase() })} {taken.recording === "refused" ? t("intake.notRecorded") : `${t("intake.recorded")}${taken.from ? ` · ${taken.from}` : ""}`}
            </p>
          )}
        </div>
      </div>
      <TipForm alertId={a.alertId} call={taken} onDone={() => {
        setTaken(null);
        void refresh();
      }} />
      <h3>{t("intake.myTips")}</h3>
      <TipList tips={mine} />
    </section>
  );
}

function TipForm({ alertId, call, onDone }: { alertId: string; call: Taken | null; onDone: () => void }) {
  const [text, setText] = useState("");
  const [seenWhere, setWhere] = useState("");
  const [seenAt, setWhen] = useState("");
  const [urgent, setUrgent] = useState(false);
  const [recording, setRecording] = useState<"given" | "refused">("given");
  const [anonymous, setAnonymous] = useState(false);
  const [name, setName] = useState("");
  const [phone, setPhone] = useState("");
  const [assessment, setAssessment] = useState<"" | "reliable" | "plausible" | "doubtful">("");
  const [done, setDone] = useState(false);
  const [run, busy, error] = useAction();
  useEffect(() => {
    if (!call) return;
    setRecording(call.recording === "refused" ? "refused" : "given");
    setAnonymous(call.recording === "refused");
    setPhone(call.from ?? "");
    setDone(false);
  }, [call?.sid]);
  const id = (f: string) => `${f}-${alertId}`;
  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      await must(
        api.POST("/alerts/{id}/tips", {
          params: { path: { id: alertId } },
          body: {
            ...(call ? { callSid: call.sid } : {}),
            text,
            ...(seenWhere ? { seenWhere } : {}),
            ...(seenAt ? { seenAt } : {}),
            urgent,
            recording,
            anonymous,
            ...(assessment ? { assessment } : {}),
            ...(!anonymous && (name || phone) ? { contact: { ...(name ? { name } : {}), ...(phone ? { phone } : {}) } } : {}),
          },
        }),
      );
      setText("");
      setWhere("");
      setWhen("");
      setUrgent(false);
      setName("");
      setPhone("");
      setAssessment("");
      setDone(true);
      onDone();
    });
  };
  return (
    <form class="tip-form" onSubmit={submit} aria-labelledby={id("tf")}>
      <h3 id={id("tf")}>{t("intake.recordTip")}</h3>
      <label for={id("text")}>{t("intake.what")}</label>
      <textarea id={id("text")} required minLength={3} maxLength={4000} rows={4} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
      <label for={id("where")}>{t("intake.where")}</label>
      <input id={id("where")} value={seenWhere} maxLength={300} onInput={(e) => setWhere((e.target as HTMLInputElement).value)} />
      <label for={id("when")}>{t("intake.when")}</label>
      <input id={id("when")} value={seenAt} maxLength={100} onInput={(e) => setWhen((e.target as HTMLInputElement).value)} />
      <fieldset>
        <legend>{t("intake.recording")}</legend>
        <label>
          <input type="radio" name={id("rec")} checked={recording === "given"} onChange={() => setRecording("given")} /> {t("intake.recordingGiven")}
        </label>
        <label>
          <input type="radio" name={id("rec")} checked={recording === "refused"} onChange={() => {
            setRecording("refused");
            setAnonymous(true);
          }} /> {t("intake.recordingRefused")}
        </label>
      </fieldset>
      <label>
        <input type="checkbox" id={id("anon")} checked={anonymous} disabled={recording === "refused"} onChange={(e) => setAnonymous((e.target as HTMLInputElement).checked)} /> {t("intake.anonymous")}
      </label>
      {!anonymous && (
        <>
          <label for={id("name")}>{t("intake.callerName")}</label>
          <input id={id("name")} value={name} maxLength={100} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
          <label for={id("phone")}>{t("intake.callerPhone")}</label>
          <input id={id("phone")} type="tel" value={phone} maxLength={24} onInput={(e) => setPhone((e.target as HTMLInputElement).value)} />
        </>
      )}
      <label for={id("assess")}>{anonymous ? t("intake.assessmentRequired") : t("intake.assessment")}</label>
      <select id={id("assess")} required={anonymous} value={assessment} onChange={(e) => setAssessment((e.target as HTMLSelectElement).value as typeof assessment)}>
        <option value="">—</option>
        <option value="reliable">{t("intake.reliable")}</option>
        <option value="plausible">{t("intake.plausible")}</option>
        <option value="doubtful">{t("intake.doubtful")}</option>
      </select>
      <label>
        <input type="checkbox" id={id("urgent")} checked={urgent} onChange={(e) => setUrgent((e.target as HTMLInputElement).checked)} /> {t("intake.urgent")}
      </label>
      <button type="submit" disabled={busy}>
        {t("intake.send")}
      </button>
      <ErrorBox error={error} />
      {done && (
        <p role="status" class="ok">
          {t("intake.sent")}
        </p>
      )}
    </form>
  );
}

function TipList({ tips, onAck, onUseful }: { tips: Tip[]; onAck?: (id: string) => void; onUseful?: (id: string, useful: boolean) => void }) {
  if (tips.length === 0) return <p class="muted">{t("intake.noTips")}</p>;
  return (
    <ol class="tips" reversed>
      {[...tips].reverse().map((tip) => (
        <li key={tip.id} class={`tip${tip.urgent ? " urgent" : ""}${tip.ackedAt ? " acked" : ""}`} data-tip={tip.id}>
          <p>
            <strong>{tip.urgent ? `${t("intake.urgentBadge")} · ` : ""}{tip.source === "web" ? t("intake.fromWeb") : t("intake.fromCall")}</strong>
            {tip.challenge === "unverified" && <> · <span class="badge" title={t("intake.unverifiedWhy")}>{t("intake.unverified")}</span></>} · {new Date(tip.receivedAt).toLocaleTimeString(lang())}
            {tip.escalation > 0 && <span class="badge warn"> {t("intake.escalated", { n: tip.escalation })}</span>}
          </p>
          <p class="tip-text">{tip.text}</p>
          {(tip.seenWhere || tip.seenAt) && (
            <p>
              {tip.seenWhere} {tip.seenAt && `· ${tip.seenAt}`}
            </p>
          )}
          <p class="muted">
            {tip.anonymous ? t("intake.anonymousCaller") : [tip.contact?.name, tip.contact?.phone, tip.contact?.email].filter(Boolean).join(" · ")}
            {tip.assessment && ` · ${t(`intake.${tip.assessment}`)}`}
            {tip.recording && ` · ${tip.recording === "refused" ? t("intake.notRecorded") : t("intake.recorded")}`}
          </p>
          {tip.photoUrl && <img src={tip.photoUrl} alt={t("intake.tipPhoto")} class="tip-photo" />}
          {tip.ackedAt ? (
            <p class="ok">
              {t("intake.ackedAt", { time: new Date(tip.ackedAt).toLocaleTimeString(lang()) })}
              {tip.useful !== null && ` · ${tip.useful ? t("intake.usefulYes") : t("intake.usefulNo")}`}
            </p>
          ) : (
            onAck && (
              <button onClick={() => onAck(tip.id)} id={`ack-${tip.id}`}>
                {t("intake.ack")}
              </button>
            )
          )}
          {onUseful && tip.useful === null && (
            <span>
              <button class="secondary" onClick={() => onUseful(tip.id, true)}>
                {t("intake.usefulYes")}
              </button>
              <button class="secondary" onClick={() => onUseful(tip.id, false)}>
                {t("intake.usefulNo")}
              </button>
            </span>
          )}
        </li>
      ))}
    </ol>
  );
}

/** On an alert's screen: the tips (for those who may read them) and the intake's figures. */
export function TipsPanel({ alertId, canRead, canAck }: { alertId: string; canRead: boolean; canAck: boolean }) {
  const [tips, setTips] = useState<Tip[]>([]);
  const [metrics, setMetrics] = useState<Metrics | null>(null);
  const [run, , error] = useAction();
  const refresh = useCallback(async () => {
    setMetrics((await must(api.GET("/alerts/{id}/intake", { params: { path: { id: alertId } } }))).metrics);
    // An investigator who is not on this case reads the figures, not the tips (403).
    if (canRead) setTips((await must(api.GET("/alerts/{id}/tips", { params: { path: { id: alertId } } }))).tips);
  }, [alertId, canRead]);
  useEffect(() => {
    void refresh().catch(() => undefined);
  }, [refresh]);
  useAlertLive(alertId, (m) => {
    const msg = m as { type: string; tip?: Tip };
    if (msg.type === "tip" && msg.tip) setTips((have) => (have.some((x) => x.id === msg.tip!.id) ? have : [...have, msg.tip!]));
    if (msg.type === "tip" || msg.type === "tip_acked" || msg.type === "tip_escalated" || msg.type === "intake") void refresh().catch(() => undefined);
  });
  const ms = (v: number | null) => (v === null ? "—" : v < 60_000 ? `${(v / 1000).toFixed(1)} s` : fmtDuration(v));
  return (
    <section class="card" aria-labelledby="tips-h" id="tips-card">
      <h2 id="tips-h">{t("intake.tipsTitle")}</h2>
      {metrics && (
        <p role="status" id="intake-figures">
          {t("intake.figures", { tips: metrics.tips.total, acked: metrics.tips.acknowledged, calls: metrics.calls.calls, waiting: metrics.calls.waiting, abandoned: metrics.calls.abandoned })}
          {" · "}
          {t("intake.times", { fwd: ms(metrics.toForwardMs.median), ack: ms(metrics.toAcknowledgeMs.median), worst: ms(metrics.toAcknowledgeMs.worst) })}
        </p>
      )}
      <ErrorBox error={error} />
      {canRead && <WakeThisDevice />}
      {canRead && (
        <TipList
          tips={tips}
          onAck={canAck ? (id) => void run(async () => {
            await must(api.POST("/alerts/{id}/tips/{tipId}/ack", { params: { path: { id: alertId, tipId: id } } }));
            await refresh();
          }) : undefined}
          onUseful={canAck ? (id, useful) => void run(async () => {
            await must(api.POST("/alerts/{id}/tips/{tipId}/useful", { params: { path: { id: alertId, tipId: id } }, body: { useful } }));
            await refresh();
          }) : undefined}
        />
      )}
    </section>
  );
}

const b64urlToBytes = (s: string) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

/** Opt-in: this device is woken by a web push when a tip comes in (the push never carries the tip). */
export function WakeThisDevice() {
  const supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  const [on, setOn] = useState<boolean | null>(null);
  const [run, busy, error] = useAction();
  useEffect(() => {
    if (!supported) return;
    void navigator.serviceWorker.getRegistration("/").then(async (r) => setOn(!!(await r?.pushManager.getSubscription())));
  }, []);
  if (!supported) return null;
  const enable = () =>
    run(async () => {
      if ((await Notification.requestPermission()) !== "granted") throw new Error(t("intake.pushDenied"));
      const reg = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
      await navigator.serviceWorker.ready;
      const { publicKey } = await must(api.GET("/push/key"));
      const sub = (await reg.pushManager.getSubscription()) ?? (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: b64urlToBytes(publicKey) }));
      const json = sub.toJSON() as { endpoint: string; keys: { p256dh: string; auth: string } };
      await must(api.POST("/me/tip-push", { body: { subscription: { endpoint: json.endpoint, keys: json.keys } } }));
      setOn(true);
    });
  const disable = () =>
    run(async () => {
      const sub = await (await navigator.serviceWorker.getRegistration("/"))?.pushManager.getSubscription();
      if (sub) {
        await must(api.DELETE("/me/tip-push", { body: { endpoint: sub.endpoint } }));
        await sub.unsubscribe();
      }
      setOn(false);
    });
  return (
    <p>
      {on ? (
        <button class="secondary" disabled={busy} onClick={disable}>
          {t("intake.pushOff")}
        </button>
      ) : (
        <button class="secondary" disabled={busy} onClick={enable}>
          {t("intake.pushOn")}
        </button>
      )}{" "}
      <span class="muted">{t("intake.pushWhy")}</span>
      <ErrorBox error={error} />
    </p>
  );
}
