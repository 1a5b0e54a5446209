// The typed API client: paths, bodies and responses come from schema.d.ts, generated
// from the Worker's OpenAPI document (npm run gen:client). No hand-written API types.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

export const api = createClient<paths>({ baseUrl: "/api/v1", credentials: "same-origin" });

export type AlertDetail = components["schemas"]["AlertDetail"];
export type AlertSummary = components["schemas"]["AlertSummary"];
export type Problem = components["schemas"]["Problem"];
export type FanoutCounters = paths["/alerts/{id}/fanout"]["get"]["responses"][200]["content"]["application/json"]["fanouts"][number];

/** The message of a problem response, for the person in front of the screen. */
export function problemText(error: unknown, fallback = "Something went wrong"): string {
  const p = error as Partial<Problem> | undefined;
  return p?.detail ?? p?.title ?? fallback;
}
