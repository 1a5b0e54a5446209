// The typed API client: paths, bodies and responses come from schema.d.ts, generated
// from the Worker's OpenAPI document (npm run gen:client). No hand-written API types.
import createClient from "openapi-fetch";
import type { LocalizedField } from "../../../worker/domain/content.ts";
import { hasKey, languageName, t, TEXT_LABEL } from "../i18n";
import type { components, paths } from "./schema";

// Every request carries our client header: the server refuses a state-changing request that a
// plain HTML form could send (routes/http.ts CLIENT_HEADER), so a planted form cannot act.
export const api = createClient<paths>({ baseUrl: "/api/v1", credentials: "same-origin", headers: { "X-Requested-With": "child-alert" } });

export type AlertDetail = components["schemas"]["AlertDetail"];
export type AlertSummary = components["schemas"]["AlertSummary"];
export type Problem = components["schemas"]["Problem"];
export type User = components["schemas"]["User"];
export type Me = paths["/auth/me"]["get"]["responses"][200]["content"]["application/json"];
export type Permission = Me["permissions"][number];
export type FanoutCounters = paths["/alerts/{id}/fanout"]["get"]["responses"][200]["content"]["application/json"]["fanouts"][number];
export type PosterSet = components["schemas"]["PosterSet"];
export type ChainVerdict = components["schemas"]["ChainVerdict"];
export type YearStatistics = components["schemas"]["YearStatistics"];
export type ChannelSetting = components["schemas"]["ChannelSetting"];

/** A refusal from the API, in the person's language when we know the code, with the server's detail. */
export class ApiError extends Error {
  constructor(readonly problem: Partial<Problem> | undefined) {
    super(problemText(problem));
  }
}

/** "content.child.clothing.nl" → "Clothing (Dutch)" in the UI language. */
function textName(path: string): string {
  const m = /^content\.(.+)\.(fr|nl|de|en)$/.exec(path);
  const key = m && TEXT_LABEL[m[1] as LocalizedField];
  return key ? `${t(key)} (${languageName(m[2]!)})` : path;
}

function problemText(error: unknown, fallback?: string): string {
  const p = error as Partial<Problem> | undefined;
  const key = `err.${p?.code}`;
  const base = p?.code && hasKey(key) ? t(key as never) : (p?.title ?? fallback ?? t("err.generic"));
  if (p?.code === "E_VALIDATION" && p.errors?.length) return `${base} ${p.errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`;
  if (p?.code === "E_TRANSLATION_MISSING" && p.errors?.length) return `${base} ${p.errors.map((e) => textName(e.path)).join(", ")}.`;
  return p?.detail && p.code !== "E_VALIDATION" ? `${base} (${p.detail})` : base;
}

/** Unwraps an openapi-fetch result: the data, or an ApiError carrying the problem. */
export async function must<T>(p: Promise<{ data?: T; error?: unknown }>): Promise<T> {
  const { data, error } = await p;
  if (error !== undefined || data === undefined) throw new ApiError(error as Partial<Problem>);
  return data;
}
export type Inbox = components["schemas"]["Inbox"];
export type InboxItem = Inbox["items"][number];
export type AuthorityMailboxes = components["schemas"]["AuthorityMailboxes"];

/** For a command answered 204 (nothing to unwrap): resolves when it succeeded, else an ApiError. */
export async function mustOk(p: Promise<{ error?: unknown; response: Response }>): Promise<void> {
  const { error, response } = await p;
  if (!response.ok) throw new ApiError(error as Partial<Problem>);
}
export type Passkey = components["schemas"]["Passkey"];
