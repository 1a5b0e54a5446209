// "Is this alert genuine?" (issue 28), the rule: what a claim names (an alert and maybe a
// version: from our signed statement, or from our address in a link, a post or a poster's
// QR code) against what we publish now.
export const VERDICTS = ["genuine_live", "genuine_ended", "genuine_outdated", "not_ours"] as const;
export type Verdict = (typeof VERDICTS)[number];

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

/** The alert (and the version) a text names through our own address, or null: anything else is not ours. */
export function namedAlert(text: string, origin: string): { alertId: string; version: number | null } | null {
  const o = origin.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const m = new RegExp(`${o}/(?:alert|verify)/(${UUID})(?:[/?#][^\\s]*?(?:[?&]v=(\\d+)))?`, "i").exec(text);
  return m ? { alertId: m[1]!.toLowerCase(), version: m[2] ? Number(m[2]) : null } : null;
}

/** Genuine and live, an older version, ended (stop sharing it), or not ours (nothing we publish by that id). */
export function verdictOf(claimedVersion: number | null, now: { status: "live" | "found" | "ended"; version: number | null } | null): Verdict {
  if (!now) return "not_ours";
  if (now.status !== "live") return "genuine_ended";
  return claimedVersion !== null && now.version !== null && claimedVersion < now.version ? "genuine_outdated" : "genuine_live";
}
