// The alert list: state, exercise badge, age, who is waiting on whom.
import { useEffect, useRef, useState } from "preact/hooks";
import { type AlertSummary, api, must, type Permission } from "../api/client";
import { t } from "../i18n";
import { useBoardLive } from "../lib/live";
import { ErrorBox, fmtDuration, fmtTime, useFocusHeading, useNow, THead } from "../ui";

export function StateBadge({ state, id }: { state: string; id?: string }) {
  return (
    <span class={`state ${state}`} id={id}>
      {t(`state.${state}` as never)}
    </span>
  );
}

export function AlertList({ can }: { can: (p: Permission) => boolean }) {
  const [alerts, setAlerts] = useState<AlertSummary[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const now = useNow(30_000);
  const h1 = useFocusHeading("alerts");
  const load = () => must(api.GET("/alerts")).then((d) => { setAlerts(d.alerts); setError(null); }, setError);
  useEffect(() => {
    void load();
  }, []);
  // Every change to any alert is announced on the board feed: reload the list (bursts coalesced).
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const live = useBoardLive((m) => {
    if (m.type !== "alert" && m.type !== "hello") return;
    clearTimeout(pending.current);
    pending.current = setTimeout(() => void load(), 250);
  });
  const sorted = [...(alerts ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return (
    <>
      <div class="title-row">
        <h1 tabIndex={-1} ref={h1}>{t("alerts.title")}</h1>
        <span class={`live-dot ${live}`} role="status">
          {t(`live.${live}`)}
        </span>
        {can("alert.create") && (
          <a class="button" href="/alerts/new">
            {t("alerts.new")}
          </a>
        )}
      </div>
      <ErrorBox error={error} />
      {alerts && (
        <table class="alerts">
          <caption class="sr-only">{t("alerts.title")}</caption>
          <THead cols={[t("alerts.child"), t("alerts.state"), t("alerts.waitingOn"), t("alerts.age")]} />
          <tbody>
            {sorted.map((a) => (
              <tr key={a.id}>
                <td>
                  <a href={`/alerts/${a.id}`}>{a.firstName ?? t("alerts.unnamed")}</a>
                  {a.exercise && <span class="badge">{t("common.exercise")}</span>}
                  {a.kind === "search_notice" && <span class="badge notice">{t("kind.search_notice")}</span>}
                </td>
                <td>
                  <StateBadge state={a.state} />
                </td>
                <td>{a.readiness.waitingOn.map((r) => t(`role.${r}` as never)).join(", ") || "—"}</td>
                <td title={fmtTime(a.createdAt)}>{fmtDuration(now - Date.parse(a.launchedAt ?? a.createdAt))}{a.launchedAt ? ` ${t("alerts.sinceLaunch")}` : ""}</td>
              </tr>
            ))}
            {sorted.length === 0 && (
              <tr>
                <td colSpan={4}>{t("alerts.none")}</td>
              </tr>
            )}
          </tbody>
        </table>
      )}
    </>
  );
}
