// Bench Worker: the poster set of one alert (7 formats × 4 languages) with the production
// code path (worker/render/poster-sets.ts), as the set's jobs run it: /prepare is the
// set's first job (each photo decoded once, scaled for every format), /format?f=&l= one
// poster job (a format in one language; without l, every language); /render the whole set in one invocation (the old
// way); /trees the layout trees, so the peer renders the very same layouts in Chromium.
import { FORMAT_NAMES, type FormatName } from "../templates/posters/model.ts";
import { layoutPoster } from "../templates/posters/poster.tsx";
import { AlertContent, type Language, LANGUAGES } from "../worker/domain/index.ts";
import { b64, unb64url } from "../worker/bytes.ts";
import { alertPosterModel } from "../worker/render/poster-model.ts";
import { renderPlannedPoster, scalePhotos, type SizedPhoto } from "../worker/render/poster-sets.ts";
import { qrDataUri } from "../worker/render/qr.ts";

const CONTENT = AlertContent.parse({
  child: {
    firstName: "Noa",
    lastName: "Voorbeeld",
    age: 8,
    heightCm: 128,
    description: {
      fr: "Mince, cheveux noirs courts et bouclés, yeux bruns, lunettes à monture rouge.",
      nl: "Slank, kort zwart krullend haar, bruine ogen, bril met rood montuur.",
      de: "Schlank, kurze schwarze Locken, braune Augen, Brille mit rotem Rahmen.",
      en: "Slim, short curly black hair, brown eyes, glasses with a red frame.",
    },
    clothing: {
      fr: "Imperméable jaune, pantalon bleu foncé, bottes en caoutchouc vertes, petit sac à dos orange.",
      nl: "Gele regenjas, donkerblauwe broek, groene regenlaarzen, kleine oranje rugzak.",
      de: "Gelber Regenmantel, dunkelblaue Hose, grüne Gummistiefel, kleiner orangefarbener Rucksack.",
      en: "Yellow raincoat, dark blue trousers, green wellington boots, small orange backpack.",
    },
    photos: [],
  },
  lastSeen: { place: { fr: "Liège, place Saint-Lambert", nl: "Luik, Place Saint-Lambert", de: "Lüttich, Place Saint-Lambert", en: "Liège, Place Saint-Lambert" }, at: "2026-11-23T06:45:00+01:00" },
  vehicle: { description: { fr: "Fourgon blanc", nl: "Witte bestelwagen", de: "Weißer Kastenwagen", en: "White panel van" }, plate: "1-ABC-123" },
  targeting: { regions: ["BE"], languages: ["fr", "nl", "de", "en"] },
  purposeAttestation: true,
});

const PLAN = { content: CONTENT, exercise: false, qrUrl: "https://alert.example.org/alert/00000000-0000-4000-8000-00000000de00", photoHashes: ["photo"] };

/** The set's first job: the photo decoded once and scaled for every format. */
async function prepare(jpeg: Uint8Array<ArrayBuffer>): Promise<Map<FormatName, SizedPhoto[]>> {
  return scalePhotos(async () => jpeg, PLAN, FORMAT_NAMES);
}

/** One poster job (a format in one language), or the format in every language; PNG bytes summed so nothing can be skipped. */
async function renderFormat(format: FormatName, photos: SizedPhoto[], langs: readonly Language[]): Promise<number> {
  let bytes = 0;
  for (const lang of langs) bytes += (await renderPlannedPoster(PLAN, format, photos, lang)).length;
  return bytes;
}

type Wire = { jpeg: string; width: number; height: number }[];
const toWire = (ps: SizedPhoto[]): Wire => ps.map((p) => ({ jpeg: b64(p.jpeg), width: p.width, height: p.height }));
const fromWire = (ps: Wire): SizedPhoto[] => ps.map((p) => ({ jpeg: unb64url(p.jpeg), width: p.width, height: p.height }));

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/noop") return new Response("ok");
    if (url.pathname === "/format") {
      const format = url.searchParams.get("f") as FormatName;
      const lang = url.searchParams.get("l") as Language | null;
      const langs = lang ? [lang] : LANGUAGES;
      const bytes = await renderFormat(format, fromWire(await request.json()), langs);
      return Response.json({ posters: langs.length, bytes });
    }
    const jpeg = new Uint8Array(await request.arrayBuffer());
    const sized = await prepare(jpeg);
    if (url.pathname === "/prepare") return Response.json(Object.fromEntries([...sized].map(([f, ps]) => [f, toWire(ps)])));
    if (url.pathname === "/trees") {
      const qr = qrDataUri(PLAN.qrUrl);
      const trees = [];
      for (const lang of LANGUAGES) {
        const model = alertPosterModel({ content: CONTENT, exercise: false, photo: null, qr }, lang);
        for (const format of FORMAT_NAMES) {
          const [photo] = sized.get(format)!;
          trees.push({ lang, format, ...layoutPoster({ ...model, photo: { src: `data:image/jpeg;base64,${b64(photo!.jpeg)}`, width: photo!.width, height: photo!.height } }, format) });
        }
      }
      return Response.json(trees);
    }
    // /render: the whole set in one invocation, one poster after another.
    let bytes = 0;
    for (const format of FORMAT_NAMES) bytes += await renderFormat(format, sized.get(format)!, LANGUAGES);
    return Response.json({ posters: LANGUAGES.length * FORMAT_NAMES.length, bytes });
  },
};
