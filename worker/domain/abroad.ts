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

/**
 * The widget is issued to a registered partner for its declared sites (issue 24.6): the
 * host the browser says the page is on must be one of them. A browser that says nothing
 * (no Origin, no Referer: a privacy setting) is not refused — there is nothing to check.
 */
export function siteAllowed(domains: readonly string[], host: string): boolean {
  if (host === "") return true;
  return domains.some((d) => d.toLowerCase() === host);
}
