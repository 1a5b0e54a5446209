// Drills (issue 27): an exercise alert put through the whole path, timed step by step
// against targets. The defaults are the wave's: from the magistrate's authorisation to the
// first browser 5 s, from the stop to the withdrawal complete on every channel 10 s, from
// a tip's arrival to the investigator having it 2 s. The admin may change them.
import { AppError } from "../errors.ts";
import type { Permission, Role } from "./roles.ts";

export const DRILL_TARGETS = {
  /** Authorisation → the first web-push delivery. */
  authorisation_to_first_push: 5_000,
  /** Stop → the withdrawal complete on every channel (social deletions included). */
  stop_to_withdrawn_everywhere: 10_000,
  /** A tip's arrival → forwarded to the investigators. */
  tip_to_investigator: 2_000,
} as const;
export type DrillTarget = keyof typeof DRILL_TARGETS;
export const DRILL_TARGET_KEYS = Object.keys(DRILL_TARGETS) as [DrillTarget, ...DrillTarget[]];

/** Reaching this share of a channel's deliveries is a milestone on the timeline. */
export const DRILL_MILESTONES = [0.5, 0.99, 1] as const;

/**
 * A drill seat: an account for drills only — the seats of `npm run drill`'s team, whose
 * passkeys a file holds. It acts on exercise alerts only: a real alert does not exist for
 * it (not listed, not readable, nothing to sign, stop or name it on), so a stolen team
 * file can run drills and nothing else. Only the seats a drill needs are drill seats.
 */
export const DRILL_SEAT_ROLES = ["cell", "investigator", "operator", "counsellor", "magistrate"] as const satisfies readonly Role[];

/** What a drill seat may do outside an exercise alert's own path: run and read drills, list alerts and read its inbox (exercises only), check readiness. */
const DRILL_SEAT_ELSEWHERE: readonly Permission[] = ["drill.run", "drill.read", "alert.read", "inbox.read", "health.read"];

/** A drill seat's role is one a drill needs: at its invitation and at any later change of role. */
export function checkDrillSeatRole(role: Role): void {
  if (!(DRILL_SEAT_ROLES as readonly Role[]).includes(role)) throw new AppError("E_RULE", `a drill seat is one of ${DRILL_SEAT_ROLES.join(", ")}`);
}

/**
 * A drill seat's request: on an alert's path, the alert must be an exercise (`exercise`
 * null: no such alert); a surface of every alert at once (the board of every alert's
 * moves) is not for it; elsewhere, an allowed permission.
 */
export function checkDrillSeat(permissions: readonly Permission[], alert: { exercise: boolean } | null | "no alert path" | "every alert"): void {
  if (alert === "every alert") throw new AppError("E_FORBIDDEN_ROLE", "a drill seat acts on exercises only: it follows its drill on the alert's own feed");
  if (alert === "no alert path") {
    if (!permissions.some((p) => DRILL_SEAT_ELSEWHERE.includes(p))) throw new AppError("E_FORBIDDEN_ROLE", "a drill seat acts on exercises only");
    return;
  }
  // Not "forbidden": for a drill seat a real alert does not exist.
  if (!alert?.exercise) throw new AppError("E_NOT_FOUND", "no such alert");
}
