// Rule 9: when an alert is launched, updated or stopped, the federal police and the
// missing-persons cell are informed automatically. Who is told of what is decided here.
import type { AlertState } from "./lifecycle.ts";
import type { Role } from "./roles.ts";

export type InformEvent = "launched" | "updated" | "extended" | "stopped" | "expired" | "withdrawn_before_launch" | "review_due" | "purge_soon";

/** The investigating police service and the federal missing-persons cell (rule 9). */
const AUTHORITIES = ["cell", "investigator"] as const satisfies readonly Role[];

export const INFORMED: Readonly<Record<InformEvent, readonly Role[]>> = {
  launched: AUTHORITIES,
  updated: AUTHORITIES,
  extended: AUTHORITIES,
  stopped: AUTHORITIES,
  expired: AUTHORITIES,
  // An authorised alert that never went live is withdrawn: the authorities had been told it was coming.
  withdrawn_before_launch: AUTHORITIES,
  // Only the magistrate decides to extend or end (DOMAIN "Duration").
  review_due: ["magistrate"],
  // An unfinished alert is about to be purged for inactivity (rule 14): the coordinating cell may keep it alive.
  purge_soon: ["cell"],
};

/** Who is informed of an event. */
export const whoIsInformed = (event: InformEvent): readonly Role[] => INFORMED[event];

/** The event an ending produces for the authorities, if any. */
export function endingEvent(from: AlertState, to: "stopped" | "cancelled", reason?: string): InformEvent | null {
  if (from === "live") return reason === "expired" ? "expired" : "stopped";
  if (from === "authorised") return "withdrawn_before_launch";
  return null;
}
