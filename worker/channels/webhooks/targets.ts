// Which webhook URLs we will POST to. A partner's URL is a URL a stranger could set: it
// must be https on the default port, a host name (no IP literal, no credentials), and not
// a name that means this machine or a private network. The Worker's own outbound fetch
// cannot reach private addresses on Cloudflare; these rules also hold where it could
// (locally), and the check runs at registration and again before every delivery. Extra
// hosts (the local stand-in) are allowed only in "local" and "test" environments.

export interface TargetPolicy {
  extraHosts: string[];
  environment: string;
}

export const targetPolicy = (env: { WEBHOOK_EXTRA_HOSTS?: string; ENVIRONMENT?: string }): TargetPolicy => ({
  extraHosts: (env.WEBHOOK_EXTRA_HOSTS ?? "").split(",").map((h) => h.trim().toLowerCase()).filter(Boolean),
  environment: env.ENVIRONMENT ?? "production",
});

/** Names of this machine, of private networks, and the reserved test names (RFC 6761). */
const PRIVATE_SUFFIXES = [".localhost", ".local", ".internal", ".lan", ".home", ".corp", ".intranet", ".private", ".home.arpa", ".test", ".invalid", ".example", ".arpa"];
/** Cloud metadata services reachable by name. */
const METADATA_HOSTS = ["metadata.google.internal", "metadata.goog", "instance-data.ec2.internal", "metadata.azure.com"];

/**
 * The host as a resolver will see it: lower-case, without the trailing dot(s) of a fully
 * qualified name ("localhost." is localhost). IP literals in any form (decimal
 * 2130706433, hex 0x7f.1, short 127.1, IPv6 and IPv4-mapped IPv6) are normalised by the
 * URL parser into dotted quads or bracketed IPv6, which the rules below refuse.
 */
export const normalisedHost = (url: URL): string => url.hostname.toLowerCase().replace(/\.+$/, "");

/** The reason a webhook URL is refused, or null when it may be used. */
export function webhookTargetRefusal(target: string, policy: TargetPolicy): string | null {
  if (target.length > 1024) return "URL too long";
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return "not a URL";
  }
  if (url.username || url.password) return "the URL must not carry credentials";
  const host = normalisedHost(url);
  const devOk = policy.environment === "local" || policy.environment === "test";
  if (devOk && policy.extraHosts.includes(url.host.toLowerCase())) return url.protocol === "https:" || url.protocol === "http:" ? null : "the URL must be http(s)";
  if (url.protocol !== "https:") return "the URL must use https";
  if (url.port && url.port !== "443") return "the URL must use the default https port";
  if (/^[\d.]+$/.test(host) || host.includes(":") || host.startsWith("[")) return "the URL must name a host, not an IP address";
  if (!host.includes(".") || host === "localhost" || PRIVATE_SUFFIXES.some((s) => host.endsWith(s))) return `"${host}" is a local or private name`;
  if (METADATA_HOSTS.includes(host)) return `"${host}" is a cloud metadata service`;
  return null;
}
