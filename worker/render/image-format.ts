// Reads what an uploaded photo claims to be without decoding it: the type from its
// magic bytes, the pixel dimensions from its header, whether the file is complete, and
// the EXIF orientation. Everything a hostile file could lie about is checked here,
// before any decoder allocates memory for it.
import { AppError } from "../errors.ts";

export type ImageType = "jpeg" | "png" | "webp";

export interface ImageInfo {
  type: ImageType;
  width: number;
  height: number;
  /** EXIF orientation 1–8 (1 = as stored). */
  orientation: number;
}

/** 10 MB: a phone photo is 2–6 MB; larger is not a photo we need. */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
/** 16 megapixels decode to 64 MB of RGBA: the most a 128 MB Worker can hold safely. */
export const MAX_PHOTO_PIXELS = 16_800_000;
/** Smaller than this cannot show a face on a poster. */
export const MIN_PHOTO_SIDE = 200;
export const MAX_PHOTO_SIDE = 10_000;

const u16be = (b: Uint8Array, o: number) => (b[o]! << 8) | b[o + 1]!;
const u32be = (b: Uint8Array, o: number) => ((b[o]! << 24) >>> 0) + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);
const u16le = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);
const u24le = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16);
const u32le = (b: Uint8Array, o: number) => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
const ascii = (b: Uint8Array, o: number, n: number) => String.fromCharCode(...b.subarray(o, o + n));

export function sniff(b: Uint8Array): ImageType | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "jpeg";
  if (b.length >= 8 && ascii(b, 0, 8) === "\x89PNG\r\n\x1a\n") return "png";
  if (b.length >= 12 && ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 4) === "WEBP") return "webp";
  return null;
}

const bad = (detail: string) => new AppError("E_BAD_IMAGE", detail);

/** Orientation tag (0x0112) from a TIFF/EXIF block; 1 when absent or unreadable. */
export function exifOrientation(tiff: Uint8Array): number {
  if (tiff.length < 8) return 1;
  const le = ascii(tiff, 0, 2) === "II";
  if (!le && ascii(tiff, 0, 2) !== "MM") return 1;
  const r16 = (o: number) => (le ? u16le(tiff, o) : u16be(tiff, o));
  const r32 = (o: number) => (le ? u32le(tiff, o) : u32be(tiff, o));
  const ifd = r32(4);
  if (ifd + 2 > tiff.length) return 1;
  const n = r16(ifd);
  for (let i = 0; i < n; i++) {
    const e = ifd + 2 + i * 12;
    if (e + 12 > tiff.length) break;
    if (r16(e) === 0x0112) {
      const v = r16(e + 8);
      return v >= 1 && v <= 8 ? v : 1;
    }
  }
  return 1;
}

function jpegInfo(b: Uint8Array): ImageInfo {
  let o = 2;
  let width = 0;
  let height = 0;
  let orientation = 1;
  let sawScan = false;
  while (o + 4 <= b.length) {
    if (b[o] !== 0xff) throw bad("corrupt JPEG: marker expected");
    const marker = b[o + 1]!;
    if (marker === 0xff) {
      o++;
      continue;
    }
    if (marker === 0xd9) break;
    if (marker >= 0xd0 && marker <= 0xd7) {
      o += 2;
      continue;
    }
    const len = u16be(b, o + 2);
    if (len < 2 || o + 2 + len > b.length) throw bad("truncated JPEG");
    if (marker === 0xe1 && ascii(b, o + 4, 6) === "Exif\0\0") orientation = exifOrientation(b.subarray(o + 10, o + 2 + len));
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      height = u16be(b, o + 5);
      width = u16be(b, o + 7);
    }
    if (marker === 0xda) {
      sawScan = true;
      break;
    }
    o += 2 + len;
  }
  if (!sawScan || !width || !height) throw bad("truncated JPEG: no image data");
  // The entropy-coded data must end with the EOI marker (allowing trailing padding).
  let end = b.length - 1;
  while (end > 0 && b[end] === 0x00) end--;
  if (!(b[end - 1] === 0xff && b[end] === 0xd9)) throw bad("truncated JPEG: the end-of-image marker is missing");
  return { type: "jpeg", width, height, orientation };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngInfo(b: Uint8Array): ImageInfo {
  let o = 8;
  let width = 0;
  let height = 0;
  let orientation = 1;
  let ended = false;
  while (o + 12 <= b.length) {
    const len = u32be(b, o);
    const type = ascii(b, o + 4, 4);
    if (o + 12 + len > b.length) throw bad("truncated PNG");
    if (crc32(b.subarray(o + 4, o + 8 + len)) !== u32be(b, o + 8 + len)) throw bad(`corrupt PNG: bad checksum in ${type}`);
    if (type === "IHDR") {
      width = u32be(b, o + 8);
      height = u32be(b, o + 12);
    }
    if (type === "eXIf") orientation = exifOrientation(b.subarray(o + 8, o + 8 + len));
    if (type === "acTL") throw bad("animated PNG is not a photo");
    o += 12 + len;
    if (type === "IEND") {
      ended = true;
      break;
    }
  }
  if (!ended) throw bad("truncated PNG: no IEND chunk");
  if (!width || !height) throw bad("corrupt PNG: no header");
  return { type: "png", width, height, orientation };
}

function webpInfo(b: Uint8Array): ImageInfo {
  if (u32le(b, 4) + 8 !== b.length) throw bad("truncated WebP: the RIFF size does not match the file");
  let o = 12;
  let width = 0;
  let height = 0;
  let orientation = 1;
  while (o + 8 <= b.length) {
    const type = ascii(b, o, 4);
    const len = u32le(b, o + 4);
    const data = o + 8;
    if (data + len > b.length) throw bad("truncated WebP chunk");
    if (type === "VP8X") {
      if (b[data]! & 0x02) throw bad("animated WebP is not a photo");
      width = u24le(b, data + 4) + 1;
      height = u24le(b, data + 7) + 1;
    } else if (type === "VP8 " && !width) {
      width = u16le(b, data + 6) & 0x3fff;
      height = u16le(b, data + 8) & 0x3fff;
    } else if (type === "VP8L" && !width) {
      const bits = u32le(b, data + 1);
      width = (bits & 0x3fff) + 1;
      height = ((bits >> 14) & 0x3fff) + 1;
    } else if (type === "EXIF") {
      const start = ascii(b, data, 6) === "Exif\0\0" ? data + 6 : data;
      orientation = exifOrientation(b.subarray(start, data + len));
    } else if (type === "ANIM") throw bad("animated WebP is not a photo");
    o = data + len + (len & 1);
  }
  if (!width || !height) throw bad("corrupt WebP: no image header");
  return { type: "webp", width, height, orientation };
}

/**
 * Checks an upload before anything decodes it: a real JPEG/PNG/WebP by its bytes (not
 * its name or Content-Type), complete, within size and pixel limits (a small file that
 * declares a huge image — a decompression bomb — is refused here).
 */
export function inspectImage(bytes: Uint8Array): ImageInfo {
  if (bytes.length === 0) throw bad("the file is empty");
  if (bytes.length > MAX_PHOTO_BYTES) throw new AppError("E_PAYLOAD_TOO_LARGE", `photos are at most ${MAX_PHOTO_BYTES / 1024 / 1024} MB`);
  const type = sniff(bytes);
  if (!type) throw bad("not a JPEG, PNG or WebP image (SVG and other formats are refused)");
  const info = type === "jpeg" ? jpegInfo(bytes) : type === "png" ? pngInfo(bytes) : webpInfo(bytes);
  if (info.width > MAX_PHOTO_SIDE || info.height > MAX_PHOTO_SIDE || info.width * info.height > MAX_PHOTO_PIXELS) {
    throw bad(`the image declares ${info.width}×${info.height} pixels; at most ${MAX_PHOTO_PIXELS / 1e6} megapixels`);
  }
  if (info.width < MIN_PHOTO_SIDE || info.height < MIN_PHOTO_SIDE) {
    throw bad(`the image is ${info.width}×${info.height}; at least ${MIN_PHOTO_SIDE}×${MIN_PHOTO_SIDE} pixels`);
  }
  return info;
}
