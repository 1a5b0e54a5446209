// The rendering engine inside the Worker: satori (JSX → SVG, yoga layout as wasm) and
// resvg (SVG → PNG, wasm). satori is pinned to 0.32.0, the last release without
// HarfBuzz: later ones compile wasm from bytes at run time, which workerd forbids.
// Both wasm modules are imported as compiled modules (wrangler's CompiledWasm rule).
import { initWasm, Resvg } from "@resvg/resvg-wasm";
import resvgWasm from "@resvg/resvg-wasm/index_bg.wasm";
import satori, { init as initSatori } from "satori/standalone";
import yogaWasm from "satori/yoga.wasm";
import { SATORI_FONTS } from "./fonts.ts";
import { encodePng } from "./png.ts";

let ready: Promise<void> | null = null;

export function initRenderer(): Promise<void> {
  ready ??= Promise.all([initSatori(yogaWasm), initWasm(resvgWasm)]).then(() => undefined);
  return ready;
}

/** JSX tree → SVG. With `embedFont: false` text stays as <text> elements (for layout tests). */
export async function toSvg(node: unknown, width: number, height: number, embedFont = true): Promise<string> {
  await initRenderer();
  return satori(node as never, { width, height, fonts: SATORI_FONTS, embedFont });
}

/** SVG → PNG at the SVG's own size: resvg rasterises, the runtime's native zlib compresses. */
export async function toPng(svg: string): Promise<Uint8Array> {
  await initRenderer();
  const r = new Resvg(svg, { fitTo: { mode: "original" }, font: { loadSystemFonts: false } });
  const img = r.render();
  const { width, height } = img;
  const pixels = img.pixels;
  const opaque = unpremultiply(pixels);
  img.free();
  r.free();
  return encodePng(pixels, width, height, opaque);
}

/**
 * resvg hands out premultiplied RGBA; PNG stores straight alpha. Posters are opaque: a
 * no-op then. Returns whether every pixel was opaque.
 */
function unpremultiply(px: Uint8Array): boolean {
  let opaque = true;
  for (let i = 3; i < px.length; i += 4) {
    const a = px[i]!;
    if (a === 255) continue;
    opaque = false;
    if (a === 0) continue;
    px[i - 3] = Math.min(255, Math.round((px[i - 3]! * 255) / a));
    px[i - 2] = Math.min(255, Math.round((px[i - 2]! * 255) / a));
    px[i - 1] = Math.min(255, Math.round((px[i - 1]! * 255) / a));
  }
  return opaque;
}
