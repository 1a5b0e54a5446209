import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { exifOrientation, inspectImage, sniff } from "../render/image-format.ts";
import { fixture } from "../test/fixtures.ts";
import { api, as, createAlert, expectOk, makeContent, makeTeam, ORIGIN, type Staff, type Team } from "../test/helpers.ts";

let t: Team;
beforeAll(async () => {
  t = await makeTeam();
});

async function upload(by: Staff, alertId: string, bytes: Uint8Array, contentType = "image/jpeg") {
  const res = await exports.default.fetch(
    new Request(`${ORIGIN}/api/v1/alerts/${alertId}/photos`, {
      method: "POST",
      headers: { Origin: ORIGIN, Cookie: by.cookie, "Content-Type": contentType, "X-Requested-With": "child-alert" },
      body: bytes as Uint8Array<ArrayBuffer>,
    }),
  );
  return { status: res.status, body: (await res.json()) as any };
}

const r2Count = async (alertId: string) => (await env.MEDIA.list({ prefix: `alerts/${alertId}/photos/` })).objects.length;
const text = (b: Uint8Array) => new TextDecoder("latin1").decode(b);

describe("photo intake: POST /api/v1/alerts/:id/photos", () => {
  for (const [name, declared] of [
    ["photo-exif.jpg", "image/jpeg"],
    ["photo-text.png", "image/png"],
    ["photo-exif.webp", "image/webp"],
  ] as const) {
    it(`accepts ${name} and stores a JPEG without any of its metadata`, async () => {
      const original = fixture(name);
      expect(text(original)).toMatch(/SECRET|Exif|PhoneCo/); // the fixture really carries metadata
      const id = await createAlert(t.cell);
      const res = await upload(t.cell, id, original, declared);
      expect(res.status).toBe(201);
      const stored = new Uint8Array(await (await env.MEDIA.get(`alerts/${id}/photos/${res.body.hash}.jpg`))!.arrayBuffer());
      expect(sniff(stored)).toBe("jpeg");
      const s = text(stored);
      for (const marker of ["Exif", "GPS", "PhoneCo", "Parent Name", "SECRET", "xmpmeta", "http://ns.adobe.com"]) expect(s).not.toContain(marker);
      // Only JFIF/DQT/SOF/DHT/SOS segments: no APPn beyond APP0, no COM.
      const info = inspectImage(stored);
      expect(info.orientation).toBe(1);
      expect(res.body.hash).toMatch(/^[0-9a-f]{64}$/);
    });
  }

  it("applies the EXIF orientation (a portrait shot held sideways comes out upright)", async () => {
    const original = fixture("photo-exif.jpg");
    expect(inspectImage(original)).toMatchObject({ width: 800, height: 600, orientation: 6 });
    const id = await createAlert(t.cell);
    const res = await upload(t.cell, id, original);
    expect(res.body).toMatchObject({ width: 600, height: 800 });
  });

  it("trusts the bytes, not the declared type", async () => {
    const id = await createAlert(t.cell);
    const res = await upload(t.cell, id, fixture("photo-text.png"), "image/jpeg");
    expect(res.status).toBe(201);
  });

  for (const [name, why] of [
    ["not-an-image.jpg", /not a JPEG, PNG or WebP/],
    ["image.svg", /SVG/],
    ["photo-truncated.jpg", /truncated JPEG/],
    ["bomb.png", /60000×60000/],
    ["tiny.png", /at least 200×200/],
  ] as const) {
    it(`refuses ${name} with a clear 422 and stores nothing`, async () => {
      const id = await createAlert(t.cell);
      const res = await upload(t.cell, id, fixture(name));
      expect(res.status).toBe(422);
      expect(res.body.code).toBe("E_BAD_IMAGE");
      expect(res.body.detail).toMatch(why);
      expect(await r2Count(id)).toBe(0);
      const rows = await env.DB.prepare("SELECT count(*) AS n FROM photos WHERE alert_id = ?").bind(id).first<{ n: number }>();
      expect(rows!.n).toBe(0);
    });
  }

  it("refuses a body over 10 MB (413) and an empty one (422)", async () => {
    const id = await createAlert(t.cell);
    const big = new Uint8Array(10 * 1024 * 1024 + 10);
    big.set(fixture("photo-exif.jpg"));
    expect((await upload(t.cell, id, big)).status).toBe(413);
    expect((await upload(t.cell, id, new Uint8Array())).status).toBe(422);
    expect(await r2Count(id)).toBe(0);
  });

  it("only editors upload; the admin and the call-taker cannot", async () => {
    const id = await createAlert(t.cell);
    for (const who of [t.admin, t.calltaker, t.magistrate]) expect((await upload(who, id, fixture("photo-exif.jpg"))).status).toBe(403);
  });

  it("content may only point at this alert's photos; with one, the hash covers it", async () => {
    const id = await createAlert(t.cell);
    const other = await createAlert(t.cell);
    const mine = (await upload(t.cell, id, fixture("photo-exif.jpg"))).body.hash;
    const theirs = (await upload(t.cell, other, fixture("photo-text.png"))).body.hash;
    const withTheirs = makeContent({ child: { ...makeContent().child, photos: [theirs] } });
    const refused = await api("PUT", `/alerts/${id}/content`, { content: withTheirs }, as(t.cell));
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe("E_UNKNOWN_PHOTO");
    const withMine = makeContent({ child: { ...makeContent().child, photos: [mine] } });
    const ok = expectOk(await api("PUT", `/alerts/${id}/content`, { content: withMine }, as(t.cell)));
    expect(ok.body.changed).toBe(true);
    const preview = await exports.default.fetch(
      new Request(`${ORIGIN}/api/v1/alerts/${id}/photos/${mine}`, { headers: { Cookie: t.magistrate.cookie } }),
    );
    expect(preview.status).toBe(200);
    // Never kept in a staff browser: the purge must reach every copy (issue 23).
    expect(preview.headers.get("Cache-Control")).toBe("private, no-store");
  });
});

describe("image header parsing", () => {
  it("reads orientation from big- and little-endian TIFF", () => {
    const be = Uint8Array.from([0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 8, 0, 0, 0, 0, 0, 0]);
    const le = Uint8Array.from([0x49, 0x49, 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0]);
    expect(exifOrientation(be)).toBe(8);
    expect(exifOrientation(le)).toBe(3);
    expect(exifOrientation(new Uint8Array(4))).toBe(1);
  });
});
