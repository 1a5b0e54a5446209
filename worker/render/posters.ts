// Renders posters: one format of one model → PNG of the exact format size.
import { type FormatName } from "../../templates/posters/model.ts";
import { layoutPoster } from "../../templates/posters/poster.tsx";
import type { PosterModel } from "../../templates/posters/model.ts";
import { toPng, toSvg } from "./engine.ts";

export async function renderPoster(model: PosterModel, format: FormatName): Promise<Uint8Array> {
  const { node, width, height } = layoutPoster(model, format);
  return toPng(await toSvg(node, width, height));
}

/** The SVG with text as <text> elements and the declared boxes: for layout checks. */
export async function posterLayout(model: PosterModel, format: FormatName) {
  const { node, width, height, boxes } = layoutPoster(model, format);
  return { svg: await toSvg(node, width, height, false), boxes, width, height };
}
