import { socialChannel, type SocialNetworkSpec } from "../channel.ts";
import { type MastodonCredentials, mastodonClient } from "./client.ts";
import { composeMastodon } from "./compose.ts";

export const mastodonSpec = {
  network: "mastodon",
  label: { fr: "Mastodon", nl: "Mastodon", de: "Mastodon", en: "Mastodon" },
  compose: composeMastodon,
  client: mastodonClient,
} satisfies SocialNetworkSpec<MastodonCredentials>;

export const mastodon = socialChannel(mastodonSpec);
