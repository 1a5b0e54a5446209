// The social networks by name: their specs (account fields, composer, client). A network
// in domain SOCIAL_NETWORKS without its entry here fails the typecheck; the channel
// registry (channels/index.ts) and the admin API's schemas derive from this map.
import { SOCIAL_NETWORKS, type SocialNetwork } from "../../domain/social.ts";
import { blueskySpec } from "./bluesky/channel.ts";
import { socialChannel, type SocialNetworkSpec } from "./channel.ts";
import { facebookSpec } from "./facebook/channel.ts";
import { mastodonSpec } from "./mastodon/channel.ts";
import { telegramSpec } from "./telegram/channel.ts";
import { xSpec } from "./x/channel.ts";

export const SOCIAL_SPECS: { [N in SocialNetwork]: SocialNetworkSpec<never> & { network: N } } = {
  mastodon: mastodonSpec as SocialNetworkSpec<never> & typeof mastodonSpec,
  bluesky: blueskySpec as SocialNetworkSpec<never> & typeof blueskySpec,
  x: xSpec as SocialNetworkSpec<never> & typeof xSpec,
  facebook: facebookSpec as SocialNetworkSpec<never> & typeof facebookSpec,
  telegram: telegramSpec as SocialNetworkSpec<never> & typeof telegramSpec,
};

/** One channel per network, in the list's order (each with its own queue). */
export const SOCIAL_CHANNELS = SOCIAL_NETWORKS.map((n) => socialChannel(SOCIAL_SPECS[n]));
