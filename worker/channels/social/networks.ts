// The social networks by name: their specs (composer + client), for the routes that act
// on one post outside a fan-out (the operator's "try again").
import type { SocialNetwork } from "../../db/social.ts";
import { blueskySpec } from "./bluesky/channel.ts";
import type { SocialNetworkSpec } from "./channel.ts";
import { facebookSpec } from "./facebook/channel.ts";
import { mastodonSpec } from "./mastodon/channel.ts";
import { telegramSpec } from "./telegram/channel.ts";
import { xSpec } from "./x/channel.ts";

export const SOCIAL_SPECS: Record<SocialNetwork, SocialNetworkSpec<never>> = {
  mastodon: mastodonSpec as SocialNetworkSpec<never>,
  bluesky: blueskySpec as SocialNetworkSpec<never>,
  x: xSpec as SocialNetworkSpec<never>,
  facebook: facebookSpec as SocialNetworkSpec<never>,
  telegram: telegramSpec as SocialNetworkSpec<never>,
};
