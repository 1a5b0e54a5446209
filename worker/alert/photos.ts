// Photo intake: inspect the bytes (type, completeness, limits), normalise to a fresh
// metadata-free JPEG, store it in R2 under its own SHA-256 and record it for the alert.
// Nothing is stored unless every step succeeded.
import { and, eq, inArray } from "drizzle-orm";
import { getAlertRow } from "../db/alerts.ts";
import { commit, type Db } from "../db/client.ts";
import { photos } from "../db/schema.ts";
import { assertEditable, sha256Hex } from "../domain/index.ts";
import { AppError } from "../errors.ts";
import { normalisePhoto } from "../render/codecs.ts";
import { inspectImage } from "../render/image-format.ts";
import type { Actor } from "../domain/index.ts";

export { photoKey } from "../db/media.ts";
import { photoKey } from "../db/media.ts";

export async function addPhoto(db: Db, media: R2Bucket, alertId: string, bytes: Uint8Array<ArrayBuffer>, actor: Actor, now = new Date()) {
  const alert = await getAlertRow(db, alertId);
  assertEditable(alert.state);
  const info = inspectImage(bytes);
  let photo;
  try {
    photo = await normalisePhoto(bytes, info);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError("E_BAD_IMAGE", "the image data could not be decoded");
  }
  const hash = await sha256Hex(photo.jpeg);
  const key = photoKey(alertId, hash);
  await media.put(key, photo.jpeg, { httpMetadata: { contentType: "image/jpeg" }, sha256: hash });
  await commit(
    db,
    [
      db
        .insert(photos)
        .values({ hash, alertId, r2Key: key, contentType: "image/jpeg", bytes: photo.jpeg.length, width: photo.width, height: photo.height })
        .onConflictDoNothing(),
    ],
    [{ alertId, actorUserId: actor.userId, actorRole: actor.role, action: "photo_added", details: { hash, sourceType: info.type } }],
    now,
  );
  return { hash, width: photo.width, height: photo.height, bytes: photo.jpeg.length, contentType: "image/jpeg" as const };
}

/** Refuses content that points at photos this alert does not have (rule 7: one approved set). */
export async function assertPhotosBelong(db: Db, alertId: string, hashes: readonly string[]): Promise<void> {
  if (hashes.length === 0) return;
  const rows = await db
    .select({ hash: photos.hash })
    .from(photos)
    .where(and(eq(photos.alertId, alertId), inArray(photos.hash, [...hashes])));
  const known = new Set(rows.map((r) => r.hash));
  const missing = hashes.filter((h) => !known.has(h));
  if (missing.length) throw new AppError("E_UNKNOWN_PHOTO", `unknown photo(s): ${missing.join(", ")}`);
}

/** The photos of one alert given to another (a notice escalated, an alert continued): same bytes, the new alert's own keys (purged with it). */
export async function copyPhotos(db: Db, media: R2Bucket, fromId: string, toId: string, hashes: readonly string[]): Promise<void> {
  if (!hashes.length) return;
  const rows = await db.select().from(photos).where(and(eq(photos.alertId, fromId), inArray(photos.hash, [...hashes])));
  for (const r of rows) {
    const obj = await media.get(r.r2Key);
    if (!obj) throw new AppError("E_UNKNOWN_PHOTO", `photo ${r.hash} is gone`);
    const key = photoKey(toId, r.hash);
    await media.put(key, await obj.arrayBuffer(), { httpMetadata: { contentType: "image/jpeg" }, sha256: r.hash });
    await db.insert(photos).values({ ...r, alertId: toId, r2Key: key }).onConflictDoNothing();
  }
}

export async function readPhoto(media: R2Bucket, alertId: string, hash: string) {
  const obj = await media.get(photoKey(alertId, hash));
  if (!obj) throw new AppError("E_NOT_FOUND", "photo not found");
  return obj;
}
