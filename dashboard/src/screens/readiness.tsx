// Readiness (issue 27): can every channel reach people now? Each channel's checks (the
// relay, each account, each partner's webhook, the VAPID keys) with what the far side
// answered, dead letters, work queued for live alerts, what to do when red, and "Check
// now". The launch card shows a one-line summary of the same (ReadinessSummary).
import { useEffect, useState } from "preact/hooks";
import { api, must } from "../api/client";
import type { components } from "../api/schema";
import { hasKey, t } from "../i18n";
import { channelName, useChannels } from "../lib/channels";
import { ErrorBox, fmtTime, THead, useFocusHeading } from "../ui";
import { WakeThisDevice } from "./intake";

type Readiness = components["schemas"]["ChannelsReadiness"];
type Status = Readiness["channels"][number]["status"];

/** A social network's advice is its own; any other channel's too. */
const adviceKey = (channel: string) => `readiness.advice.${channel}`;

function Badge({ status }: { status: Status }) {
  return <span class={`health health-${status}`}>{t(`readiness.status.${status}` as never)}</span>;
}

export function ReadinessScreen({ canCheck, canWake }: { canCheck: boolean; canWake: boolean }) {
  const [data, setData] = useState<Readiness | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const channels = useChannels();
  const h1 = useFocusHeading(null);
  useEffect(() => {
    must(api.GET("/readiness")).then(setData, setError);
  }, []);
  const checkNow = async () => {
    setBusy(true);
    setError(null);
    try {
      setData(await must(api.POST("/readiness/check", { body: {} })));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <h1 tabIndex={-1} ref={h1}>
        {t("readiness.title")}
      </h1>
      <p>{t("readiness.intro")}</p>
      <p id="readiness-checked" role="status">
        {data?.checkedAt ? t("readiness.checkedAt", { at: fmtTime(data.checkedAt) }) : t("readiness.never")}
      </p>
      {canCheck && (
        <p>
          <button type="button" id="check-now" disabled={busy} onClick={checkNow}>
            {t("readiness.checkNow")}
          </button>
        </p>
      )}
      {canWake && (
        <div class="card">
          <p>{t("readiness.wake")}</p>
          <WakeThisDevice />
        </div>
      )}
      <ErrorBox error={error} />
      {data &&
        data.channels.map((c) => (
          <section class={`card readiness readiness-${c.status}`} key={c.channel} id={`readiness-${c.channel}`} aria-labelledby={`readiness-h-${c.channel}`}>
            <h2 id={`readiness-h-${c.channel}`}>
              {channelName(channels, c.channel)} <Badge status={c.status} />
            </h2>
            {c.checks.length > 0 && (
              <table>
                <THead cols={[t("readiness.check"), "", t("readiness.answer"), t("readiness.since")]} />
                <tbody>
                  {c.checks.map((x) => (
                    <tr key={x.target} class={`health-row-${x.status}`}>
                      <td>{x.label}</td>
                      <td>
                        <Badge status={x.status} />
                      </td>
                      <td>{x.detail}</td>
                      <td>{fmtTime(x.since)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {c.status === "failing" && hasKey(adviceKey(c.channel)) && (
              <p class="advice">
                <strong>{t("readiness.todo")}:</strong> {t(adviceKey(c.channel) as never)}
              </p>
            )}
            <p class="muted">
              {t("readiness.lastDelivery", { at: c.lastDelivery ? fmtTime(c.lastDelivery) : "—" })} · {t("readiness.deadLetters", { n: String(c.deadLetters) })} · {t("readiness.backlog", { pages: String(c.backlog.pages), retrying: String(c.backlog.retrying) })}
            </p>
          </section>
        ))}
    </>
  );
}

/** One line on the launch card: how many channels are ready, and which are red. */
export function ReadinessSummary() {
  const [data, setData] = useState<Readiness | null>(null);
  const channels = useChannels();
  useEffect(() => {
    must(api.GET("/readiness")).then(setData, () => setData(null));
  }, []);
  if (!data) return null;
  const count = (s: Status) => data.channels.filter((c) => c.status === s).length;
  const red = data.channels.filter((c) => c.status === "failing");
  return (
    <p id="launch-readiness" class={red.length ? "error" : "ok"}>
      {t("readiness.launchSummary", { ok: String(count("ok")), failing: String(red.length), off: String(count("off") + count("unchecked")) })}{" "}
      {red.length > 0 && t("readiness.launchRed", { list: red.map((c) => channelName(channels, c.channel)).join(", ") })} <a href="/readiness">{t("readiness.see")}</a>
    </p>
  );
}
