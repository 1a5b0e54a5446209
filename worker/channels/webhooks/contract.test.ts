import { channelContract } from "../../test/contract.ts";
import { webhookStandIn } from "../../test/standins/webhooks.ts";

channelContract(webhookStandIn);
