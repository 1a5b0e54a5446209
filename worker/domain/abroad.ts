// Rule 13 (abroad): the child's personal data go to a partner in another country only
// if that country ensures an adequate level of protection — the EU/EEA, or an adequacy
// decision (kept as data: adequacy.json). Every partner route asks this one function:
// the widget, the feeds with a partner key, the webhooks.
import ADEQUACY from "./adequacy.json" with { type: "json" };

const ADEQUATE = new Set<string>([...ADEQUACY.eu, ...ADEQUACY.eea, ...ADEQUACY.adequacy]);

/** ISO 3166-1 alpha-2, upper case. */
export const COUNTRY = /^[A-Z]{2}$/;

/** May a partner in `country` receive the child's personal data (name, description, photos, posters)? */
export function mayReceivePersonalData(country: string): boolean {
  return ADEQUATE.has(country.toUpperCase());
}
