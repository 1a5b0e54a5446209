import { channelContract } from "../../../test/contract.ts";
import { socialStandIn } from "../../../test/standins/social.ts";

// Mastodon also proves the shared social engine (social/channel.ts) under the load cases, once for the five networks.
channelContract(socialStandIn("mastodon", "crowd"));
