// Admin: staff accounts (role, disable), invitations, the authorities' mailboxes (rule 9), channel switches. Statistics
// (rule 15) has its own screen, shared with the missing-persons cell.
import { Fragment } from "preact";
import { useEffect, useState } from "preact/hooks";
import { DRILL_SEAT_ROLES } from "../../../worker/domain/drill.ts";
import { ROLES } from "../../../worker/domain/roles.ts";
import { api, type AuthorityMailboxes, type ChannelSetting, must, mustOk, type Passkey, type User, type YearStatistics } from "../api/client";
import type { components, paths } from "../api/schema";
import { PasskeyTable } from "./account";
import { SocialAccountsCard } from "./social";
import { lang, t } from "../i18n";
import { useChannels } from "../lib/channels";
import { ConfirmButton, ErrorBox, fmtTime, useAction, useFocusHeading, THead } from "../ui";

type Users = paths["/admin/users"]["get"]["responses"][200]["content"]["application/json"];

export function Admin({ meId }: { meId: string }) {
  const [data, setData] = useState<Users | null>(null);
  const [channels, setChannels] = useState<ChannelSetting[] | null>(null);
  const [run, busy, error] = useAction();
  const [invite, setInvite] = useState({ email: "", displayName: "", role: "investigator" as User["role"], drillSeat: false });
  const mayBeDrillSeat = (DRILL_SEAT_ROLES as readonly string[]).includes(invite.role);
  const [link, setLink] = useState<string | null>(null);
  const [asked, setAsked] = useState(false);
  const nameOf = (id: string) => data?.users.find((u) => u.id === id)?.displayName ?? id.slice(0, 8);
  const change = (id: string, body: { role?: User["role"]; disabled?: boolean }) =>
    run(async () => {
      const r = await must(api.PATCH("/admin/users/{id}", { params: { path: { id } }, body }));
      setAsked(r.pending.length > 0);
      await load();
    });
  const [shown, setShown] = useState<{ user: User; keys: Passkey[] } | null>(null);
  const h1 = useFocusHeading("admin");
  const showKeys = (u: User) => run(async () => setShown({ user: u, keys: (await must(api.GET("/admin/users/{id}/passkeys", { params: { path: { id: u.id } } }))).passkeys }));
  const load = async () => {
    const [u, c] = await Promise.all([must(api.GET("/admin/users")), must(api.GET("/admin/channels"))]);
    setData(u);
    setChannels(c.channels);
  };
  useEffect(() => {
    void run(load);
  }, []);
  return (
    <>
      <h1 tabIndex={-1} ref={h1}>{t("admin.title")}</h1>
      <ErrorBox error={error} />
      <section class="card" aria-labelledby="users-h">
        <h2 id="users-h">{t("admin.users")}</h2>
        <table id="users">
          <THead cols={[t("admin.name"), t("admin.email"), t("admin.role"), t("admin.passkeys"), t("admin.status")]} />
          <tbody>
            {data?.users.map((u) => (
              <tr key={u.id}>
                <th scope="row">
                  {u.displayName}
                  {u.drillSeat && (
                    <>
                      {" "}
                      <span class="badge" title={t("admin.drillSeatHelp")}>
                        {t("admin.drillSeatBadge")}
                      </span>
                    </>
                  )}
                </th>
                <td>{u.email}</td>
                <td>
                  <label class="sr-only" for={`role-${u.id}`}>
                    {t("admin.roleOf", { name: u.displayName })}
                  </label>
                  <select id={`role-${u.id}`} value={u.role} disabled={busy || u.id === meId} onChange={(e) => change(u.id, { role: (e.target as HTMLSelectElement).value as User["role"] })}>
                    {ROLES.map((r) => (
                      <option value={r}>{t(`role.${r}`)}</option>
                    ))}
                  </select>
                </td>
                <td>
                  <button class="secondary" aria-label={t("admin.showPasskeys", { name: u.displayName })} aria-expanded={shown?.user.id === u.id} disabled={busy} onClick={() => (shown?.user.id === u.id ? setShown(null) : showKeys(u))}>
                    {u.passkeys}
                  </button>
                </td>
                <td>
                  {u.disabledAt ? t("admin.disabled") : t("admin.active")}{" "}
                  {u.id !== meId && (
                    <button class="secondary" disabled={busy} onClick={() => change(u.id, { disabled: !u.disabledAt })}>
                      {u.disabledAt ? t("admin.enable", { name: u.displayName }) : t("admin.disable", { name: u.displayName })}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {asked && <p role="status">{t("admin.requested")}</p>}
        {data && data.requests.length > 0 && (
          <>
            <h3>{t("admin.requests")}</h3>
            <ul id="account-requests">
              {data.requests.map((r) => {
                const user = data.users.find((u) => u.id === r.userId);
                const mine = r.requestedBy === meId || r.userId === meId;
                return (
                  <li key={r.id} data-request={r.id}>
                    {r.kind === "role"
                      ? t("admin.requestRole", { name: nameOf(r.userId), from: user ? t(`role.${user.role}`) : "?", to: t(`role.${r.role}` as never) })
                      : t("admin.requestEnable", { name: nameOf(r.userId) })}{" "}
                    · {t("admin.askedBy", { name: nameOf(r.requestedBy) })} · {t("admin.expires", { at: fmtTime(r.expiresAt) })}{" "}
                    {mine ? (
                      <span class="muted">({t(r.requestedBy === meId ? "admin.yoursRequest" : "admin.aboutYou")})</span>
                    ) : (
                      <button class="secondary" disabled={busy} onClick={() => run(async () => {
                        await must(api.POST("/admin/account-requests/{id}/approve", { params: { path: { id: r.id } } }));
                        await load();
                      })}>
                        {t("admin.approve")}
                      </button>
                    )}{" "}
                    <button class="secondary" disabled={busy} onClick={() => run(async () => {
                      await mustOk(api.POST("/admin/account-requests/{id}/cancel", { params: { path: { id: r.id } } }));
                      await load();
                    })}>
                      {r.requestedBy === meId ? t("admin.withdraw") : t("admin.refuse")}
                    </button>
                  </li>
                );
              })}
            </ul>
          </>
        )}
        {shown && (
          <div id="user-passkeys">
            <h3>{t("admin.showPasskeys", { name: shown.user.displayName })}</h3>
            <p class="muted">{t("admin.lostPasskey")}</p>
            <PasskeyTable
              id="admin-passkeys"
              keys={shown.keys}
              busy={busy}
              revoke={(k) => run(async () => {
                await mustOk(api.POST("/admin/users/{id}/passkeys/{credentialId}/revoke", { params: { path: { id: shown.user.id, credentialId: k.id } } }));
                await load();
                await showKeys(shown.user);
              })}
            />
          </div>
        )}
      </section>

      <section class="card" aria-labelledby="inv-h">
        <h2 id="inv-h">{t("admin.invite")}</h2>
        <form class="inline-form" onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            const r = await must(api.POST("/admin/invitations", { body: { ...invite, drillSeat: mayBeDrillSeat && invite.drillSeat } }));
            setLink(r.link);
            setInvite({ ...invite, email: "", displayName: "", drillSeat: false });
            await load();
          });
        }}>
          <label for="inv-name">{t("admin.name")}</label>
          <input id="inv-name" required maxLength={100} value={invite.displayName} onInput={(e) => setInvite({ ...invite, displayName: (e.target as HTMLInputElement).value })} />
          <label for="inv-email">{t("admin.email")}</label>
          <input id="inv-email" type="email" required maxLength={200} value={invite.email} onInput={(e) => setInvite({ ...invite, email: (e.target as HTMLInputElement).value })} />
          <label for="inv-role">{t("admin.role")}</label>
          <select id="inv-role" value={invite.role} onChange={(e) => setInvite({ ...invite, role: (e.target as HTMLSelectElement).value as User["role"] })}>
            {ROLES.map((r) => (
              <option value={r}>{t(`role.${r}`)}</option>
            ))}
          </select>
          {mayBeDrillSeat && (
            <label>
              <input id="inv-drill" type="checkbox" checked={invite.drillSeat} onChange={(e) => setInvite({ ...invite, drillSeat: (e.target as HTMLInputElement).checked })} aria-describedby="inv-drill-help" />
              {" "}
              {t("admin.drillSeat")}
            </label>
          )}
          {mayBeDrillSeat && (
            <small id="inv-drill-help">
              {t("admin.drillSeatHelp")}
            </small>
          )}
          <button type="submit" disabled={busy}>
            {t("admin.createInvite")}
          </button>
        </form>
        {link && (
          <p role="status">
            {t("admin.inviteLink")} <code id="invite-link">{link}</code>
          </p>
        )}
        {data && data.invitations.length > 0 && (
          <>
            <h3>{t("admin.pending")}</h3>
            <ul id="invitations">
              {data.invitations.map((i) => (
                <li key={i.id} data-invitation={i.id}>
                  {i.displayName} ({i.email}) — {t(`role.${i.role}` as never)}
                  {i.drillSeat && <span class="badge">{t("admin.drillSeatBadge")}</span>} · {t("admin.expires", { at: fmtTime(i.expiresAt) })}
                  {i.forUser && <> · {t("admin.addsPasskey")}</>}
                  {i.needsApproval && (i.approvedBy ? <> · {t("admin.approvedNote")}</> : <> · <strong>{t("admin.awaitsApproval")}</strong></>)}{" "}
                  {i.needsApproval && !i.approvedBy && (i.createdBy === meId ? (
                    <span class="muted">({t("admin.yours")})</span>
                  ) : (
                    <button class="secondary" disabled={busy} onClick={() => run(async () => {
                      await mustOk(api.POST("/admin/invitations/{id}/approve", { params: { path: { id: i.id } } }));
                      await load();
                    })}>
                      {t("admin.approve")}
                    </button>
                  ))}{" "}
                  <ConfirmButton danger label={t("admin.revokeInvite")} confirmLabel={t("admin.revokeConfirm")} disabled={busy} onConfirm={() => run(async () => {
                    await mustOk(api.POST("/admin/invitations/{id}/revoke", { params: { path: { id: i.id } } }));
                    await load();
                  })} />
                </li>
              ))}
            </ul>
          </>
        )}
      </section>

      <Mailboxes />

      <IntakeLineCard />
      <SocialAccountsCard />

      <section class="card" aria-labelledby="ch-h">
        <h2 id="ch-h">{t("admin.channels")}</h2>
        <table id="channels">
          <THead cols={[t("admin.channel"), t("admin.status"), t("admin.audience"), t("admin.changed"), t("admin.action")]} />
          <tbody>
            {channels?.map((c) => (
              <tr key={c.channel}>
                <th scope="row">{c.label[lang()]}</th>
                <td>
                  {c.enabled ? <span class="ok">{t("admin.on")}</span> : <strong class="error-text">{t("admin.off")}</strong>}
                  {!c.configured && (
                    <>
                      {" · "}
                      <strong class="error-text">{t("admin.notConfigured")}</strong>
                    </>
                  )}
                </td>
                <td>{c.audience}</td>
                <td>{c.updatedAt ? fmtTime(c.updatedAt) : "—"}</td>
                <td>
                  <ConfirmButton
                    danger={c.enabled}
                    label={c.enabled ? t("admin.switchOff") : t("admin.switchOn")}
                    confirmLabel={t("admin.confirm")}
                    disabled={busy}
                    onConfirm={() => run(async () => {
                      setChannels((await must(api.PUT("/admin/channels/{channel}", { params: { path: { channel: c.channel } }, body: { enabled: !c.enabled } }))).channels);
                    })}
                  >
                    <span class="confirm-text">{c.enabled ? t("admin.switchOffWarning") : ""}</span>{" "}
                  </ConfirmButton>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}

/** Rule 9: the federal police's and the cell's addresses, one per line. */
function Mailboxes() {
  const [text, setText] = useState<Record<keyof AuthorityMailboxes, string> | null>(null);
  const [saved, setSaved] = useState(false);
  const [run, busy, error] = useAction();
  const show = (m: AuthorityMailboxes) => setText({ federal_police: m.federal_police.join("\n"), cell: m.cell.join("\n"), federal_prosecutor: m.federal_prosecutor.join("\n") });
  useEffect(() => {
    void run(async () => show(await must(api.GET("/admin/mailboxes"))));
  }, []);
  const lines = (v: string) => v.split(/[\s,;]+/).filter(Boolean);
  return (
    <section class="card" aria-labelledby="mb-h">
      <h2 id="mb-h">{t("admin.mailboxes")}</h2>
      <p class="muted">{t("admin.mailboxesIntro")}</p>
      <ErrorBox error={error} />
      {text && (
        <form
          id="mailboxes"
          onSubmit={(e) => {
            e.preventDefault();
            setSaved(false);
            void run(async () => {
              show(await must(api.PUT("/admin/mailboxes", { body: { federal_police: lines(text.federal_police), cell: lines(text.cell), federal_prosecutor: lines(text.federal_prosecutor) } })));
              setSaved(true);
            });
          }}
        >
          <div class="mailboxes">
            {(["federal_police", "cell", "federal_prosecutor"] as const).map((k) => (
              <label key={k}>
                {t(`admin.mailbox.${k}`)}
                <textarea
                  name={k}
                  value={text[k]}
                  onInput={(e) => {
                    setSaved(false);
                    setText({ ...text, [k]: (e.target as HTMLTextAreaElement).value });
                  }}
                />
              </label>
            ))}
          </div>
          <button type="submit" disabled={busy}>
            {t("admin.mailboxesSave")}
          </button>{" "}
          {saved && <span role="status" class="ok">{t("admin.mailboxesSaved")}</span>}
        </form>
      )}
    </section>
  );
}

export function Statistics() {
  const channels = useChannels();
  const [year, setYear] = useState(new Date().getFullYear());
  const [stats, setStats] = useState<YearStatistics | null>(null);
  const [run, busy, error] = useAction();
  const h1 = useFocusHeading("stats");
  useEffect(() => {
    void run(async () => setStats((await must(api.GET("/statistics/{year}", { params: { path: { year }, query: { format: "json" } } }))) as YearStatistics));
  }, [year]);
  const totals = stats?.totals;
  return (
    <>
      <h1 tabIndex={-1} ref={h1}>{t("stats.title")}</h1>
      <p>{t("stats.intro")}</p>
      <p class="inline-form">
        <label for="stats-year">{t("stats.year")}</label>
        <input id="stats-year" type="number" min={2020} max={2100} value={year} onChange={(e) => setYear(Number((e.target as HTMLInputElement).value))} />
        <a class="button" id="stats-csv" href={`/api/v1/statistics/${year}?format=csv`} download={`child-alert-statistics-${year}.csv`}>
          {t("stats.download")}
        </a>
      </p>
      <ErrorBox error={error} />
      {busy && <p>{t("common.loading")}</p>}
      {totals && (
        <dl class="facts" id="stats-totals">
          <dt>{t("stats.launched")}</dt>
          <dd>{totals.launched}</dd>
          <dt>{t("stats.foundSafe")}</dt>
          <dd>{totals.foundSafe}</dd>
          <dt>{t("stats.median")}</dt>
          <dd>{totals.medianDurationMinutes ?? "—"}</dd>
          {channels.map((ch) => (
            <Fragment key={ch.channel}>
              <dt>{t("stats.reach", { channel: ch.label[lang()] })}</dt>
              <dd>{totals.sent[ch.channel] ?? 0}</dd>
            </Fragment>
          ))}
          <dt>{t("stats.cancelled")}</dt>
          <dd>{totals.cancelledBeforeLaunch}</dd>
          <dt>{t("stats.blocked")}</dt>
          <dd>{totals.blocked}</dd>
          <dt>{t("stats.exercises")}</dt>
          <dd>{totals.exercises}</dd>
        </dl>
      )}
      {totals && (
        <>
          <h2>{t("stats.notices")}</h2>
          <dl class="facts" id="stats-notices">
            <dt>{t("stats.noticesPublished")}</dt>
            <dd>{totals.searchNotices.published}</dd>
            <dt>{t("stats.foundSafe")}</dt>
            <dd>{totals.searchNotices.foundSafe}</dd>
            <dt>{t("stats.median")}</dt>
            <dd>{totals.searchNotices.medianDurationMinutes ?? "—"}</dd>
            <dt>{t("stats.cancelled")}</dt>
            <dd>{totals.searchNotices.cancelledBeforePublication}</dd>
            <dt>{t("stats.noticesTips")}</dt>
            <dd>{totals.searchNotices.tips}</dd>
          </dl>
        </>
      )}
    </>
  );
}

type IntakeLine = components["schemas"]["IntakeLine"];
type LineView = IntakeLine & { configured: boolean; updatedAt: string | null; webhooks: { voice: string; drillVoice: string; status: string; agent: string }; tokenSet: boolean };

/** The 116 000 line (issue 14): provider, routing number, normal hotline; the webhook URLs to enter at the provider. */
function IntakeLineCard() {
  const [line, setLine] = useState<LineView | null>(null);
  const [saved, setSaved] = useState(false);
  const [run, busy, error] = useAction();
  useEffect(() => {
    void run(async () => setLine((await must(api.GET("/admin/intake-line"))) as LineView));
  }, []);
  if (!line) return <ErrorBox error={error} />;
  const field = (k: "routingNumber" | "fallbackNumber", label: string) => (
    <label>
      {label}
      <input name={k} type="tel" value={line[k]} required onInput={(e) => {
        setSaved(false);
        setLine({ ...line, [k]: (e.target as HTMLInputElement).value });
      }} />
    </label>
  );
  return (
    <section class="card" aria-labelledby="line-h">
      <h2 id="line-h">{t("admin.line")}</h2>
      <p class="muted">{t("admin.lineIntro")}</p>
      <form id="intake-line" onSubmit={(e) => {
        e.preventDefault();
        setSaved(false);
        void run(async () => {
          setLine((await must(api.PUT("/admin/intake-line", { body: { provider: line.provider, routingNumber: line.routingNumber, fallbackNumber: line.fallbackNumber } }))) as LineView);
          setSaved(true);
        });
      }}>
        <label>
          {t("admin.lineProvider")}
          <select name="provider" value={line.provider} onChange={(e) => setLine({ ...line, provider: (e.target as HTMLSelectElement).value as IntakeLine["provider"] })}>
            <option value="twilio">Twilio</option>
            <option value="signalwire">SignalWire</option>
            <option value="telnyx">Telnyx (TeXML)</option>
            <option value="other">{t("admin.lineOther")}</option>
          </select>
        </label>
        {field("routingNumber", t("admin.lineRouting"))}
        {field("fallbackNumber", t("admin.lineFallback"))}
        <button type="submit" disabled={busy}>
          {t("admin.lineSave")}
        </button>{" "}
        {saved && <span role="status" class="ok">{t("admin.lineSaved")}</span>}
      </form>
      <ErrorBox error={error} />
      <p>{t("admin.lineWebhooks")}</p>
      <ul>
        <li><code>POST {line.webhooks.voice}</code></li>
        <li><code>POST {line.webhooks.drillVoice}</code> — {t("admin.lineDrill")}</li>
        <li><code>POST {line.webhooks.status}</code></li>
        <li><code>POST {line.webhooks.agent}</code></li>
      </ul>
      <p class={line.tokenSet ? "ok" : "error"}>{line.tokenSet ? t("admin.lineToken") : t("admin.lineNoToken")}</p>
    </section>
  );
}
