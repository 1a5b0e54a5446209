// Photo normalisation: decode (JPEG, PNG, WebP), apply the EXIF orientation, scale down
// to a bounded size and encode a fresh JPEG. The output is a new file written from
// pixels only, so no metadata (EXIF, GPS, XMP, comments, text chunks) can survive, and
// every channel gets the same picture in a format every renderer reads.
import decodeJpeg, { init as initJpegDec } from "@jsquash/jpeg/decode";
import encodeJpeg, { init as initJpegEnc } from "@jsquash/jpeg/encode";
import { decode as decodePng, init as initPng } from "@jsquash/png/decode";
import decodeWebp, { init as initWebp } from "@jsquash/webp/decode";
import jpegDecWasm from "@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm";
import jpegEncWasm from "@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm";
// @ts-expect-error the package's .d.ts describes the wasm-bindgen exports; wrangler imports it as a compiled WebAssembly.Module.
import pngWasm from "@jsquash/png/codec/pkg/squoosh_png_bg.wasm";
import webpDecWasm from "@jsquash/webp/codec/dec/webp_dec.wasm";
import type { ImageInfo } from "./image-format.ts";

/** Long side of the stored photo: sharp on a 1080×1920 story and on an A4 print at 150 dpi. */
export const PHOTO_MAX_SIDE = 1600;
/** Visually lossless for faces and clothing colours. */
export const PHOTO_JPEG_QUALITY = 88;

interface Pixels {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

let ready: Promise<void> | null = null;
function initCodecs(): Promise<void> {
  ready ??= Promise.all([
    initJpegDec(jpegDecWasm),
    initJpegEnc(jpegEncWasm),
    initPng(pngWasm),
    initWebp(webpDecWasm),
  ]).then(() => undefined);
  return ready;
}

/** Rotates/flips RGBA pixels per EXIF orientation 2–8. */
export function orient(p: Pixels, orientation: number): Pixels {
  if (orientation <= 1 || orientation > 8) return p;
  const swap = orientation >= 5;
  const w = swap ? p.height : p.width;
  const h = swap ? p.width : p.height;
  const out = new Uint8ClampedArray(w * h * 4);
  const src = new Uint32Array(p.data.buffer, p.data.byteOffset, p.width * p.height);
  const dst = new Uint32Array(out.buffer);
  for (let y = 0; y < p.height; y++) {
    for (let x = 0; x < p.width; x++) {
      let dx: number;
      let dy: number;
      switch (orientation) {
        case 2: dx = p.width - 1 - x; dy = y; break;
        case 3: dx = p.width - 1 - x; dy = p.height - 1 - y; break;
        case 4: dx = x; dy = p.height - 1 - y; break;
        case 5: dx = y; dy = x; break;
        case 6: dx = p.height - 1 - y; dy = x; break;
        case 7: dx = p.height - 1 - y; dy = p.width - 1 - x; break;
        default: dx = y; dy = p.width - 1 - x; break; // 8
      }
      dst[dy * w + dx] = src[y * p.width + x]!;
    }
  }
  return { data: out, width: w, height: h };
}

/** Scales down so the long side is at most `maxSide` (every source pixel contributes: no aliasing on faces). */
export function downscale(p: Pixels, maxSide: number): Pixels {
  const scale = Math.min(1, maxSide / Math.max(p.width, p.height));
  if (scale === 1) return p;
  return resize(p, Math.max(1, Math.round(p.width * scale)), Math.max(1, Math.round(p.height * scale)));
}

/** Flattens transparency onto white (JPEG has no alpha; posters sit on light frames). */
function flatten(p: Pixels): Pixels {
  const d = p.data;
  for (let i = 0; i < d.length; i += 4) {
    const a = d[i + 3]! / 255;
    if (a < 1) {
      d[i] = d[i]! * a + 255 * (1 - a);
      d[i + 1] = d[i + 1]! * a + 255 * (1 - a);
      d[i + 2] = d[i + 2]! * a + 255 * (1 - a);
      d[i + 3] = 255;
    }
  }
  return p;
}

export interface NormalisedPhoto {
  jpeg: Uint8Array<ArrayBuffer>;
  width: number;
  height: number;
}

export async function normalisePhoto(bytes: Uint8Array<ArrayBuffer>, info: ImageInfo): Promise<NormalisedPhoto> {
  await initCodecs();
  let px: Pixels;
  if (info.type === "jpeg") {
    px = await decodeJpeg(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), { preserveOrientation: false });
  } else if (info.type === "png") px = await decodePng(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  else px = await decodeWebp(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  // A decoder that already applied the orientation hands back the header's dimensions swapped.
  const alreadyOriented = info.orientation >= 5 && px.width === info.height && px.height === info.width;
  px = downscale(orient(flatten(px), alreadyOriented ? 1 : info.orientation), PHOTO_MAX_SIDE);
  const jpeg = new Uint8Array(
    await encodeJpeg({ data: px.data, width: px.width, height: px.height, colorSpace: "srgb" } as ImageData, {
      quality: PHOTO_JPEG_QUALITY,
    }),
  );
  return { jpeg, width: px.width, height: px.height };
}

/**
 * The stored photo scaled to the exact pixel size it occupies in each poster format, so
 * the rasteriser draws it 1:1 (no decode of the full-size photo and no resampling per
 * poster). Decoded once; one small JPEG per distinct size.
 */
export async function photosForSizes(
  jpeg: Uint8Array<ArrayBuffer>,
  sizeFor: (width: number, height: number) => Map<string, { w: number; h: number }>,
): Promise<Map<string, NormalisedPhoto>> {
  await initCodecs();
  const full = await decodeJpeg(jpeg.buffer.slice(jpeg.byteOffset, jpeg.byteOffset + jpeg.byteLength));
  const out = new Map<string, NormalisedPhoto>();
  const bySize = new Map<string, NormalisedPhoto>();
  for (const [key, { w, h }] of sizeFor(full.width, full.height)) {
    const sizeKey = `${w}x${h}`;
    let photo = bySize.get(sizeKey);
    if (!photo) {
      const px = resize(full, w, h);
      const bytes = new Uint8Array(await encodeJpeg({ data: px.data, width: w, height: h, colorSpace: "srgb" } as ImageData, { quality: 90 }));
      photo = { jpeg: bytes, width: w, height: h };
      bySize.set(sizeKey, photo);
    }
    out.set(key, photo);
  }
  return out;
}

/** Area-averaging resize to an exact size (downscaling; the target is never larger here). */
function resize(p: Pixels, w: number, h: number): Pixels {
  if (w === p.width && h === p.height) return p;
  const sx = w / p.width;
  const sy = h / p.height;
  const acc = new Float64Array(w * h * 4);
  const cnt = new Float64Array(w * h);
  for (let y = 0; y < p.height; y++) {
    const ty = Math.min(h - 1, Math.floor(y * sy));
    for (let x = 0; x < p.width; x++) {
      const t = ty * w + Math.min(w - 1, Math.floor(x * sx));
      const s = (y * p.width + x) * 4;
      for (let c = 0; c < 4; c++) acc[t * 4 + c] = acc[t * 4 + c]! + p.data[s + c]!;
      cnt[t] = cnt[t]! + 1;
    }
  }
  const out = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    const n = cnt[i] || 1;
    for (let c = 0; c < 4; c++) out[i * 4 + c] = acc[i * 4 + c]! / n;
  }
  return { data: out, width: w, height: h };
}
