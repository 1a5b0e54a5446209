// Rule 13 (abroad): the child's personal data go to a partner in another country only
// if that country ensures an adequate level of protection — the EU/EEA, or an adequacy
// decision (kept as data: adequacy.json). Every partner route asks this one function:
// the widget, the feeds with a partner key, the webhooks.
import ADEQUACY from "./adequacy.json" with { type: "json" };
import { AppError } from "../errors.ts";

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

/**
 * Protocol §2.3.3.4: a foreign organisation's request to publish the posters is granted
 * only once the federal prosecutor's office and the missing-persons cell have been told
 * (their mailboxes accepted the notice), and — the posters carry the child's name and
 * face — only to a country with adequate protection (rule 13).
 */
export function checkForeignGrant(r: { country: string; told: { federal_prosecutor: boolean; cell: boolean } }): void {
  const missing = [!r.told.federal_prosecutor && "the federal prosecutor's office", !r.told.cell && "the missing-persons cell"].filter(Boolean);
  if (missing.length) throw new AppError("E_NOT_INFORMED", `not granted before ${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} informed (their mailbox has not received the notice yet)`);
  if (!mayReceivePersonalData(r.country)) throw new AppError("E_RULE", `rule 13: the posters carry the child's personal data, and ${r.country} does not ensure an adequate level of protection`);
}
