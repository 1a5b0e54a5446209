import { z } from "zod";
import { Origin, Secret } from "../fields.ts";
import type { SocialNetworkSpec } from "../channel.ts";
import { type MastodonCredentials, mastodonClient } from "./client.ts";
import { composeMastodon } from "./compose.ts";

export const mastodonSpec = {
  network: "mastodon",
  label: { fr: "Mastodon", nl: "Mastodon", de: "Mastodon", en: "Mastodon" },
  fields: { target: Origin.describe("the instance, e.g. https://mastodon.social"), credentials: z.object({ accessToken: Secret }).strict() },
  compose: composeMastodon,
  client: mastodonClient,
} satisfies SocialNetworkSpec<MastodonCredentials>;

