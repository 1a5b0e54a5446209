// What partners receive of an alert (the feeds, the widget's data, the webhooks' payloads):
// the item of a live alert in each of its languages, and rule 13's "an alert is in
// progress". Pure functions of the public record (any object of its shape), below both the
// partner surfaces (worker/partners/) and the webhook channel that send them.
import { callLine, CATALOGUES, endsLine, formatWhen, HOTLINE_ABROAD_DIAL, HOTLINE_DIAL } from "./i18n/index.ts";
import { FORMAT_NAMES, type FormatName } from "./posters/model.ts";
import { type AlertContent, readIn } from "../worker/domain/content.ts";
import type { Language } from "../worker/domain/content.ts";

/** The public record's fields these items read (partners/public-alert.ts PublicAlert has them all). */
export interface ItemSource {
  alertId: string;
  /** Issue 29: a search notice says so in its headline; absent: a Child Alert. */
  kind?: "child_alert" | "search_notice";
  face: "alert" | "found" | "ended";
  exercise: boolean;
  version: number | null;
  launchedAt: string;
  updatedAt: string;
  endsAt: string | null;
  content: AlertContent | null;
  /** The signed publication (issue 28), when the deployment has a publication key. */
  signed?: { statement: string; jws: string } | null;
}

export const pageUrl = (origin: string, id: string, lang?: Language) => `${origin}/alert/${id}${lang ? `?lang=${lang}` : ""}`;
export const posterUrl = (origin: string, id: string, format: FormatName, lang: Language) => `${origin}/alert/${id}/poster/${format}-${lang}.png`;
/** Where a poster's QR code and a social post's check link lead (issue 28): the check of that very version — genuine, live or ended — with the official page. */
export const verifyUrl = (origin: string, alertId: string, version: number) => `${origin}/verify/${alertId}?v=${version}`;

/** Rule 8 for machines: both numbers as dialled, in every partner payload (null when the operator left them out). */
export const hotlineFields = (show: boolean) => ({ hotline: show ? HOTLINE_DIAL : null, hotlineAbroad: show ? HOTLINE_ABROAD_DIAL : null });

/** The texts of a live alert in one language, as the public page shows them (rule 8: both numbers, and the current end). */
export function textsIn(r: Pick<ItemSource, "exercise" | "content" | "endsAt" | "kind">, lang: Language) {
  const c = r.content!;
  const cat = CATALOGUES[lang];
  const t = readIn(c, lang);
  return {
    headline: `${r.exercise ? `${cat.exercise} — ` : ""}${r.kind === "search_notice" ? cat.noticeBrand : "CHILD ALERT"}: ${t.name}`,
    name: t.name,
    age: c.child.age,
    heightCm: c.child.heightCm ?? null,
    lastSeen: `${formatWhen(cat, c.lastSeen.at)}, ${t.place}`,
    description: t.description,
    clothing: t.clothing ?? null,
    vehicle: t.vehicleLine ?? null,
    accompanying: t.accompanying ?? null,
    call: c.showHotline ? callLine(cat) : null,
    ends: r.endsAt ? endsLine(cat, r.endsAt) : null,
  };
}

/** What the feed and an adequate partner's webhook say of a live alert (no CAP link: the feed adds it). */
export function alertItem(r: Pick<ItemSource, "alertId" | "exercise" | "version" | "launchedAt" | "updatedAt" | "endsAt" | "content" | "face" | "signed" | "kind">, origin: string) {
  const c = r.content!;
  const langs = c.targeting.languages;
  return {
    id: r.alertId,
    kind: r.kind ?? "child_alert",
    exercise: r.exercise,
    version: r.version!,
    launchedAt: r.launchedAt,
    updatedAt: r.updatedAt,
    endsAt: r.endsAt,
    url: pageUrl(origin, r.alertId),
    languages: [...langs],
    regions: [...c.targeting.regions],
    ...hotlineFields(c.showHotline),
    texts: Object.fromEntries(langs.map((l) => [l, textsIn(r, l)])) as Partial<Record<Language, ReturnType<typeof textsIn>>>,
    posters: Object.fromEntries(langs.map((l) => [l, Object.fromEntries(FORMAT_NAMES.map((f) => [f, posterUrl(origin, r.alertId, f, l)]))])) as Partial<Record<Language, Record<FormatName, string>>>,
    photos: c.child.photos.map((h) => `${origin}/alert/${r.alertId}/photo/${h}.jpg`),
    // Issue 28: what is published, signed (detached JWS over the statement's canonical JSON; keys at /.well-known/child-alert-keys.json).
    ...(r.signed ? { signature: { statement: JSON.parse(r.signed.statement) as Record<string, unknown>, jws: r.signed.jws } } : {}),
  };
}

export const IN_PROGRESS: Record<Language, string> = {
  fr: "Une Child Alert est en cours : voir la page publique.",
  nl: "Er loopt een Child Alert: zie de openbare pagina.",
  de: "Ein Child Alert läuft: siehe die öffentliche Seite.",
  en: "A Child Alert is in progress: see the public page.",
};

/** Rule 13: all a partner abroad learns of a live alert (feed and webhook alike) — and where to call (rule 8). */
export const inProgressItem = (r: Pick<ItemSource, "alertId" | "exercise" | "endsAt">, origin: string, lang: Language, showHotline: boolean) => ({
  id: r.alertId,
  exercise: r.exercise,
  url: pageUrl(origin, r.alertId, lang),
  endsAt: r.endsAt,
  message: IN_PROGRESS[lang],
  ...hotlineFields(showHotline),
  call: showHotline ? callLine(CATALOGUES[lang]) : null,
  ends: r.endsAt ? endsLine(CATALOGUES[lang], r.endsAt) : null,
});
