import { channelContract } from "../../../fanout/contract.ts";
import { socialStandIn } from "../standin.ts";

// Mastodon also proves the shared social engine (social/channel.ts) under the load cases, once for the five networks.
channelContract(socialStandIn("mastodon", "crowd"));
