import { z } from "zod";
import { Secret } from "../fields.ts";
import type { SocialNetworkSpec } from "../channel.ts";
import { xClient, xApiOrigin } from "./client.ts";
import type { OAuth1Credentials } from "./oauth1.ts";
import { composeX } from "./compose.ts";

export const xSpec = {
  network: "x",
  label: { fr: "X", nl: "X", de: "X", en: "X" },
  fields: { target: z.literal("").default(""), credentials: z.object({ consumerKey: Secret, consumerSecret: Secret, accessToken: Secret, accessTokenSecret: Secret }).strict() },
  compose: composeX,
  client: xClient,
  apiOrigin: xApiOrigin,
} satisfies SocialNetworkSpec<OAuth1Credentials>;

