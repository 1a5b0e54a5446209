// A post on X: 280 in X's weighted count (twitter-text v3: most Latin, punctuation and
// general symbols weigh 1, everything else 2; every URL 23), the landscape poster with
// its alt text (at most 1,000). Pure.
import type { Language } from "../../../domain/index.ts";
import type { Broadcast } from "../../channel.ts";
import { composeSocial, type SocialMessage, type TextLimits, URL_PATTERN } from "../compose.ts";

const LIGHT: [number, number][] = [
  [0, 4351],
  [8192, 8205],
  [8208, 8223],
  [8242, 8247],
];

export function xWeightedLength(text: string): number {
  let n = 0;
  for (const ch of text.replace(URL_PATTERN, "x".repeat(23))) {
    const cp = ch.codePointAt(0)!;
    n += LIGHT.some(([a, b]) => cp >= a && cp <= b) ? 1 : 2;
  }
  return n;
}

export const X_LIMITS: TextLimits = { max: 280, length: xWeightedLength, altMax: 1000, poster: "landscape" };

export const composeX = (b: Broadcast, lang: Language): SocialMessage => composeSocial(b, lang, X_LIMITS);
