// The dashboard's four dictionaries: the typecheck guarantees the same keys; this checks
// what it cannot — the same {placeholders}, nothing empty, nothing left in English.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DICTIONARIES, LANGS } from "../dashboard/src/i18n/index.ts";

const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("dashboard words in FR/NL/DE/EN", () => {
  const en = DICTIONARIES.en;
  for (const lang of LANGS.filter((l) => l !== "en")) {
    it(`${lang}: every key, the same placeholders, translated`, () => {
      const dict = DICTIONARIES[lang];
      assert.deepEqual(Object.keys(dict).sort(), Object.keys(en).sort());
      const untranslated = [];
      for (const [key, text] of Object.entries(en)) {
        assert.ok(dict[key].trim().length > 0, `${lang}.${key} is empty`);
        assert.deepEqual(placeholders(dict[key]), placeholders(text), `${lang}.${key}: placeholders differ`);
        // Short words (Live, Version {n}, E-mail…) may be the same in both; sentences may not.
        if (dict[key] === text && text.split(" ").length > 3) untranslated.push(key);
      }
      assert.deepEqual(untranslated, [], `${lang}: still in English`);
    });
  }
});
