// The push payload: what the service worker needs to show the notification, in the
// subscriber's language, always under 4 KB encrypted. Pure mapper.
import { ageText, callLine, CATALOGUES, endsLine, formatWhen } from "../../../templates/i18n/index.ts";
import { type AlertContent, type Language, readIn } from "../../domain/index.ts";
import { MAX_PLAINTEXT } from "./webpush.ts";
import type { BroadcastEvent } from "../channel.ts";

export type PushEvent = BroadcastEvent;

export interface PushPayload {
  v: 1;
  type: PushEvent;
  alertId: string;
  /** The edition (version + extensions): the service worker never lets an older one replace a newer one. */
  version: number;
  /** Notification tag = alert id: an update or a duplicate replaces, never stacks. */
  tag: string;
  lang: Language;
  exercise: boolean;
  title: string;
  body: string;
  /** Alert page (click, "I have information"). */
  url: string;
  /** The push poster (1024×512), absent after the stop. */
  image?: string;
  /** "tel:" link of the hotline for the "call" action; absent when the operator left it out. */
  call?: string;
  actions: { action: "call" | "tip"; title: string }[];
  endsAt?: string;
}

export interface PushInput {
  event: PushEvent;
  alertId: string;
  version: number;
  exercise: boolean;
  lang: Language;
  /** Publishable content (accompanying person only when authorised); not used for "stop". */
  content?: AlertContent;
  stopReason?: string;
  /** Issue 29: a search notice (to those who opted in) says so in its title. */
  notice?: boolean;
  origin: string;
  posterUrl?: string;
  endsAt?: string | null;
}

const MAX_BODY_CHARS = 400;
const clip = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1).trimEnd()}…`);

export function toPushPayload(i: PushInput): PushPayload {
  const c = CATALOGUES[i.lang];
  const url = `${i.origin}/alert/${i.alertId}?lang=${i.lang}`;
  const prefix = i.exercise ? c.pushExercise : "";
  if (i.event === "stop") {
    const found = i.stopReason === "found_safe";
    return {
      v: 1,
      type: "stop",
      alertId: i.alertId,
      version: i.version,
      tag: i.alertId,
      lang: i.lang,
      exercise: i.exercise,
      title: prefix + (found ? c.foundTitle : c.endedTitle),
      body: `${found ? c.foundBody : c.endedBody} ${callLine(c)}.`,
      url,
      actions: [],
    };
  }
  const content = i.content!;
  const r = readIn(content, i.lang);
  const name = r.name;
  const seen = `${c.lastSeen}: ${formatWhen(c, content.lastSeen.at)}, ${r.place}.`;
  const details = [r.clothing, r.vehicle ? `${c.vehicle}: ${r.vehicle.description}${r.vehicle.plate ? ` (${r.vehicle.plate})` : ""}` : null]
    .filter(Boolean)
    .join(" ");
  // Rule 8: both numbers, unless the operator left them out; then the end time (re-announced on extension).
  const tail = (content.showHotline ? ` ${callLine(c)}.` : "") + (i.endsAt ? ` ${endsLine(c, i.endsAt)}.` : "");
  const payload: PushPayload = {
    v: 1,
    type: i.event,
    alertId: i.alertId,
    version: i.version,
    tag: i.alertId,
    lang: i.lang,
    exercise: i.exercise,
    title: clip(prefix + (i.notice ? `${c.noticeBrand}: {name}, {age}` : c.pushTitle).replace("{name}", name).replace("{age}", ageText(c, content.child.age)), 120),
    body: clip(`${seen} ${details}`.trim(), MAX_BODY_CHARS - tail.length) + tail,
    url,
    ...(i.posterUrl ? { image: i.posterUrl } : {}),
    ...(content.showHotline ? { call: "tel:116000" } : {}),
    actions: [...(content.showHotline ? [{ action: "call" as const, title: c.pushCall }] : []), { action: "tip" as const, title: c.pushTip }],
    ...(i.endsAt ? { endsAt: i.endsAt } : {}),
  };
  return payload;
}

export function encodePayload(p: PushPayload): Uint8Array {
  const bytes = new TextEncoder().encode(JSON.stringify(p));
  if (bytes.length > MAX_PLAINTEXT) throw new Error(`push payload too large: ${bytes.length} B`);
  return bytes;
}
