// The drill's fictional child (issue 27): an exercise alert ready to submit, in the four
// languages, marked as an exercise in every text. Invented name, no photo, no real place
// of disappearance; the PV number says it is a drill.
import { AlertContent } from "../domain/index.ts";

export const drillContent = () =>
  AlertContent.parse({
    child: {
      firstName: "Exercice",
      lastName: "Oefening",
      age: 9,
      sex: "unspecified",
      heightCm: 132,
      description: {
        fr: "ENFANT FICTIF D'EXERCICE. Cheveux châtains mi-longs, yeux verts, appareil dentaire.",
        nl: "FICTIEF OEFENKIND. Halflang kastanjebruin haar, groene ogen, beugel.",
        de: "FIKTIVES ÜBUNGSKIND. Halblange kastanienbraune Haare, grüne Augen, Zahnspange.",
        en: "FICTIONAL DRILL CHILD. Mid-length chestnut hair, green eyes, braces.",
      },
      clothing: {
        fr: "Anorak rouge, jean, baskets blanches, bonnet gris.",
        nl: "Rode anorak, jeans, witte sneakers, grijze muts.",
        de: "Roter Anorak, Jeans, weiße Turnschuhe, graue Mütze.",
        en: "Red anorak, jeans, white trainers, grey beanie.",
      },
      photos: [],
    },
    lastSeen: {
      place: { fr: "Lieu fictif d'exercice", nl: "Fictieve oefenplaats", de: "Fiktiver Übungsort", en: "Fictional drill location" },
      at: new Date(Date.now() - 30 * 60_000).toISOString(),
    },
    circumstances: {
      fr: "Scénario d'exercice : aucun enfant n'a disparu.",
      nl: "Oefenscenario: er is geen kind vermist.",
      de: "Übungsszenario: Es wird kein Kind vermisst.",
      en: "Drill scenario: no child is missing.",
    },
    targeting: { regions: ["BE"], languages: ["fr", "nl", "de", "en"] },
    purposeAttestation: true,
  });

/** The drill's judicial file: a reference that says it is one (required before submission). */
export const drillFile = (at = new Date()) => ({ pvNumber: `EXERCICE-${at.toISOString().slice(0, 10)}`, magistrateRef: "EXERCICE" });
