// The fan-out's queue job: one page of one channel's broadcast. The channel enum comes
// from the registry, so a new channel needs no new job type.
import { z } from "zod";
import { BROADCAST_EVENTS } from "../channels/channel.ts";
import { CHANNEL_NAMES } from "../channels/index.ts";

export const PageJob = z.object({
  type: z.literal("page"),
  channel: z.enum(CHANNEL_NAMES),
  alertId: z.uuid(),
  fanoutId: z.uuid(),
  event: z.enum(BROADCAST_EVENTS),
  /** The page: recipient keys in [from, to). */
  from: z.number().int().nonnegative(),
  to: z.number().int().positive(),
  /** For retries: only these recipients of the page. */
  keys: z.array(z.number().int().positive()).max(1000).optional(),
  attempt: z.number().int().min(0),
});
export type PageJob = z.infer<typeof PageJob>;

export const pageKeyOf = (j: Pick<PageJob, "from" | "to" | "attempt">) => `${j.from}-${j.to}${j.attempt ? `#r${j.attempt}` : ""}`;
