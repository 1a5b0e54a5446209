// Browser suite, posters: a cell member signs in, uploads the demo child's photo, saves
// the version; the Worker renders the poster set on its queue; the whole set is fetched
// through the staff API and saved as PNGs in .test-results/screenshots/posters/ (one is in the README).
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createInvitations, ROOT } from "../scripts/lib/local.mjs";
import { DEMO_ALERT_ID, DEMO_CONTENT, seed } from "../scripts/seed.mjs";
import { ARTIFACTS, openBrowser, startStack } from "./lib/browser.mjs";

const FORMATS = { square: [1080, 1080], story: [1080, 1920], landscape: [1200, 630], push: [1024, 512], leaderboard: [728, 90], billboard: [970, 250], print: [1240, 1754] };

describe("posters of the demo alert, rendered by the running system", () => {
  let stack;
  let browser;
  before(async () => {
    stack = await startStack();
    await seed({ origin: stack.origin, persistTo: stack.persistTo });
    browser = await openBrowser();
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it("renders every format × language after a version is saved, and serves them", async () => {
    const [inv] = createInvitations([{ email: "cell.posters@example.test", displayName: "Cell Posters", role: "cell" }], { origin: stack.origin, persistTo: stack.persistTo });
    const { page } = browser;
    await page.goto(inv.link);
    await page.getByRole("button", { name: "Create my passkey" }).click();
    await page.locator("#signed-in").waitFor({ timeout: 15_000 });

    // Same-origin API calls from the signed-in page (cookie + Origin like the dashboard).
    const api = (method, path, body, type = "application/json") =>
      page.evaluate(
        async ({ method, path, body, type }) => {
          const res = await fetch(`/api/v1${path}`, {
            method,
            headers: { "X-Requested-With": "child-alert", ...(body === undefined ? {} : { "Content-Type": type }) },
            body: body === undefined ? undefined : type === "application/json" ? JSON.stringify(body) : new Uint8Array(body),
          });
          return { status: res.status, body: await res.json() };
        },
        { method, path, body, type },
      );

    const photo = [...readFileSync(join(ROOT, "worker/test/fixtures/photo-exif.jpg"))];
    const up = await api("POST", `/alerts/${DEMO_ALERT_ID}/photos`, photo, "image/jpeg");
    assert.equal(up.status, 201, JSON.stringify(up.body));
    const content = { ...DEMO_CONTENT, child: { ...DEMO_CONTENT.child, photos: [up.body.hash] } };
    const saved = await api("PUT", `/alerts/${DEMO_ALERT_ID}/content`, { content });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));

    let set;
    const deadline = Date.now() + 60_000;
    do {
      set = (await api("GET", `/alerts/${DEMO_ALERT_ID}/posters`)).body;
      if (set.status === "ready") break;
      await new Promise((r) => setTimeout(r, 500));
    } while (Date.now() < deadline);
    assert.equal(set.status, "ready", `posters not rendered in time: ${set.posters.length}/${set.expected}`);
    assert.equal(set.posters.length, Object.keys(FORMATS).length * 4);

    const dir = join(ARTIFACTS, "posters");
    mkdirSync(dir, { recursive: true });
    for (const p of set.posters) {
      const res = await page.request.get(`${stack.origin}${p.url}`);
      assert.equal(res.status(), 200);
      const png = await res.body();
      assert.equal(png.subarray(1, 4).toString(), "PNG");
      assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], FORMATS[p.format], `${p.format}-${p.lang}`);
      writeFileSync(join(dir, `${p.format}-${p.lang}.png`), png);
    }
    // The README shows one of them.
    writeFileSync(join(ARTIFACTS, "poster-square-fr.png"), readFileSync(join(dir, "square-fr.png")));
    writeFileSync(join(ARTIFACTS, "poster-story-nl.png"), readFileSync(join(dir, "story-nl.png")));
  });
});
