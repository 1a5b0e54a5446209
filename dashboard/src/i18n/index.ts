// The dashboard's words in French, Dutch, German and English (one file each, sorted by
// screen; English, en.ts, is the reference: the others must have exactly its keys, or the
// typecheck fails), the UI language, and the lookups the screens use.
import type { LocalizedField } from "../../../worker/domain/content.ts";
import { de } from "./de.ts";
import { type Dict, en, type Key } from "./en.ts";
import { fr } from "./fr.ts";
import { nl } from "./nl.ts";

export type { Key };
export const LANGS = ["fr", "nl", "de", "en"] as const;
type Lang = (typeof LANGS)[number];

const DICTS: Record<Lang, Dict> = { fr, nl, de, en };

const PROVINCES: Record<string, Record<Lang, string>> = {
  "BE-BRU": { fr: "Bruxelles-Capitale", nl: "Brussel-Hoofdstad", de: "Brüssel-Hauptstadt", en: "Brussels-Capital" },
  "BE-VAN": { fr: "Anvers", nl: "Antwerpen", de: "Antwerpen", en: "Antwerp" },
  "BE-VBR": { fr: "Brabant flamand", nl: "Vlaams-Brabant", de: "Flämisch-Brabant", en: "Flemish Brabant" },
  "BE-VLI": { fr: "Limbourg", nl: "Limburg", de: "Limburg", en: "Limburg" },
  "BE-VOV": { fr: "Flandre-Orientale", nl: "Oost-Vlaanderen", de: "Ostflandern", en: "East Flanders" },
  "BE-VWV": { fr: "Flandre-Occidentale", nl: "West-Vlaanderen", de: "Westflandern", en: "West Flanders" },
  "BE-WBR": { fr: "Brabant wallon", nl: "Waals-Brabant", de: "Wallonisch-Brabant", en: "Walloon Brabant" },
  "BE-WHT": { fr: "Hainaut", nl: "Henegouwen", de: "Hennegau", en: "Hainaut" },
  "BE-WLG": { fr: "Liège", nl: "Luik", de: "Lüttich", en: "Liège" },
  "BE-WLX": { fr: "Luxembourg (province)", nl: "Luxemburg (provincie)", de: "Luxemburg (Provinz)", en: "Luxembourg (province)" },
  "BE-WNA": { fr: "Namur", nl: "Namen", de: "Namur", en: "Namur" },
};

/** Every dictionary, for the completeness test (same keys, same {placeholders}). */
export const DICTIONARIES: Readonly<Record<Lang, Readonly<Dict>>> = DICTS;

const STORE = "child-alert-ui-lang";
const inBrowser = typeof document !== "undefined";
let current: Lang = (() => {
  if (!inBrowser) return "en";
  const saved = localStorage.getItem(STORE);
  if (saved && (LANGS as readonly string[]).includes(saved)) return saved as Lang;
  const nav = navigator.language.slice(0, 2);
  return (LANGS as readonly string[]).includes(nav) ? (nav as Lang) : "en";
})();
if (inBrowser) document.documentElement.lang = current;

export const lang = (): Lang => current;

export function setLang(l: string): void {
  if (!(LANGS as readonly string[]).includes(l)) return;
  current = l as Lang;
  localStorage.setItem(STORE, l);
  document.documentElement.lang = l;
}

export const hasKey = (k: string): k is Key => k in en;

/** The text for a key in the current language, with {placeholders} filled in. */
export function t(key: Key, vars: Record<string, string | number> = {}): string {
  const text = DICTS[current][key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, k: string) => (vars[k] === undefined ? `{${k}}` : String(vars[k])));
}

/** A targeting region by name: provinces from the table, countries from the browser. */
/** A language's name in the UI language ("Dutch", "néerlandais"…). */
export const languageName = (code: string): string => new Intl.DisplayNames([current], { type: "language" }).of(code) ?? code;

/** The label of each translated text of an alert (the domain's LOCALIZED_FIELDS). */
export const TEXT_LABEL: Record<LocalizedField, Key> = {
  "child.description": "f.description",
  "child.clothing": "f.clothing",
  "lastSeen.place": "f.place",
  circumstances: "f.circumstances",
  "vehicle.description": "f.vehicle",
  "accompanyingPerson.description": "f.accompanying",
};

export function regionName(code: string): string {
  if (code === "BE") return `${new Intl.DisplayNames([current], { type: "region" }).of("BE")} (${t("region.whole")})`;
  return PROVINCES[code]?.[current] ?? new Intl.DisplayNames([current], { type: "region" }).of(code) ?? code;
}
