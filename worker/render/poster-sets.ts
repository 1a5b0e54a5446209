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
import { verifyUrl } from "../../templates/partner-item.ts";

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
  /** Issue 29: set for a search notice (its posters say so); absent for a Child Alert. */
  kind?: "search_notice";
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
    ...(snapshot.kind === "search_notice" ? { kind: "search_notice" as const } : {}),
    content,
    withAccompanying: !!content.accompanyingPerson && hasSignOff(snapshot, version, "accompanying_person"),
    // Rule 7: the same approved set everywhere; the first photo in every format, all of them where there is room.
    photoHashes: content.child.photos,
    qrUrl: verifyUrl(origin, alertId, version.number),
  };
  const inputsHash = await sha256Hex(canonicalJson({ template: POSTER_TEMPLATE_VERSION, ...plan, versionId: undefined }));
  return { ...plan, inputsHash };
}

/** A photo decoded once and scaled for one format's photo area. */
export interface SizedPhoto {
  jpeg: Uint8Array;
  width: number;
  height: number;
}

/**
 * The plan's photos, each decoded once and scaled for each of `formats`: per format, the
 * first photo (every format) then the others where the format has room.
 */
export async function scalePhotos(
  original: (hash: string) => Promise<Uint8Array<ArrayBuffer>>,
  plan: Pick<PosterPlan, "photoHashes">,
  formats: readonly FormatName[],
): Promise<Map<FormatName, SizedPhoto[]>> {
  const out = new Map<FormatName, SizedPhoto[]>(formats.map((f) => [f, []]));
  for (const [i, hash] of plan.photoHashes.entries()) {
    const area = (f: FormatName) => (i === 0 ? photoArea(f) : morePhotoAreas(f)[i - 1]);
    const these = formats.filter((f) => area(f));
    if (!these.length) continue;
    const sized = await photosForSizes(await original(hash), (w, h) => new Map(these.map((f) => [f, containedSize(area(f)!, w, h)])));
    for (const [f, p] of sized) out.get(f as FormatName)!.push(p);
  }
  return out;
}

/** A photo of the plan from R2. */
const originalIn = (media: R2Bucket, alertId: string) => async (hash: string) => {
  const obj = await media.get(photoKey(alertId, hash));
  if (!obj) throw new AppError("E_NOT_FOUND", "photo missing from storage");
  return new Uint8Array(await obj.arrayBuffer());
};

/** How many photos a format of the plan shows (the first everywhere, the others where there is room). */
const photosShown = (plan: PosterPlan, format: FormatName) =>
  plan.photoHashes.filter((_, i) => i === 0 || morePhotoAreas(format)[i - 1]).length;

const asPosterPhoto = (p: SizedPhoto): PosterPhoto => ({ src: toDataUri(p.jpeg, "image/jpeg"), width: p.width, height: p.height });

/** One poster of the plan: a format in a language, with that format's scaled photos. */
export function renderPlannedPoster(plan: Pick<PosterPlan, "content" | "exercise" | "qrUrl" | "kind">, format: FormatName, photos: readonly SizedPhoto[], lang: Language): Promise<Uint8Array> {
  const [first, ...more] = photos.map(asPosterPhoto);
  const model = alertPosterModel({ content: plan.content, exercise: plan.exercise, kind: plan.kind, photo: first ?? null, morePhotos: more, qr: qrDataUri(plan.qrUrl) }, lang);
  return renderPoster(model, format);
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
  const photos = (await scalePhotos(originalIn(media, plan.alertId), plan, [format])).get(format)!;
  const png = await renderPlannedPoster(plan, format, photos, lang);
  await putPng(media, key, png);
  return { bytes: png.slice().buffer, rendered: true };
}

async function putPng(media: R2Bucket, key: string, png: Uint8Array): Promise<void> {
  await media.put(key, png, { httpMetadata: { contentType: "image/png", cacheControl: IMMUTABLE } });
}

// A set is rendered by jobs: the first (render_posters) plans it, decodes each photo once
// and stores it scaled for every format still missing a poster, beside the set (private,
// under the alert's prefix: purged with it); then one job per poster — a format in one
// language, its own isolate on Cloudflare — renders it, in parallel with all the others.
const inputsPrefix = (alertId: string, inputsHash: string) => `alerts/${alertId}/poster-inputs/${inputsHash}/`;
const sizedPhotoKey = (alertId: string, inputsHash: string, format: FormatName, i: number) => `${inputsPrefix(alertId, inputsHash)}${format}-${i}.jpg`;
const handedOutKey = (alertId: string, inputsHash: string) => `${inputsPrefix(alertId, inputsHash)}handed-out`;

/**
 * A set whose poster jobs were handed out this recently is left to them: the preview's
 * re-requests (one per progress message) do not start the work again. After this long a
 * lost job's formats are handed out anew.
 */
export const SET_HANDED_OUT_MS = 120_000;

/** The set's posters already in R2 (key → bytes). */
async function storedPosters(media: R2Bucket, plan: PosterPlan): Promise<Map<string, number>> {
  const stored = new Map<string, number>();
  let cursor: string | undefined;
  do {
    const page = await media.list({ prefix: `alerts/${plan.alertId}/posters/${plan.inputsHash}/`, cursor });
    for (const o of page.objects) stored.set(o.key, o.size);
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return stored;
}

/** Records the formats' posters of the set (in every language, or these), idempotently. */
async function recordPosters(db: Db, plan: PosterPlan, formats: readonly FormatName[], bytesOf: (key: string) => number, languages: readonly Language[] = plan.content.targeting.languages): Promise<void> {
  const rows: (typeof posters.$inferInsert)[] = [];
  for (const lang of languages) {
    for (const format of formats) {
      const key = posterKey(plan.alertId, plan.inputsHash, format, lang);
      rows.push({
        r2Key: key,
        alertId: plan.alertId,
        versionId: plan.versionId,
        inputsHash: plan.inputsHash,
        format,
        lang,
        withAccompanying: plan.withAccompanying,
        width: FORMATS[format].width,
        height: FORMATS[format].height,
        bytes: bytesOf(key),
      });
    }
  }
  for (let i = 0; i < rows.length; i += 8) await db.insert(posters).values(rows.slice(i, i + 8)).onConflictDoNothing();
}

export interface PosterSetStart {
  inputsHash: string;
  /** The formats still missing a poster (their photo copies are stored). */
  formats: FormatName[];
  /** The posters still missing, each to be rendered by its own job. */
  missing: { format: FormatName; lang: Language }[];
  /** Those posters' jobs were handed out moments ago: nothing was started again. */
  handedOut: boolean;
}

/**
 * The set's first step: records what is already stored, and for the formats still missing
 * a poster decodes each photo once, scales it for every one of them and stores the result
 * beside the set. The caller hands out one job per returned format, then calls
 * `posterSetHandedOut`. Idempotent; null for a version unknown or purged.
 */
export async function startPosterSet(db: Db, media: R2Bucket, origin: string, alertId: string, versionId: string, now = Date.now()): Promise<PosterSetStart | null> {
  const plan = await planPosters(db, origin, alertId, versionId);
  if (!plan) return null;
  const stored = await storedPosters(media, plan);
  const complete = (f: FormatName) => plan.content.targeting.languages.every((l) => stored.has(posterKey(alertId, plan.inputsHash, f, l)));
  await recordPosters(db, plan, FORMAT_NAMES.filter(complete), (k) => stored.get(k)!);
  const formats = FORMAT_NAMES.filter((f) => !complete(f));
  if (!formats.length) {
    await ensureStoppedPosters(media, plan.exercise, plan.content.targeting.languages);
    return { inputsHash: plan.inputsHash, formats, missing: [], handedOut: false };
  }
  const handed = await media.head(handedOutKey(alertId, plan.inputsHash));
  if (handed && now - handed.uploaded.getTime() < SET_HANDED_OUT_MS) return { inputsHash: plan.inputsHash, formats: [], missing: [], handedOut: true };
  // The biggest formats first: with fewer consumers than posters, the longest renders do not come last.
  const area = (f: FormatName) => FORMATS[f].width * FORMATS[f].height;
  const missing = [...formats]
    .sort((a, b) => area(b) - area(a))
    .flatMap((format) => plan.content.targeting.languages.filter((lang) => !stored.has(posterKey(alertId, plan.inputsHash, format, lang))).map((lang) => ({ format, lang })));
  const sized = await scalePhotos(originalIn(media, alertId), plan, formats);
  await Promise.all(
    [...sized].flatMap(([format, photos]) =>
      photos.map((p, i) =>
        media.put(sizedPhotoKey(alertId, plan.inputsHash, format, i), p.jpeg, { customMetadata: { width: String(p.width), height: String(p.height) } }),
      ),
    ),
  );
  return { inputsHash: plan.inputsHash, formats, missing, handedOut: false };
}

/** The set's poster jobs are on their queue (a re-request within SET_HANDED_OUT_MS leaves them be). */
export async function posterSetHandedOut(media: R2Bucket, alertId: string, inputsHash: string): Promise<void> {
  await media.put(handedOutKey(alertId, inputsHash), new Uint8Array());
}

/** The photos `startPosterSet` scaled for this format, or null when any is missing (then decoded again). */
async function storedSizedPhotos(media: R2Bucket, plan: PosterPlan, format: FormatName): Promise<SizedPhoto[] | null> {
  const objects = await Promise.all(Array.from({ length: photosShown(plan, format) }, (_, i) => media.get(sizedPhotoKey(plan.alertId, plan.inputsHash, format, i))));
  if (objects.some((o) => !o)) return null;
  return Promise.all(
    objects.map(async (o) => ({ jpeg: new Uint8Array(await o!.arrayBuffer()), width: Number(o!.customMetadata?.width), height: Number(o!.customMetadata?.height) })),
  );
}

/**
 * A poster job: one poster of the set — a format in one language (or, for a job queued by
 * an older release, in every language) — unless already stored, recorded, and the shared
 * after-stop posters of that format and language. A job for a set that is no longer the
 * version's (its inputs changed since) does nothing: the newer set has its own jobs.
 */
export async function renderPosterFormat(db: Db, media: R2Bucket, origin: string, job: { alertId: string; versionId: string; inputsHash: string; format: FormatName; lang?: Language }) {
  const plan = await planPosters(db, origin, job.alertId, job.versionId);
  if (!plan || plan.inputsHash !== job.inputsHash) return { rendered: 0, stale: true };
  const { format } = job;
  const languages = job.lang ? plan.content.targeting.languages.filter((l) => l === job.lang) : plan.content.targeting.languages;
  const photos = (await storedSizedPhotos(media, plan, format)) ?? (await scalePhotos(originalIn(media, plan.alertId), plan, [format])).get(format)!;
  const bytes = new Map<string, number>();
  let rendered = 0;
  for (const lang of languages) {
    const key = posterKey(plan.alertId, plan.inputsHash, format, lang);
    const stored = await media.head(key);
    if (stored) {
      bytes.set(key, stored.size);
      continue;
    }
    const png = await renderPlannedPoster(plan, format, photos, lang);
    await putPng(media, key, png);
    bytes.set(key, png.length);
    rendered++;
  }
  await recordPosters(db, plan, [format], (k) => bytes.get(k)!, languages);
  const stopped = await ensureStoppedPosters(media, plan.exercise, languages, [format]);
  return { format, ...(job.lang ? { lang: job.lang } : {}), rendered: rendered + stopped, stale: false };
}

/** The shared after-stop posters, rendered once per language/format/exercise flag. */
export async function ensureStoppedPosters(media: R2Bucket, exercise: boolean, languages: readonly Language[], formats: readonly FormatName[] = FORMAT_NAMES): Promise<number> {
  let rendered = 0;
  for (const variant of ["found", "ended"] as const) {
    for (const lang of languages) {
      for (const format of formats) {
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
  return new Map(plan.content.targeting.languages.map((l) => [l, posterText(alertPosterModel({ content: plan.content, exercise: plan.exercise, kind: plan.kind, photo: null, qr: null }, l))]));
}

/** One poster of a version, from R2, if its set has been rendered (null otherwise). */
export async function versionPoster(db: Db, media: R2Bucket, origin: string, alertId: string, versionId: string, format: FormatName, lang: Language) {
  const set = await versionPosters(db, origin, alertId, versionId);
  if (!set.inputsHash || !set.posters.some((p) => p.format === format && p.lang === lang)) return null;
  return media.get(posterKey(alertId, set.inputsHash, format, lang));
}
