// Which push endpoints we will ever POST to: https on the browsers' own push services.
// A subscription is a URL a stranger gives us; without this check the fan-out would be
// an open proxy into private networks (SSRF). Extra hosts (the local stand-in) are
// allowed only outside production, and only they may use plain http.

/** The push services of Chrome/Android, Firefox, Edge/Windows and Safari. */
export const PUSH_SERVICE_HOSTS = ["fcm.googleapis.com", "updates.push.services.mozilla.com", "web.push.apple.com"];
export const PUSH_SERVICE_SUFFIXES = [".notify.windows.com", ".push.apple.com"];

export interface EndpointPolicy {
  /** host[:port] entries allowed in addition (comma-separated in PUSH_EXTRA_HOSTS). */
  extraHosts: string[];
  /** Only "local" and "test" accept the extra hosts. */
  environment: string;
}

export const policyFromEnv = (env: { PUSH_EXTRA_HOSTS?: string; ENVIRONMENT?: string }): EndpointPolicy => ({
  extraHosts: (env.PUSH_EXTRA_HOSTS ?? "").split(",").map((h) => h.trim().toLowerCase()).filter(Boolean),
  environment: env.ENVIRONMENT ?? "production",
});

/** Returns the reason an endpoint is refused, or null when it may be used. */
export function endpointRefusal(endpoint: string, policy: EndpointPolicy): string | null {
  if (endpoint.length > 1024) return "endpoint too long";
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return "endpoint is not a URL";
  }
  if (url.username || url.password) return "endpoint must not carry credentials";
  const host = url.hostname.toLowerCase().replace(/\.+$/, "");
  if (/^[\d.]+$/.test(host) || host.includes(":") || host.startsWith("[")) return "endpoint must be a push service host name, not an IP address";
  const devOk = policy.environment === "local" || policy.environment === "test";
  if (devOk && policy.extraHosts.includes(url.host.toLowerCase())) {
    return url.protocol === "https:" || url.protocol === "http:" ? null : "endpoint must be http(s)";
  }
  if (url.protocol !== "https:") return "endpoint must use https";
  if (url.port && url.port !== "443") return "endpoint must use the default https port";
  if (PUSH_SERVICE_HOSTS.includes(host) || PUSH_SERVICE_SUFFIXES.some((s) => host.endsWith(s) && host.length > s.length)) return null;
  return `"${host}" is not a known push service`;
}
