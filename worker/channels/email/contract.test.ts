import { channelContract } from "../../test/contract.ts";
import { emailStandIn } from "../../test/standins/email.ts";

channelContract(emailStandIn);
