// From publishable alert content to what one poster in one language shows. Pure.
import { ageText, CATALOGUES, formatWhen, HOTLINE, HOTLINE_ABROAD } from "../../templates/i18n/index.ts";
import type { PosterModel, PosterPhoto, Variant } from "../../templates/posters/model.ts";
import { type AlertContent, type AlertKind, type Language, readIn } from "../domain/index.ts";
import { renderable } from "./fonts.ts";

export interface PosterInputs {
  /** Publishable content: the accompanying-person section present only when authorised. */
  content: AlertContent;
  exercise: boolean;
  /** Issue 29: a search notice's poster says so; absent or child_alert: a Child Alert's. */
  kind?: AlertKind | undefined;
  photo: PosterPhoto | null;
  /** The other approved photos, for the formats with room for them. */
  morePhotos?: PosterPhoto[];
  qr: string | null;
}

export function alertPosterModel(i: PosterInputs, lang: Language): PosterModel {
  const c = CATALOGUES[lang];
  const { child, lastSeen } = i.content;
  const r = readIn(i.content, lang);
  return {
    lang,
    variant: "alert",
    exercise: i.exercise,
    showHotline: i.content.showHotline,
    qr: i.qr,
    photo: i.photo,
    morePhotos: i.morePhotos ?? [],
    ...(i.kind === "search_notice" ? { notice: { brand: c.noticeBrand, headline: c.noticeHeadline } } : {}),
    text: {
      name: renderable(r.name),
      age: ageText(c, child.age),
      height: child.heightCm ? c.height.replace("{n}", String(child.heightCm)) : undefined,
      lastSeen: renderable(`${formatWhen(c, lastSeen.at)}, ${r.place}`),
      description: renderable(r.description),
      clothing: r.clothing ? renderable(r.clothing) : undefined,
      vehicle: r.vehicleLine ? renderable(r.vehicleLine) : undefined,
      accompanying: r.accompanying ? renderable(r.accompanying) : undefined,
    },
  };
}

/** After the stop: nothing about the child — no name, no photo, no QR to a withdrawn page. */
export function stoppedPosterModel(lang: Language, variant: Exclude<Variant, "alert">, exercise: boolean): PosterModel {
  return { lang, variant, exercise, showHotline: true, qr: null, photo: null, text: null };
}

/**
 * What an alert poster says, as text: the image's alternative for screen readers (a
 * poster is a picture of words), from the same model the renderer draws.
 */
export function posterText(m: PosterModel): string {
  const c = CATALOGUES[m.lang];
  const t = m.text;
  if (!t) return "";
  return [
    m.exercise ? `${m.notice?.brand ?? "CHILD ALERT"} — ${c.exercise}` : (m.notice?.brand ?? "CHILD ALERT"),
    m.notice?.headline ?? c.headline,
    t.name,
    [t.age, t.height].filter(Boolean).join(" · "),
    `${c.lastSeen}: ${t.lastSeen}`,
    t.clothing && `${c.clothing}: ${t.clothing}`,
    `${c.description}: ${t.description}`,
    t.vehicle && `${c.vehicle}: ${t.vehicle}`,
    t.accompanying && `${c.accompanying}: ${t.accompanying}`,
    m.showHotline ? `${c.call} ${HOTLINE} · ${HOTLINE_ABROAD} ${c.abroad}` : null,
  ]
    .filter(Boolean)
    .join(". ");
}
