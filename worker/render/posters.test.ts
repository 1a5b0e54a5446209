import { describe, expect, it } from "vitest";
import { CATALOGUES } from "../../templates/i18n/index.ts";
import { FORMATS, FORMAT_NAMES, type PosterModel } from "../../templates/posters/model.ts";
import { morePhotoAreas } from "../../templates/posters/poster.tsx";
import { AlertContent, LANGUAGES, type Language } from "../domain/index.ts";
import { fixture } from "../test/fixtures.ts";
import { inEvery } from "../test/helpers.ts";
import { normalisePhoto } from "./codecs.ts";
import { extents, hasGlyph, renderable } from "./fonts.ts";
import { inspectImage } from "./image-format.ts";
import { alertPosterModel, stoppedPosterModel } from "./poster-model.ts";
import { posterLayout, renderPoster } from "./posters.ts";
import { qrDataUri } from "./qr.ts";

const b64 = (u: Uint8Array) => {
  let s = "";
  for (const x of u) s += String.fromCharCode(x);
  return btoa(s);
};

async function photo() {
  const raw = fixture("photo-exif.jpg");
  const p = await normalisePhoto(raw, inspectImage(raw));
  return { src: `data:image/jpeg;base64,${b64(p.jpeg)}`, width: p.width, height: p.height };
}

/** The same text in the four languages (for the tests where the translation is not the point). */
const all = (s: string) => inEvery(s);

const NORMAL = AlertContent.parse({
  child: {
    firstName: "Noa",
    lastName: "Voorbeeld",
    age: 8,
    heightCm: 128,
    description: { fr: "Cheveux noirs courts et bouclés, yeux bruns.", nl: "Kort zwart krullend haar, bruine ogen.", de: "Kurze schwarze Locken, braune Augen.", en: "Short curly black hair, brown eyes." },
    clothing: { fr: "Imperméable jaune.", nl: "Gele regenjas.", de: "Gelber Regenmantel.", en: "Yellow raincoat." },
    photos: [],
  },
  lastSeen: { place: all("Liège, Place Saint-Lambert"), at: "2026-11-23T06:45:00+01:00" },
  vehicle: { description: { fr: "Fourgon blanc", nl: "Witte bestelwagen", de: "Weißer Kastenwagen", en: "White panel van" }, plate: "1-ABC-123" },
  targeting: { regions: ["BE"], languages: ["fr", "nl", "de", "en"] },
  purposeAttestation: true,
});

/** The longest realistic inputs the form accepts. */
const LONGEST = AlertContent.parse({
  child: {
    firstName: "Marie-Antoinette-Géraldine",
    lastName: "Wiśniewska-Van den Broeck",
    age: 17,
    heightCm: 172,
    description: all((
      "Slim build, long straight dark-blond hair usually tied in a ponytail, green-grey eyes, a small scar above the left eyebrow, " +
      "pierced ears with small silver rings, braces on the upper teeth, wears thin round glasses with a tortoiseshell frame, " +
      "speaks French, Dutch and some Polish, may appear confused or frightened, needs daily medication for epilepsy and has not had it since yesterday morning; " +
      "she is shy with strangers and may give a false name. Distinctive birthmark on the right forearm, bitten fingernails, "
    ).slice(0, 600)),
    clothing: all((
      "Oversized dark-green hooded parka with a fur-trimmed hood, a grey knitted scarf, black skinny jeans torn at the left knee, white high-top trainers with " +
      "red laces, a purple backpack with a keyring shaped like a cat, a yellow woollen hat with a pompom, fingerless gloves, a thin silver bracelet with charms."
    ).slice(0, 400)),
    photos: [],
  },
  lastSeen: { place: all("Sint-Pieters-Woluwe / Woluwe-Saint-Pierre, Avenue de Tervueren — Tervurenlaan, near the tram stop Montgomery (line 39 and 44)"), at: "2026-11-23T23:59:00+01:00" },
  vehicle: { description: all("Dark-grey Volkswagen Transporter minivan with tinted rear windows and a roof rack, dent in the rear bumper"), plate: "2-XYZ-987" },
  accompanyingPerson: { description: all("Man aged about 45, 1 m 85, heavy build, shaved head, grey beard, tattoo of a swallow on the neck, dark-blue work jacket, speaks French with an accent.") },
  targeting: { regions: ["BE"], languages: ["fr", "nl", "de", "en"] },
  purposeAttestation: true,
});

function pngSize(png: Uint8Array): { width: number; height: number } {
  expect(String.fromCharCode(...png.subarray(1, 4))).toBe("PNG");
  const v = new DataView(png.buffer, png.byteOffset);
  return { width: v.getUint32(16), height: v.getUint32(20) };
}

const unescape = (s: string) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");

interface Run {
  x: number;
  y: number;
  w: number;
  size: number;
  text: string;
}
function textRuns(svg: string): Run[] {
  const out: Run[] = [];
  for (const m of svg.matchAll(/<text x="([-\d.]+)" y="([-\d.]+)" width="([\d.]+)" height="[\d.]+"[^>]*font-size="([\d.]+)"[^>]*>([^<]*)<\/text>/g)) {
    out.push({ x: +m[1]!, y: +m[2]!, w: +m[3]!, size: +m[4]!, text: unescape(m[5]!) });
  }
  return out;
}

describe("every format × language × variant renders inside workerd at the exact size", () => {
  const variants: [string, (lang: Language, p: Awaited<ReturnType<typeof photo>>) => PosterModel][] = [
    ["alert", (lang, p) => alertPosterModel({ content: NORMAL, exercise: false, photo: p, qr: qrDataUri("https://alert.example.org/alert/1") }, lang)],
    ["exercise", (lang, p) => alertPosterModel({ content: NORMAL, exercise: true, photo: p, qr: qrDataUri("https://alert.example.org/alert/1") }, lang)],
    ["found", (lang) => stoppedPosterModel(lang, "found", false)],
    ["ended", (lang) => stoppedPosterModel(lang, "ended", true)],
  ];
  for (const [variant, make] of variants) {
    it(`${variant}: ${FORMAT_NAMES.length} formats × ${LANGUAGES.length} languages`, async () => {
      const p = await photo();
      for (const lang of LANGUAGES) {
        for (const format of FORMAT_NAMES) {
          const png = await renderPoster(make(lang, p), format);
          expect(pngSize(png), `${variant} ${format} ${lang}`).toEqual({ width: FORMATS[format].width, height: FORMATS[format].height });
        }
      }
    });
  }
});

describe("text fitting: nothing overflows its box, nothing is cut", () => {
  for (const lang of LANGUAGES) {
    it(`the longest realistic inputs stay inside their boxes in every format (${lang})`, async () => {
      const model = alertPosterModel({ content: LONGEST, exercise: false, photo: null, qr: qrDataUri("https://alert.example.org/alert/1") }, lang);
      for (const format of FORMAT_NAMES) {
        const { svg, boxes, width, height } = await posterLayout(model, format);
        const runs = textRuns(svg).filter((r) => r.text.trim());
        const { ascent, descent } = extents();
        expect(runs.length, format).toBeGreaterThan(3);
        for (const r of runs) {
          const inside = boxes.find(
            // The run's whole glyph extent (ascent above, descent below the baseline) lies in a declared box.
            (b) => r.x >= b.x - 0.5 && r.x + r.w <= b.x + b.w + 0.5 && r.y - ascent * r.size >= b.y - 1.5 && r.y + descent * r.size <= b.y + b.h + 1.5, // 1.5 px: renderer rounding of the baseline
          );
          expect(inside, `${format}/${lang}: "${r.text}" at x=${r.x} y=${r.y} w=${r.w} size=${r.size}`).toBeDefined();
          expect(r.x + r.w).toBeLessThanOrEqual(width);
          expect(r.y).toBeLessThanOrEqual(height);
        }
        // Every word of what the format shows is drawn, in order (no truncation).
        const drawn = runs.map((r) => r.text).join("").replace(/\s+/g, "");
        const t = model.text!;
        const shown = format === "leaderboard" ? [t.name, t.lastSeen] : FORMATS[format].family === "wide" ? [t.name, t.lastSeen] : [t.name, t.lastSeen, t.description, t.clothing!, t.vehicle!];
        for (const s of shown) expect(drawn, `${format}/${lang} draws "${s.slice(0, 30)}…"`).toContain(s.replace(/\s+/g, ""));
      }
    });
  }

  it("keeps words whole when a smaller size allows it (no 'Voorbee-ld')", async () => {
    const model = alertPosterModel({ content: NORMAL, exercise: false, photo: null, qr: null }, "nl");
    const { svg } = await posterLayout(model, "story");
    const runs = textRuns(svg).map((r) => r.text.trim()).filter(Boolean);
    expect(runs).toContain("Voorbeeld");
  });
});

describe("rule 7: every approved photo where the format has room", () => {
  it("the print poster shows all four photos, whole and inside their areas; the other formats the first", async () => {
    const p = await photo();
    const model = alertPosterModel({ content: LONGEST, exercise: false, photo: p, morePhotos: [p, p, p], qr: qrDataUri("https://alert.example.org/alert/1") }, "nl");
    const jpegs = (svg: string) => (svg.match(/data:image\/jpeg/g) ?? []).length;
    const print = await posterLayout(model, "print");
    expect(jpegs(print.svg)).toBe(4);
    expect(morePhotoAreas("print")).toHaveLength(3);
    expect(morePhotoAreas("square")).toEqual([]);
    // The name still fits, beside the photos, every word drawn.
    const drawn = textRuns(print.svg).map((r) => r.text).join("").replace(/\s+/g, "");
    expect(drawn).toContain(model.text!.name.replace(/\s+/g, ""));
    const name = print.boxes.find((b) => b.name === "name")!;
    const firstExtra = morePhotoAreas("print")[0]!;
    expect(name.y + name.h).toBeLessThanOrEqual(firstExtra.y);
    for (const format of FORMAT_NAMES.filter((f) => f !== "print")) expect(jpegs((await posterLayout(model, format)).svg), format).toBe(1);
    // And it renders.
    expect(pngSize(await renderPoster(model, "print"))).toEqual({ width: FORMATS.print.width, height: FORMATS.print.height });
  });
});

describe("variants", () => {
  it("the stopped posters show neither the name nor the photo, even when the model carries them", async () => {
    // stoppedPosterModel never receives the alert, so the check is on the layout: a stopped
    // variant given the alert's text, photo and QR code (a future caller's mistake) still
    // draws none of them. The same layout with variant "alert" draws them (control).
    const p = await photo();
    for (const lang of LANGUAGES) {
      const alert = alertPosterModel({ content: NORMAL, exercise: false, photo: p, qr: qrDataUri("https://alert.example.org/alert/1") }, lang);
      expect(textRuns((await posterLayout(alert, "square")).svg).map((r) => r.text).join(" ")).toContain("Noa");
      for (const variant of ["found", "ended"] as const) {
        for (const format of FORMAT_NAMES) {
          const { svg } = await posterLayout({ ...alert, ...stoppedPosterModel(lang, variant, false), text: alert.text, photo: alert.photo, qr: alert.qr }, format);
          expect(svg).not.toContain("Noa");
          expect(svg).not.toContain("Voorbeeld");
          expect(svg).not.toMatch(/<image/);
          const drawn = textRuns(svg).map((r) => r.text).join(" ");
          expect(drawn).toContain(variant === "found" ? CATALOGUES[lang].foundTitle.split(" ")[0] : CATALOGUES[lang].endedTitle.split(" ")[0]);
        }
      }
    }
  });

  it("'ended' does not claim the child was found", async () => {
    for (const lang of LANGUAGES) {
      const { svg } = await posterLayout(stoppedPosterModel(lang, "ended", false), "square");
      const drawn = textRuns(svg).map((r) => r.text).join(" ");
      expect(drawn).not.toContain(CATALOGUES[lang].foundTitle.split(" ").at(-1)!);
    }
  });

  it("the exercise variant carries the marking in every language and every format", async () => {
    for (const lang of LANGUAGES) {
      for (const exercise of [true, false]) {
        for (const format of FORMAT_NAMES) {
          const model = alertPosterModel({ content: NORMAL, exercise, photo: null, qr: null }, lang);
          const drawn = textRuns((await posterLayout(model, format)).svg).map((r) => r.text).join(" ");
          if (exercise) expect(drawn, `${format}/${lang}`).toContain(CATALOGUES[lang].exercise);
          else expect(drawn, `${format}/${lang}`).not.toContain(CATALOGUES[lang].exercise);
        }
        const stoppedDrawn = textRuns((await posterLayout(stoppedPosterModel(lang, "found", exercise), "square")).svg).map((r) => r.text).join(" ");
        expect(stoppedDrawn.includes(CATALOGUES[lang].exercise)).toBe(exercise);
      }
    }
  });

  it("carries 116 000 and +32 2 475 44 99, unless the operator left them out", async () => {
    for (const format of FORMAT_NAMES) {
      const on = textRuns((await posterLayout(alertPosterModel({ content: NORMAL, exercise: false, photo: null, qr: null }, "fr"), format)).svg).map((r) => r.text).join("");
      expect(on.replace(/\s/g, "")).toContain("116000");
      expect(on.replace(/\s/g, "")).toContain("+3224754499");
      const off = alertPosterModel({ content: { ...NORMAL, showHotline: false }, exercise: false, photo: null, qr: null }, "fr");
      expect(textRuns((await posterLayout(off, format)).svg).map((r) => r.text).join("").replace(/\s/g, "")).not.toContain("116000");
    }
  });

  it("the accompanying person appears only when the model carries it (publishable content)", async () => {
    const without = { ...LONGEST, accompanyingPerson: undefined };
    const a = textRuns((await posterLayout(alertPosterModel({ content: without, exercise: false, photo: null, qr: null }, "en"), "print")).svg).map((r) => r.text).join(" ");
    expect(a).not.toContain("swallow");
    const b = textRuns((await posterLayout(alertPosterModel({ content: LONGEST, exercise: false, photo: null, qr: null }, "en"), "print")).svg).map((r) => r.text).join(" ");
    expect(b).toContain("swallow");
  });

  it("each language's poster draws its own texts; names and plates are the same in all", async () => {
    const drawn = async (lang: Language) =>
      textRuns((await posterLayout(alertPosterModel({ content: NORMAL, exercise: false, photo: null, qr: null }, lang), "print")).svg)
        .map((r) => r.text)
        .join("")
        .replace(/\s+/g, "");
    const nl = await drawn("nl");
    const fr = await drawn("fr");
    expect(nl).toContain("krullend");
    expect(nl).toContain("Geleregenjas");
    expect(nl).toContain("Wittebestelwagen");
    expect(nl).not.toContain("raincoat");
    expect(fr).toContain("Imperméablejaune");
    expect(fr).not.toContain("regenjas");
    for (const text of [nl, fr]) {
      expect(text).toContain("Noa");
      expect(text).toContain("1-ABC-123");
    }
  });

  it("dates are in Belgian time, in each language", () => {
    const at = "2026-11-23T22:30:00Z"; // 23:30 in Brussels (UTC+1)
    const m = (lang: Language) => alertPosterModel({ content: { ...NORMAL, lastSeen: { place: all("X"), at } }, exercise: false, photo: null, qr: null }, lang).text!.lastSeen;
    expect(m("fr")).toMatch(/lundi 23 novembre.*23:30/);
    expect(m("nl")).toMatch(/maandag 23 november.*23:30/);
    expect(m("de")).toMatch(/Montag, 23\. November.*23:30/);
    expect(m("en")).toMatch(/Monday 23 November.*23:30/);
  });
});

describe("fonts: every Latin-script name renders, nothing as a box", () => {
  it("covers Latin-1, Latin Extended-A, the Latin letters of Extended-B and Latin Extended Additional", () => {
    const ranges: [number, number][] = [
      [0x00c0, 0x00ff],
      [0x0100, 0x017f],
      [0x0180, 0x024f],
      [0x1e00, 0x1eff],
    ];
    const missing: string[] = [];
    for (const [a, b] of ranges) {
      for (let cp = a; cp <= b; cp++) {
        const ch = String.fromCodePoint(cp);
        if (!/\p{L}/u.test(ch)) continue;
        for (const w of [400, 700, 900] as const) if (!hasGlyph(ch, w)) missing.push(`U+${cp.toString(16)}@${w}`);
      }
    }
    expect(missing).toEqual([]);
    for (const name of ["Łukasz Wiśniewski", "Straße", "François", "Ödön Erdős", "Søren Ærø", "Ștefan Țîrcă", "Ğülşen", "Dvořák", "Nguyễn"]) {
      expect(renderable(name)).toBe(name);
    }
  });
  it("replaces what no bundled font has (never a box)", () => {
    expect(renderable("李 Lina")).toBe("? Lina");
    expect(renderable("Lina\u0007")).toBe("Lina ");
  });
});

describe("PNG encoding (native zlib)", () => {
  it("produces a valid PNG that decodes back to the same pixels", async () => {
    const { encodePng } = await import("./png.ts");
    const { decode } = await import("@jsquash/png/decode");
    const w = 7;
    const h = 5;
    const px = new Uint8Array(w * h * 4).map((_, i) => (i * 37) % 256);
    for (let i = 3; i < px.length; i += 4) px[i] = 255;
    const png = await encodePng(px, w, h);
    const back = await decode(png.buffer.slice(png.byteOffset, png.byteOffset + png.byteLength) as ArrayBuffer);
    expect(back.width).toBe(w);
    expect(back.height).toBe(h);
    expect([...back.data]).toEqual([...px]);
    expect(png[25]).toBe(2); // opaque: stored as RGB (IHDR colour type 2)
  });
  it("keeps the alpha channel when a pixel is not opaque", async () => {
    const { encodePng } = await import("./png.ts");
    const { decode } = await import("@jsquash/png/decode");
    const px = new Uint8Array(3 * 4 * 4).map((_, i) => (i * 53) % 256);
    for (let i = 3; i < px.length; i += 4) px[i] = 255;
    px[4 * 5 + 3] = 128; // one pixel half transparent
    const png = await encodePng(px, 3, 4);
    expect(png[25]).toBe(6); // RGBA
    const back = await decode(png.buffer.slice(png.byteOffset, png.byteOffset + png.byteLength) as ArrayBuffer);
    expect([...back.data]).toEqual([...px]);
  });
});
