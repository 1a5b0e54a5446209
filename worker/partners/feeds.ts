// The pull surfaces for partners (issue 13): a JSON feed and an Atom feed of the live
// alerts, and one CAP 1.2 message per alert version (Alert, Update with references,
// Cancel after the stop), with an Atom index of the current messages. Pure functions of
// the board's public records: no D1, no clock but the one passed in.
import { callLine, CATALOGUES, endsLine, formatWhen, HOTLINE, HOTLINE_ABROAD, HOTLINE_ABROAD_DIAL, HOTLINE_DIAL } from "../../templates/i18n/index.ts";
import { FORMAT_NAMES, type FormatName } from "../../templates/posters/model.ts";
import { esc } from "../../templates/html.ts";
import { type Language, mayReceivePersonalData, readIn, type Region, regionMatches } from "../domain/index.ts";
import { capTime, type PublicAlert } from "./public-alert.ts";

/** A Cancel stays in the CAP index this long after the stop, so that every consumer sees it. */
export const CANCEL_LISTED_MS = 24 * 3600_000;

export const live = (records: PublicAlert[]) =>
  records.filter((r) => r.face === "alert" && r.content).sort((a, b) => b.launchedAt.localeCompare(a.launchedAt));

/**
 * What the keyless feeds (open to every origin) list: never an exercise (DOMAIN "Drills
 * never touch real traffic"). Exercises reach only the partners who opted in, on their
 * own feed, widget and webhooks.
 */
export const realOnly = (records: PublicAlert[]) => records.filter((r) => !r.exercise);

const pageUrl = (origin: string, id: string, lang?: Language) => `${origin}/alert/${id}${lang ? `?lang=${lang}` : ""}`;
const posterUrl = (origin: string, id: string, format: FormatName, lang: Language) => `${origin}/alert/${id}/poster/${format}-${lang}.png`;
export const capUrl = (origin: string, identifier: string) => `${origin}/api/v1/feeds/cap/${identifier}.xml`;

/** Rule 8 for machines: both numbers as dialled, in every partner payload (null when the operator left them out). */
export const hotlineFields = (show: boolean) => ({ hotline: show ? HOTLINE_DIAL : null, hotlineAbroad: show ? HOTLINE_ABROAD_DIAL : null });

/** The texts of a live alert in one language, as the public page shows them (rule 8: both numbers, and the current end). */
function textsIn(r: Pick<PublicAlert, "exercise" | "content" | "endsAt">, lang: Language) {
  const c = r.content!;
  const cat = CATALOGUES[lang];
  const t = readIn(c, lang);
  return {
    headline: `${r.exercise ? `${cat.exercise} — ` : ""}CHILD ALERT: ${t.name}`,
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

// ------------------------------------------------------------------ JSON

/** What the feed and an adequate partner's webhook say of a live alert (no CAP link: the feed adds it). */
export function alertItem(r: Pick<PublicAlert, "alertId" | "exercise" | "version" | "launchedAt" | "updatedAt" | "endsAt" | "content" | "face">, origin: string) {
  const c = r.content!;
  const langs = c.targeting.languages;
  return {
    id: r.alertId,
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
  };
}

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
export function capMessage(r: PublicAlert, origin: string): string {
  const m = r.messages.at(-1)!;
  const sender = `child-alert@${new URL(origin).hostname}`;
  const references = r.messages.slice(0, -1).map((p) => `${sender},${p.identifier},${p.sent}`).join(" ");
  const x = (name: string, value: string | number | null | undefined) => (value === null || value === undefined || value === "" ? "" : `<${name}>${esc(String(value))}</${name}>`);
  const infos =
    m.msgType === "Cancel"
      ? (["fr", "nl", "de", "en"] as const).map((l) => {
          const cat = CATALOGUES[l];
          const found = r.face === "found";
          // The Cancel stays valid as long as it is listed (an expires in the past would let a consumer drop it unheard).
          const expires = r.stoppedAt && capTime(new Date(Date.parse(r.stoppedAt) + CANCEL_LISTED_MS));
          return `<info>${x("language", CAP_LANG[l])}<category>Rescue</category>${x("event", "Child Abduction Emergency")}<responseType>AllClear</responseType><urgency>Past</urgency><severity>Minor</severity><certainty>Observed</certainty>${x("expires", expires)}${x("senderName", "Child Alert")}${x("headline", found ? cat.foundTitle : cat.endedTitle)}${x("description", found ? cat.foundBody : cat.endedBody)}${x("instruction", callLine(cat))}${x("web", pageUrl(origin, r.alertId, l))}${x("contact", CONTACT)}</info>`;
        })
      : r.content!.targeting.languages.map((l) => {
          const c = r.content!;
          const cat = CATALOGUES[l];
          const t = textsIn(r, l);
          const description = [`${cat.lastSeen}: ${t.lastSeen}`, `${cat.description}: ${t.description}`, t.clothing && `${cat.clothing}: ${t.clothing}`, t.vehicle && `${cat.vehicle}: ${t.vehicle}`, t.accompanying && `${cat.accompanying}: ${t.accompanying}`].filter(Boolean).join("\n");
          const resources = FORMAT_NAMES.map((f) => `<resource>${x("resourceDesc", `poster ${f}`)}${x("mimeType", "image/png")}${x("uri", posterUrl(origin, r.alertId, f, l))}</resource>`).join("");
          const area = `<area>${x("areaDesc", c.targeting.regions.map((g) => (CATALOGUES[l].regions as Record<string, string>)[g] ?? g).join(", "))}${c.targeting.regions.map((g) => `<geocode>${x("valueName", REGION_CODE(g).valueName)}${x("value", REGION_CODE(g).value)}</geocode>`).join("")}</area>`;
          return `<info>${x("language", CAP_LANG[l])}<category>Rescue</category>${x("event", "Child Abduction Emergency")}<responseType>Monitor</responseType><urgency>Immediate</urgency><severity>Severe</severity><certainty>Likely</certainty><eventCode>${x("valueName", "SAME")}${x("value", "CAE")}</eventCode>${x("effective", capTime(r.updatedAt))}${x("expires", r.endsAt && capTime(r.endsAt))}${x("senderName", "Child Alert")}${x("headline", t.headline.slice(0, 160))}${x("description", description)}${x("instruction", t.call ?? cat.pageInfo)}${x("web", pageUrl(origin, r.alertId, l))}${x("contact", c.showHotline ? CONTACT : null)}${resources}${area}</info>`;
        });
  return `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">${x("identifier", m.identifier)}${x("sender", sender)}${x("sent", m.sent)}${x("status", r.exercise ? "Exercise" : "Actual")}${x("msgType", m.msgType)}<scope>Public</scope>${r.exercise ? x("note", "EXERCISE — not a real alert") : ""}${x("references", references)}${x("incidents", r.alertId)}${infos.join("")}</alert>`;
}


// ------------------------------------------------------------------ a partner's own feed

/** What the partner registry says of the partner asking (by its API key). */
export interface FeedPartner {
  country: string;
  languages: Language[];
  regions: string[];
  exercise: boolean;
}

export const IN_PROGRESS: Record<Language, string> = {
  fr: "Une Child Alert est en cours : voir la page publique.",
  nl: "Er loopt een Child Alert: zie de openbare pagina.",
  de: "Ein Child Alert läuft: siehe die öffentliche Seite.",
  en: "A Child Alert is in progress: see the public page.",
};

/** Rule 13: all a partner abroad learns of a live alert (feed and webhook alike) — and where to call (rule 8). */
export const inProgressItem = (r: Pick<PublicAlert, "alertId" | "exercise" | "endsAt">, origin: string, lang: Language, showHotline: boolean) => ({
  id: r.alertId,
  exercise: r.exercise,
  url: pageUrl(origin, r.alertId, lang),
  endsAt: r.endsAt,
  message: IN_PROGRESS[lang],
  ...hotlineFields(showHotline),
  call: showHotline ? callLine(CATALOGUES[lang]) : null,
  ends: r.endsAt ? endsLine(CATALOGUES[lang], r.endsAt) : null,
});

/** The live alerts for one partner: its regions, and exercises only if it opted into them (its own test feed). */
export const partnerSees = (records: PublicAlert[], p: Pick<FeedPartner, "exercise" | "regions">) =>
  live(records).filter((r) => (p.exercise || !r.exercise) && regionMatches(p.regions, r.content!.targeting.regions));

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
        return { ...inProgressItem(r, origin, shown[0]!, r.content!.showHotline), personalData: false as const, message: Object.fromEntries(shown.map((l) => [l, IN_PROGRESS[l]])) };
      }
      const item = alertItem(r, origin);
      const only = <T>(o: Partial<Record<Language, T>>) => Object.fromEntries(shown.map((l) => [l, o[l]]));
      return { ...item, personalData: true as const, languages: shown, texts: only(item.texts), posters: only(item.posters), cap: capUrl(origin, r.messages.at(-1)!.identifier) };
    });
  return { version: 1 as const, updated: newest(records), alerts };
}
