import { channelContract } from "../../../fanout/contract.ts";
import { socialStandIn } from "../standin.ts";

channelContract(socialStandIn("x"));
