import { z } from "zod";
import { Secret } from "../fields.ts";
import type { SocialNetworkSpec } from "../channel.ts";
import { type FacebookCredentials, facebookClient, graphOrigin } from "./client.ts";
import { composeFacebook } from "./compose.ts";

export const facebookSpec = {
  network: "facebook",
  label: { fr: "Page Facebook", nl: "Facebookpagina", de: "Facebook-Seite", en: "Facebook Page" },
  fields: {
    target: z.string().trim().regex(/^\d{5,30}$/, "the Page id (digits)"),
    credentials: z.object({ pageAccessToken: Secret, appSecret: Secret.optional() }).strict(),
  },
  compose: composeFacebook,
  client: facebookClient,
  apiOrigin: graphOrigin,
} satisfies SocialNetworkSpec<FacebookCredentials>;

