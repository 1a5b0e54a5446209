// Drills (issue 27): an exercise alert put through the whole path, timed step by step
// against targets. The defaults are the wave's: from the magistrate's authorisation to the
// first browser 5 s, from the stop to the withdrawal complete on every channel 10 s, from
// a tip's arrival to the investigator having it 2 s. The admin may change them.

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
