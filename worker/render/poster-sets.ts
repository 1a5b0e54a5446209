// Poster sets: rendered off the launch path, when a version is saved (a queue job), for
// every format × language of the version, and stored in R2 under the hash of their
// inputs — identical inputs are never rendered twice and URLs never change content.
// The "found" and "ended" posters carry nothing about the child and are shared by all
// alerts (per language, format and exercise flag).
import { and, eq } from "drizzle-orm";
import { FORMATS, FORMAT_NAMES, type FormatName, type PosterPhoto, type Variant } from "../../templates/posters/model.ts";
import { containedSize, morePhotoAreas, photoArea } from "../../templates/posters/poster.tsx";
import { loadSnapshot, versionOf } from "../db/alerts.ts";
import type { Db } from "../db/client.ts";
import { posters } from "../db/schema.ts";
import {
  type AlertContent,
  canonicalJson,
  hasSignOff,
  type Language,
  POSTER_TEMPLATE_VERSION,
  publishableContent,
  sha256Hex,
} from "../domain/index.ts";
import { AppError } from "../errors.ts";
import { photosForSizes } from "./codecs.ts";
import { alertPosterModel, posterText, stoppedPosterModel } from "./poster-model.ts";
import { renderPoster } from "./posters.ts";
import { qrDataUri } from "./qr.ts";
import { photoKey } from "../db/media.ts";
import { b64 } from "../bytes.ts";

export const publicAlertUrl = (origin: string, alertId: string) => `${origin}/alert/${alertId}`;
export const posterFile = (format: FormatName, lang: Language) => `${format}-${lang}.png`;
export const posterKey = (alertId: string, inputsHash: string, format: FormatName, lang: Language) =>
  `alerts/${alertId}/posters/${inputsHash}/${posterFile(format, lang)}`;
export const stoppedPosterKey = (variant: Exclude<Variant, "alert">, exercise: boolean, format: FormatName, lang: Language) =>
  `posters/${POSTER_TEMPLATE_VERSION}/${variant}-${exercise ? "exercise" : "real"}/${posterFile(format, lang)}`;

const IMMUTABLE = "public, max-age=31536000, immutable";

const toDataUri = (bytes: Uint8Array, type: string) => `data:${type};base64,${b64(bytes)}`;

export interface PosterPlan {
  alertId: string;
  versionId: string;
  exercise: boolean;
  content: AlertContent;
  withAccompanying: boolean;
  /** The approved photos, in order: the first in every format, the others where there is room. */
  photoHashes: readonly string[];
  qrUrl: string;
  inputsHash: string;
}

/** Everything a version's posters depend on, and the hash that names them. */
export async function planPosters(db: Db, origin: string, alertId: string, versionId: string): Promise<PosterPlan | null> {
  const { snapshot } = await loadSnapshot(db, alertId);
  const version = await versionOf(db, alertId, versionId);
  if (!version?.content) return null; // unknown or purged: nothing to render
  const content = publishableContent(snapshot, version)!;
  const plan = {
    alertId,
    versionId,
    exercise: snapshot.exercise,
    content,
    withAccompanying: !!content.accompanyingPerson && hasSignOff(snapshot, version, "accompanying_person"),
    // Rule 7: the same approved set everywhere; the first photo in every format, all of them where there is room.
    photoHashes: content.child.photos,
    qrUrl: publicAlertUrl(origin, alertId),
  };
  const inputsHash = await sha256Hex(canonicalJson({ template: POSTER_TEMPLATE_VERSION, ...plan, versionId: undefined }));
  return { ...plan, inputsHash };
}

/** The plan's photos, scaled for each of `formats` (the first photo; the others where the format has room). */
async function posterPhotos(media: R2Bucket, plan: PosterPlan, formats: readonly FormatName[]) {
  const photoFor = new Map<FormatName, PosterPhoto>();
  const morePhotosFor = new Map<FormatName, PosterPhoto[]>();
  const original = async (hash: string) => {
    const obj = await media.get(photoKey(plan.alertId, hash));
    if (!obj) throw new AppError("E_NOT_FOUND", "photo missing from storage");
    return new Uint8Array(await obj.arrayBuffer());
  };
  const asPosterPhoto = (p: { jpeg: Uint8Array; width: number; height: number }): PosterPhoto => ({ src: toDataUri(p.jpeg, "image/jpeg"), width: p.width, height: p.height });
  const [first, ...more] = plan.photoHashes;
  if (first) {
    const sized = await photosForSizes(await original(first), (w, h) => new Map(formats.map((f) => [f, containedSize(photoArea(f), w, h)])));
    for (const [f, p] of sized) photoFor.set(f as FormatName, asPosterPhoto(p));
  }
  for (const [i, hash] of more.entries()) {
    const these = formats.filter((f) => morePhotoAreas(f)[i]);
    if (!these.length) continue;
    const sized = await photosForSizes(await original(hash), (w, h) => new Map(these.map((f) => [f, containedSize(morePhotoAreas(f)[i]!, w, h)])));
    for (const [f, p] of sized) morePhotosFor.set(f as FormatName, [...(morePhotosFor.get(f as FormatName) ?? []), asPosterPhoto(p)]);
  }
  return { photoFor, morePhotosFor };
}

/**
 * One poster of a planned set, from R2, or rendered now and stored if the render job has
 * not made it yet (a live version's poster URL never answers 404). No D1: the plan is the
 * public record's. The job later finds the object and records it.
 */
export async function posterOnDemand(media: R2Bucket, plan: PosterPlan, format: FormatName, lang: Language): Promise<{ bytes: ArrayBuffer; rendered: boolean }> {
  const key = posterKey(plan.alertId, plan.inputsHash, format, lang);
  const stored = await media.get(key);
  if (stored) return { bytes: await stored.arrayBuffer(), rendered: false };
  const { photoFor, morePhotosFor } = await posterPhotos(media, plan, [format]);
  const model = alertPosterModel({ content: plan.content, exercise: plan.exercise, photo: photoFor.get(format) ?? null, morePhotos: morePhotosFor.get(format) ?? [], qr: qrDataUri(plan.qrUrl) }, lang);
  const png = await renderPoster(model, format);
  await putPng(media, key, png);
  return { bytes: png.slice().buffer, rendered: true };
}

async function putPng(media: R2Bucket, key: string, png: Uint8Array): Promise<void> {
  await media.put(key, png, { httpMetadata: { contentType: "image/png", cacheControl: IMMUTABLE } });
}

/**
 * Renders what is missing of a version's poster set and records it. Idempotent: a
 * redelivered job finds the objects in R2 and only fills in the gaps.
 */
export async function renderVersionPosters(db: Db, media: R2Bucket, origin: string, alertId: string, versionId: string) {
  const plan = await planPosters(db, origin, alertId, versionId);
  if (!plan) return { rendered: 0, skipped: 0 };
  const { photoFor, morePhotosFor } = await posterPhotos(media, plan, FORMAT_NAMES);
  const qr = qrDataUri(plan.qrUrl);
  let rendered = 0;
  let skipped = 0;
  const rows: (typeof posters.$inferInsert)[] = [];
  const stored = new Map<string, number>();
  let cursor: string | undefined;
  do {
    const page = await media.list({ prefix: `alerts/${alertId}/posters/${plan.inputsHash}/`, cursor });
    for (const o of page.objects) stored.set(o.key, o.size);
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  for (const lang of plan.content.targeting.languages) {
    const model = alertPosterModel({ content: plan.content, exercise: plan.exercise, photo: null, qr }, lang);
    for (const format of FORMAT_NAMES) {
      const key = posterKey(alertId, plan.inputsHash, format, lang);
      let bytes = stored.get(key) ?? 0;
      if (!stored.has(key)) {
        const png = await renderPoster({ ...model, photo: photoFor.get(format) ?? null, morePhotos: morePhotosFor.get(format) ?? [] }, format);
        await putPng(media, key, png);
        bytes = png.length;
        rendered++;
      } else skipped++;
      rows.push({
        r2Key: key,
        alertId,
        versionId,
        inputsHash: plan.inputsHash,
        format,
        lang,
        withAccompanying: plan.withAccompanying,
        width: FORMATS[format].width,
        height: FORMATS[format].height,
        bytes,
      });
    }
  }
  for (let i = 0; i < rows.length; i += 8) await db.insert(posters).values(rows.slice(i, i + 8)).onConflictDoNothing();
  const stopped = await ensureStoppedPosters(media, plan.exercise, plan.content.targeting.languages);
  return { rendered: rendered + stopped, skipped, inputsHash: plan.inputsHash };
}

/** The shared after-stop posters, rendered once per language/format/exercise flag. */
export async function ensureStoppedPosters(media: R2Bucket, exercise: boolean, languages: readonly Language[]): Promise<number> {
  let rendered = 0;
  for (const variant of ["found", "ended"] as const) {
    for (const lang of languages) {
      for (const format of FORMAT_NAMES) {
        const key = stoppedPosterKey(variant, exercise, format, lang);
        if (await media.head(key)) continue;
        await putPng(media, key, await renderPoster(stoppedPosterModel(lang, variant, exercise), format));
        rendered++;
      }
    }
  }
  return rendered;
}

/** The posters of the version under review (or published), for the dashboard preview. */
export async function versionPosters(db: Db, origin: string, alertId: string, versionId: string, planned?: PosterPlan | null) {
  const plan = planned === undefined ? await planPosters(db, origin, alertId, versionId) : planned;
  if (!plan) return { inputsHash: null, expected: 0, posters: [] };
  const rows = await db
    .select()
    .from(posters)
    .where(and(eq(posters.versionId, versionId), eq(posters.inputsHash, plan.inputsHash)));
  return {
    inputsHash: plan.inputsHash,
    expected: plan.content.targeting.languages.length * FORMAT_NAMES.length,
    posters: rows.map((r) => ({
      format: r.format as FormatName,
      lang: r.lang as Language,
      width: r.width,
      height: r.height,
      bytes: r.bytes,
      withAccompanying: r.withAccompanying,
      url: `/api/v1/alerts/${alertId}/posters/${r.inputsHash}/${posterFile(r.format as FormatName, r.lang as Language)}`,
    })),
  };
}

/** What each language's poster says: the images' text alternative for screen readers (staff preview). */
export function posterTexts(plan: PosterPlan): Map<Language, string> {
  return new Map(plan.content.targeting.languages.map((l) => [l, posterText(alertPosterModel({ content: plan.content, exercise: plan.exercise, photo: null, qr: null }, l))]));
}

/** One poster of a version, from R2, if its set has been rendered (null otherwise). */
export async function versionPoster(db: Db, media: R2Bucket, origin: string, alertId: string, versionId: string, format: FormatName, lang: Language) {
  const set = await versionPosters(db, origin, alertId, versionId);
  if (!set.inputsHash || !set.posters.some((p) => p.format === format && p.lang === lang)) return null;
  return media.get(posterKey(alertId, set.inputsHash, format, lang));
}
