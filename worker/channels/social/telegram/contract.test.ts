import { channelContract } from "../../../test/contract.ts";
import { socialStandIn } from "../../../test/standins/social.ts";

channelContract(socialStandIn("telegram"));
