// The content under review, as the signers read it: every targeted language, side by side.
import type { AlertContent, Localized } from "../../../../worker/domain/content.ts";
import { regionName, t } from "../../i18n";
import { fmtTime } from "../../ui";
import { PosterPreviews } from "../posters";
import { underReview, Texts, type Ctx } from "./context.tsx";

/** The content the sign-offs are about, as the signers read it, with the posters it makes. */
export function ContentUnderReview({ ctx }: { ctx: Ctx }) {
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
