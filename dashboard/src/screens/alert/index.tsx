// One alert: the screen that loads it, follows its live feed and lays out its panels (this folder, one file per concern).
import { useCallback, useEffect, useState } from "preact/hooks";
import { EDITABLE_STATES, ENDED_STATES, PRE_LAUNCH_STATES } from "../../../../worker/domain/lifecycle.ts";
import type { Role } from "../../../../worker/domain/roles.ts";
import { type AlertDetail, api, ApiError, type FanoutCounters, must, type Permission } from "../../api/client";
import { t } from "../../i18n";
import { mergeFanouts, useAlertLive } from "../../lib/live";
import { TipsPanel } from "../intake";
import { CasePanel } from "../case";
import { SocialPostsPanel } from "../social";
import { ErrorBox, useFocusHeading } from "../../ui";
import { StateBadge } from "../alerts";
import { inStates, underReview, type Ctx, type Content } from "./context.tsx";
import { LivePanel, StopCard } from "./live.tsx";
import { LaunchCard } from "./launch.tsx";
import { SignCard, AccompanyingCard, Concertation, DraftActions } from "./concertation.tsx";
import { ClosedFile, FilePanel } from "./judicial-file.tsx";
import { ForeignRequests, PeerHandoffs } from "./foreign.tsx";
import { ContentUnderReview } from "./under-review.tsx";
import { KindBadge, KindPanel } from "./kind.tsx";

export function AlertScreen({ id, role, can }: { id: string; role: Role; can: (p: Permission) => boolean }) {
  const [d, setD] = useState<AlertDetail | null>(null);
  const [fanouts, setFanouts] = useState<FanoutCounters[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [postersTick, setPostersTick] = useState(0);
  const h1 = useFocusHeading(id);
  const reload = useCallback(async () => {
    try {
      const [detail, f] = await Promise.all([must(api.GET("/alerts/{id}", { params: { path: { id } } })), must(api.GET("/alerts/{id}/fanout", { params: { path: { id } } }))]);
      setD(detail);
      setFanouts((have) => mergeFanouts(have, f.fanouts));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [id]);
  useEffect(() => {
    void reload();
  }, [reload]);
  const live = useAlertLive(id, (m) => {
    if (m.type === "fanout") setFanouts((have) => mergeFanouts(have, [m.counters]));
    else if (m.type === "hello") {
      setFanouts((have) => mergeFanouts(have, m.fanouts));
      void reload(); // after a reconnect: catch up on anything missed
    } else if (m.type === "state") void reload();
    else if (m.type === "posters") setPostersTick((n) => n + 1);
  });

  if (!d) {
    if (error instanceof ApiError && error.problem?.code === "E_FILE_CLOSED") return <ClosedFile id={id} role={role} can={can} />;
    return error ? <ErrorBox error={error} /> : <p>{t("common.loading")}</p>;
  }
  const ctx: Ctx = { id, d, role, can, reload, postersTick };
  const content = underReview(d)?.content as Content | null;
  const name = [content?.child?.firstName, content?.child?.lastName].filter(Boolean).join(" ") || (d.state === "purged" ? t("alert.purgedName") : "—");
  const editable = inStates(EDITABLE_STATES, d.state) && can("alert.edit");
  return (
    <>
      <p>
        <a href="/">← {t("nav.alerts")}</a>
      </p>
      <div class="title-row">
        <h1 tabIndex={-1} ref={h1}>
          {name} <StateBadge state={d.state} id="alert-state" /> <KindBadge kind={d.kind} />
          {d.exercise && <span class="badge">{t("common.exercise")}</span>}
        </h1>
        <span class={`live-dot ${live}`} role="status">
          {t(`live.${live}`)}
        </span>
      </div>
      <nav class="subnav" aria-label={t("alert.sections")}>
        {editable && <a href={`/alerts/${id}/edit`}>{d.state === "live" ? t("alert.editUpdate") : t("alert.edit")}</a>}
        {can("audit.read") && <a href={`/alerts/${id}/audit`}>{t("alert.audit")}</a>}
        {d.exercise && can("drill.read") && (
          <a href={`/drills/${id}`} id="drill-scorecard-link">
            {t("drill.scorecardLink")}
          </a>
        )}
        <a href={`/alert/${id}`} target="_blank" rel="noopener">{t("alert.publicPage")}</a>
      </nav>
      {d.readiness.waitingOn.length > 0 && !["live", "stopped", "cancelled", "purged"].includes(d.state) && (
        <p>
          {t("alert.waitingOn")} <strong>{d.readiness.waitingOn.map((r) => t(`role.${r}` as never)).join(", ")}</strong>
        </p>
      )}
      <ErrorBox error={error} />
      <KindPanel ctx={ctx} />
      {d.launchedAt && <LivePanel ctx={ctx} fanouts={fanouts} />}
      {d.launchedAt && can("intake.read") && <TipsPanel alertId={id} canRead={can("tip.read")} canAck={can("tip.ack")} />}
      {d.launchedAt && can("alert.read") && <SocialPostsPanel alertId={id} canRetry={can("social.retract")} />}
      {d.state === "live" && (can("alert.stop") || can("alert.extend")) && <StopCard ctx={ctx} />}
      {d.launchedAt && <ForeignRequests ctx={ctx} />}
      {d.launchedAt && <PeerHandoffs alertId={id} />}
      {can("alert.launch") && inStates(PRE_LAUNCH_STATES, d.state) && <LaunchCard ctx={ctx} />}
      {d.state !== "purged" && <ContentUnderReview ctx={ctx} />}
      {d.state !== "purged" && <FilePanel ctx={ctx} />}
      {d.state !== "purged" && <CasePanel alertId={id} role={role} canAssign={can("alert.assign")} open={!inStates(ENDED_STATES, d.state)} onChange={reload} />}
      <SignCard ctx={ctx} />
      <AccompanyingCard ctx={ctx} />
      {!inStates(ENDED_STATES, d.state) && <Concertation ctx={ctx} />}
      {(d.state === "draft" || (can("alert.cancel") && inStates(PRE_LAUNCH_STATES, d.state))) && <DraftActions ctx={ctx} />}
    </>
  );
}
