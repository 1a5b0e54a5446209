import { socialChannel, type SocialNetworkSpec } from "../channel.ts";
import { type BlueskyCredentials, blueskyClient } from "./client.ts";
import { composeBluesky } from "./compose.ts";

export const blueskySpec = {
  network: "bluesky",
  label: { fr: "Bluesky", nl: "Bluesky", de: "Bluesky", en: "Bluesky" },
  compose: composeBluesky,
  client: blueskyClient,
} satisfies SocialNetworkSpec<BlueskyCredentials>;

export const bluesky = socialChannel(blueskySpec);
