// Text fitting: choose the largest font size at which a text, wrapped into lines we
// decide ourselves, fits its box. Lines are then rendered as they are (no re-wrapping by
// the renderer), so what was measured is what is drawn: nothing overflows, nothing is cut.
import { edgePad, measure, type Weight } from "./fonts.ts";

export interface FitSpec {
  width: number;
  height: number;
  weight: Weight;
  maxSize: number;
  minSize: number;
  lineHeight: number;
  maxLines?: number;
}

export interface Fitted {
  size: number;
  lines: string[];
  lineHeight: number;
  /** Padding above the first and below the last line (whole glyphs inside the box). */
  pad: number;
  /** Height actually used: lines × size × lineHeight + 2 × pad. */
  height: number;
}

const used = (n: number, size: number, lh: number) => n * size * lh + 2 * edgePad(size, lh);

/** Fraction of the box width lines may use: margin for renderer rounding and hinting. */
const SAFETY = 0.97;

/** Splits a word wider than the line: at hyphens first, then between characters. */
function breakWord(word: string, size: number, weight: Weight, width: number): string[] {
  const parts: string[] = [];
  const pieces = word.split(/(?<=-)/);
  let cur = "";
  for (const piece of pieces) {
    if (measure(cur + piece, size, weight) <= width) cur += piece;
    else {
      if (cur) parts.push(cur);
      if (measure(piece, size, weight) <= width) cur = piece;
      else {
        cur = "";
        for (const ch of piece) {
          if (measure(cur + ch, size, weight) <= width || !cur) cur += ch;
          else {
            parts.push(cur);
            cur = ch;
          }
        }
      }
    }
  }
  if (cur) parts.push(cur);
  return parts;
}

/**
 * Greedy wrap at spaces to `width` px at `size`. A word wider than the line is split at
 * hyphens or between characters only when `breakWords`; otherwise the wrap fails (null).
 */
export function wrap(text: string, size: number, weight: Weight, width: number, breakWords: false): string[] | null;
export function wrap(text: string, size: number, weight: Weight, width: number, breakWords?: true): string[];
export function wrap(text: string, size: number, weight: Weight, width: number, breakWords = true): string[] | null {
  const lines: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      const candidate = line ? `${line} ${word}` : word;
      if (measure(candidate, size, weight) <= width) {
        line = candidate;
        continue;
      }
      if (line) lines.push(line);
      if (measure(word, size, weight) <= width) line = word;
      else {
        if (!breakWords) return null;
        const parts = breakWord(word, size, weight, width);
        lines.push(...parts.slice(0, -1));
        line = parts.at(-1) ?? "";
      }
    }
    if (line) lines.push(line);
  }
  return lines;
}

/**
 * The largest size (1 px steps) whose wrapped text fits the box, keeping words whole if
 * any size down to the floor allows it; only then are long words broken.
 */
export function fit(text: string, spec: FitSpec): Fitted {
  const width = spec.width * SAFETY;
  for (const breakWords of [false, true] as const) {
    for (let size = spec.maxSize; size >= spec.minSize; size--) {
      const lines = breakWords ? wrap(text, size, spec.weight, width) : wrap(text, size, spec.weight, width, false);
      if (!lines) continue;
      const height = used(lines.length, size, spec.lineHeight);
      if (height <= spec.height && (!spec.maxLines || lines.length <= spec.maxLines)) {
        return { size, lines, lineHeight: spec.lineHeight, pad: edgePad(size, spec.lineHeight), height };
      }
    }
  }
  // Below the legibility floor: keep shrinking (down to 6 px) rather than ever cut text.
  for (let size = spec.minSize - 1; size >= 6; size--) {
    const lines = wrap(text, size, spec.weight, width);
    const height = used(lines.length, size, spec.lineHeight);
    if (height <= spec.height) return { size, lines, lineHeight: spec.lineHeight, pad: edgePad(size, spec.lineHeight), height };
  }
  const lines = wrap(text, 6, spec.weight, width);
  return { size: 6, lines, lineHeight: spec.lineHeight, pad: edgePad(6, spec.lineHeight), height: used(lines.length, 6, spec.lineHeight) };
}

export interface Block {
  text: string;
  weight: Weight;
  /** Relative size (1 = body size). */
  scale?: number;
  /** Space after the block, in body lines. */
  gapAfter?: number;
}

export interface FittedBlock extends Block {
  size: number;
  lines: string[];
  lineHeight: number;
}

/**
 * Fits several blocks into one column at one shared body size (headings scaled from it):
 * the largest size at which the whole column fits the height.
 */
export function fitColumn(
  blocks: Block[],
  box: { width: number; height: number; maxSize: number; minSize: number; lineHeight: number },
): { size: number; blocks: FittedBlock[]; height: number; pad: number } {
  const width = box.width * SAFETY;
  const layout = (size: number, breakWords: boolean) => {
    let height = 0;
    const out: FittedBlock[] = [];
    // The first and last lines are the largest in the column at most 1.15× body size.
    const pad = edgePad(Math.round(size * Math.max(...blocks.map((b) => b.scale ?? 1))), box.lineHeight);
    height += 2 * pad;
    for (const b of blocks) {
      const s = Math.round(size * (b.scale ?? 1));
      const lines = breakWords ? wrap(b.text, s, b.weight, width) : wrap(b.text, s, b.weight, width, false);
      if (!lines) return null;
      height += lines.length * s * box.lineHeight + (b.gapAfter ?? 0) * size;
      out.push({ ...b, size: s, lines, lineHeight: box.lineHeight });
    }
    return { size, blocks: out, height, pad };
  };
  for (const breakWords of [false, true]) {
    for (let size = box.maxSize; size > 6; size--) {
      const l = layout(size, breakWords);
      if (l && l.height <= box.height) return l;
    }
  }
  return layout(6, true)!;
}
