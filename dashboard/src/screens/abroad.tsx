// From abroad (issue 28): peer alerting systems' signed requests to relay their alerts —
// each verified before it is shown, never published by itself. The cell relays one (a
// draft from it, which goes through the whole concertation) or dismisses it with a reason.
// Below, for the admin and the operator, the peer systems: register (country, CAP endpoint,
// their signing key), the address they send to, revoke.
import { useCallback, useEffect, useState } from "preact/hooks";
import { api, must } from "../api/client";
import type { components } from "../api/schema";
import { t } from "../i18n";
import { navigate } from "../lib/router";
import { ErrorBox, fmtTime, useAction, useFocusHeading } from "../ui";

type PeerRequest = components["schemas"]["PeerRequest"];
type Peer = components["schemas"]["Peer"];

export function AbroadScreen({ canRead, canRelay, canManage }: { canRead: boolean; canRelay: boolean; canManage: boolean }) {
  const h1 = useFocusHeading(null);
  return (
    <>
      <h1 tabIndex={-1} ref={h1}>
        {t("abroad.title")}
      </h1>
      {canRead && <Requests canRelay={canRelay} />}
      {canManage && <Peers />}
    </>
  );
}

function Requests({ canRelay }: { canRelay: boolean }) {
  const [list, setList] = useState<PeerRequest[] | null>(null);
  const [run, , error] = useAction();
  const load = useCallback(async () => setList((await must(api.GET("/peer-requests"))).requests), []);
  useEffect(() => {
    void run(load);
  }, [load]);
  return (
    <section class="card" aria-labelledby="abroad-req-h">
      <h2 id="abroad-req-h">{t("abroad.requests")}</h2>
      <p class="muted">{t("abroad.requestsIntro")}</p>
      <ErrorBox error={error} />
      {list === null ? <p>{t("common.loading")}</p> : list.length === 0 ? <p id="abroad-none">{t("abroad.none")}</p> : (
        <ul id="peer-requests" class="plain">
          {list.map((r) => <RequestItem key={r.id} r={r} canRelay={canRelay} reload={load} />)}
        </ul>
      )}
    </section>
  );
}

function RequestItem({ r, canRelay, reload }: { r: PeerRequest; canRelay: boolean; reload: () => Promise<void> }) {
  const [run, busy, error] = useAction();
  const [firstName, setFirstName] = useState("");
  const [age, setAge] = useState("");
  const [attested, setAttested] = useState(false);
  const [reason, setReason] = useState("");
  const open = r.state === "open" && !r.cancelledAt && !!r.infos;
  return (
    <li class="peer-request" data-id={r.id}>
      <h3>
        {r.status === "Exercise" && <span class="badge">{t("abroad.exercise")}</span>} {r.peer.name} ({r.peer.country}) — {t(`abroad.msg.${r.msgType}` as never)}
      </h3>
      <p class="muted">
        {t("abroad.signed")} · {t("abroad.received", { at: fmtTime(r.receivedAt) })} · {t("abroad.messages", { n: String(r.messages) })}
        {r.cancelledAt && <> · <strong>{t("abroad.cancelled", { at: fmtTime(r.cancelledAt) })}</strong></>}
      </p>
      {r.infos?.map((i) => (
        <div class="peer-info" lang={i.language} key={i.language}>
          <p>
            <strong>{i.headline}</strong> <span class="muted">({i.language})</span>
          </p>
          {i.description && <p>{i.description}</p>}
          {i.areaDesc && <p>{t("abroad.area")}: {i.areaDesc}</p>}
          {i.instruction && <p>{i.instruction}</p>}
          {i.web && /^https:\/\//.test(i.web) && (
            <p>
              <a href={i.web} rel="noopener noreferrer" target="_blank">{i.web}</a>
            </p>
          )}
        </div>
      ))}
      <p class="peer-state">
        {r.state === "relayed" && r.alertId ? (
          <a href={`/alerts/${r.alertId}`}>{t("abroad.relayedDraft")}</a>
        ) : r.state === "dismissed" ? (
          t("abroad.dismissed", { reason: r.reason ?? "" })
        ) : open ? (
          t("abroad.open")
        ) : null}
      </p>
      {canRelay && open && (
        <>
          <form
            class="inline-form relay-form"
            onSubmit={(e) => {
              e.preventDefault();
              void run(async () => {
                const { alertId } = await must(api.POST("/peer-requests/{requestId}/relay", { params: { path: { requestId: r.id } }, body: { firstName, age: Number(age), purposeAttestation: true } }));
                navigate(`/alerts/${alertId}`);
              });
            }}
          >
            <label for={`fn-${r.id}`}>{t("abroad.firstName")}</label>
            <input id={`fn-${r.id}`} name="firstName" required maxLength={60} value={firstName} onInput={(e) => setFirstName((e.target as HTMLInputElement).value)} />
            <label for={`age-${r.id}`}>{t("abroad.age")}</label>
            <input id={`age-${r.id}`} name="age" type="number" min={0} max={30} required value={age} onInput={(e) => setAge((e.target as HTMLInputElement).value)} />
            <label>
              <input type="checkbox" name="purpose" required checked={attested} onChange={(e) => setAttested((e.target as HTMLInputElement).checked)} /> {t("abroad.purpose")}
            </label>
            <button type="submit" disabled={busy}>{t("abroad.relay")}</button>
          </form>
          <p class="muted">{t("abroad.relayNote")}</p>
          <form
            class="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              void run(async () => {
                await must(api.POST("/peer-requests/{requestId}/dismiss", { params: { path: { requestId: r.id } }, body: { reason } }));
                await reload();
              });
            }}
          >
            <label for={`why-${r.id}`}>{t("abroad.reason")}</label>
            <input id={`why-${r.id}`} required minLength={3} maxLength={500} value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
            <button type="submit" class="secondary" disabled={busy}>{t("abroad.dismiss")}</button>
          </form>
        </>
      )}
      <ErrorBox error={error} />
    </li>
  );
}

function Peers() {
  const [list, setList] = useState<Peer[] | null>(null);
  const [form, setForm] = useState({ name: "", country: "", capEndpoint: "", publicKey: "" });
  const [run, busy, error] = useAction();
  const load = useCallback(async () => setList((await must(api.GET("/admin/peers"))).peers), []);
  useEffect(() => {
    void run(load);
  }, [load]);
  const field = (k: keyof typeof form) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  return (
    <section class="card" aria-labelledby="abroad-peers-h">
      <h2 id="abroad-peers-h">{t("abroad.peers")}</h2>
      <p class="muted">{t("abroad.peersIntro")}</p>
      {list && (
        <ul id="peers" class="plain">
          {list.map((p) => (
            <li key={p.id} class={p.revokedAt ? "muted" : ""}>
              <strong>{p.name}</strong> ({p.country}) — {p.personalData ? t("abroad.adequate") : t("foreign.noData")} · {p.capEndpoint}
              <br />
              {p.revokedAt ? t("abroad.revoked", { at: fmtTime(p.revokedAt) }) : p.hasKey ? <>{t("abroad.inbound")}: <code>{p.inbound}</code></> : t("abroad.noKey")}{" "}
              {!p.revokedAt && (
                <button class="secondary" disabled={busy} onClick={() => run(async () => {
                  await must(api.DELETE("/admin/peers/{peerId}", { params: { path: { peerId: p.id } } }));
                  await load();
                })}>{t("abroad.revoke")}</button>
              )}
            </li>
          ))}
        </ul>
      )}
      <form
        id="peer-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            await must(api.POST("/admin/peers", { body: { name: form.name, country: form.country.toUpperCase(), capEndpoint: form.capEndpoint, ...(form.publicKey.trim() ? { publicKey: form.publicKey.trim() } : {}) } }));
            setForm({ name: "", country: "", capEndpoint: "", publicKey: "" });
            await load();
          });
        }}
      >
        <label for="peer-name">{t("abroad.name")}</label>
        <input id="peer-name" required maxLength={100} value={form.name} onInput={field("name")} />
        <label for="peer-country">{t("foreign.country")}</label>
        <input id="peer-country" required pattern="[A-Za-z]{2}" maxLength={2} size={3} value={form.country} onInput={field("country")} />
        <label for="peer-endpoint">{t("abroad.endpoint")}</label>
        <input id="peer-endpoint" type="url" required pattern="https://.*" maxLength={500} value={form.capEndpoint} onInput={field("capEndpoint")} />
        <label for="peer-key">{t("abroad.key")}</label>
        <textarea id="peer-key" rows={4} maxLength={10000} placeholder="-----BEGIN PUBLIC KEY-----" value={form.publicKey} onInput={field("publicKey")} />
        <button type="submit" disabled={busy}>{t("abroad.register")}</button>
      </form>
      <ErrorBox error={error} />
    </section>
  );
}
