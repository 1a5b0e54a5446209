// What the alert screen's panels share: the context, the command helper, the version under review, the signer's summary.
import { startAuthentication } from "@simplewebauthn/browser";
import { type AlertState, CONCERTATION_KINDS, SIGN_OFF_ROLE, type SignOffKind } from "../../../../worker/domain/lifecycle.ts";
import type { Role } from "../../../../worker/domain/roles.ts";
import type { AlertContent, Language, Localized } from "../../../../worker/domain/content.ts";
import { type AlertDetail, api, must, type Permission } from "../../api/client";
import { lang, languageName, regionName, t } from "../../i18n";
import { useChannels } from "../../lib/channels";
import { useAction } from "../../ui";

export type Ctx = { id: string; d: AlertDetail; role: Role; can: (p: Permission) => boolean; reload: () => Promise<void>; postersTick: number };

type SignKind = SignOffKind;

/** The sign-off each role gives in the concertation (the magistrate's is the authorisation). */
export const PARTIES: SignKind[] = [...CONCERTATION_KINDS, "authorisation"];

export const kindOf = (role: Role) => PARTIES.find((k) => SIGN_OFF_ROLE[k] === role);

export const inStates = (states: readonly AlertState[], state: string) => states.includes(state as AlertState);

/** A command on this alert: busy while it runs, its refusal shown, then the screen reloads. */
export function useCommand(ctx: Ctx): [(fn: () => Promise<unknown>) => Promise<void>, boolean, unknown] {
  const [run, busy, error] = useAction();
  return [(fn) => run(async () => {
    await fn();
    await ctx.reload();
  }), busy, error];
}

/** The version being signed off: the pending update while live, else the current one. */
export const underReview = (d: AlertDetail) => d.versions.find((v) => v.id === (d.state === "live" && d.pendingVersionId ? d.pendingVersionId : d.currentVersionId));

export type Content = Partial<Pick<AlertContent, "child" | "targeting" | "accompanyingPerson">>;

/** A translated text as the signers read it: every targeted language, each labelled. */
export function Texts({ value, languages }: { value: Localized | undefined; languages: readonly string[] }) {
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
export async function signWithPasskey(id: string, kind: SignKind, decision?: { criteria?: Record<string, boolean>; riskAssessment?: string; terms?: string }) {
  const opts = await must(api.POST("/alerts/{id}/signoffs/options", { params: { path: { id } }, body: { kind, ...(decision ? { decision: decision as never } : {}) } }));
  const response = await startAuthentication({ optionsJSON: opts.options as never });
  await must(api.POST("/alerts/{id}/signoffs", { params: { path: { id } }, body: { challengeId: opts.challengeId, response: response as never } }));
}

/** What the signer approves: where, in which languages, what is withheld. */
export function Summary({ d }: { d: AlertDetail }) {
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
