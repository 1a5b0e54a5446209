// A Bluesky post (app.bsky.feed.post): 300 graphemes, links written out in full and made
// clickable by facets (byte ranges, computed here by the official RichText), the square
// poster as an image embed with its alt text. Pure.
import { RichText } from "@atproto/api";
import type { Language } from "../../../domain/index.ts";
import type { Broadcast } from "../../channel.ts";
import { composeSocial, graphemes, type SocialMessage, type TextLimits } from "../compose.ts";

/** The link as Bluesky's own apps write it: host and path, cut short; the facet carries the whole URL. */
function linkText(url: string): string {
  const u = new URL(url);
  const shown = `${u.host}${u.pathname}`;
  return shown.length <= 40 ? shown : `${shown.slice(0, 39)}…`;
}

export const BLUESKY_LIMITS: TextLimits = { max: 300, length: graphemes, altMax: 2000, poster: "square", linkText };

const LINK_FACET = "app.bsky.richtext.facet#link";
type Facet = { index: { byteStart: number; byteEnd: number }; features: { $type: string; uri?: string; tag?: string }[] };

export function composeBluesky(b: Broadcast, lang: Language): SocialMessage {
  const m = composeSocial(b, lang, BLUESKY_LIMITS);
  const rt = new RichText({ text: m.text });
  rt.detectFacetsWithoutResolution(); // #tags (and links written out); mentions would need a resolution: there are none
  const shown = (m.extra?.linkText as string | undefined) ?? m.link;
  const bytes = new TextEncoder();
  const linkAt = (text: string, at: number, uri: string): Facet => {
    const start = bytes.encode(m.text.slice(0, at)).length;
    return { index: { byteStart: start, byteEnd: start + bytes.encode(text).length }, features: [{ $type: LINK_FACET, uri }] };
  };
  const ours = [linkAt(shown, m.text.lastIndexOf(shown), m.link)];
  // The check link (issue 28) is written short too; its facet carries the whole URL.
  if (m.verify) ours.push(linkAt(m.verify.shown, m.text.lastIndexOf(m.verify.shown), m.verify.link));
  // The detector would link the short texts to URLs of its own making: ours replace whatever overlaps them.
  const overlaps = (f: Facet) => ours.some((o) => !(f.index.byteEnd <= o.index.byteStart || f.index.byteStart >= o.index.byteEnd));
  const detected = (JSON.parse(JSON.stringify(rt.facets ?? [])) as Facet[]).filter((f) => !overlaps(f));
  const facets = [...detected, ...ours].sort((a, b2) => a.index.byteStart - b2.index.byteStart);
  return { ...m, extra: { facets } };
}
