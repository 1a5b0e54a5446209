// The judicial file (PV number, magistrate in charge, whom it is closed to), and what a role it is closed to sees.
import { useState } from "preact/hooks";
import type { Role } from "../../../../worker/domain/roles.ts";
import { CLOSABLE_ROLES } from "../../../../worker/domain/file.ts";
import { api, must, type Permission } from "../../api/client";
import { t } from "../../i18n";
import { ErrorBox } from "../../ui";
import { useCommand, type Ctx } from "./context.tsx";
import { ConsentForm } from "./concertation.tsx";

/** Protocol §2.2.6: a role the file is closed to sees that it is, and nothing of it; the counsellor still records the parents' side. */
export function ClosedFile({ id, role, can }: { id: string; role: Role; can: (p: Permission) => boolean }) {
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

/**
 * The judicial file (rule 11; protocol §2.3.1, §2.2.6): its PV number — given in the draft,
 * fixed once submitted — and the magistrate in charge, for every signer to see; the
 * magistrate closes it to the roles that do not sign.
 */
export function FilePanel({ ctx }: { ctx: Ctx }) {
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
