// What the official accounts post, in one language, within one network's limits. Pure.
// Every network gets the same parts in the same order; what a network cannot hold is
// given up in a fixed order (hashtags first, then the details, then the description),
// never the EXERCISE marking, the name, where and when, the numbers or the link.
import { ageText, callLine, CATALOGUES, endsLine, formatWhen, HOTLINE, HOTLINE_ABROAD } from "../../../templates/i18n/index.ts";
import { verifyUrl } from "../../../templates/partner-item.ts";
import type { FormatName } from "../../../templates/posters/model.ts";
import { type Language, readIn } from "../../domain/index.ts";
import { alertPosterModel, posterText } from "../../render/poster-model.ts";
import type { Broadcast } from "../channel.ts";

/** One post as composed: the text, the link it carries, the poster to attach and its alt text. */
export interface SocialMessage {
  kind: "content" | "stop";
  lang: Language;
  text: string;
  /** The public alert page; content links carry the version (`v=`), so each version's link preview is fetched anew. */
  link: string;
  /** The poster attached to a content post (none after the stop: no face, no name). */
  poster: FormatName | null;
  /** The poster in words, for screen readers. */
  alt: string | null;
  /** The check of this version (issue 28: "is this alert genuine?") when the post has room for it, and how the text writes it. */
  verify?: { link: string; shown: string };
  /** Extra, network-specific and JSON-safe (Bluesky's facets). */
  extra?: Record<string, unknown>;
}

export interface TextLimits {
  /** The most the network takes, in its own measure. */
  max: number;
  /** The network's measure of a text. */
  length(text: string): number;
  /** The most the network takes as an image description (0: the network has none). */
  altMax: number;
  poster: FormatName;
  /** How the link is written in the text when the network links a shorter text (Bluesky's facets); absent: the URL itself. */
  linkText?(url: string): string;
}

/** Characters as people see them (Bluesky counts graphemes). */
const segmenter = new Intl.Segmenter("en", { granularity: "grapheme" });
export const graphemes = (s: string) => [...segmenter.segment(s)].length;
export const URL_PATTERN = /https?:\/\/\S+/g;

/** Cuts at a word boundary with an ellipsis so that `measure(result) <= room`; "" if nothing fits. */
export function clipTo(s: string, room: number, measure: (t: string) => number): string {
  if (measure(s) <= room) return s;
  const words = s.split(" ");
  while (words.length) {
    words.pop();
    const t = `${words.join(" ").replace(/[\s,.;:—-]+$/u, "")}…`;
    if (words.length && measure(t) <= room) return t;
  }
  return "";
}

interface Part {
  text: string;
  /** keep: never given up (only its `short` form may replace it); clip: shortened, then dropped; drop: whole or not at all. Lower `order` gives up first. */
  mode: "keep" | "clip" | "drop";
  order: number;
  /** The same essentials in fewer characters, used only when giving up every optional part was not enough. */
  short?: string;
}

/** Joins the parts by lines, giving up optional ones (lowest order first), then using the essentials' short forms, until it fits. */
export function fit(parts: Part[], limits: Pick<TextLimits, "max" | "length">): string {
  const present = parts.filter((p) => p.text);
  const join = (ps: Part[]) => ps.map((p) => p.text).join("\n");
  const optional = present.filter((p) => p.mode !== "keep").sort((a, b) => a.order - b.order);
  let out = present;
  for (const p of optional) {
    if (limits.length(join(out)) <= limits.max) break;
    const others = limits.length(join(out.filter((x) => x !== p)));
    const room = limits.max - others - 1; // the line break
    const clipped = p.mode === "clip" && room > 10 ? clipTo(p.text, room, limits.length) : "";
    out = clipped ? out.map((x) => (x === p ? { ...x, text: clipped } : x)) : out.filter((x) => x !== p);
  }
  for (const p of present) {
    if (limits.length(join(out)) <= limits.max) break;
    if (p.short) out = out.map((x) => (x.text === p.text ? { ...x, text: p.short! } : x));
  }
  const text = join(out);
  if (limits.length(text) > limits.max) throw new Error(`social post over the network's limit (${limits.length(text)} > ${limits.max})`);
  return text;
}

/** The alt text of an alert poster: what the poster says, in words, and that it shows the photo. */
export function posterAlt(b: Broadcast, lang: Language, max: number): string | null {
  if (!max || !b.content) return null;
  const c = CATALOGUES[lang];
  const model = alertPosterModel({ content: b.content, exercise: b.exercise, kind: b.kind, photo: null, qr: null }, lang);
  const altOf = (m: typeof model) => `${c.socialPoster} (${c.socialPhoto}): ${posterText(m)}`;
  const alt = altOf(model);
  if (alt.length <= max || !model.text) return alt;
  // Too long: the description and the clothing give way (clipped), never the name, place, time or numbers.
  const t = model.text;
  const room = max - altOf({ ...model, text: { ...t, description: "", clothing: undefined } }).length;
  const clothing = t.clothing ? clipTo(t.clothing, Math.floor(room / 3), (x) => x.length) : "";
  const description = clipTo(t.description, room - clothing.length - (clothing ? c.clothing.length + 4 : 0), (x) => x.length);
  const clipped = altOf({ ...model, text: { ...t, description, clothing: clothing || undefined } });
  return clipped.length <= max ? clipped : `${clipped.slice(0, max - 1)}…`;
}

export const alertLink = (b: Broadcast, lang: Language) =>
  b.event === "stop" ? `${b.origin}/alert/${b.alertId}?lang=${lang}` : `${b.origin}/alert/${b.alertId}?lang=${lang}&v=${b.version}`;

/** The post of a broadcast for a network with these limits (never throws: the fewest words if the rest cannot fit). */
export function composeSocial(b: Broadcast, lang: Language, limits: TextLimits): SocialMessage {
  try {
    return composeFull(b, lang, limits);
  } catch {
    // Essentials longer than the network allows (a very long name or place): the headline, clipped, and the link.
    const c = CATALOGUES[lang];
    const link = alertLink(b, lang);
    const shown = limits.linkText?.(link) ?? link;
    const head = `${b.exercise ? `${c.exercise} — ` : ""}${b.event === "stop" ? (b.stopReason === "found_safe" ? c.foundTitle : c.endedTitle) : `${b.kind === "search_notice" ? c.noticeBrand : c.headline}: ${readIn(b.content!, lang).name}`}`;
    const text = fit([{ text: head, mode: "clip", order: 1 }, { text: shown, mode: "keep", order: 0 }], limits);
    return { kind: b.event === "stop" ? "stop" : "content", lang, text, link, poster: b.event === "stop" ? null : limits.poster, alt: posterAlt(b, lang, limits.altMax), ...(shown !== link ? { extra: { linkText: shown } } : {}) };
  }
}

function composeFull(b: Broadcast, lang: Language, limits: TextLimits): SocialMessage {
  const c = CATALOGUES[lang];
  const link = alertLink(b, lang);
  const shown = limits.linkText?.(link) ?? link;
  const exercise = b.exercise ? `${c.exercise} — ${c.exerciseNote}` : "";
  if (b.event === "stop") {
    const found = b.stopReason === "found_safe";
    const text = fit(
      [
        { text: exercise, mode: "keep", order: 0 },
        { text: `${found ? c.foundTitle : c.endedTitle}. ${found ? c.foundBody : c.endedBody}`, mode: "keep", order: 0 },
        { text: callLine(c), mode: "keep", order: 0, short: `☎ ${HOTLINE} · ${HOTLINE_ABROAD}` },
        { text: c.socialRemoveShares, mode: "drop", order: 2 },
        { text: shown, mode: "keep", order: 0 },
        { text: c.socialHashtags, mode: "drop", order: 1 },
      ],
      limits,
    );
    return { kind: "stop", lang, text, link, poster: null, alt: null, ...(shown !== link ? { extra: { linkText: shown } } : {}) };
  }
  const content = b.content!;
  const r = readIn(content, lang);
  // The check of this version (issue 28): hoaxes copy an alert's look; the link proves it is ours and live.
  const verify = verifyUrl(b.origin, b.alertId, b.version);
  const verifyShown = limits.linkText?.(verify) ?? verify;
  const verifyLine = `${c.socialVerify} ${verifyShown}`;
  // An exercise says so on its first line; the title need not repeat it.
  // Issue 29: a search notice is not an abduction alert, and says so.
  const title = `${b.version > 1 ? `${c.mailUpdate} — ` : ""}${b.kind === "search_notice" ? `${c.noticeBrand} — ${c.noticeHeadline}` : c.headline}: ${r.name}, ${ageText(c, content.child.age)}`;
  const seen = `${formatWhen(c, content.lastSeen.at)}, ${r.place}`;
  const details = [r.clothing && `${c.clothing}: ${r.clothing}.`, r.vehicleLine && `${c.vehicle}: ${r.vehicleLine}.`, r.accompanying && `${c.accompanying}: ${r.accompanying}.`]
    .filter(Boolean)
    .join(" ");
  const text = fit(
    [
      { text: exercise, mode: "keep", order: 0 },
      { text: title, mode: "keep", order: 0 },
      { text: `${c.lastSeen}: ${seen}.`, mode: "keep", order: 0, short: `${seen}.` },
      { text: r.description, mode: "clip", order: 3 },
      { text: details, mode: "clip", order: 2 },
      { text: content.showHotline ? callLine(c) : "", mode: "keep", order: 0, short: `☎ ${HOTLINE} · ${HOTLINE_ABROAD}` },
      { text: b.endsAt ? `${endsLine(c, b.endsAt)}.` : "", mode: "drop", order: 1.5 },
      { text: shown, mode: "keep", order: 0 },
      // Given up after the hashtags and the end time, before the details and the description.
      { text: verifyLine, mode: "drop", order: 1.7 },
      { text: c.socialHashtags, mode: "drop", order: 1 },
    ],
    limits,
  );
  const kept = text.split("\n").includes(verifyLine);
  return {
    kind: "content",
    lang,
    text,
    link,
    poster: limits.poster,
    alt: posterAlt(b, lang, limits.altMax),
    ...(kept ? { verify: { link: verify, shown: verifyShown } } : {}),
    ...(shown !== link ? { extra: { linkText: shown } } : {}),
  };
}
