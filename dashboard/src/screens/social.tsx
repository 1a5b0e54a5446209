// The social networks in the dashboard (issue 15):
// - the admin's card: the official accounts per network and language (credentials typed
//   once, sealed by the Worker, never shown back), switched off when no longer used;
// - the alert screen's panel: every post of the alert with its state and link; what a
//   network refused to delete stands out, with "try again" for those who run the channels.
// The panel follows the alert's live feed (a social fan-out step reloads it).
import { useCallback, useEffect, useState } from "preact/hooks";
import { api, must } from "../api/client";
import type { components } from "../api/schema";
import { t } from "../i18n";
import { useAlertLive } from "../lib/live";
import { ErrorBox, fmtTime, THead, useAction } from "../ui";
import { SOCIAL_NETWORKS } from "../../../worker/domain/social.ts";

type Account = components["schemas"]["SocialAccount"];
type Post = components["schemas"]["SocialPost"];
type Network = Account["network"];

/** The one list (domain SOCIAL_NETWORKS); the maps below are typed by it: a new network without its entries fails the build. */
const NETWORKS: readonly Network[] = SOCIAL_NETWORKS;
const NETWORK_NAME: Record<Network, string> = { mastodon: "Mastodon", bluesky: "Bluesky", x: "X", facebook: "Facebook", telegram: "Telegram" };

/** What each network asks for: where the account is, and its credentials (the network's own names). */
const FIELDS: Record<Network, { target: string | null; credentials: string[] }> = {
  mastodon: { target: "https://mastodon.social", credentials: ["accessToken"] },
  bluesky: { target: "https://bsky.social", credentials: ["identifier", "appPassword"] },
  x: { target: null, credentials: ["consumerKey", "consumerSecret", "accessToken", "accessTokenSecret"] },
  facebook: { target: "123456789012345", credentials: ["pageAccessToken", "appSecret"] },
  telegram: { target: "@childalert_fr", credentials: ["botToken"] },
};

export function SocialAccountsCard() {
  const [accounts, setAccounts] = useState<Account[] | null>(null);
  const [keySet, setKeySet] = useState(true);
  const [network, setNetwork] = useState<Network>("mastodon");
  const [form, setForm] = useState<Record<string, string>>({ lang: "fr" });
  const [added, setAdded] = useState<string | null>(null);
  const [run, busy, error] = useAction();
  const reload = async () => {
    const r = await must(api.GET("/admin/social-accounts"));
    setAccounts(r.accounts);
    setKeySet(r.credentialsKey);
  };
  useEffect(() => void run(reload), []);
  const set = (k: string) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  const f = FIELDS[network];
  return (
    <section class="card" aria-labelledby="social-h">
      <h2 id="social-h">{t("social.accounts")}</h2>
      <p class="muted">{t("social.accountsIntro")}</p>
      {!keySet && <p class="error-text">{t("social.noKey")}</p>}
      <ErrorBox error={error} />
      {accounts && (
        <table id="social-accounts">
          <THead cols={[t("social.network"), t("social.account"), t("social.lang"), t("social.where"), t("admin.status"), t("admin.action")]} />
          <tbody>
            {accounts.map((a) => (
              <tr key={a.id}>
                <td>{NETWORK_NAME[a.network]}</td>
                <th scope="row">{a.name}</th>
                <td>{a.lang.toUpperCase()}{a.exercise ? ` · ${t("social.exercise")}` : ""}</td>
                <td>{a.target || "—"}</td>
                <td>{a.disabledAt ? <span class="muted">{t("social.disabled")}</span> : <span class="ok">{t("admin.on")}</span>}</td>
                <td>
                  {!a.disabledAt && (
                    <button type="button" class="secondary" disabled={busy} aria-label={`${t("social.disable")} ${a.name}`} onClick={() => run(async () => {
                      await must(api.POST("/admin/social-accounts/{id}/disable", { params: { path: { id: a.id } } }));
                      await reload();
                    })}>
                      {t("social.disable")}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        id="social-add"
        onSubmit={(e) => {
          e.preventDefault();
          setAdded(null);
          void run(async () => {
            const credentials = Object.fromEntries(f.credentials.map((k) => [k, form[k] ?? ""]).filter(([, v]) => v));
            const body = { network, name: form.name ?? "", lang: form.lang ?? "fr", exercise: form.exercise === "yes", target: f.target ? (form.target ?? "") : "", credentials } as never;
            const r = await must(api.POST("/admin/social-accounts", { body }));
            setAdded(r.account.name);
            setForm({ lang: form.lang ?? "fr" }); // the credentials leave the page at once
            await reload();
          });
        }}
      >
        <h3>{t("social.add")}</h3>
        <div class="social-fields">
          <label>
            {t("social.network")}
            <select name="network" value={network} onChange={(e) => setNetwork((e.target as HTMLSelectElement).value as Network)}>
              {NETWORKS.map((n) => <option key={n} value={n}>{NETWORK_NAME[n]}</option>)}
            </select>
          </label>
          <label>
            {t("social.account")}
            <input name="name" required value={form.name ?? ""} onInput={set("name")} placeholder="@childalert_fr" />
          </label>
          <label>
            {t("social.lang")}
            <select name="lang" value={form.lang ?? "fr"} onChange={set("lang")}>
              {["fr", "nl", "de", "en"].map((l) => <option key={l} value={l}>{l.toUpperCase()}</option>)}
            </select>
          </label>
          {f.target !== null && (
            <label>
              {t(`social.target.${network}` as never)}
              <input name="target" required value={form.target ?? ""} onInput={set("target")} placeholder={f.target} />
            </label>
          )}
          {f.credentials.map((k) => (
            <label key={`${network}-${k}`}>
              {k}
              <input name={k} type="password" autocomplete="off" required={k !== "appSecret"} value={form[k] ?? ""} onInput={set(k)} />
            </label>
          ))}
        </div>
        <label class="check">
          <input type="checkbox" name="exercise" checked={form.exercise === "yes"} onChange={(e) => setForm({ ...form, exercise: (e.target as HTMLInputElement).checked ? "yes" : "" })} />
          {t("social.exerciseToo")}
        </label>
        <button type="submit" disabled={busy || !keySet}>{t("social.addButton")}</button>
        {added && <p role="status" class="ok">{t("social.added").replace("{name}", added)}</p>}
      </form>
    </section>
  );
}

export function SocialPostsPanel({ alertId, canRetry }: { alertId: string; canRetry: boolean }) {
  const [posts, setPosts] = useState<Post[] | null>(null);
  const [run, busy, error] = useAction();
  const reload = useCallback(async () => setPosts((await must(api.GET("/alerts/{id}/social", { params: { path: { id: alertId } } }))).posts), [alertId]);
  useEffect(() => void run(reload), [alertId]);
  // A social fan-out moved on: its posts changed (and on (re)connecting, whatever was missed meanwhile).
  useAlertLive(alertId, (m) => {
    if (m.type === "hello" || (m.type === "fanout" && NETWORKS.includes(m.counters.channel as Network))) void reload().catch(() => undefined);
  });
  if (!posts) return <ErrorBox error={error} />;
  if (!posts.length) return null;
  const attention = posts.filter((p) => p.attention);
  return (
    <section class="card" aria-labelledby="social-posts-h">
      <h2 id="social-posts-h">{t("social.posts")}</h2>
      {attention.length > 0 && (
        <p class="error-text" role="alert" id="social-attention">
          {t("social.attention").replace("{n}", String(attention.length))}
        </p>
      )}
      <ErrorBox error={error} />
      <table id="social-posts">
        <THead cols={[t("social.network"), t("social.account"), t("social.post"), t("admin.status"), t("admin.action")]} />
        <tbody>
          {posts.map((p) => (
            <tr key={p.id} class={p.attention ? "attention" : ""}>
              <td>{NETWORK_NAME[p.network as Network] ?? p.network}</td>
              <th scope="row">{p.account}</th>
              <td>
                {p.kind === "stop" ? t("social.kindStop") : `${t("social.kindContent")} v${p.version}`} · {fmtTime(p.createdAt)}
                {p.url && p.state !== "deleted" && (
                  <>
                    {" · "}
                    <a href={p.url} target="_blank" rel="noopener noreferrer">{t("social.open")}</a>
                  </>
                )}
              </td>
              <td>
                {p.state === "deleted" ? <span class="muted">{t("social.deleted")} {p.deletedAt ? fmtTime(p.deletedAt) : ""}</span> : p.state === "stuck" ? <strong class="error-text">{t("social.stuck")}</strong> : <span>{t("social.live")}</span>}
                {p.lastError && p.state !== "deleted" && <div class="muted small">{p.lastError}</div>}
              </td>
              <td>
                {canRetry && p.attention && (
                  <button type="button" disabled={busy} aria-label={`${t("social.retry")} ${NETWORK_NAME[p.network as Network] ?? p.network} ${p.account}`} onClick={() => run(async () => {
                    await must(api.POST("/alerts/{id}/social/{postId}/delete", { params: { path: { id: alertId, postId: p.id } } }));
                    await reload();
                  })}>
                    {t("social.retry")}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
