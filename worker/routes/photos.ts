// /api/v1/alerts/{id}/photos — upload (raw image bytes, any of JPEG/PNG/WebP; the type
// is read from the bytes) and staff preview of the normalised photo.
import { z } from "@hono/zod-openapi";
import { MAX_PHOTO_BYTES } from "../render/image-format.ts";
import { addPhoto, readPhoto } from "../alert/photos.ts";
import { AppError } from "../errors.ts";
import type { Role } from "../domain/index.ts";
import { currentUser, jsonOk, newRouter, staffRoute } from "./http.ts";
import { AlertIdParam } from "./schemas.ts";

export const photoRoutes = newRouter();
const tags = ["Photos"];
const Hash = z.string().regex(/^[0-9a-f]{64}$/);

export const PhotoInfo = z
  .object({ hash: Hash, width: z.number().int(), height: z.number().int(), bytes: z.number().int(), contentType: z.literal("image/jpeg") })
  .openapi("Photo");

photoRoutes.openapi(
  staffRoute("alert.edit", {
    method: "post",
    path: "/alerts/{id}/photos",
    tags,
    summary: "Upload a photo (JPEG, PNG or WebP, ≤ 10 MB, ≤ 16 MP); stored as a metadata-free JPEG",
    description:
      "Send the image bytes as the request body. The type is read from the bytes; EXIF/GPS/XMP and every other metadata are removed by re-encoding; orientation is applied. Put the returned hash into content.child.photos.",
    request: {
      params: AlertIdParam,
      body: { required: true, content: { "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) } } },
    },
    responses: { 201: jsonOk(PhotoInfo, "Stored") },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const body = new Uint8Array(await c.req.arrayBuffer());
    if (body.length > MAX_PHOTO_BYTES) throw new AppError("E_PAYLOAD_TOO_LARGE", "photos are at most 10 MB");
    const user = currentUser(c);
    const photo = await addPhoto(c.get("db"), c.env.MEDIA, id, body, { userId: user.id, role: user.role as Role });
    return c.json(photo, 201);
  },
);

photoRoutes.openapi(
  staffRoute("alert.read", {
    method: "get",
    path: "/alerts/{id}/photos/{hash}",
    tags,
    summary: "The stored photo (staff preview)",
    request: { params: AlertIdParam.extend({ hash: Hash.openapi({ param: { name: "hash", in: "path" } }) }) },
    responses: { 200: { description: "JPEG", content: { "image/jpeg": { schema: z.string().openapi({ format: "binary" }) } } } },
  }),
  async (c) => {
    const { id, hash } = c.req.valid("param");
    const obj = await readPhoto(c.env.MEDIA, id, hash);
    return c.body(obj.body, 200, {
      "Content-Type": "image/jpeg",
      // Content-addressed: the bytes under this URL never change.
      // A child's photo must not linger in staff browsers after the purge (issue 23): never stored.
      "Cache-Control": "private, no-store",
      ETag: `"${hash}"`,
    });
  },
);
