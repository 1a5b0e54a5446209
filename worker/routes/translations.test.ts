// Issue 10 item 1: every free text in every targeted language. A draft may be written one
// language at a time; submission (and any later version) needs every text in every
// targeted language; the content hash covers them all; each artefact uses its own.
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { AlertContent, translationGaps } from "../domain/index.ts";
import { api, as, createAlert, expectOk, liveAlert, makeContent, makeTeam, ORIGIN, type Team, FILE } from "../test/helpers.ts";

let t: Team;
beforeAll(async () => {
  t = await makeTeam();
});

const FR_NL = { regions: ["BE" as const], languages: ["fr" as const, "nl" as const] };
const frenchOnly = () =>
  makeContent({
    targeting: FR_NL,
    child: { description: { fr: "Cheveux bruns, yeux bleus." }, clothing: { fr: "Imperméable jaune." } },
    lastSeen: { place: { fr: "Namur, gare" }, at: "2026-11-23T07:30:00+01:00" },
    circumstances: { fr: "Emmenée en voiture." },
    vehicle: { description: { fr: "Break gris" }, plate: "1-ABC-123" },
  });

describe("translations", () => {
  it("a draft may lack a language; submission names every missing text, field by field", async () => {
    const id = await createAlert(t.cell, frenchOnly());
    const refused = await api("POST", `/alerts/${id}/submit`, undefined, as(t.cell));
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe("E_TRANSLATION_MISSING");
    expect(refused.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(
      ["content.child.clothing.nl", "content.child.description.nl", "content.circumstances.nl", "content.lastSeen.place.nl", "content.vehicle.description.nl"].sort(),
    );
    expect(refused.body.errors[0].message).toMatch(/Dutch/);
    // Nothing moved.
    expect((await api("GET", `/alerts/${id}`, undefined, as(t.cell))).body.state).toBe("draft");

    const whole = makeContent({
      targeting: FR_NL,
      child: { description: { fr: "Cheveux bruns, yeux bleus.", nl: "Bruin haar, blauwe ogen." }, clothing: { fr: "Imperméable jaune.", nl: "Gele regenjas." } },
      lastSeen: { place: { fr: "Namur, gare", nl: "Namen, station" }, at: "2026-11-23T07:30:00+01:00" },
      circumstances: { fr: "Emmenée en voiture.", nl: "Meegenomen met de auto." },
      vehicle: { description: { fr: "Break gris", nl: "Grijze stationwagen" }, plate: "1-ABC-123" },
    });
    expectOk(await api("PUT", `/alerts/${id}/content`, { content: whole }, as(t.cell)));
    expectOk(await api("POST", `/alerts/${id}/submit`, undefined, as(t.cell)));
  });

  it("a copy from another language counts as missing until it is edited", async () => {
    const content = makeContent({ targeting: FR_NL, untranslated: [{ field: "child.clothing", lang: "nl" }] } as never);
    const id = await createAlert(t.cell, content);
    const refused = await api("POST", `/alerts/${id}/submit`, undefined, as(t.cell));
    expect(refused.body.code).toBe("E_TRANSLATION_MISSING");
    expect(refused.body.errors).toEqual([{ path: "content.child.clothing.nl", message: expect.stringMatching(/copied/) }]);
    // The editor drops the mark once the text is edited.
    const { untranslated: _, ...edited } = content as Record<string, unknown>;
    expectOk(await api("PUT", `/alerts/${id}/content`, { content: edited }, as(t.cell)));
    expectOk(await api("POST", `/alerts/${id}/submit`, undefined, as(t.cell)));
  });

  it("once submitted, a version with a gap is refused and nothing is written", async () => {
    const id = await createAlert(t.cell, makeContent({ targeting: FR_NL }));
    expectOk(await api("POST", `/alerts/${id}/submit`, undefined, as(t.cell)));
    const before = await env.DB.prepare("SELECT count(*) AS n FROM alert_versions WHERE alert_id = ?").bind(id).first<{ n: number }>();
    const res = await api("PUT", `/alerts/${id}/content`, { content: frenchOnly() }, as(t.cell));
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("E_TRANSLATION_MISSING");
    const after = await env.DB.prepare("SELECT count(*) AS n FROM alert_versions WHERE alert_id = ?").bind(id).first<{ n: number }>();
    expect(after!.n).toBe(before!.n);
  });

  it("a text in a language the alert does not target is refused, not silently kept", async () => {
    const content = makeContent({ targeting: FR_NL });
    (content.child as Record<string, unknown>).description = { fr: "Cheveux bruns.", nl: "Bruin haar.", de: "Braunes Haar." };
    const res = await api("POST", "/alerts", { exercise: false, content, file: FILE }, as(t.cell));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: "content.child.description.de", message: "German is not a targeted language" }]);
  });

  it("the content hash covers every language: changing only the Dutch text resets the sign-offs", async () => {
    const id = await createAlert(t.cell, makeContent({ targeting: FR_NL }));
    const first = expectOk(await api("PUT", `/alerts/${id}/content`, { content: makeContent({ targeting: FR_NL }) }, as(t.cell))).body;
    expect(first.changed).toBe(false);
    const nl = makeContent({ targeting: FR_NL });
    (nl.child as { description: Record<string, string> }).description.nl = "Slank, halflang bruin haar, grijze ogen.";
    const second = expectOk(await api("PUT", `/alerts/${id}/content`, { content: nl }, as(t.cell))).body;
    expect(second.changed).toBe(true);
    expect(second.contentHash).not.toBe(first.contentHash);
  });

  it("the public page shows each language's own text", async () => {
    const id = await liveAlert(t, makeContent({ targeting: FR_NL }));
    const page = async (lang: string) => (await exports.default.fetch(new Request(`${ORIGIN}/alert/${id}?lang=${lang}`))).text();
    const nl = await page("nl");
    expect(nl).toContain("Slank, halflang bruin haar");
    expect(nl).toContain("Rode regenjas");
    expect(nl).not.toContain("Imperméable");
    const fr = await page("fr");
    expect(fr).toContain("Imperméable rouge");
    expect(fr).toContain("1-ABC-123");
  });
});

describe("single-language alerts written before (migration 0008)", () => {
  it("become the same text in each of their languages, and submit", async () => {
    const id = await createAlert(t.cell, makeContent({ targeting: FR_NL }));
    const legacy = {
      child: { firstName: "Lina", age: 9, description: "Brown hair.", clothing: "Red coat.", photos: [], protectedAdult: false, sex: "unspecified" },
      lastSeen: { place: "Namur", at: "2026-11-23T06:30:00.000Z" },
      circumstances: "Taken by car.",
      vehicle: { description: "Grey car", plate: "1-ABC-123" },
      accompanyingPerson: { description: "Man, 40." },
      targeting: FR_NL,
      showHotline: true,
      purposeAttestation: true,
    };
    await env.DB.prepare("UPDATE alert_versions SET content = ? WHERE alert_id = ?").bind(JSON.stringify(legacy), id).run();
    const migration = (env as unknown as { TEST_MIGRATIONS: { name: string; queries: string[] }[] }).TEST_MIGRATIONS.find((m) => m.name.startsWith("0008_"))!;
    // Twice: a second run changes nothing.
    for (let i = 0; i < 2; i++) for (const q of migration.queries) await env.DB.prepare(q).run();
    const row = await env.DB.prepare("SELECT content FROM alert_versions WHERE alert_id = ?").bind(id).first<{ content: string }>();
    const content = AlertContent.parse(JSON.parse(row!.content));
    expect(content.child.description).toEqual({ fr: "Brown hair.", nl: "Brown hair." });
    expect(content.child.clothing).toEqual({ fr: "Red coat.", nl: "Red coat." });
    expect(content.lastSeen.place).toEqual({ fr: "Namur", nl: "Namur" });
    expect(content.circumstances).toEqual({ fr: "Taken by car.", nl: "Taken by car." });
    expect(content.vehicle).toEqual({ description: { fr: "Grey car", nl: "Grey car" }, plate: "1-ABC-123" });
    expect(content.accompanyingPerson!.description).toEqual({ fr: "Man, 40.", nl: "Man, 40." });
    expect(translationGaps(content)).toEqual([]);
    expectOk(await api("POST", `/alerts/${id}/submit`, undefined, as(t.cell)));
  });
});
