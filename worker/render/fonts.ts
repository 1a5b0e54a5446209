// The poster fonts — Noto Sans (regular, bold, black) bundled from npm — and their real
// glyph metrics. Satori draws with these fonts; the fitting code measures with the very
// same files, so a line measured to fit does fit. Noto Sans covers every Latin-script
// letter (Latin-1, Latin Extended-A/B and Additional: ß, ł, ç, ő, ø, ș, ț, ğ…); any
// character it lacks is replaced before rendering, so nothing renders as a box.
import opentype from "opentype.js";
import black from "@expo-google-fonts/noto-sans/900Black/NotoSans_900Black.ttf";
import bold from "@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf";
import regular from "@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf";

export const FONT_FAMILY = "Noto Sans";
export type Weight = 400 | 700 | 900;

export const SATORI_FONTS = [
  { name: FONT_FAMILY, data: regular, weight: 400 as const, style: "normal" as const },
  { name: FONT_FAMILY, data: bold, weight: 700 as const, style: "normal" as const },
  { name: FONT_FAMILY, data: black, weight: 900 as const, style: "normal" as const },
];

const parsed = new Map<Weight, opentype.Font>();
function font(weight: Weight): opentype.Font {
  let f = parsed.get(weight);
  if (!f) {
    f = opentype.parse(weight === 400 ? regular : weight === 700 ? bold : black);
    parsed.set(weight, f);
  }
  return f;
}

/** Widths at 1 px, per weight: advance widths (kerning included) scale linearly with size. */
const unitWidths = new Map<string, number>();
const UNIT_CACHE_LIMIT = 20_000;

/** Advance width of `text` in px at `size`, with kerning, as the renderer lays it out. */
export function measure(text: string, size: number, weight: Weight): number {
  const key = `${weight}\u0000${text}`;
  let unit = unitWidths.get(key);
  if (unit === undefined) {
    unit = font(weight).getAdvanceWidth(text, 1000, { kerning: true }) / 1000;
    if (unitWidths.size > UNIT_CACHE_LIMIT) unitWidths.clear();
    unitWidths.set(key, unit);
  }
  return unit * size;
}

export function hasGlyph(ch: string, weight: Weight = 400): boolean {
  return font(weight).charToGlyphIndex(ch) > 0;
}

/**
 * Makes text renderable with the bundled fonts: characters without a glyph fall back
 * to their base letter (NFKD without combining marks), then to a plain "?" — never a
 * box. Control characters become spaces.
 */
export function renderable(text: string): string {
  let out = "";
  for (const ch of text.normalize("NFC")) {
    if (/[\u0000-\u001f\u007f]/.test(ch)) out += " ";
    else if (ch === " " || hasGlyph(ch, 400) && hasGlyph(ch, 700)) out += ch;
    else {
      const base = ch.normalize("NFKD").replace(/\p{M}/gu, "");
      out += base && [...base].every((c) => hasGlyph(c, 400) && hasGlyph(c, 700)) ? base : "?";
    }
  }
  return out;
}

/** Ascent and descent of the family, as a fraction of the font size (the largest over the weights). */
export function extents(): { ascent: number; descent: number } {
  let ascent = 0;
  let descent = 0;
  for (const w of [400, 700, 900] as const) {
    const f = font(w);
    ascent = Math.max(ascent, f.ascender / f.unitsPerEm);
    descent = Math.max(descent, -f.descender / f.unitsPerEm);
  }
  return { ascent, descent };
}

/**
 * Extra space above the first and below the last line so that whole glyphs (accents,
 * descenders) stay inside the box when the line height is tighter than the font's
 * content area.
 */
export function edgePad(size: number, lineHeight: number): number {
  const { ascent, descent } = extents();
  return Math.max(0, ((ascent + descent - lineHeight) / 2) * size);
}
