import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import { AlertContent, assertTranslated, contentHash, readIn, textIn, translationGaps } from "./index.ts";

const base = (over: Record<string, unknown> = {}) =>
  AlertContent.parse({
    child: { firstName: "Lina", age: 9, description: { fr: "Cheveux bruns.", nl: "Bruin haar." } },
    lastSeen: { place: { fr: "Namur", nl: "Namen" }, at: "2026-11-23T07:30:00+01:00" },
    targeting: { regions: ["BE"], languages: ["fr", "nl"] },
    purposeAttestation: true,
    ...over,
  });

describe("multilingual content (issue 10 item 1)", () => {
  it("every free text is one value per language; names and plates are not translated", () => {
    const c = base({ vehicle: { description: { fr: "Break gris", nl: "Grijze stationwagen" }, plate: "1-ABC-123" } });
    expect(textIn(c.vehicle!.description, "nl")).toBe("Grijze stationwagen");
    expect(c.vehicle!.plate).toBe("1-ABC-123");
    expect(AlertContent.safeParse({ ...c, child: { ...c.child, firstName: { fr: "Lina" } } }).success).toBe(false);
    expect(AlertContent.safeParse({ ...c, child: { ...c.child, description: "one text" } }).success).toBe(false);
    expect(AlertContent.safeParse({ ...c, child: { ...c.child, description: {} } }).success).toBe(false);
  });

  it("names each gap: a field present in one language must be in every targeted one, copies count as gaps", () => {
    expect(translationGaps(base())).toEqual([]);
    const gaps = translationGaps(base({ circumstances: { fr: "En voiture." }, untranslated: [{ field: "lastSeen.place", lang: "nl" }] }));
    expect(gaps).toEqual([
      { path: "lastSeen.place.nl", field: "lastSeen.place", lang: "nl", reason: "copied" },
      { path: "circumstances.nl", field: "circumstances", lang: "nl", reason: "missing" },
    ]);
    try {
      assertTranslated(base({ circumstances: { nl: "Met de auto." } }));
      throw new Error("not refused");
    } catch (e) {
      expect((e as AppError).code).toBe("E_TRANSLATION_MISSING");
      expect((e as AppError).extra).toEqual({ errors: [{ path: "content.circumstances.fr", message: "no French text" }] });
    }
  });

  it("a text in a language that is not targeted is refused with its path", () => {
    const r = AlertContent.safeParse({ ...base(), circumstances: { fr: "x", de: "y" } });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => [i.path.join("."), i.message])).toEqual([["circumstances.de", "German is not a targeted language"]]);
  });

  it("a draft's preview falls back to a written language; an empty mark list is no mark", async () => {
    expect(textIn({ nl: "Bruin haar." }, "fr", ["fr", "nl"])).toBe("Bruin haar.");
    expect(base({ untranslated: [] }).untranslated).toBeUndefined();
    expect(await contentHash("a", false, base({ untranslated: [] }))).toBe(await contentHash("a", false, base()));
  });

  it("the hash covers every language: a change in one language only is a new version", async () => {
    const h = await contentHash("a", false, base());
    expect(await contentHash("a", false, base({ child: { firstName: "Lina", age: 9, description: { fr: "Cheveux bruns.", nl: "Bruin haar!" } } }))).not.toBe(h);
  });
  it("one reading per language for every artefact: translated texts in that language, name and plate as they are", () => {
    const c = base({ child: { firstName: "Lina", lastName: "Exemple", age: 9, description: { fr: "Cheveux bruns.", nl: "Bruin haar." } }, vehicle: { description: { fr: "Break gris", nl: "Grijze stationwagen" }, plate: "1-ABC-123" } });
    expect(readIn(c, "nl")).toEqual({
      name: "Lina Exemple",
      place: "Namen",
      description: "Bruin haar.",
      clothing: undefined,
      circumstances: undefined,
      vehicle: { description: "Grijze stationwagen", plate: "1-ABC-123" },
      vehicleLine: "Grijze stationwagen — 1-ABC-123",
      accompanying: undefined,
    });
    expect(readIn(c, "fr").place).toBe("Namur");
  });
});

describe("names are text (issue 11 item 8)", () => {
  const raw = {
    child: { firstName: "Lina", age: 9, description: { fr: "Cheveux bruns.", nl: "Bruin haar." } },
    lastSeen: { place: { fr: "Namur", nl: "Namen" }, at: "2026-11-23T07:30:00+01:00" },
    targeting: { regions: ["BE"], languages: ["fr", "nl"] },
    purposeAttestation: true,
  };
  const withName = (firstName: string) => AlertContent.safeParse({ ...raw, child: { ...raw.child, firstName } });
  it("refuses invisible, control, text-direction and broken characters in a published field, naming the field", () => {
    for (const [bad, why] of [
      ["\u200B", /invisible/],
      ["Noa\u202Eaon", /text-direction|invisible/],
      ["No\u0000a", /control/],
      ["Noa\nSmith", /line break/],
      ["No\uD800a", /unpaired surrogate/],
      ["\u2066Noa\u2069", /invisible/],
    ] as const) {
      const r = withName(bad);
      expect(r.success, JSON.stringify(bad)).toBe(false);
      const issue = r.error!.issues[0]!;
      expect(issue.path).toEqual(["child", "firstName"]);
      expect(issue.message).toMatch(why);
    }
    const place = AlertContent.safeParse({ ...raw, lastSeen: { ...raw.lastSeen, place: { fr: "Namur\u202E", nl: "Namen" } } });
    expect(place.error!.issues[0]!.path).toEqual(["lastSeen", "place", "fr"]);
  });
  it("normalises to NFC, keeps line breaks in descriptions and joiners inside words", () => {
    const decomposed = "Zoe\u0301"; // e + combining acute
    expect(withName(decomposed).data!.child.firstName).toBe("Zoé");
    const c = AlertContent.parse({ ...raw, child: { ...raw.child, description: { fr: "Cheveux bruns.\nLunettes.", nl: "Bruin haar.\nBril." } } });
    expect(c.child.description.fr).toBe("Cheveux bruns.\nLunettes.");
    expect(withName("Anna-Lena 👩\u200D👧").success).toBe(true);
  });
});
