// One alert: concertation panel, sign-offs and the magistrate's authorisation, launch,
// the live panel (pushed over the alert's WebSocket), extend, and the stop command.
import { startAuthentication } from "@simplewebauthn/browser";
import { useCallback, useEffect, useState } from "preact/hooks";
import {
  type AlertState,
  canTransition,
  CONCERTATION_KINDS,
  CONSENT_BASES,
  CONSENT_RECORDER,
  CRITERIA,
  EDITABLE_STATES,
  ENDED_STATES,
  OBJECTION_ROLE,
  PRE_LAUNCH_STATES,
  SIGN_OFF_ROLE,
  type SignOffKind,
  STOP_REASONS,
} from "../../../worker/domain/lifecycle.ts";
import type { Role } from "../../../worker/domain/roles.ts";
import { CLOSABLE_ROLES } from "../../../worker/domain/file.ts";
import type { AlertContent, Language, Localized } from "../../../worker/domain/content.ts";
import { REVIEW_LEAD_MS } from "../../../worker/domain/duration.ts";
import { type AlertDetail, api, ApiError, type FanoutCounters, must, type Permission } from "../api/client";
import { lang, languageName, regionName, t } from "../i18n";
import { mergeFanouts, useAlertLive } from "../lib/live";
import { TipsPanel } from "./intake";
import { CasePanel } from "./case";
import { SocialPostsPanel } from "./social";
import { channelName, useChannels } from "../lib/channels";
import { ConfirmButton, ErrorBox, fmtDuration, fmtTime, Progress, useAction, useFocusHeading, useNow, THead } from "../ui";
import { StateBadge } from "./alerts";
import { PosterPreviews } from "./posters";

type Ctx = { id: string; d: AlertDetail; role: Role; can: (p: Permission) => boolean; reload: () => Promise<void>; postersTick: number };
type SignKind = SignOffKind;

/** The sign-off each role gives in the concertation (the magistrate's is the authorisation). */
const PARTIES: SignKind[] = [...CONCERTATION_KINDS, "authorisation"];
const kindOf = (role: Role) => PARTIES.find((k) => SIGN_OFF_ROLE[k] === role);
const inStates = (states: readonly AlertState[], state: string) => states.includes(state as AlertState);

/** A command on this alert: busy while it runs, its refusal shown, then the screen reloads. */
function useCommand(ctx: Ctx): [(fn: () => Promise<unknown>) => Promise<void>, boolean, unknown] {
  const [run, busy, error] = useAction();
  return [(fn) => run(async () => {
    await fn();
    await ctx.reload();
  }), busy, error];
}

/** The version being signed off: the pending update while live, else the current one. */
const underReview = (d: AlertDetail) => d.versions.find((v) => v.id === (d.state === "live" && d.pendingVersionId ? d.pendingVersionId : d.currentVersionId));
type Content = Partial<Pick<AlertContent, "child" | "targeting" | "accompanyingPerson">>;

/** A translated text as the signers read it: every targeted language, each labelled. */
function Texts({ value, languages }: { value: Localized | undefined; languages: readonly string[] }) {
  if (!value) return null;
  return (
    <span class="texts">
      {(languages as Language[]).map((l) => (
        <span key={l} lang={l} class={value[l] === undefined ? "missing" : undefined}>
          <abbr title={languageName(l)}>{l.toUpperCase()}</abbr> {value[l] ?? t("content.noText")}
        </span>
      ))}
    </span>
  );
}

/** The passkey ceremony for a sign-off: the challenge carries the content hash being approved, the kind of sign-off and the magistrate's decision. */
async function signWithPasskey(id: string, kind: SignKind, decision?: { criteria?: Record<string, boolean>; riskAssessment?: string; terms?: string }) {
  const opts = await must(api.POST("/alerts/{id}/signoffs/options", { params: { path: { id } }, body: { kind, ...(decision ? { decision: decision as never } : {}) } }));
  const response = await startAuthentication({ optionsJSON: opts.options as never });
  await must(api.POST("/alerts/{id}/signoffs", { params: { path: { id } }, body: { challengeId: opts.challengeId, response: response as never } }));
}

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
          {name} <StateBadge state={d.state} id="alert-state" />
          {d.exercise && <span class="badge">{t("common.exercise")}</span>}
        </h1>
        <span class={`live-dot ${live}`} role="status">
          {t(`live.${live}`)}
        </span>
      </div>
      <nav class="subnav" aria-label={t("alert.sections")}>
        {editable && <a href={`/alerts/${id}/edit`}>{d.state === "live" ? t("alert.editUpdate") : t("alert.edit")}</a>}
        {can("audit.read") && <a href={`/alerts/${id}/audit`}>{t("alert.audit")}</a>}
        <a href={`/alert/${id}`} target="_blank" rel="noopener">{t("alert.publicPage")}</a>
      </nav>
      {d.readiness.waitingOn.length > 0 && !["live", "stopped", "cancelled", "purged"].includes(d.state) && (
        <p>
          {t("alert.waitingOn")} <strong>{d.readiness.waitingOn.map((r) => t(`role.${r}` as never)).join(", ")}</strong>
        </p>
      )}
      <ErrorBox error={error} />
      {d.launchedAt && <LivePanel ctx={ctx} fanouts={fanouts} />}
      {d.launchedAt && can("intake.read") && <TipsPanel alertId={id} canRead={can("tip.read")} canAck={can("tip.ack")} />}
      {d.launchedAt && can("alert.read") && <SocialPostsPanel alertId={id} canRetry={can("social.retract")} />}
      {d.state === "live" && (can("alert.stop") || can("alert.extend")) && <StopCard ctx={ctx} />}
      {d.launchedAt && <ForeignRequests ctx={ctx} />}
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

/** What the signer approves: where, in which languages, what is withheld. */
function Summary({ d }: { d: AlertDetail }) {
  const v = underReview(d);
  const channels = useChannels();
  const c = v?.content as Content | null;
  if (!v || !c) return null;
  return (
    <div class="summary">
      <p>
        {t("summary.version", { n: String(v.number) })} · {t("summary.hash")} <code>{v.contentHash.slice(0, 16)}…</code>
      </p>
      <ul>
        <li>
          {t("summary.regions")} <strong>{c.targeting?.regions.map(regionName).join(", ")}</strong>
        </li>
        <li>
          {t("summary.languages")} <strong>{c.targeting?.languages.join(", ").toUpperCase()}</strong>
        </li>
        <li>{t("summary.channels", { list: channels.filter((ch) => ch.enabled).map((ch) => ch.label[lang()]).join(", ") || "—" })}</li>
        {d.exercise && <li>{t("summary.exercise")}</li>}
        {c.accompanyingPerson && <li>{t("summary.accompanyingWithheld")}</li>}
        <li id="summary-file">{t("summary.file", { pv: d.file.pvNumber ?? "—", m: d.file.magistrateInCharge?.name ?? t("file.noMagistrate") })}</li>
      </ul>
    </div>
  );
}

function LivePanel({ ctx, fanouts }: { ctx: Ctx; fanouts: FanoutCounters[] }) {
  const { d } = ctx;
  const channels = useChannels();
  const now = useNow(15_000);
  const left = d.endsAt ? Date.parse(d.endsAt) - now : null;
  const [exec, busy, error] = useCommand(ctx);
  return (
    <section class="card live" aria-labelledby="live-h">
      <h2 id="live-h">{t("live.title")}</h2>
      <dl class="facts">
        <dt>{t("live.launched")}</dt>
        <dd>
          {fmtTime(d.launchedAt)} ({t("live.ago", { d: fmtDuration(now - Date.parse(d.launchedAt!)) })})
        </dd>
        {d.state === "live" && left !== null && (
          <>
            <dt>{t("live.timeLeft")}</dt>
            <dd id="time-left" class={left < REVIEW_LEAD_MS ? "urgent" : ""}>
              <strong>{fmtDuration(left)}</strong> · {t("live.until", { at: fmtTime(d.endsAt) })} · {t("live.extensions", { n: String(d.extensions) })}
            </dd>
          </>
        )}
        {d.stoppedAt && (
          <>
            <dt>{t("live.stopped")}</dt>
            <dd>
              {fmtTime(d.stoppedAt)} — {t(`stop.${d.stopReason}` as never)}
            </dd>
          </>
        )}
      </dl>
      {d.state === "live" && left !== null && left < REVIEW_LEAD_MS && <p class="notice">{t("live.reviewPrompt", { minutes: String(REVIEW_LEAD_MS / 60_000) })}</p>}
      {d.state === "live" && ctx.can("alert.extend") && (
        <p>
          <ConfirmButton
            label={t("live.extend")}
            confirmLabel={t("live.extendConfirm")}
            disabled={busy || d.extensions >= 3}
            onConfirm={() => exec(() => must(api.POST("/alerts/{id}/extend", { params: { path: { id: ctx.id } } })))}
          />{" "}
          {d.extensions >= 3 && <small>{t("live.noMoreExtensions")}</small>}
        </p>
      )}
      <ErrorBox error={error} />
      <h3>{t("live.channels")}</h3>
      <table id="fanout">
        <THead cols={[t("live.message"), t("live.pages"), t("live.sent"), t("live.failed"), t("live.removed"), t("live.retrying"), t("live.fenced"), t("live.progress")]} />
        <tbody>
          {channels.map((ch) => {
            const mine = fanouts.filter((f) => f.channel === ch.channel);
            const name = ch.label[lang()];
            return mine.length ? (
              mine.map((f) => (
                <tr data-channel={f.channel} data-event={f.event} key={`${f.fanoutId}:${f.channel}`}>
                  <td>
                    {name} · {t(`event.${f.event}`)}
                    {f.event !== "stop" && ` v${f.version}`}
                    {f.status === "waiting" && <small> ({t("live.waiting")})</small>}
                    {f.status === "superseded" && <small> ({t("live.superseded")})</small>}
                  </td>
                  <td>
                    {f.pagesDone}/{f.pagesPlanned}
                  </td>
                  <td>{f.sent}</td>
                  <td>{f.failed}</td>
                  <td>{f.pruned}</td>
                  <td>{f.retrying}</td>
                  <td>{f.fenced}</td>
                  <td>
                    <Progress value={f.pagesDone} max={f.pagesPlanned} label={`${name} · ${t(`event.${f.event}`)}`} />
                  </td>
                </tr>
              ))
            ) : (
              <tr data-channel={ch.channel} key={ch.channel}>
                <td>{name}</td>
                <td colSpan={7}>{t("live.nothingYet")}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <ul class="plain-errors">
        {fanouts.flatMap((f) => {
          const channel = channelName(channels, f.channel);
          const key = `${f.fanoutId}:${f.channel}`;
          return [
            f.switchedOff ? <li key={`${key}-off`}>{t("live.switchedOff", { channel, event: t(`event.${f.event}`) })}</li> : null,
            f.failed ? <li key={`${key}-f`}>{t("live.failedPlain", { channel, n: String(f.failed) })}</li> : null,
            f.deadPages ? <li key={`${key}-d`}>{t("live.deadPlain", { n: String(f.deadPages) })}</li> : null,
            f.retrying > 0 ? <li key={`${key}-r`}>{t("live.retryingPlain", { channel, n: String(f.retrying) })}</li> : null,
          ];
        })}
      </ul>
    </section>
  );
}

function StopCard({ ctx }: { ctx: Ctx }) {
  const [reason, setReason] = useState<string>(ctx.role === "magistrate" ? "withdrawn" : "found_safe");
  const [exec, busy, error] = useCommand(ctx);
  if (!ctx.can("alert.stop")) return null;
  return (
    <section class="card stop" id="stop-card" aria-labelledby="stop-h">
      <h2 id="stop-h">{t("stop.title")}</h2>
      <p>{t("stop.intro")}</p>
      <label for="stop-reason">{t("stop.reason")}</label>{" "}
      <select id="stop-reason" value={reason} onChange={(e) => setReason((e.target as HTMLSelectElement).value)}>
        {STOP_REASONS.filter((r) => r !== "expired").map((r) => (
          <option value={r}>{t(`stop.${r}`)}</option>
        ))}
      </select>
      <p>
        <ConfirmButton
          danger
          label={t("stop.button")}
          confirmLabel={t("stop.confirm")}
          disabled={busy}
          onConfirm={() => exec(() => must(api.POST("/alerts/{id}/stop", { params: { path: { id: ctx.id } }, body: { reason: reason as "found_safe" } })))}
        />
      </p>
      <ErrorBox error={error} />
    </section>
  );
}

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

function LaunchCard({ ctx }: { ctx: Ctx }) {
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

/** The sign-off (or, for the magistrate, the authorisation) this person still owes. */
function SignCard({ ctx }: { ctx: Ctx }) {
  const { d, role, id } = ctx;
  const kind = kindOf(role);
  const [risk, setRisk] = useState("");
  const [ticked, setTicked] = useState<Record<string, boolean>>({});
  const [exec, busy, error] = useCommand(ctx);
  if (!kind || !ctx.can("alert.signOff") || !d.readiness.missingSignOffs.includes(kind)) return null;
  if (d.state !== "concertation" && !(d.state === "live" && d.pendingVersionId)) return null;
  const sign = () =>
    exec(async () => {
      if (kind === "authorisation") {
        await signWithPasskey(id, kind, { criteria: Object.fromEntries(CRITERIA.map((c) => [c, ticked[c] === true])), riskAssessment: risk });
      } else await signWithPasskey(id, kind);
    });
  if (kind !== "authorisation") {
    return (
      <section class="card" id="sign-card" aria-labelledby="sign-h">
        <h2 id="sign-h">{t("sign.title")}</h2>
        <Summary d={d} />
        <button onClick={sign} disabled={busy}>
          {t("sign.button")}
        </button>
        <ErrorBox error={error} />
      </section>
    );
  }
  const before = d.readiness.missingSignOffs.filter((k) => k !== "authorisation" && k !== "accompanying_person");
  return (
    <section class="card" id="sign-card" aria-labelledby="sign-h">
      <h2 id="sign-h">{t("auth.title")}</h2>
      <Summary d={d} />
      {before.length > 0 && (
        <p>
          {t("auth.stillMissing")} <strong>{before.map((k) => t(`party.${k}` as never)).join(", ")}</strong>
        </p>
      )}
      {!d.readiness.consentSettled && <p>{t("auth.consentMissing")}</p>}
      <fieldset>
        <legend>{t("auth.criteria")}</legend>
        {CRITERIA.map((c) => (
          <label key={c} class="block">
            <input type="checkbox" name="criterion" value={c} checked={ticked[c] === true} onChange={(e) => setTicked({ ...ticked, [c]: (e.target as HTMLInputElement).checked })} /> {t(`criterion.${c}`)}
          </label>
        ))}
      </fieldset>
      <label for="risk">{t("auth.risk")}</label>
      <textarea id="risk" rows={4} value={risk} onInput={(e) => setRisk((e.target as HTMLTextAreaElement).value)} />
      <p>
        <button onClick={sign} disabled={busy}>
          {t("auth.button")}
        </button>
      </p>
      <ErrorBox error={error} />
    </section>
  );
}

/** Rule 6: the accompanying-person section is published only with its own signed terms. */
function AccompanyingCard({ ctx }: { ctx: Ctx }) {
  const { d, id } = ctx;
  const [terms, setTerms] = useState("");
  const [exec, busy, error] = useCommand(ctx);
  const v = underReview(d);
  const c = v?.content as Content | null;
  if (ctx.role !== "magistrate" || !c?.accompanyingPerson || !["concertation", "authorised", "live"].includes(d.state)) return null;
  const signed = d.signOffs.some((o) => o.kind === "accompanying_person" && o.valid);
  return (
    <section class="card" aria-labelledby="acc-h">
      <h2 id="acc-h">{t("acc.title")}</h2>
      <blockquote>
        <Texts value={c.accompanyingPerson.description} languages={c.targeting?.languages ?? []} />
      </blockquote>
      {signed ? (
        <p class="ok">{t("acc.signed")}</p>
      ) : (
        <>
          <label for="acc-terms">{t("acc.terms")}</label>
          <textarea id="acc-terms" rows={3} value={terms} onInput={(e) => setTerms((e.target as HTMLTextAreaElement).value)} />
          <p>
            <button onClick={() => exec(() => signWithPasskey(id, "accompanying_person", { terms }))} disabled={busy}>
              {t("acc.button")}
            </button>
          </p>
        </>
      )}
      <ErrorBox error={error} />
    </section>
  );
}

function Concertation({ ctx }: { ctx: Ctx }) {
  const { d } = ctx;
  const v = underReview(d);
  const reset = d.signOffs.filter((o) => !o.valid);
  return (
    <section class="card" aria-labelledby="conc-h" id="concertation">
      <h2 id="conc-h">{t("conc.title")}</h2>
      {v && (
        <p>
          {t("summary.version", { n: String(v.number) })} · {t("summary.hash")} <code>{v.contentHash.slice(0, 16)}…</code>
        </p>
      )}
      {reset.length > 0 && (d.state === "concertation" || (d.state === "live" && d.pendingVersionId)) && (
        <p class="notice" id="reset-notice">
          {t("conc.reset", { n: String(reset.length) })}
        </p>
      )}
      <table id="parties">
        <THead cols={[t("conc.party"), t("conc.status"), t("conc.by"), t("conc.when"), t("conc.hash")]} />
        <tbody>
          {PARTIES.map((kind) => {
            const o = d.signOffs.find((x) => x.kind === kind && x.valid);
            return (
              <tr key={kind} data-party={kind}>
                <th scope="row">{t(`party.${kind}`)}</th>
                <td>{o ? <span class="ok">✓ {t("conc.signed")}</span> : <span class="pending">{t("conc.pending")}</span>}</td>
                <td>{o?.signer ?? "—"}</td>
                <td>{o ? fmtTime(o.createdAt) : "—"}</td>
                <td>{o ? <code>{o.contentHash.slice(0, 12)}…</code> : "—"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {reset.length > 0 && (
        <details>
          <summary>{t("conc.resetList")}</summary>
          <ul>
            {reset.map((o) => (
              <li key={o.id}>
                {t(`party.${o.kind}` as never)} — {o.signer ?? "?"}, {fmtTime(o.createdAt)}, <code>{o.contentHash.slice(0, 12)}…</code>
              </li>
            ))}
          </ul>
        </details>
      )}
      <Parents ctx={ctx} />
      <Objections ctx={ctx} />
    </section>
  );
}

function Parents({ ctx }: { ctx: Ctx }) {
  const { d, role } = ctx;
  const open = inStates(PRE_LAUNCH_STATES, d.state);
  return (
    <>
      <h3>{t("parents.title")}</h3>
      {d.consents.length === 0 ? (
        <p id="consent-status">{t("parents.none")}</p>
      ) : (
        <ul id="consent-status">
          {d.consents.map((c) => (
            <li key={c.id}>
              <strong>{t(`basis.${c.basis}` as never)}</strong> — {t("parents.recordedBy", { role: t(`role.${c.recordedRole}` as never), at: fmtTime(c.createdAt) })}
            </li>
          ))}
        </ul>
      )}
      {open && ctx.can("alert.consent") && <ConsentForm id={ctx.id} role={role} onDone={ctx.reload} />}
    </>
  );
}

/** The parents' side, as the roles that record it may (the counsellor even when the file is closed to them). */
function ConsentForm({ id, role, onDone }: { id: string; role: Role; onDone: () => Promise<void> | void }) {
  const mine = CONSENT_BASES.filter((b) => CONSENT_RECORDER[b].includes(role));
  const [basis, setBasis] = useState<string>(mine[0] ?? "");
  const [note, setNote] = useState("");
  const [run, busy, error] = useAction();
  if (mine.length === 0) return null;
  return (
    <div class="inline-form">
      <label for="consent-basis">{t("parents.basis")}</label>{" "}
      <select id="consent-basis" value={basis} onChange={(e) => setBasis((e.target as HTMLSelectElement).value)}>
        {mine.map((b) => (
          <option value={b}>{t(`basis.${b}`)}</option>
        ))}
      </select>
      <label for="consent-note">{basis === "operator_danger_assessment" ? t("parents.assessment") : t("parents.note")}</label>
      <textarea id="consent-note" rows={2} value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
      <button disabled={busy} onClick={() => run(async () => {
        await must(api.POST("/alerts/{id}/consent", { params: { path: { id } }, body: { basis: basis as "parental_consent", ...(note.trim() ? { note } : {}) } }));
        setNote("");
        await onDone();
      })}>
        {t("parents.record")}
      </button>
      <ErrorBox error={error} />
    </div>
  );
}

/** Protocol §2.2.6: a role the file is closed to sees that it is, and nothing of it; the counsellor still records the parents' side. */
function ClosedFile({ id, role, can }: { id: string; role: Role; can: (p: Permission) => boolean }) {
  const [done, setDone] = useState(false);
  return (
    <>
      <p>
        <a href="/">← {t("nav.alerts")}</a>
      </p>
      <h1 tabIndex={-1}>{t("file.title")}</h1>
      <p class="notice" role="status" id="file-closed">{t("file.closedYou")}</p>
      {can("alert.consent") && (
        <section class="card" aria-labelledby="parents-h">
          <h2 id="parents-h">{t("parents.title")}</h2>
          {done && <p role="status">✓</p>}
          <ConsentForm id={id} role={role} onDone={() => setDone(true)} />
        </section>
      )}
    </>
  );
}

/** Protocol §2.3.3.4: foreign organisations' requests for the posters — recorded and granted by the foundation, once the authorities are told. */
function ForeignRequests({ ctx }: { ctx: Ctx }) {
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

/**
 * The judicial file (rule 11; protocol §2.3.1, §2.2.6): its PV number — given in the draft,
 * fixed once submitted — and the magistrate in charge, for every signer to see; the
 * magistrate closes it to the roles that do not sign.
 */
function FilePanel({ ctx }: { ctx: Ctx }) {
  const { d } = ctx;
  const draft = d.state === "draft";
  const [pv, setPv] = useState(d.file.pvNumber ?? "");
  const [ref, setRef] = useState(d.file.magistrateRef ?? "");
  const [closed, setClosed] = useState<string[]>(d.file.closedTo);
  const [saved, setSaved] = useState(false);
  const [exec, busy, error] = useCommand(ctx);
  return (
    <section class="card" aria-labelledby="file-h">
      <h2 id="file-h">{t("file.title")}</h2>
      <dl class="facts">
        <dt>{t("file.pv")}</dt>
        <dd id="file-pv">{d.file.pvNumber ?? <em>{t("file.none")}</em>}{d.file.magistrateRef && <> · {d.file.magistrateRef}</>}</dd>
        <dt>{t("file.inCharge")}</dt>
        <dd id="file-magistrate">{d.file.magistrateInCharge?.name ?? t("file.noMagistrate")}</dd>
        <dt>{t("file.closeLegend")}</dt>
        <dd id="file-closed-to">{d.file.closedTo.length ? d.file.closedTo.map((r) => t(`role.${r}` as never)).join(", ") : t("file.closedToNone")}</dd>
      </dl>
      {!draft && d.file.pvNumber && <p class="muted">{t("file.fixed")}</p>}
      {draft && ctx.can("alert.file") && (
        <form class="inline-form" onSubmit={(e) => {
          e.preventDefault();
          setSaved(false);
          void exec(async () => {
            await must(api.PUT("/alerts/{id}/file", { params: { path: { id: ctx.id } }, body: { pvNumber: pv, ...(ref.trim() ? { magistrateRef: ref } : {}) } }));
            setSaved(true);
          });
        }}>
          <label for="file-pv-input">{t("file.pv")}</label>
          <input id="file-pv-input" type="text" required maxLength={40} value={pv} onInput={(e) => setPv((e.target as HTMLInputElement).value)} />
          <label for="file-ref-input">{t("file.ref")}</label>
          <input id="file-ref-input" type="text" maxLength={60} value={ref} onInput={(e) => setRef((e.target as HTMLInputElement).value)} />
          <button type="submit" disabled={busy}>{t("file.save")}</button>
          {saved && <span role="status">{t("file.saved")}</span>}
        </form>
      )}
      {ctx.can("alert.closeFile") && (
        <fieldset class="inline-form">
          <legend>{t("file.closeLegend")}</legend>
          {CLOSABLE_ROLES.map((r) => (
            <label key={r}>
              <input type="checkbox" checked={closed.includes(r)} onChange={(e) => setClosed((have) => ((e.target as HTMLInputElement).checked ? [...have, r] : have.filter((x) => x !== r)))} /> {t(`role.${r}` as never)}
            </label>
          ))}
          <button disabled={busy} onClick={() => exec(() => must(api.PUT("/alerts/{id}/file/access", { params: { path: { id: ctx.id } }, body: { closedTo: closed as Role[] } })))}>{t("file.closeSave")}</button>
        </fieldset>
      )}
      <ErrorBox error={error} />
    </section>
  );
}

function Objections({ ctx }: { ctx: Ctx }) {
  const { d, role } = ctx;
  const kind = (Object.keys(OBJECTION_ROLE) as (keyof typeof OBJECTION_ROLE)[]).find((k) => OBJECTION_ROLE[k] === role);
  const [reason, setReason] = useState("");
  const [exec, busy, error] = useCommand(ctx);
  // The same test as the server's: an objection moves the alert to "blocked".
  const canObject = kind && ctx.can("alert.object") && canTransition(d.state as AlertState, "blocked");
  return (
    <>
      <h3>{t("obj.title")}</h3>
      {d.objections.length === 0 ? (
        <p>{t("obj.none")}</p>
      ) : (
        <ul id="objections">
          {d.objections.map((o) => (
            <li key={o.id}>
              <strong>{t(`objection.${o.kind}` as never)}</strong> ({fmtTime(o.createdAt)}){o.liftedAt ? ` — ${t("obj.lifted", { at: fmtTime(o.liftedAt) })}` : ""}: <q>{o.reason}</q>{" "}
              {!o.liftedAt && kind === o.kind && ctx.can("alert.object") && (
                <button class="secondary" disabled={busy} onClick={() => exec(() => must(api.POST("/alerts/{id}/objections/{objectionId}/lift", { params: { path: { id: ctx.id, objectionId: o.id } } })))}>
                  {t("obj.lift")}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {canObject && (
        <div class="inline-form">
          <label for="objection-reason">{t(kind === "operator_refusal" ? "obj.refuseReason" : "obj.opposeReason")}</label>
          <textarea id="objection-reason" rows={2} value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
          <ConfirmButton
            danger
            label={t(kind === "operator_refusal" ? "obj.refuse" : "obj.oppose")}
            confirmLabel={t("obj.confirm")}
            disabled={busy}
            onConfirm={() => exec(async () => {
              await must(api.POST("/alerts/{id}/objections", { params: { path: { id: ctx.id } }, body: { kind: kind!, reason } }));
              setReason("");
            })}
          />
        </div>
      )}
      <ErrorBox error={error} />
    </>
  );
}

function DraftActions({ ctx }: { ctx: Ctx }) {
  const { d } = ctx;
  const [exec, busy, error] = useCommand(ctx);
  return (
    <section class="card" aria-labelledby="actions-h">
      <h2 id="actions-h">{t("actions.title")}</h2>
      {d.state === "draft" && ctx.can("alert.submit") && (
        <p>
          <button disabled={busy} onClick={() => exec(() => must(api.POST("/alerts/{id}/submit", { params: { path: { id: ctx.id } } })))}>
            {t("actions.submit")}
          </button>{" "}
          <small>{t("actions.submitHint")}</small>
        </p>
      )}
      {ctx.can("alert.cancel") && (
        <p>
          <ConfirmButton
            danger
            label={t("actions.cancel")}
            confirmLabel={t("actions.cancelConfirm")}
            disabled={busy}
            onConfirm={() => exec(() => must(api.POST("/alerts/{id}/cancel", { params: { path: { id: ctx.id } } })))}
          />
        </p>
      )}
      <ErrorBox error={error} />
    </section>
  );
}

/** The content the sign-offs are about, as the signers read it, with the posters it makes. */
function ContentUnderReview({ ctx }: { ctx: Ctx }) {
  const v = underReview(ctx.d);
  const c = v?.content as AlertContent | null;
  if (!v || !c) return null;
  const signing = ["draft", "concertation", "blocked"].includes(ctx.d.state) || (ctx.d.state === "live" && !!ctx.d.pendingVersionId);
  const row = (label: string, value: unknown) =>
    value === undefined || value === null || value === "" ? null : (
      <>
        <dt>{label}</dt>
        <dd>{typeof value === "object" ? value : String(value)}</dd>
      </>
    );
  const tr = (value: Localized | undefined) => value && <Texts value={value} languages={c.targeting.languages} />;
  return (
    <section class="card" aria-labelledby="content-h" id="content-under-review">
      <h2 id="content-h">{t(signing ? "content.title" : "content.titlePublished", { n: String(v.number) })}</h2>
      {c.child.photos && c.child.photos.length > 0 && (
        <ul class="photos">
          {c.child.photos.map((h, i) => (
            <li key={h}>
              <img src={`/api/v1/alerts/${ctx.id}/photos/${h}`} alt={t("editor.photoAlt", { n: String(i + 1) })} />
            </li>
          ))}
        </ul>
      )}
      <dl class="facts">
        {row(t("f.firstName"), c.child.firstName)}
        {row(t("f.lastName"), c.child.lastName)}
        {row(t("f.age"), c.child.age)}
        {c.child.protectedAdult && row(t("f.protectedAdult"), t("common.yes"))}
        {c.child.sex && c.child.sex !== "unspecified" && row(t("f.sex"), t(`sex.${c.child.sex}` as never))}
        {row(t("f.heightCm"), c.child.heightCm)}
        {row(t("f.description"), tr(c.child.description))}
        {row(t("f.clothing"), tr(c.child.clothing))}
        {row(t("f.place"), tr(c.lastSeen.place))}
        {row(t("f.at"), fmtTime(c.lastSeen.at))}
        {row(t("f.circumstances"), tr(c.circumstances))}
        {row(t("f.vehicle"), tr(c.vehicle?.description))}
        {row(t("f.plate"), c.vehicle?.plate)}
        {row(t("f.accompanying"), c.accompanyingPerson && (
          <>
            {tr(c.accompanyingPerson.description)} ({t("content.withheld")})
          </>
        ))}
        {row(t("f.regions"), c.targeting.regions.map(regionName).join(", "))}
        {row(t("f.languages"), c.targeting.languages.join(", ").toUpperCase())}
        {row(t("f.showHotline"), c.showHotline === false ? t("common.no") : t("common.yes"))}
      </dl>
      <details>
        <summary>{t("content.posters")}</summary>
        <PosterPreviews alertId={ctx.id} refreshKey={`${v.number}:${ctx.postersTick}`} bare />
      </details>
    </section>
  );
}
