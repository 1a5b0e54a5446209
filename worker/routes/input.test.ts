import { beforeAll, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { api, as, createAlert, expectOk, makeContent, makeTeam, type Team } from "../test/helpers.ts";

let t: Team;
beforeAll(async () => {
  t = await makeTeam();
});

/** Row counts of every table: bad input must leave all of them unchanged. */
async function counts(): Promise<Record<string, number>> {
  const tables = ["alerts", "alert_versions", "sign_offs", "consents", "objections", "audit_entries", "notifications"];
  const out: Record<string, number> = {};
  for (const table of tables) {
    out[table] = ((await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>())?.n ?? -1) as number;
  }
  return out;
}

async function expectNoWrite(fn: () => Promise<void>) {
  const before = await counts();
  await fn();
  expect(await counts()).toEqual(before);
}

describe("bad input gets a clear 4xx problem and writes nothing", () => {
  it("malformed JSON → 400 E_MALFORMED_JSON", async () => {
    await expectNoWrite(async () => {
      const res = await api("POST", "/alerts", '{"exercise": true, "content": {', as(t.cell));
      expect(res.status).toBe(400);
      expect(res.body.code).toBe("E_MALFORMED_JSON");
      expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    });
  });

  it("wrong types → 400 E_VALIDATION naming each field", async () => {
    await expectNoWrite(async () => {
      const content = { ...makeContent(), child: { ...makeContent().child, age: "nine" } };
      const res = await api("POST", "/alerts", { exercise: "yes", content }, as(t.cell));
      expect(res.status).toBe(400);
      expect(res.body.code).toBe("E_VALIDATION");
      const paths = res.body.errors.map((e: { path: string }) => e.path);
      expect(paths).toEqual(expect.arrayContaining(["exercise", "content.child.age"]));
    });
  });

  it("oversized fields → 400; an oversized body → 413 E_PAYLOAD_TOO_LARGE", async () => {
    await expectNoWrite(async () => {
      const long = makeContent({ child: { ...makeContent().child, description: "x".repeat(601) } });
      const res = await api("POST", "/alerts", { exercise: false, content: long }, as(t.cell));
      expect(res.status).toBe(400);
      expect(res.body.errors[0].path).toBe("content.child.description.fr");
      const huge = await api("POST", "/alerts", { exercise: false, content: makeContent(), pad: "x".repeat(100_000) }, as(t.cell));
      expect(huge.status).toBe(413);
      expect(huge.body.code).toBe("E_PAYLOAD_TOO_LARGE");
    });
  });

  it("unknown fields are refused, not silently dropped", async () => {
    await expectNoWrite(async () => {
      const res = await api("POST", "/alerts", { exercise: false, content: { ...makeContent(), photoUrl: "http://x" } }, as(t.cell));
      expect(res.status).toBe(400);
    });
  });

  it("a missing body → 400; a non-JSON content type → 415 E_UNSUPPORTED_MEDIA_TYPE", async () => {
    await expectNoWrite(async () => {
      expect((await api("POST", "/alerts", undefined, as(t.cell))).status).toBe(400);
      const res = await api("POST", "/alerts", JSON.stringify({ exercise: false, content: makeContent() }), {
        ...as(t.cell),
        headers: { "Content-Type": "text/plain" },
      });
      expect(res.status).toBe(415);
      expect(res.body.code).toBe("E_UNSUPPORTED_MEDIA_TYPE");
    });
  });

  it("the purpose attestation is required (rule 5)", async () => {
    await expectNoWrite(async () => {
      const res = await api("POST", "/alerts", { exercise: false, content: { ...makeContent(), purposeAttestation: false } }, as(t.cell));
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body.errors)).toMatch(/purpose/);
    });
  });

  it("unknown ids → 404; malformed ids → 400", async () => {
    const unknown = crypto.randomUUID();
    await expectNoWrite(async () => {
      const r1 = await api("GET", `/alerts/${unknown}`, undefined, as(t.cell));
      expect(r1.status).toBe(404);
      expect(r1.body.code).toBe("E_NOT_FOUND");
      expect((await api("POST", `/alerts/${unknown}/launch`, undefined, as(t.cell))).status).toBe(404);
      expect((await api("GET", "/alerts/not-a-uuid", undefined, as(t.cell))).status).toBe(400);
      expect((await api("GET", "/nowhere", undefined, as(t.cell))).status).toBe(404);
    });
  });

  it("wrong state transitions → 409 with the reason, and no partial write", async () => {
    const id = await createAlert(t.cell);
    await expectNoWrite(async () => {
      for (const [path, who, body] of [
        ["launch", t.cell, undefined],
        ["stop", t.magistrate, { reason: "found_safe" }],
        ["extend", t.magistrate, undefined],
      ] as const) {
        const res = await api("POST", `/alerts/${id}/${path}`, body, as(who));
        expect(res.status, path).toBe(409);
        expect(res.body.code).toBe("E_INVALID_TRANSITION");
        expect(res.body.detail).toMatch(/draft/);
      }
      // Refused before the ceremony: no one is asked to sign what would be refused.
      const sign = await api("POST", `/alerts/${id}/signoffs/options`, { kind: "cell" }, as(t.cell));
      expect(sign.status).toBe(409);
      expect(sign.body.code).toBe("E_INVALID_TRANSITION");
    });
  });

  it("an invalid stop reason → 400 (\"expired\" is for the system only)", async () => {
    const id = await createAlert(t.cell);
    expect((await api("POST", `/alerts/${id}/stop`, { reason: "expired" }, as(t.cell))).status).toBe(400);
    expect((await api("POST", `/alerts/${id}/stop`, { reason: "bored" }, as(t.cell))).status).toBe(400);
  });

  it("an edit with the hotline switched off by someone other than the operator → 403, no new version", async () => {
    const id = await createAlert(t.cell);
    await expectNoWrite(async () => {
      const res = await api("PUT", `/alerts/${id}/content`, { content: makeContent({ showHotline: false }) }, as(t.cell));
      expect(res.status).toBe(403);
    });
    expectOk(await api("PUT", `/alerts/${id}/content`, { content: makeContent({ showHotline: false }) }, as(t.operator)));
  });
});

describe("API documentation", () => {
  it("serves an OpenAPI 3.1 document generated from the route schemas", async () => {
    const res = expectOk(await api("GET", "/openapi.json"));
    expect(res.body.openapi).toBe("3.1.0");
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(["/alerts", "/alerts/{id}/launch", "/alerts/{id}/signoffs"]));
    expect(res.body.components.schemas.AlertContent).toBeDefined();
  });
  it("serves a readable docs page with the error catalogue", async () => {
    const res = await api("GET", "/docs");
    expect(res.status).toBe(200);
    expect(res.body).toContain("/api/v1/alerts/{id}/launch");
    expect(res.body).toContain('id="E_NOT_AUTHORISED"');
  });
});
