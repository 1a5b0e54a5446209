// Social posts (issue 15): the networks the foundation posts to, and when a post with the
// child's face is the operator's to act on.

/**
 * The official networks: the one list. The DB column, the admin API's schemas, the
 * dashboard and the channel registry derive from it; a network added here without its
 * folder (spec in channels/social/networks.ts) or its queue binding fails the typecheck.
 */
export const SOCIAL_NETWORKS = ["mastodon", "bluesky", "x", "facebook", "telegram"] as const;
export type SocialNetwork = (typeof SOCIAL_NETWORKS)[number];

export interface SocialPostState {
  accountId: string;
  kind: "content" | "stop";
  state: "live" | "deleted" | "stuck";
  createdAt: string;
  lastError: string | null;
}

/**
 * A content post should be gone once the alert ended or a newer post of the same account
 * replaced it; it needs the operator when the network refused for good (stuck) or a
 * deletion that should have happened failed.
 */
export function needsAttention(p: SocialPostState, all: readonly SocialPostState[], ended: boolean): boolean {
  if (p.kind !== "content" || p.state === "deleted") return false;
  if (p.state === "stuck") return true;
  const replaced = all.some((q) => q.accountId === p.accountId && q.kind === "content" && q.createdAt > p.createdAt);
  return (ended || replaced) && p.lastError !== null;
}
