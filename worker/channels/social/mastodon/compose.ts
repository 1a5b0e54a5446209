// A Mastodon status: 500 characters (the default instance limit), every link counted as
// 23 whatever its length; the square poster with its description (at most 1,500). Pure.
import type { Language } from "../../../domain/index.ts";
import type { Broadcast } from "../../channel.ts";
import { composeSocial, type SocialMessage, type TextLimits, URL_PATTERN } from "../compose.ts";

export const MASTODON_LIMITS: TextLimits = {
  max: 500,
  length: (t) => [...t.replace(URL_PATTERN, "x".repeat(23))].length,
  altMax: 1500,
  poster: "square",
};

export const composeMastodon = (b: Broadcast, lang: Language): SocialMessage => composeSocial(b, lang, MASTODON_LIMITS);
