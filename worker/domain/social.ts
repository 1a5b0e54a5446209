// Social posts (issue 15): when one with the child's face is the operator's to act on.

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
