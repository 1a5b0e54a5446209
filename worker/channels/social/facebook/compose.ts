// A Facebook Page photo post: the message has room (63,206 characters) but is kept as
// short as the others; the square poster with a custom alt text. Pure.
import type { Language } from "../../../domain/index.ts";
import type { Broadcast } from "../../channel.ts";
import { composeSocial, type SocialMessage, type TextLimits } from "../compose.ts";

export const FACEBOOK_LIMITS: TextLimits = { max: 2000, length: (t) => t.length, altMax: 1000, poster: "square" };

export const composeFacebook = (b: Broadcast, lang: Language): SocialMessage => composeSocial(b, lang, FACEBOOK_LIMITS);
