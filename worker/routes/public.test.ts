import { createMessageBatch } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../index.ts";
import { fixture } from "../test/fixtures.ts";
import { api, as, createAlert, expectOk, launchExisting, liveAlert, makeContent, makeTeam, ORIGIN, type Team } from "../test/helpers.ts";

let t: Team;
beforeAll(async () => {
  t = await makeTeam();
});
const get = async (path: string, headers: Record<string, string> = {}) => {
  const res = await exports.default.fetch(new Request(`${ORIGIN}${path}`, { headers }));
  return { status: res.status, text: res.status < 300 || res.headers.get("content-type")?.includes("html") ? await res.text() : "", headers: res.headers };
};

describe("public alert page /alert/:id", () => {
  it("is not public before launch, nor after an end that came before any launch", async () => {
    const id = await createAlert(t.cell);
    expect((await get(`/alert/${id}`)).status).toBe(404);
    expect((await get(`/alert/not-an-id`)).status).toBe(404);
    // Cancelled, then purged (e.g. abandoned): it never went out, so it never shows "ended" either.
    expectOk(await api("POST", `/alerts/${id}/cancel`, undefined, as(t.cell)));
    expect((await get(`/alert/${id}`)).status).toBe(404);
    await env.DB.prepare("UPDATE alerts SET state = 'purged' WHERE id = ?").bind(id).run();
    expect((await get(`/alert/${id}`)).status).toBe(404);
  });

  it("shows a live alert in the chosen language with the hotline; after the stop only 'found — thank you'", async () => {
    const id = await liveAlert(t, makeContent({ accompanyingPerson: { description: "Tall man, grey coat." } }));
    const fr = await get(`/alert/${id}?lang=fr`);
    expect(fr.status).toBe(200);
    expect(fr.text).toContain("Lina Exemple");
    expect(fr.text).toContain("116 000");
    expect(fr.text).toContain("Vu·e pour la dernière fois");
    expect(fr.text).not.toContain("Tall man"); // not authorised for publication
    const de = await get(`/alert/${id}`, { "Accept-Language": "de-BE,de;q=0.9" });
    expect(de.text).toContain("Zuletzt gesehen");
    expect(de.headers.get("Cache-Control")).toContain("max-age=5");

    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
    const after = await get(`/alert/${id}?lang=nl`);
    expect(after.status).toBe(200);
    expect(after.text).toContain("KIND TERUGGEVONDEN");
    expect(after.text).not.toContain("Lina");
    expect(after.text).not.toContain("<img");
  });

  it("serves the push poster of a live alert (rendered on demand before the job), and stops serving it at the stop", async () => {
    const id = await liveAlert(t, makeContent({ targeting: { regions: ["BE"], languages: ["en"] } }));
    // The render job has not run (POSTERS_ON_SAVE is off in tests): a live poster URL never answers 404.
    const early = await exports.default.fetch(new Request(`${ORIGIN}/alert/${id}/poster/push-en.png`));
    expect(early.status).toBe(200);
    expect(early.headers.get("Content-Type")).toBe("image/png");
    expect(new Uint8Array(await early.arrayBuffer()).slice(1, 4)).toEqual(new TextEncoder().encode("PNG"));
    expect((await get(`/alert/${id}/poster/push-nl.png`)).status).toBe(404); // not a language of the alert
    const view = expectOk(await api("GET", `/alerts/${id}`, undefined, as(t.cell))).body;
    const batch = createMessageBatch("child-alert-fanout", [{ id: "r", timestamp: new Date(), attempts: 1, body: { type: "render_posters", alertId: id, versionId: view.currentVersionId } }]);
    await worker.queue(batch, env);
    const png = await exports.default.fetch(new Request(`${ORIGIN}/alert/${id}/poster/push-en.png`));
    expect(png.status).toBe(200);
    expect(png.headers.get("Content-Type")).toBe("image/png");
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "withdrawn" }, as(t.magistrate)));
    expect((await get(`/alert/${id}/poster/push-en.png`)).status).toBe(404);
    expect((await get(`/alert/${id}?lang=en`)).text).toContain("ALERT ENDED");
  });
});

describe("rule 7: the public page shows every approved photo", () => {
  const upload = async (id: string, file: string) => {
    const res = await exports.default.fetch(
      new Request(`${ORIGIN}/api/v1/alerts/${id}/photos`, { method: "POST", headers: { Origin: ORIGIN, Cookie: t.cell.cookie, "X-Requested-With": "child-alert" }, body: fixture(file) }),
    );
    return ((await res.json()) as { hash: string }).hash;
  };

  it("lists the version's photos, serves only those, and only while live", async () => {
    const id = await createAlert(t.cell);
    const [a, b, unused] = [await upload(id, "photo-exif.jpg"), await upload(id, "photo-exif.webp"), await upload(id, "photo-text.png")];
    const content = makeContent({ child: { photos: [a, b] } });
    expectOk(await api("PUT", `/alerts/${id}/content`, { content }, as(t.cell)));
    await launchExisting(t, id);

    const page = (await get(`/alert/${id}?lang=en`)).text;
    const srcs = [...page.matchAll(/<img src="(\/alert\/[^"]+\/photo\/[^"]+)"/g)].map((m) => m[1]);
    expect(srcs).toEqual([`/alert/${id}/photo/${a}.jpg`, `/alert/${id}/photo/${b}.jpg`]);
    expect(page).toContain("photo 2/2");
    for (const src of srcs) {
      const res = await exports.default.fetch(new Request(`${ORIGIN}${src}`));
      expect(res.status).toBe(200);
      expect(res.headers.get("Content-Type")).toBe("image/jpeg");
      expect(res.headers.get("Cache-Control")).toContain("max-age=5");
      await res.arrayBuffer();
    }
    // A photo uploaded for the alert but not in the published version is not public.
    expect((await get(`/alert/${id}/photo/${unused}.jpg`)).status).toBe(404);

    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
    expect((await get(`/alert/${id}/photo/${a}.jpg`)).status).toBe(404);
  });
});

describe("subscribe page /subscribe", () => {
  it("renders in each language with the regions and the exercise opt-in", async () => {
    for (const [lang, word] of [["fr", "Toute la Belgique"], ["nl", "Heel België"], ["de", "Ganz Belgien"], ["en", "All of Belgium"]]) {
      const res = await get(`/subscribe?lang=${lang}`);
      expect(res.status).toBe(200);
      expect(res.text).toContain(`lang="${lang}"`);
      expect(res.text).toContain(word);
      expect(res.text).toContain('value="BE-WLG"');
      expect(res.text).toContain('id="exercise"');
    }
  });
});
