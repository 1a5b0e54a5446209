// Foreign organisations' requests for the posters (protocol §2.3.3.4).
import { useCallback, useEffect, useState } from "preact/hooks";
import { api, must } from "../../api/client";
import { t } from "../../i18n";
import { ErrorBox, fmtTime, useAction } from "../../ui";
import type { Ctx } from "./context.tsx";

/** Protocol §2.3.3.4: foreign organisations' requests for the posters — recorded and granted by the foundation, once the authorities are told. */
export function ForeignRequests({ ctx }: { ctx: Ctx }) {
  const [list, setList] = useState<{ id: string; organisation: string; country: string; personalData: boolean; grantedAt: string | null }[] | null>(null);
  const [org, setOrg] = useState("");
  const [country, setCountry] = useState("");
  const [run, busy, error] = useAction();
  const load = useCallback(async () => setList((await must(api.GET("/alerts/{id}/foreign-requests", { params: { path: { id: ctx.id } } }))).requests), [ctx.id]);
  useEffect(() => {
    void run(load);
  }, [load]);
  const mayAct = ctx.can("alert.foreign") && ctx.d.state === "live";
  if (!list || (!list.length && !mayAct)) return null;
  return (
    <section class="card" aria-labelledby="foreign-h">
      <h2 id="foreign-h">{t("foreign.title")}</h2>
      <p class="muted">{t("foreign.intro")}</p>
      {list.length === 0 ? <p>{t("foreign.none")}</p> : (
        <ul id="foreign-requests">
          {list.map((r) => (
            <li key={r.id}>
              <strong>{r.organisation}</strong> ({r.country}){!r.personalData && <> — {t("foreign.noData")}</>} —{" "}
              {r.grantedAt ? t("foreign.granted", { at: fmtTime(r.grantedAt) }) : (
                <>
                  {t("foreign.waiting")}{" "}
                  {mayAct && <button class="secondary" disabled={busy} onClick={() => run(async () => setList((await must(api.POST("/alerts/{id}/foreign-requests/{requestId}/grant", { params: { path: { id: ctx.id, requestId: r.id } } }))).requests))}>{t("foreign.grant")}</button>}
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {mayAct && (
        <form class="inline-form" onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            setList((await must(api.POST("/alerts/{id}/foreign-requests", { params: { path: { id: ctx.id } }, body: { organisation: org, country } }))).requests);
            setOrg("");
            setCountry("");
          });
        }}>
          <label for="foreign-org">{t("foreign.organisation")}</label>
          <input id="foreign-org" required minLength={2} maxLength={120} value={org} onInput={(e) => setOrg((e.target as HTMLInputElement).value)} />
          <label for="foreign-country">{t("foreign.country")}</label>
          <input id="foreign-country" required pattern="[A-Za-z]{2}" maxLength={2} size={3} value={country} onInput={(e) => setCountry((e.target as HTMLInputElement).value)} />
          <button type="submit" disabled={busy}>{t("foreign.record")}</button>
        </form>
      )}
      <ErrorBox error={error} />
    </section>
  );
}

/** Issue 28: the alert handed off to peer alerting systems abroad — each CAP message and what their endpoint answered. */
export function PeerHandoffs({ alertId }: { alertId: string }) {
  const [list, setList] = useState<Awaited<ReturnType<typeof loadHandoffs>> | null>(null);
  useEffect(() => {
    loadHandoffs(alertId).then(setList, () => setList(null));
  }, [alertId]);
  if (!list?.length) return null;
  return (
    <section class="card" aria-labelledby="peers-h">
      <h2 id="peers-h">{t("peers.title")}</h2>
      <p class="muted">{t("peers.intro")}</p>
      <ul id="peer-handoffs">
        {list.map((h) => (
          <li key={h.peer}>
            <strong>{h.peer}</strong> ({h.country}) —{" "}
            {h.receipts.length === 0
              ? t("peers.waiting")
              : h.receipts.map((r) => `${r.identifier.split(".").at(-1)}: ${t(`peers.${r.outcome}` as never)}${r.status ? ` (${r.status})` : ""}${r.personalData ? "" : ` · ${t("foreign.noData")}`} ${fmtTime(r.at)}`).join(" · ")}
          </li>
        ))}
      </ul>
    </section>
  );
}
const loadHandoffs = async (id: string) => (await must(api.GET("/alerts/{id}/peers", { params: { path: { id } } }))).handoffs;
