// The concertation: sign-offs (passkeys bound to content, kind and decision), the accompanying-person authorisation, the parents' side, refusals and oppositions, the draft's actions.
import { useState } from "preact/hooks";
import { type AlertState, canTransition, CONSENT_BASES, CONSENT_RECORDER, CRITERIA, OBJECTION_ROLE, PRE_LAUNCH_STATES } from "../../../../worker/domain/lifecycle.ts";
import type { Role } from "../../../../worker/domain/roles.ts";
import { api, must } from "../../api/client";
import { t } from "../../i18n";
import { ConfirmButton, ErrorBox, fmtTime, useAction, THead } from "../../ui";
import { PARTIES, kindOf, inStates, useCommand, underReview, Texts, signWithPasskey, Summary, type Ctx, type Content } from "./context.tsx";

/** The sign-off (or, for the magistrate, the authorisation) this person still owes. */
export function SignCard({ ctx }: { ctx: Ctx }) {
  const { d, role, id } = ctx;
  const kind = kindOf(role);
  const [risk, setRisk] = useState("");
  const [ticked, setTicked] = useState<Record<string, boolean>>({});
  const [exec, busy, error] = useCommand(ctx);
  const notice = d.kind === "search_notice";
  if (!kind || !ctx.can("alert.signOff") || !d.readiness.missingSignOffs.includes(kind)) return null;
  if (d.state !== "concertation" && !(d.state === "live" && d.pendingVersionId)) return null;
  const sign = () =>
    exec(async () => {
      if (kind === "authorisation") {
        // A search notice's evaluation is written; the four launch criteria are the Child Alert's (issue 29).
        await signWithPasskey(id, kind, notice ? { riskAssessment: risk } : { criteria: Object.fromEntries(CRITERIA.map((c) => [c, ticked[c] === true])), riskAssessment: risk });
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
      <h2 id="sign-h">{t(notice ? "notice.evaluationTitle" : "auth.title")}</h2>
      <Summary d={d} />
      {before.length > 0 && (
        <p>
          {t("auth.stillMissing")} <strong>{before.map((k) => t(`party.${k}` as never)).join(", ")}</strong>
        </p>
      )}
      {!d.readiness.consentSettled && <p>{t("auth.consentMissing")}</p>}
      {!notice && (
        <fieldset>
          <legend>{t("auth.criteria")}</legend>
          {CRITERIA.map((c) => (
            <label key={c} class="block">
              <input type="checkbox" name="criterion" value={c} checked={ticked[c] === true} onChange={(e) => setTicked({ ...ticked, [c]: (e.target as HTMLInputElement).checked })} /> {t(`criterion.${c}`)}
            </label>
          ))}
        </fieldset>
      )}
      <label for="risk">{t(notice ? "notice.evaluation" : "auth.risk")}</label>
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
export function AccompanyingCard({ ctx }: { ctx: Ctx }) {
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

export function Concertation({ ctx }: { ctx: Ctx }) {
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
export function ConsentForm({ id, role, onDone }: { id: string; role: Role; onDone: () => Promise<void> | void }) {
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

export function DraftActions({ ctx }: { ctx: Ctx }) {
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
