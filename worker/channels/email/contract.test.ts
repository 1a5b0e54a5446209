import { channelContract } from "../../fanout/contract.ts";
import { emailStandIn } from "./standin.ts";

channelContract(emailStandIn);
