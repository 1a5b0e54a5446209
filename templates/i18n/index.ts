// The poster/text catalogues: French, Dutch, German (Belgium's official languages) and
// English. Every catalogue has exactly the keys of the French one (tested).
import de from "./de.json";
import en from "./en.json";
import fr from "./fr.json";
import nl from "./nl.json";

export type Catalogue = typeof fr;
export const CATALOGUES: Record<"fr" | "nl" | "de" | "en", Catalogue> = { fr, nl, de, en };

/** Hotline numbers (DOMAIN rule 8). */
export const HOTLINE = "116 000";
export const HOTLINE_ABROAD = "+32 2 475 44 99";
/** The same numbers as dialled (tel: links, machine-readable fields). */
export const HOTLINE_DIAL = "116000";
export const HOTLINE_ABROAD_DIAL = "+3224754499";

/** Rule 8 in one line, in the catalogue's language: both numbers, every surface alike. */
export const callLine = (c: Catalogue) => `${c.call} ${HOTLINE} (${c.abroad}: ${HOTLINE_ABROAD})`;

/** The alert's current end, in the catalogue's language (re-announced on an extension). */
export const endsLine = (c: Catalogue, endsAt: string) => `${c.pageEnds} ${formatWhen(c, endsAt)}`;

export function ageText(c: Catalogue, age: number): string {
  return age === 1 ? c.ageOne : c.age.replace("{n}", String(age));
}

/** Date and time in Belgian time, in the catalogue's locale (e.g. "lundi 23 novembre, 07:30"). */
export function formatWhen(c: Catalogue, iso: string): string {
  return new Intl.DateTimeFormat(c.locale, {
    timeZone: "Europe/Brussels",
    weekday: "long",
    day: "numeric",
    month: "long",
    hour: "2-digit",
    minute: "2-digit",
  }).format(new Date(iso));
}
