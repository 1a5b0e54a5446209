// Partners (issue 13): the sites that show the alert — register one (its API key and
// webhook secret are shown once), see whether the child's data may go to it (rule 13),
// its webhook's state and delivery log; rotate its key, switch its webhook on again,
// revoke it. Admin and operator.
import { useEffect, useState } from "preact/hooks";
import { LANGUAGES } from "../../../worker/domain/content.ts";
import { api, must, mustOk } from "../api/client";
import type { components } from "../api/schema";
import { t } from "../i18n";
import { ConfirmButton, ErrorBox, fmtTime, THead, useAction, useFocusHeading } from "../ui";

type Partner = components["schemas"]["Partner"];
type Delivery = { alertId: string; type: string; version: number; outcome: string; status: number | null; detail: string | null; at: string };

const EMPTY = { name: "", domains: "", country: "BE", languages: ["fr"] as string[], exercise: false, notices: false, webhookUrl: "" };

export function Partners() {
  const [list, setList] = useState<Partner[] | null>(null);
  const [form, setForm] = useState(EMPTY);
  const [secret, setSecret] = useState<{ name: string; id?: string; apiKey?: string; webhookSecret?: string | null } | null>(null);
  const [log, setLog] = useState<{ partner: Partner; deliveries: Delivery[] } | null>(null);
  const [run, busy, error] = useAction();
  const h1 = useFocusHeading("partners");
  const load = async () => setList((await must(api.GET("/admin/partners"))).partners);
  useEffect(() => {
    void run(load);
  }, []);
  const showLog = (p: Partner) => run(async () => setLog({ partner: p, deliveries: (await must(api.GET("/admin/partners/{id}/deliveries", { params: { path: { id: p.id } } }))).deliveries }));

  return (
    <>
      <h1 tabIndex={-1} ref={h1}>{t("partners.title")}</h1>
      <p class="muted">{t("partners.intro")}</p>
      <ErrorBox error={error} />
      {secret && (
        <div class="card" role="status" id="partner-secret">
          <p>
            <strong>{t("partners.onceOnly", { name: secret.name })}</strong>
          </p>
          {secret.apiKey && (
            <p>
              {t("partners.apiKey")} <code id="partner-key">{secret.apiKey}</code>
            </p>
          )}
          {secret.webhookSecret && (
            <p>
              {t("partners.webhookSecret")} <code id="partner-webhook-secret">{secret.webhookSecret}</code>
            </p>
          )}
          {secret.id && (
            <p>
              {t("partners.widgetSnippet")} <code id="partner-widget">{`<script async src="${location.origin}/widget.js" data-partner="${secret.id}"></script>`}</code>
            </p>
          )}
        </div>
      )}
      <section class="card" aria-labelledby="plist-h">
        <h2 id="plist-h">{t("partners.list")}</h2>
        <table id="partners">
          <THead cols={[t("admin.name"), t("partners.country"), t("partners.languages"), t("partners.webhook"), t("partners.key"), t("admin.action")]} />
          <tbody>
            {list?.map((p) => (
              <tr key={p.id} data-partner={p.id}>
                <th scope="row">
                  {p.name}
                  <br />
                  <span class="muted">{p.domains.join(", ")}</span>
                </th>
                <td>
                  {p.country} · {p.personalData ? t("partners.dataYes") : <strong>{t("partners.dataNo")}</strong>}
                </td>
                <td>
                  {p.languages.join(", ").toUpperCase()}
                  {p.exercise ? ` · ${t("partners.exercises")}` : ""}
                  {p.kinds === "both" ? ` · ${t("partners.notices")}` : ""}
                </td>
                <td>
                  {p.revokedAt ? t("partners.revoked", { at: fmtTime(p.revokedAt) }) : p.webhook === "none" ? "—" : p.webhook === "on" ? <span class="ok">{t("admin.on")}</span> : <strong class="error-text">{t("partners.webhookOff", { n: String(p.webhookFailures) })}</strong>}
                </td>
                <td>
                  <code>{p.keyPrefix}…</code>
                </td>
                <td>
                  {!p.revokedAt && (
                    <>
                      {p.webhook === "disabled" && (
                        <button class="secondary" disabled={busy} onClick={() => run(async () => {
                          await must(api.PATCH("/admin/partners/{id}", { params: { path: { id: p.id } }, body: { webhookEnabled: true } }));
                          await load();
                        })}>
                          {t("partners.webhookOn")}
                        </button>
                      )}{" "}
                      {p.webhook !== "none" && (
                        <button class="secondary" disabled={busy} aria-expanded={log?.partner.id === p.id} onClick={() => (log?.partner.id === p.id ? setLog(null) : showLog(p))}>
                          {t("partners.deliveries")}
                        </button>
                      )}{" "}
                      <button class="secondary" disabled={busy} onClick={() => run(async () => {
                        const r = await must(api.POST("/admin/partners/{id}/key", { params: { path: { id: p.id } } }));
                        setSecret({ name: p.name, apiKey: r.apiKey });
                        await load();
                      })}>
                        {t("partners.rotate")}
                      </button>{" "}
                      <ConfirmButton danger label={t("partners.revoke")} confirmLabel={t("admin.revokeConfirm")} disabled={busy} onConfirm={() => run(async () => {
                        await mustOk(api.POST("/admin/partners/{id}/revoke", { params: { path: { id: p.id } } }));
                        await load();
                      })} />
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {log && (
          <div id="partner-deliveries">
            <h3>{t("partners.deliveriesOf", { name: log.partner.name })}</h3>
            {log.deliveries.length === 0 ? (
              <p>{t("partners.noDeliveries")}</p>
            ) : (
              <table>
                <THead cols={[t("partners.when"), t("partners.event"), t("partners.outcome")]} />
                <tbody>
                  {log.deliveries.map((d, i) => (
                    <tr key={i}>
                      <td>{fmtTime(d.at)}</td>
                      <td>
                        {d.type} v{d.version} <span class="muted">{d.alertId.slice(0, 8)}</span>
                      </td>
                      <td>
                        {d.outcome}
                        {d.status ? ` (${d.status})` : ""}
                        {d.detail && !/^\d{3}$/.test(d.detail) ? ` — ${d.detail}` : ""}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        )}
      </section>

      <section class="card" aria-labelledby="pnew-h">
        <h2 id="pnew-h">{t("partners.register")}</h2>
        <form
          id="partner-form"
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              const r = await must(
                api.POST("/admin/partners", {
                  body: {
                    name: form.name,
                    domains: form.domains.split(/[\s,;]+/).filter(Boolean),
                    country: form.country,
                    languages: form.languages as ("fr" | "nl" | "de" | "en")[],
                    exercise: form.exercise,
                    kinds: form.notices ? "both" : "child_alert",
                    webhookUrl: form.webhookUrl.trim() || null,
                  },
                }),
              );
              setSecret({ name: r.partner.name, id: r.partner.id, apiKey: r.apiKey, webhookSecret: r.webhookSecret });
              setForm(EMPTY);
              await load();
            });
          }}
        >
          <label>
            {t("admin.name")}
            <input required maxLength={100} value={form.name} onInput={(e) => setForm({ ...form, name: (e.target as HTMLInputElement).value })} />
          </label>
          <label>
            {t("partners.domains")}
            <input required value={form.domains} placeholder="news.example.be" onInput={(e) => setForm({ ...form, domains: (e.target as HTMLInputElement).value })} />
          </label>
          <label>
            {t("partners.country")}
            <input required pattern="[A-Za-z]{2}" maxLength={2} size={3} value={form.country} onInput={(e) => setForm({ ...form, country: (e.target as HTMLInputElement).value })} />
          </label>
          <fieldset>
            <legend>{t("partners.languages")}</legend>
            {LANGUAGES.map((l) => (
              <label key={l} class="inline">
                <input
                  type="checkbox"
                  checked={form.languages.includes(l)}
                  onChange={(e) => setForm({ ...form, languages: (e.target as HTMLInputElement).checked ? [...form.languages, l] : form.languages.filter((x) => x !== l) })}
                />{" "}
                {l.toUpperCase()}
              </label>
            ))}
          </fieldset>
          <label class="inline">
            <input type="checkbox" checked={form.exercise} onChange={(e) => setForm({ ...form, exercise: (e.target as HTMLInputElement).checked })} /> {t("partners.exercises")}
          </label>
          <label class="inline">
            <input type="checkbox" checked={form.notices} onChange={(e) => setForm({ ...form, notices: (e.target as HTMLInputElement).checked })} /> {t("partners.notices")}
          </label>
          <label>
            {t("partners.webhookUrl")}
            <input type="url" value={form.webhookUrl} placeholder="https://hooks.news.example.be/child-alert" onInput={(e) => setForm({ ...form, webhookUrl: (e.target as HTMLInputElement).value })} />
          </label>
          <button type="submit" disabled={busy || form.languages.length === 0}>
            {t("partners.registerButton")}
          </button>
        </form>
      </section>
    </>
  );
}
