import { z } from "zod";
import { Origin, Secret } from "../fields.ts";
import type { SocialNetworkSpec } from "../channel.ts";
import { type BlueskyCredentials, blueskyClient } from "./client.ts";
import { composeBluesky } from "./compose.ts";

export const blueskySpec = {
  network: "bluesky",
  label: { fr: "Bluesky", nl: "Bluesky", de: "Bluesky", en: "Bluesky" },
  fields: { target: Origin.describe("the account's service, e.g. https://bsky.social"), credentials: z.object({ identifier: Secret, appPassword: Secret }).strict() },
  compose: composeBluesky,
  client: blueskyClient,
} satisfies SocialNetworkSpec<BlueskyCredentials>;

