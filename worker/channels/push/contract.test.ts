import { channelContract } from "../../test/contract.ts";
import { pushStandIn } from "../../test/standins/push.ts";

channelContract(pushStandIn);
