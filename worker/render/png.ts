// PNG encoding with the runtime's native zlib (CompressionStream) instead of the
// rasteriser's own encoder compiled to wasm: same lossless PNG, a fraction of the CPU.
// Scanlines use the "Up" filter, which suits posters (flat colours, text, one photo).

import { concat } from "../bytes.ts";

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(parts: Uint8Array[]): number {
  let c = 0xffffffff;
  for (const p of parts) for (let i = 0; i < p.length; i++) c = CRC_TABLE[(c ^ p[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  const t = new TextEncoder().encode(type);
  out.set(t, 4);
  out.set(data, 8);
  v.setUint32(8 + data.length, crc32([t, data]));
  return out;
}

async function deflate(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Whether every pixel is fully opaque (then the alpha channel need not be stored). */
export function isOpaque(rgba: Uint8Array): boolean {
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 255) return false;
  return true;
}

/**
 * RGBA pixels (non-premultiplied) → PNG bytes, 8 bit: RGB when every pixel is opaque (a
 * quarter less to filter and compress — posters are), RGBA otherwise.
 */
export async function encodePng(rgba: Uint8Array, width: number, height: number, opaque = isOpaque(rgba)): Promise<Uint8Array> {
  const channels = opaque ? 3 : 4;
  const stride = width * 4;
  const out = width * channels;
  const raw = new Uint8Array((out + 1) * height);
  for (let y = 0; y < height; y++) {
    let o = y * (out + 1);
    const src = y * stride;
    // Row 0 unfiltered; then "Up": the difference with the row above (long runs of zeros on posters).
    raw[o++] = y === 0 ? 0 : 2;
    const above = y === 0 ? -1 : src - stride;
    if (channels === 4) {
      if (above < 0) raw.set(rgba.subarray(src, src + stride), o);
      else for (let i = 0; i < stride; i++) raw[o + i] = (rgba[src + i]! - rgba[above + i]!) & 0xff;
    } else if (above < 0) {
      for (let i = src; i < src + stride; i += 4) {
        raw[o++] = rgba[i]!;
        raw[o++] = rgba[i + 1]!;
        raw[o++] = rgba[i + 2]!;
      }
    } else {
      for (let i = src, j = above; i < src + stride; i += 4, j += 4) {
        raw[o++] = (rgba[i]! - rgba[j]!) & 0xff;
        raw[o++] = (rgba[i + 1]! - rgba[j + 1]!) & 0xff;
        raw[o++] = (rgba[i + 2]! - rgba[j + 2]!) & 0xff;
      }
    }
  }
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, opaque ? 2 : 6, 0, 0, 0], 8); // 8-bit, RGB or RGBA, deflate, adaptive filtering, no interlace
  const parts = [
    Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
    chunk("IHDR", ihdr),
    chunk("IDAT", await deflate(raw)),
    chunk("IEND", new Uint8Array()),
  ];
  return concat(...parts);
}
