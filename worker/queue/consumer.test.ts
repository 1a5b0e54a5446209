import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { FORMAT_NAMES } from "../../templates/posters/model.ts";
import { photoArea } from "../../templates/posters/poster.tsx";
import { makeDb } from "../db/client.ts";
import worker from "../index.ts";
import { backoffSeconds } from "../config.ts";
import { stoppedPosterKey } from "../render/poster-sets.ts";
import { fixture } from "../test/fixtures.ts";
import { api, as, authorisedAlert, renderPosterSet, createAlert, expectOk, makeContent, makeTeam, ORIGIN, signOff, type Team } from "../test/helpers.ts";

let t: Team;
beforeAll(async () => {
  t = await makeTeam();
});

async function runJobs(bodies: unknown[], queue = "child-alert-fanout") {
  const batch = createMessageBatch(queue, bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })));
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

async function uploadPhoto(alertId: string, file = "photo-exif.jpg") {
  const res = await exports.default.fetch(
    new Request(`${ORIGIN}/api/v1/alerts/${alertId}/photos`, {
      method: "POST",
      headers: { Origin: ORIGIN, Cookie: t.cell.cookie, "X-Requested-With": "child-alert" },
      body: fixture(file),
    }),
  );
  return ((await res.json()) as { hash: string }).hash;
}

describe("queue job render_posters", () => {
  it("renders every format × language of the version, stores them by inputs hash, and is idempotent", async () => {
    const id = await createAlert(t.cell, makeContent({ targeting: { regions: ["BE"], languages: ["fr", "nl"] } }));
    const hash = await uploadPhoto(id);
    // Two approved photos: the first in every format, both on the print poster (rule 7).
    const second = await uploadPhoto(id, "photo-exif.webp");
    const content = makeContent({ child: { ...makeContent().child, photos: [hash, second] }, targeting: { regions: ["BE"], languages: ["fr", "nl"] } });
    const edit = expectOk(await api("PUT", `/alerts/${id}/content`, { content }, as(t.cell)));

    const before = expectOk(await api("GET", `/alerts/${id}/posters`, undefined, as(t.cell))).body;
    expect(before.status).toBe("rendering");
    expect(before.expected).toBe(2 * FORMAT_NAMES.length);

    const first = await renderPosterSet(id, edit.body.versionId);
    expect(first.explicitAcks).toEqual(["render"]);
    expect(first.retryMessages).toEqual([]);

    const set = expectOk(await api("GET", `/alerts/${id}/posters`, undefined, as(t.magistrate))).body;
    expect(set.status).toBe("ready");
    expect(set.posters).toHaveLength(14);
    const objects = await env.MEDIA.list({ prefix: `alerts/${id}/posters/${set.inputsHash}/` });
    expect(objects.objects).toHaveLength(14);

    const png = await exports.default.fetch(new Request(`${ORIGIN}${set.posters[0].url}`, { headers: { Cookie: t.operator.cookie } }));
    expect(png.status).toBe(200);
    expect(png.headers.get("Content-Type")).toBe("image/png");
    expect(png.headers.get("Cache-Control")).toBe("private, no-store"); // a child's face is not kept in staff browsers (issue 23)

    // Redelivery: nothing rendered again, nothing duplicated.
    const uploadedBefore = objects.objects.map((o) => o.uploaded.getTime());
    await renderPosterSet(id, edit.body.versionId);
    const again = await env.MEDIA.list({ prefix: `alerts/${id}/posters/${set.inputsHash}/` });
    expect(again.objects.map((o) => o.uploaded.getTime())).toEqual(uploadedBefore);
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM posters WHERE alert_id = ?").bind(id).first<{ n: number }>();
    expect(rows!.n).toBe(14);

    // The shared after-stop posters exist for the alert's languages.
    for (const format of FORMAT_NAMES) expect(await env.MEDIA.head(stoppedPosterKey("found", false, format, "nl"))).not.toBeNull();
  });

  it("the set's first job decodes each photo once for every format and hands out one job per poster; each renders its poster from those copies", async () => {
    const id = await createAlert(t.cell);
    const hash = await uploadPhoto(id);
    const content = makeContent({ child: { ...makeContent().child, photos: [hash] }, targeting: { regions: ["BE"], languages: ["fr", "en"] } });
    const { versionId } = expectOk(await api("PUT", `/alerts/${id}/content`, { content }, as(t.cell))).body;
    await renderPosterSet(id, versionId);
    const set = expectOk(await api("GET", `/alerts/${id}/posters`, undefined, as(t.cell))).body;
    // The photo, scaled once per format, stored beside the set (private: under the alert's prefix, purged with it).
    const inputs = (await env.MEDIA.list({ prefix: `alerts/${id}/poster-inputs/${set.inputsHash}/`, include: ["customMetadata"] })).objects;
    for (const format of FORMAT_NAMES) {
      const copy = inputs.find((o) => o.key.endsWith(`/${format}-0.jpg`));
      expect(copy, format).toBeDefined();
      const area = photoArea(format);
      expect(Number(copy!.customMetadata!.width)).toBeLessThanOrEqual(area.w);
      expect(Number(copy!.customMetadata!.height)).toBeLessThanOrEqual(area.h);
    }

    // A poster job needs only its copy: with the original gone and two posters lost, the English story job renders its own, not the French one.
    await env.MEDIA.delete(`alerts/${id}/photos/${hash}.jpg`);
    const lost = `alerts/${id}/posters/${set.inputsHash}/story-en.png`;
    const lostFr = `alerts/${id}/posters/${set.inputsHash}/story-fr.png`;
    await env.MEDIA.delete(lost);
    await env.MEDIA.delete(lostFr);
    const job = { type: "render_poster_format", alertId: id, versionId, inputsHash: set.inputsHash, format: "story", lang: "en" };
    const story = await runJobs([job], "child-alert-posters");
    expect(story.explicitAcks).toEqual(["m0"]);
    expect(await env.MEDIA.head(lost)).not.toBeNull();
    expect(await env.MEDIA.head(lostFr)).toBeNull();
    // A job queued by the previous release (a format, no language) still renders the format in every language.
    const { lang: _, ...older } = job;
    expect((await runJobs([older], "child-alert-posters")).explicitAcks).toEqual(["m0"]);
    expect(await env.MEDIA.head(lostFr)).not.toBeNull();
    // Without its copy either, the job cannot render (retried, never a poster without the photo).
    await env.MEDIA.delete(lost);
    await env.MEDIA.delete(`alerts/${id}/poster-inputs/${set.inputsHash}/story-0.jpg`);
    expect((await runJobs([job], "child-alert-posters")).retryMessages.map((m) => m.msgId)).toEqual(["m0"]);
    expect(await env.MEDIA.head(lost)).toBeNull();

    // A job for a set that is no longer the version's (its inputs changed) writes nothing.
    const other = "0".repeat(64);
    expect((await runJobs([{ ...job, inputsHash: other }], "child-alert-posters")).explicitAcks).toEqual(["m0"]);
    expect((await env.MEDIA.list({ prefix: `alerts/${id}/posters/${other}/` })).objects).toHaveLength(0);
  });

  it("a set's format jobs handed out moments ago are not handed out again (the preview re-requests on every progress message); a lost one is, later", async () => {
    const id = await createAlert(t.cell, makeContent({ targeting: { regions: ["BE"], languages: ["de"] } }));
    const versionId: string = expectOk(await api("GET", `/alerts/${id}`, undefined, as(t.cell))).body.currentVersionId;
    await renderPosterSet(id, versionId);
    const { inputsHash } = expectOk(await api("GET", `/alerts/${id}/posters`, undefined, as(t.cell))).body;
    await env.MEDIA.delete(`alerts/${id}/posters/${inputsHash}/print-de.png`); // a format job lost on the way
    const { startPosterSet, SET_HANDED_OUT_MS } = await import("../render/poster-sets.ts");
    const d = makeDb(env.DB);
    expect(await startPosterSet(d, env.MEDIA, env.APP_ORIGIN, id, versionId)).toEqual({ inputsHash, formats: [], missing: [], handedOut: true });
    expect(await startPosterSet(d, env.MEDIA, env.APP_ORIGIN, id, versionId, Date.now() + SET_HANDED_OUT_MS + 1)).toEqual({ inputsHash, formats: ["print"], missing: [{ format: "print", lang: "de" }], handedOut: false });
  });

  it("a new version gets its own poster set, in the version's languages only", async () => {
    const id = await createAlert(t.cell, makeContent({ targeting: { regions: ["BE"], languages: ["en"] } }));
    const v2 = expectOk(
      await api("PUT", `/alerts/${id}/content`, { content: makeContent({ circumstances: "Changed.", targeting: { regions: ["BE"], languages: ["en"] } }) }, as(t.cell)),
    );
    await renderPosterSet(id, v2.body.versionId);
    expect((await env.MEDIA.list({ prefix: `alerts/${id}/posters/` })).objects).toHaveLength(FORMAT_NAMES.length);
  });

  it("renders the accompanying-person set only after the magistrate authorised that section", async () => {
    const content = makeContent({ accompanyingPerson: { description: "Woman, about 30." }, targeting: { regions: ["BE"], languages: ["en"] } });
    const id = await authorisedAlert(t, content);
    const view = expectOk(await api("GET", `/alerts/${id}`, undefined, as(t.cell))).body;
    await renderPosterSet(id, view.currentVersionId);
    let set = expectOk(await api("GET", `/alerts/${id}/posters`, undefined, as(t.cell))).body;
    expect(set.posters.every((p: { withAccompanying: boolean }) => !p.withAccompanying)).toBe(true);
    const withoutHash = set.inputsHash;

    expectOk(await signOff(t.magistrate, id, "accompanying_person", { terms: "Description only, no name." }));
    set = expectOk(await api("GET", `/alerts/${id}/posters`, undefined, as(t.cell))).body;
    expect(set.inputsHash).not.toBe(withoutHash);
    expect(set.status).toBe("rendering");
    await renderPosterSet(id, view.currentVersionId);
    set = expectOk(await api("GET", `/alerts/${id}/posters`, undefined, as(t.cell))).body;
    expect(set.posters.every((p: { withAccompanying: boolean }) => p.withAccompanying)).toBe(true);
  });

  it("a malformed job goes to the dead-letter queue (acked, logged), never silently dropped", async () => {
    const invalid = async () => (await env.DB.prepare("SELECT count(*) AS n FROM dead_letters WHERE job_type = 'invalid'").first<{ n: number }>())!.n;
    const before = await invalid();
    const result = await runJobs([{ type: "nonsense" }]);
    expect(result.explicitAcks).toEqual(["m0"]);
    // …and it reached the dead-letter queue, whose consumer records it.
    for (let i = 0; i < 100 && (await invalid()) === before; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await invalid()).toBe(before + 1);
  });

  it("a job that fails transiently is retried with backoff", async () => {
    const id = await createAlert(t.cell);
    const hash = await uploadPhoto(id);
    const content = makeContent({ child: { ...makeContent().child, photos: [hash] } });
    const edit = expectOk(await api("PUT", `/alerts/${id}/content`, { content }, as(t.cell)));
    await env.MEDIA.delete(`alerts/${id}/photos/${hash}.jpg`); // storage lost the photo
    const result = await runJobs([{ type: "render_posters", alertId: id, versionId: edit.body.versionId }]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["m0"]);
    expect(result.explicitAcks).toEqual([]);
  });

  it("backs off exponentially: 2 s, 4 s, 8 s … capped at 5 minutes", () => {
    expect([1, 2, 3, 4, 20].map(backoffSeconds)).toEqual([2, 4, 8, 16, 300]);
  });

  it("only staff who may read the alert see its posters", async () => {
    const id = await createAlert(t.cell);
    expect((await api("GET", `/alerts/${id}/posters`, undefined, as(t.admin))).status).toBe(403);
    expect((await api("GET", `/alerts/${id}/posters`)).status).toBe(401);
  });
});

describe("dead-letter queue", () => {
  it("records a dead page job (ids only) and counts it in the alert's fan-out progress", async () => {
    const { liveAlert } = await import("../test/helpers.ts");
    const id = await liveAlert(t);
    const { alertStub } = await import("../alert/api.ts");
    const deadline = Date.now() + 10_000;
    let fanouts = await alertStub(env, id).fanouts();
    while (!fanouts.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      fanouts = await alertStub(env, id).fanouts();
    }
    // A page that exhausted its retries (never reported: its counts are unknown).
    const job = { type: "page", channel: "push", alertId: id, fanoutId: fanouts[0]!.fanoutId, event: "alert", from: 900_001, to: 900_251, attempt: 0 };
    const batch = createMessageBatch<unknown>("child-alert-fanout-dlq", [{ id: "dead-1", timestamp: new Date(), attempts: 1, body: job }, { id: "dead-2", timestamp: new Date(), attempts: 1, body: { junk: true } }]);
    await worker.queue(batch, env);
    const rows = (await env.DB.prepare("SELECT id, job_type, alert_id FROM dead_letters WHERE id IN ('dead-1', 'dead-2') ORDER BY id").all()).results;
    expect(rows).toEqual([
      { id: "dead-1", job_type: "page", alert_id: id },
      { id: "dead-2", job_type: "invalid", alert_id: null },
    ]);
    const progress = expectOk(await api("GET", `/alerts/${id}/fanout`, undefined, as(t.operator))).body.fanouts;
    expect(progress[0].deadPages).toBe(1);
  });
});
