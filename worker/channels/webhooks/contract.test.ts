import { channelContract } from "../../fanout/contract.ts";
import { webhookStandIn } from "./standin.ts";

channelContract(webhookStandIn);
