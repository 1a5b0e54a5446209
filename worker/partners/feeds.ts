// The pull surfaces for partners (issue 13): a JSON feed and an Atom feed of the live
// alerts, and one CAP 1.2 message per alert version (Alert, Update with references,
// Cancel after the stop), with an Atom index of the current messages. Pure functions of
// the board's public records: no D1, no clock but the one passed in.
import { callLine, CATALOGUES, HOTLINE, HOTLINE_ABROAD } from "../../templates/i18n/index.ts";
import { FORMAT_NAMES } from "../../templates/posters/model.ts";
import { esc } from "../../templates/html.ts";
import { type AlertKind, type Language, mayReceivePersonalData, partnerTakes, type Region, regionMatches } from "../domain/index.ts";
import { capTime, type PublicAlert } from "./public-alert.ts";
import { alertItem, IN_PROGRESS, inProgressItem, pageUrl, posterUrl, textsIn } from "../../templates/partner-item.ts";

/** A Cancel stays in the CAP index this long after the stop, so that every consumer sees it. */
export const CANCEL_LISTED_MS = 24 * 3600_000;

export const live = (records: PublicAlert[]) =>
  records.filter((r) => r.face === "alert" && r.content).sort((a, b) => b.launchedAt.localeCompare(a.launchedAt));

/** A record's kind (records built before issue 29 are Child Alerts). */
export const kindOf = (r: Pick<PublicAlert, "kind">): AlertKind => r.kind ?? "child_alert";

/** The age bands of the public list of search notices (issue 29). */
export const AGE_BANDS = { "0-5": [0, 5], "6-11": [6, 11], "12-17": [12, 17], "18+": [18, 30] } as const;

/** The public list of search notices: live ones, never an exercise, in a region and an age band if asked; newest first. */
export const noticesListed = (records: PublicAlert[], q: { region: string | null; band: keyof typeof AGE_BANDS | undefined }) =>
  live(records).filter((r) => {
    const c = r.content!;
    if (kindOf(r) !== "search_notice" || r.exercise) return false;
    if (q.region && !regionMatches([q.region], c.targeting.regions)) return false;
    return !q.band || (c.child.age >= AGE_BANDS[q.band][0] && c.child.age <= AGE_BANDS[q.band][1]);
  });

/**
 * What the keyless feeds (open to every origin) list: never an exercise (DOMAIN "Drills
 * never touch real traffic"), and Child Alerts only. Exercises reach only the partners who
 * opted in, search notices those who chose them (issue 29), on their own feed, widget and
 * webhooks; the public list of search notices is /notices.
 */
export const realOnly = (records: PublicAlert[]) => records.filter((r) => !r.exercise && kindOf(r) === "child_alert");

/** Text as exclusive XML canonicalization writes it (&, <, > and CR escaped; quotes as they are). */
export const c14nText = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r/g, "&#xD;");

export const capUrl = (origin: string, identifier: string) => `${origin}/api/v1/feeds/cap/${identifier}.xml`;

// ------------------------------------------------------------------ JSON

export function jsonFeed(all: PublicAlert[], origin: string) {
  const records = realOnly(all);
  const alerts = live(records).map((r) => ({ ...alertItem(r, origin), cap: capUrl(origin, r.messages.at(-1)!.identifier) }));
  return { version: 1 as const, updated: newest(records), alerts };
}

const newest = (records: PublicAlert[]) => live(records).reduce((m, r) => (r.updatedAt > m ? r.updatedAt : m), "1970-01-01T00:00:00.000Z");

// ------------------------------------------------------------------ Atom

export function atomFeed(all: PublicAlert[], origin: string, lang: Language): string {
  const records = realOnly(all);
  const entries = live(records).map((r) => {
    const l = r.content!.targeting.languages.includes(lang) ? lang : r.content!.targeting.languages[0]!;
    const t = textsIn(r, l);
    const summary = [t.lastSeen, t.description, t.clothing, t.vehicle, t.call, t.ends].filter(Boolean).join(" — ");
    return `<entry xml:lang="${l}"><id>urn:uuid:${r.alertId}</id><title>${esc(t.headline)}</title><updated>${r.updatedAt}</updated><published>${r.launchedAt}</published>
<link rel="alternate" type="text/html" href="${esc(pageUrl(origin, r.alertId, l))}"/><link rel="enclosure" type="image/png" href="${esc(posterUrl(origin, r.alertId, "landscape", l))}"/>
<summary>${esc(summary)}</summary></entry>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${lang}"><id>${esc(origin)}/api/v1/feeds/alerts.atom</id><title>Child Alert</title><updated>${newest(records)}</updated>
<author><name>Child Alert</name></author><link rel="self" href="${esc(origin)}/api/v1/feeds/alerts.atom?lang=${lang}"/>
${entries.join("\n")}
</feed>`;
}

// ------------------------------------------------------------------ CAP 1.2

/** The records whose current CAP message is listed: live alerts, and Cancels for a day after the stop. */
export function capListed(records: PublicAlert[], now: Date): PublicAlert[] {
  return records.filter((r) => r.messages.length && (r.face === "alert" || (r.stoppedAt && now.getTime() - Date.parse(r.stoppedAt) < CANCEL_LISTED_MS)));
}

export function capIndex(records: PublicAlert[], origin: string, now: Date): string {
  const listed = capListed(realOnly(records), now);
  const updated = listed.reduce((m, r) => (r.updatedAt > m ? r.updatedAt : m), "1970-01-01T00:00:00.000Z");
  const entries = listed.map((r) => {
    const m = r.messages.at(-1)!;
    return `<entry><id>urn:child-alert:${esc(m.identifier)}</id><title>Child Alert ${esc(m.msgType)}${r.exercise ? " (Exercise)" : ""}</title><updated>${r.updatedAt}</updated>
<link rel="alternate" type="application/cap+xml" href="${esc(capUrl(origin, m.identifier))}"/></entry>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><id>${esc(origin)}/api/v1/feeds/cap.atom</id><title>Child Alert — CAP 1.2</title><updated>${updated}</updated>
<author><name>Child Alert</name></author><link rel="self" href="${esc(origin)}/api/v1/feeds/cap.atom"/>
${entries.join("\n")}
</feed>`;
}

/** CAP `contact`: both lines (rule 8). */
const CONTACT = `${HOTLINE}, ${HOTLINE_ABROAD}`;

/** CAP's language tag for each of ours (Belgium's official languages, and English). */
const CAP_LANG: Record<Language, string> = { fr: "fr-BE", nl: "nl-BE", de: "de-BE", en: "en" };

const REGION_CODE = (r: Region) => (r.includes("-") ? { valueName: "ISO 3166-2", value: r } : { valueName: "ISO 3166-1 alpha-2", value: r });

/**
 * The alert's current CAP message (its newest identifier): Alert at the launch, Update
 * for a published version or a new end time (references: every earlier message), Cancel
 * at the stop — the Cancel carries no name, no description and no picture (rule 12).
 */
export function capMessage(r: PublicAlert, origin: string, { personal = true }: { personal?: boolean } = {}): string {
  const m = r.messages.at(-1)!;
  const sender = `child-alert@${new URL(origin).hostname}`;
  // Issue 29: a search notice is a missing-child search, not an abduction emergency (no SAME CAE, not Immediate/Severe).
  const notice = kindOf(r) === "search_notice";
  const event = notice ? "Missing Child Search" : "Child Abduction Emergency";
  const gravity = notice ? "<urgency>Expected</urgency><severity>Moderate</severity>" : "<urgency>Immediate</urgency><severity>Severe</severity>";
  const references = r.messages.slice(0, -1).map((p) => `${sender},${p.identifier},${p.sent}`).join(" ");
  // Written in its own canonical form (exclusive XML canonicalization: text escaped as C14N
  // does, every element closed by an end tag, no attribute but the namespace), so that the
  // enveloped XML signature (publication/cap-signature.ts) is computed over these very bytes.
  const x = (name: string, value: string | number | null | undefined) => (value === null || value === undefined || value === "" ? "" : `<${name}>${c14nText(String(value))}</${name}>`);
  const infos =
    m.msgType === "Cancel"
      ? (["fr", "nl", "de", "en"] as const).map((l) => {
          const cat = CATALOGUES[l];
          const found = r.face === "found";
          // The Cancel stays valid as long as it is listed (an expires in the past would let a consumer drop it unheard).
          const expires = r.stoppedAt && capTime(new Date(Date.parse(r.stoppedAt) + CANCEL_LISTED_MS));
          return `<info>${x("language", CAP_LANG[l])}<category>Rescue</category>${x("event", event)}<responseType>AllClear</responseType><urgency>Past</urgency><severity>Minor</severity><certainty>Observed</certainty>${x("expires", expires)}${x("senderName", "Child Alert")}${x("headline", found ? cat.foundTitle : cat.endedTitle)}${x("description", found ? cat.foundBody : cat.endedBody)}${x("instruction", callLine(cat))}${x("web", pageUrl(origin, r.alertId, l))}${x("contact", CONTACT)}</info>`;
        })
      : !personal
        ? // Rule 13: a recipient without adequate protection learns only that an alert is in progress, with the public page.
          r.content!.targeting.languages.map((l) => {
            const cat = CATALOGUES[l];
            return `<info>${x("language", CAP_LANG[l])}<category>Rescue</category>${x("event", event)}<responseType>Monitor</responseType>${gravity}<certainty>Likely</certainty>${x("expires", r.endsAt && capTime(r.endsAt))}${x("senderName", "Child Alert")}${x("headline", IN_PROGRESS[l])}${x("instruction", callLine(cat))}${x("web", pageUrl(origin, r.alertId, l))}${x("contact", CONTACT)}</info>`;
          })
        : r.content!.targeting.languages.map((l) => {
          const c = r.content!;
          const cat = CATALOGUES[l];
          const t = textsIn(r, l);
          const description = [`${cat.lastSeen}: ${t.lastSeen}`, `${cat.description}: ${t.description}`, t.clothing && `${cat.clothing}: ${t.clothing}`, t.vehicle && `${cat.vehicle}: ${t.vehicle}`, t.accompanying && `${cat.accompanying}: ${t.accompanying}`].filter(Boolean).join("\n");
          const resources = FORMAT_NAMES.map((f) => `<resource>${x("resourceDesc", `poster ${f}`)}${x("mimeType", "image/png")}${x("uri", posterUrl(origin, r.alertId, f, l))}</resource>`).join("");
          const area = `<area>${x("areaDesc", c.targeting.regions.map((g) => (CATALOGUES[l].regions as Record<string, string>)[g] ?? g).join(", "))}${c.targeting.regions.map((g) => `<geocode>${x("valueName", REGION_CODE(g).valueName)}${x("value", REGION_CODE(g).value)}</geocode>`).join("")}</area>`;
          return `<info>${x("language", CAP_LANG[l])}<category>Rescue</category>${x("event", event)}<responseType>Monitor</responseType>${gravity}<certainty>Likely</certainty>${notice ? "" : `<eventCode>${x("valueName", "SAME")}${x("value", "CAE")}</eventCode>`}${x("effective", capTime(r.updatedAt))}${x("expires", r.endsAt && capTime(r.endsAt))}${x("senderName", "Child Alert")}${x("headline", t.headline.slice(0, 160))}${x("description", description)}${x("instruction", t.call ?? cat.pageInfo)}${x("web", pageUrl(origin, r.alertId, l))}${x("contact", c.showHotline ? CONTACT : null)}${resources}${area}</info>`;
        });
  return `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">${x("identifier", m.identifier)}${x("sender", sender)}${x("sent", m.sent)}${x("status", r.exercise ? "Exercise" : "Actual")}${x("msgType", m.msgType)}<scope>Public</scope>${r.exercise ? x("note", "EXERCISE — not a real alert") : ""}${x("references", references)}${x("incidents", r.alertId)}${infos.join("")}</alert>`;
}


// ------------------------------------------------------------------ a partner's own feed

/** What the partner registry says of the partner asking (by its API key). */
export interface FeedPartner {
  /** Issue 29: "child_alert" (the default) or "both" (search notices too). */
  takes?: string;
  country: string;
  languages: Language[];
  regions: string[];
  exercise: boolean;
}

/** The live alerts for one partner: its regions, and exercises only if it opted into them (its own test feed). */
export const partnerSees = (records: PublicAlert[], p: Pick<FeedPartner, "exercise" | "regions" | "takes">) =>
  live(records).filter((r) => (p.exercise || !r.exercise) && partnerTakes(p.takes, kindOf(r)) && regionMatches(p.regions, r.content!.targeting.regions));

/**
 * The live alerts as one partner receives them: only those for its regions (and
 * exercises if it opted in), texts and posters in its languages; and for a partner in a
 * country without adequate protection (rule 13) only that an alert is in progress, with
 * the public page's link.
 */
export function partnerFeed(records: PublicAlert[], origin: string, p: FeedPartner) {
  const alerts = partnerSees(records, p)
    .map((r) => {
      const targeted = r.content!.targeting.languages;
      const langs = p.languages.filter((l) => targeted.includes(l));
      const shown = langs.length ? langs : [targeted[0]!];
      if (!mayReceivePersonalData(p.country)) {
        return { ...inProgressItem(r, origin, shown[0]!, r.content!.showHotline), kind: kindOf(r), personalData: false as const, message: Object.fromEntries(shown.map((l) => [l, IN_PROGRESS[l]])) };
      }
      const item = alertItem(r, origin);
      const only = <T>(o: Partial<Record<Language, T>>) => Object.fromEntries(shown.map((l) => [l, o[l]]));
      return { ...item, personalData: true as const, languages: shown, texts: only(item.texts), posters: only(item.posters), cap: capUrl(origin, r.messages.at(-1)!.identifier) };
    });
  return { version: 1 as const, updated: newest(records), alerts };
}
