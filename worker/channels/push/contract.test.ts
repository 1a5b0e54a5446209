import { channelContract } from "../../fanout/contract.ts";
import { pushStandIn } from "./standin.ts";

channelContract(pushStandIn);
