import { describe, expect, it } from "vitest";
import { isRecipient, regionMatches } from "./targeting.ts";

const sub = (regions: string[], lang = "fr", exercise = false) => ({ regions, lang, exercise });
const audience = { regions: ["BE-WLG"] as const, languages: ["fr", "de"] as const, exercise: false };

describe("targeting", () => {
  it("reaches subscribers of a targeted province, and whole-country subscribers", () => {
    expect(isRecipient(sub(["BE-WLG"]), audience)).toBe(true);
    expect(isRecipient(sub(["BE"]), audience)).toBe(true);
    expect(isRecipient(sub(["BE-VAN"]), audience)).toBe(false);
    expect(isRecipient(sub(["NL"]), audience)).toBe(false);
  });
  it("a whole-country alert reaches every Belgian region but not neighbouring countries", () => {
    expect(regionMatches(["BE-VWV"], ["BE"])).toBe(true);
    expect(regionMatches(["BE-BRU", "FR"], ["BE"])).toBe(true);
    expect(regionMatches(["FR"], ["BE"])).toBe(false);
    expect(regionMatches(["FR"], ["BE", "FR"])).toBe(true);
  });
  it("filters by the alert's languages", () => {
    expect(isRecipient(sub(["BE-WLG"], "de"), audience)).toBe(true);
    expect(isRecipient(sub(["BE-WLG"], "nl"), audience)).toBe(false);
  });
  it("exercises reach only those who opted in; real alerts reach everyone targeted", () => {
    const drill = { ...audience, exercise: true };
    expect(isRecipient(sub(["BE-WLG"], "fr", false), drill)).toBe(false);
    expect(isRecipient(sub(["BE-WLG"], "fr", true), drill)).toBe(true);
    expect(isRecipient(sub(["BE-WLG"], "fr", true), audience)).toBe(true);
  });
});
