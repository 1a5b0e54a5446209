// The launch card: what still stands in the way, and the launch itself.
import { type AlertDetail, api, must } from "../../api/client";
import { t } from "../../i18n";
import { ConfirmButton, ErrorBox } from "../../ui";
import { useCommand, Summary, type Ctx } from "./context.tsx";
import { ReadinessSummary } from "../readiness.tsx";

/** The domain says what blocks the launch first (readiness.launchBlocker); this only words it. */
function launchBlocker(d: AlertDetail): string | null {
  const r = d.readiness;
  switch (r.launchBlocker) {
    case null:
      return null;
    case "state":
      return d.state === "draft" ? t("launch.whyDraft") : t("launch.whyOther");
    case "objections":
      return t("launch.whyBlocked", { list: r.openObjections.map((k) => t(`objection.${k}` as never)).join(", ") });
    case "sign_offs":
      return t("launch.whySignOffs", { list: r.missingSignOffs.filter((k) => k !== "authorisation").map((k) => t(`party.${k}` as never)).join(", ") });
    case "consent":
      return t("launch.whyConsent");
    case "authorisation":
      return t("launch.whyAuthorisation");
  }
}

export function LaunchCard({ ctx }: { ctx: Ctx }) {
  const { d } = ctx;
  const [exec, busy, error] = useCommand(ctx);
  const why = launchBlocker(d);
  return (
    <section class="card" id="launch-card" aria-labelledby="launch-h">
      <h2 id="launch-h">{t("launch.title")}</h2>
      {why ? (
        <p id="launch-why">
          <strong>{t("launch.disabled")}</strong> {why}
        </p>
      ) : (
        <Summary d={d} />
      )}
      {ctx.can("health.read") && <ReadinessSummary />}
      <ConfirmButton
        label={t("launch.button")}
        confirmLabel={t("launch.confirm")}
        disabled={!!why || busy}
        onConfirm={() => exec(() => must(api.POST("/alerts/{id}/launch", { params: { path: { id: ctx.id } } })))}
      >
        <span class="confirm-text">{d.exercise ? t("launch.confirmTextExercise") : t("launch.confirmText")}</span>{" "}
      </ConfirmButton>
      <ErrorBox error={error} />
    </section>
  );
}
