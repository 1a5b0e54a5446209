// From publishable alert content to what one poster in one language shows. Pure.
import { ageText, CATALOGUES, formatWhen } from "../../templates/i18n/index.ts";
import type { PosterModel, PosterPhoto, Variant } from "../../templates/posters/model.ts";
import type { AlertContent, Language } from "../domain/index.ts";
import { renderable } from "./fonts.ts";

export interface PosterInputs {
  /** Publishable content: the accompanying-person section present only when authorised. */
  content: AlertContent;
  exercise: boolean;
  photo: PosterPhoto | null;
  qr: string | null;
}

export function alertPosterModel(i: PosterInputs, lang: Language): PosterModel {
  const c = CATALOGUES[lang];
  const { child, lastSeen, vehicle, accompanyingPerson } = i.content;
  return {
    lang,
    variant: "alert",
    exercise: i.exercise,
    showHotline: i.content.showHotline,
    qr: i.qr,
    photo: i.photo,
    text: {
      name: renderable([child.firstName, child.lastName].filter(Boolean).join(" ")),
      age: ageText(c, child.age),
      height: child.heightCm ? c.height.replace("{n}", String(child.heightCm)) : undefined,
      lastSeen: renderable(`${formatWhen(c, lastSeen.at)}, ${lastSeen.place}`),
      description: renderable(child.description),
      clothing: child.clothing ? renderable(child.clothing) : undefined,
      vehicle: vehicle ? renderable([vehicle.description, vehicle.plate].filter(Boolean).join(" — ")) : undefined,
      accompanying: accompanyingPerson ? renderable(accompanyingPerson.description) : undefined,
    },
  };
}

/** After the stop: nothing about the child — no name, no photo, no QR to a withdrawn page. */
export function stoppedPosterModel(lang: Language, variant: Exclude<Variant, "alert">, exercise: boolean): PosterModel {
  return { lang, variant, exercise, showHotline: true, qr: null, photo: null, text: null };
}
