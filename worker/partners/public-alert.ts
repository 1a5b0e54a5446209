// What the public surfaces (the alert page, its posters and photos, the feeds, the
// widget) may show of one alert, built from D1 when the alert changes (launch, published
// update, extension, stop, expiry, purge) and held by the board Durable Object, so that
// a public read never queries D1 (issue 13). Live: the publishable content and the
// poster plan. Ended: the face only ("found" / "ended"), no name, no photo (rule 12).
// Purged: gone. The CAP history (identifiers and times only) is PII-free.
import { loadSnapshot } from "../db/alerts.ts";
import type { Db } from "../db/client.ts";
import { type AlertContent, type AlertKind, LANGUAGES, publicFace, publishableContent } from "../domain/index.ts";
import { FORMAT_NAMES } from "../../templates/posters/model.ts";
import { type PosterPlan, planPosters } from "../render/poster-sets.ts";

export type CapMsgType = "Alert" | "Update" | "Cancel";

/** One CAP message published about the alert (the feed serves the newest; the others are its references). */
export interface CapRef {
  identifier: string;
  sent: string;
  msgType: CapMsgType;
}

export interface PublicAlert {
  alertId: string;
  /** Issue 29: a Child Alert or a search notice (absent in records built before: a Child Alert). */
  kind?: AlertKind;
  face: "alert" | "found" | "ended";
  exercise: boolean;
  launchedAt: string;
  /** The current end of a live alert (CAP `expires`). */
  endsAt: string | null;
  stoppedAt: string | null;
  /** When what the public sees last changed. */
  updatedAt: string;
  /** The published version (number, id), while live. */
  version: number | null;
  versionId: string | null;
  /** Live only: what may be published (the accompanying person only once authorised). */
  content: AlertContent | null;
  /** Live only: the poster set's inputs (rendered on demand if the job has not finished). */
  posters: PosterPlan | null;
  messages: CapRef[];
  /**
   * What is published, signed (issue 28: publication/sign.ts): the statement's canonical JSON
   * (exactly what the detached JWS covers) and the JWS; null without a publication key.
   */
  signed?: { statement: string; jws: string } | null;
}

/** What a change must be for a new CAP message: the face, the published version, the end time. */
const fingerprint = (p: Pick<PublicAlert, "face" | "versionId" | "endsAt">) => `${p.face}|${p.versionId ?? ""}|${p.endsAt ?? ""}`;

/**
 * The alert's public record now, given the previous one (for the CAP history). Null when
 * the public has nothing to see (never launched, or purged).
 */
export async function buildPublicAlert(db: Db, origin: string, alertId: string, previous: PublicAlert | null, now: Date): Promise<PublicAlert | null> {
  const { row, snapshot } = await loadSnapshot(db, alertId);
  const face = publicFace(row);
  if (face === "none" || row.state === "purged" || !row.launchedAt) return null;
  const live = face === "alert" && snapshot.current?.content ? snapshot.current : null;
  const next: Omit<PublicAlert, "messages" | "updatedAt"> = {
    alertId,
    kind: row.kind,
    face,
    exercise: row.exercise,
    launchedAt: row.launchedAt,
    endsAt: live ? row.endsAt : null,
    stoppedAt: live ? null : (row.stoppedAt ?? row.endsAt ?? now.toISOString()),
    version: live?.number ?? null,
    versionId: live?.id ?? null,
    content: live ? publishableContent(snapshot, live) : null,
    posters: live ? await planPosters(db, origin, alertId, live.id) : null,
  };
  const messages = previous?.messages ?? [];
  const changed = !previous || fingerprint(previous) !== fingerprint(next);
  // A stop is told once (Cancel); a record first built after the end has nothing to cancel.
  const msgType: CapMsgType | null = !changed ? null : face === "alert" ? (messages.length ? "Update" : "Alert") : messages.length && messages.at(-1)!.msgType !== "Cancel" ? "Cancel" : null;
  const sent = capTime(now);
  return {
    ...next,
    updatedAt: changed ? now.toISOString() : (previous?.updatedAt ?? now.toISOString()),
    messages: msgType ? [...messages, { identifier: `${alertId}.${messages.length + 1}`, sent, msgType }] : messages,
  };
}

/** CAP's dateTime: seconds, an explicit offset, never "Z" (CAP 1.2 §3.3.2). */
export function capTime(d: Date | string): string {
  return new Date(d).toISOString().replace(/\.\d{3}Z$/, "+00:00");
}

/** The feeds every change of any public alert alters. */
export const FEED_PATHS = [
  "/api/v1/feeds/alerts.json",
  "/api/v1/feeds/alerts.atom",
  "/api/v1/feeds/cap.atom",
  ...LANGUAGES.map((l) => `/api/v1/feeds/alerts.atom?lang=${l}`),
  // The widget's iframe and no-script image, as the partner page documents them.
  ...LANGUAGES.flatMap((l) => [`/widget/frame?lang=${l}`, `/widget/frame?lang=${l}&exercise=true`, `/widget/banner.png?lang=${l}`, `/widget/banner.png?lang=${l}&exercise=true`]),
  // The public list of search notices (issue 29); its filtered views expire within PUBLIC_TTL_S.
  "/notices",
  ...LANGUAGES.map((l) => `/notices?lang=${l}`),
];

/** Every public URL that shows something of this alert. */
export function publicPaths(alertId: string, capMessages: number, photoHashes: readonly string[] = []): string[] {
  return [
    ...photoHashes.map((h) => `/alert/${alertId}/photo/${h}.jpg`),
    ...Array.from({ length: capMessages }, (_, i) => `/api/v1/feeds/cap/${alertId}.${i + 1}.xml`),
    `/alert/${alertId}`,
    `/alert/${alertId}/signed.json`,
    ...LANGUAGES.map((l) => `/alert/${alertId}?lang=${l}`),
    ...LANGUAGES.flatMap((l) => FORMAT_NAMES.map((f) => `/alert/${alertId}/poster/${f}-${l}.png`)),
    ...FEED_PATHS,
  ];
}
