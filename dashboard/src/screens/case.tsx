// The case's people (issue 23): its magistrate in charge — the only one who authorises or
// opposes — and its investigators — the only ones who read its tips and give the
// investigators' sign-off. The cell names them (the magistrate in charge too); a
// magistrate takes charge of a case that has none; a hand-over is explicit.
import { useEffect, useState } from "preact/hooks";
import type { Role } from "../../../worker/domain/roles.ts";
import { api, must } from "../api/client";
import type { components } from "../api/schema";
import { t } from "../i18n";
import { ErrorBox, useAction } from "../ui";

type Members = components["schemas"]["CaseMembers"];

export function CasePanel({ alertId, role, canAssign, open, onChange }: { alertId: string; role: Role; canAssign: boolean; open: boolean; onChange: () => Promise<void> }) {
  const [m, setM] = useState<Members | null>(null);
  const [pick, setPick] = useState({ investigator: "", magistrate: "" });
  const [run, busy, error] = useAction();
  const load = async () => setM(await must(api.GET("/alerts/{id}/members", { params: { path: { id: alertId } } })));
  useEffect(() => {
    void run(load);
  }, [alertId]);
  const name = (userId: string, role: "investigator" | "magistrate") =>
    run(async () => {
      setM(await must(api.POST("/alerts/{id}/members", { params: { path: { id: alertId } }, body: { userId, role } })));
      setPick({ investigator: "", magistrate: "" });
      await onChange();
    });
  if (!m) return <ErrorBox error={error} />;
  const named = new Set(m.investigators.map((i) => i.id));
  return (
    <section class="card" aria-labelledby="case-h" id="case-members">
      <h2 id="case-h">{t("case.title")}</h2>
      <p class="muted">{t("case.intro")}</p>
      <dl>
        <dt>{t("case.magistrate")}</dt>
        <dd id="case-magistrate">{m.magistrate?.displayName ?? <strong class="error-text">{t("case.noneYet")}</strong>}</dd>
        <dt>{t("case.investigators")}</dt>
        <dd>
          {m.investigators.length === 0 ? (
            <strong class="error-text">{t("case.noneYet")}</strong>
          ) : (
            <ul id="case-investigators">
              {m.investigators.map((i) => (
                <li key={i.id}>
                  {i.displayName}{" "}
                  {canAssign && open && (
                    <button class="secondary" disabled={busy} aria-label={t("case.removeWho", { name: i.displayName })} onClick={() => run(async () => {
                      setM(await must(api.DELETE("/alerts/{id}/members/{userId}", { params: { path: { id: alertId, userId: i.id } } })));
                      await onChange();
                    })}>
                      {t("case.remove")}
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
        </dd>
      </dl>
      {canAssign && open && m.candidates && (
        <div class="inline-form">
          <label for="case-pick-inv">{t("case.nameInvestigator")}</label>
          <select id="case-pick-inv" value={pick.investigator} onChange={(e) => setPick({ ...pick, investigator: (e.target as HTMLSelectElement).value })}>
            <option value="">—</option>
            {m.candidates.investigators.filter((c) => !named.has(c.id)).map((c) => (
              <option value={c.id}>{c.displayName}</option>
            ))}
          </select>
          <button disabled={busy || !pick.investigator} onClick={() => name(pick.investigator, "investigator")}>
            {t("case.name")}
          </button>
          <label for="case-pick-mag">{m.magistrate ? t("case.handOver") : t("case.nameMagistrate")}</label>
          <select id="case-pick-mag" value={pick.magistrate} onChange={(e) => setPick({ ...pick, magistrate: (e.target as HTMLSelectElement).value })}>
            <option value="">—</option>
            {m.candidates.magistrates.filter((c) => c.id !== m.magistrate?.id).map((c) => (
              <option value={c.id}>{c.displayName}</option>
            ))}
          </select>
          <button disabled={busy || !pick.magistrate} onClick={() => name(pick.magistrate, "magistrate")}>
            {m.magistrate ? t("case.handOverButton") : t("case.name")}
          </button>
        </div>
      )}
      {role === "magistrate" && open && !m.magistrate && <TakeCharge alertId={alertId} onDone={async () => { await load(); await onChange(); }} />}
      <ErrorBox error={error} />
    </section>
  );
}

function TakeCharge({ alertId, onDone }: { alertId: string; onDone: () => Promise<void> }) {
  const [run, busy, error] = useAction();
  return (
    <p>
      <button id="take-charge" disabled={busy} onClick={() => run(async () => {
        const me = await must(api.GET("/auth/me"));
        await must(api.POST("/alerts/{id}/members", { params: { path: { id: alertId } }, body: { userId: me.user.id, role: "magistrate" } }));
        await onDone();
      })}>
        {t("case.takeCharge")}
      </button>
      <ErrorBox error={error} />
    </p>
  );
}
