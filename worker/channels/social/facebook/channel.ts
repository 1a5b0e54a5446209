import { socialChannel, type SocialNetworkSpec } from "../channel.ts";
import { type FacebookCredentials, facebookClient, graphOrigin } from "./client.ts";
import { composeFacebook } from "./compose.ts";

export const facebookSpec = {
  network: "facebook",
  label: { fr: "Page Facebook", nl: "Facebookpagina", de: "Facebook-Seite", en: "Facebook Page" },
  compose: composeFacebook,
  client: facebookClient,
  apiOrigin: graphOrigin,
} satisfies SocialNetworkSpec<FacebookCredentials>;

export const facebook = socialChannel(facebookSpec);
