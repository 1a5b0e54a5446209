// A Bluesky post (app.bsky.feed.post): 300 graphemes, links written out in full and made
// clickable by facets (byte ranges, computed here by the official RichText), the square
// poster as an image embed with its alt text. Pure.
import { RichText } from "@atproto/api";
import type { Language } from "../../../domain/index.ts";
import type { Broadcast } from "../../channel.ts";
import { composeSocial, graphemes, type SocialMessage, type TextLimits } from "../compose.ts";

export const BLUESKY_LIMITS: TextLimits = { max: 300, length: graphemes, altMax: 2000, poster: "square" };

export function composeBluesky(b: Broadcast, lang: Language): SocialMessage {
  const m = composeSocial(b, lang, BLUESKY_LIMITS);
  const rt = new RichText({ text: m.text });
  rt.detectFacetsWithoutResolution(); // links and #tags; mentions would need a resolution: there are none
  return { ...m, extra: { facets: JSON.parse(JSON.stringify(rt.facets ?? [])) as unknown[] } };
}
