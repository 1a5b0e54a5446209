// Bench Worker: renders the full poster set of one alert (7 formats × 4 languages) in
// workerd with the production code path, or returns the layout trees so the peer can
// render the very same layouts in Chromium.
import { FORMAT_NAMES, type FormatName, type PosterPhoto } from "../templates/posters/model.ts";
import { containedSize, layoutPoster, photoArea } from "../templates/posters/poster.tsx";
import { AlertContent, LANGUAGES } from "../worker/domain/index.ts";
import { photosForSizes } from "../worker/render/codecs.ts";
import { alertPosterModel } from "../worker/render/poster-model.ts";
import { renderPoster } from "../worker/render/posters.ts";
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

function dataUri(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `data:image/jpeg;base64,${btoa(s)}`;
}

async function photos(jpeg: Uint8Array<ArrayBuffer>): Promise<Map<FormatName, PosterPhoto>> {
  const sized = await photosForSizes(jpeg, (w, h) => new Map(FORMAT_NAMES.map((f) => [f, containedSize(photoArea(f), w, h)])));
  return new Map([...sized].map(([f, p]) => [f as FormatName, { src: dataUri(p.jpeg), width: p.width, height: p.height }]));
}

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/noop") return new Response("ok");
    const jpeg = new Uint8Array(await request.arrayBuffer());
    const perFormat = await photos(jpeg);
    const qr = qrDataUri("https://alert.example.org/alert/00000000-0000-4000-8000-00000000de00");
    if (url.pathname === "/trees") {
      const trees = [];
      for (const lang of LANGUAGES) {
        const model = alertPosterModel({ content: CONTENT, exercise: false, photo: null, qr }, lang);
        for (const format of FORMAT_NAMES) trees.push({ lang, format, ...layoutPoster({ ...model, photo: perFormat.get(format)! }, format) });
      }
      return Response.json(trees);
    }
    // /render: the full set, PNG bytes summed so nothing can be skipped.
    let bytes = 0;
    for (const lang of LANGUAGES) {
      const model = alertPosterModel({ content: CONTENT, exercise: false, photo: null, qr }, lang);
      for (const format of FORMAT_NAMES) bytes += (await renderPoster({ ...model, photo: perFormat.get(format)! }, format)).length;
    }
    return Response.json({ posters: LANGUAGES.length * FORMAT_NAMES.length, bytes });
  },
};
