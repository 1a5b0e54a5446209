export function freshSocialAccount(network: "mastodon" | "bluesky" | "x" | "facebook" | "telegram", origin: string): { target: string; credentials: Record<string, string>; handle: string };
