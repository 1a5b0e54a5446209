// Issue 29: the two kinds of broadcast on one alert screen — a search notice marked as one,
// with its initiative and whether the magistrate asked for the social networks; "Escalate to
// a Child Alert" (a new draft with the agreed content, its own concertation); and for a
// Child Alert that ended without the child found safe, the magistrate's "Continue as a search
// notice".
import { PRE_LAUNCH_STATES } from "../../../../worker/domain/lifecycle.ts";
import { api, must } from "../../api/client";
import { t } from "../../i18n";
import { navigate } from "../../lib/router";
import { ErrorBox } from "../../ui";
import { inStates, useCommand, type Ctx } from "./context.tsx";

export function KindBadge({ kind }: { kind: string }) {
  return kind === "search_notice" ? <span class="badge notice" id="kind-badge">{t("kind.search_notice")}</span> : null;
}

export function KindPanel({ ctx }: { ctx: Ctx }) {
  const { d, id, role, can } = ctx;
  const [exec, busy, error] = useCommand(ctx);
  const notice = d.kind === "search_notice";
  const mayEscalate = notice && can("alert.create") && (role === "cell" || role === "investigator") && !["cancelled", "purged"].includes(d.state);
  const mayContinue = !notice && can("alert.continue") && d.state === "stopped" && d.stopReason !== "found_safe";
  const mayAskSocial = notice && can("alert.socialRequest") && !d.socialRequested && inStates(PRE_LAUNCH_STATES, d.state);
  if (!notice && !mayContinue && !d.originAlertId) return null;
  const carry = (path: "/alerts/{id}/escalate" | "/alerts/{id}/continue-as-notice") =>
    exec(async () => {
      const r = await must(api.POST(path, { params: { path: { id } } }));
      navigate(`/alerts/${r.alertId}`);
    });
  return (
    <section class="card" id="kind-panel" aria-labelledby="kind-h">
      <h2 id="kind-h">{t(notice ? "kind.search_notice" : "kind.child_alert")}</h2>
      {notice && (
        <p>
          {t("notice.initiative")}: <strong>{t(`initiative.${d.initiative ?? "foundation"}` as never)}</strong> · {t(d.socialRequested ? "notice.socialYes" : "notice.socialNo")}
        </p>
      )}
      {notice && <p class="muted">{t("notice.channels")}</p>}
      {d.originAlertId && (
        <p>
          <a href={`/alerts/${d.originAlertId}`} id="origin-link">{t(notice ? "notice.continues" : "notice.escalatedFrom")}</a>
        </p>
      )}
      {mayAskSocial && (
        <button class="secondary" id="ask-social" disabled={busy} onClick={() => exec(() => must(api.POST("/alerts/{id}/social-request", { params: { path: { id } } })))}>
          {t("notice.askSocial")}
        </button>
      )}{" "}
      {mayEscalate && (
        <button id="escalate" disabled={busy} onClick={() => carry("/alerts/{id}/escalate")}>
          {t("notice.escalate")}
        </button>
      )}
      {mayContinue && (
        <button id="continue-notice" disabled={busy} onClick={() => carry("/alerts/{id}/continue-as-notice")}>
          {t("notice.continue")}
        </button>
      )}
      {(mayEscalate || mayContinue) && <p class="muted">{t(mayEscalate ? "notice.escalateNote" : "notice.continueNote")}</p>}
      <ErrorBox error={error} />
    </section>
  );
}
