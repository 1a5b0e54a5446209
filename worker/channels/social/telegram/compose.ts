// A Telegram channel post: the square poster with a caption of at most 1,024 characters
// (a text-only stop message). Telegram has no image description: the caption carries
// the poster's words. Pure.
import type { Language } from "../../../domain/index.ts";
import type { Broadcast } from "../../channel.ts";
import { composeSocial, type SocialMessage, type TextLimits } from "../compose.ts";

export const TELEGRAM_LIMITS: TextLimits = { max: 1024, length: (t) => t.length, altMax: 0, poster: "square" };

export const composeTelegram = (b: Broadcast, lang: Language): SocialMessage => composeSocial(b, lang, TELEGRAM_LIMITS);
