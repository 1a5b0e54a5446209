// Signed publication (issue 28), from the outside: what the public page and the JSON feed
// carry verifies with an independent JOSE implementation (the jose library) against our
// published keys; a statement changed by one character does not; a withdrawn alert's
// statement says so; and anyone's check names a tampered, a stale or a foreign one.
import { env, exports } from "cloudflare:workers";
import { compactVerify, createLocalJWKSet } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { b64url } from "../bytes.ts";
import { canonicalJson } from "../domain/index.ts";
import { api, as, DECISION, expectOk, liveAlert, makeContent, makeTeam, settledFanouts, signOff, type Team } from "../test/helpers.ts";

let t: Team;
beforeAll(async () => {
  t = await makeTeam();
});

const get = (path: string) => exports.default.fetch(new Request(`${env.APP_ORIGIN}${path}`));
const b64u = (s: string) => b64url(new TextEncoder().encode(s));
/** jose verifies a detached JWS once given the payload back. */
async function joseVerifies(statement: unknown, jws: string): Promise<boolean> {
  const keys = createLocalJWKSet((await (await get("/.well-known/child-alert-keys.json")).json()) as never);
  const [h, , s] = jws.split(".");
  try {
    await compactVerify(`${h}.${b64u(canonicalJson(statement))}.${s}`, keys);
    return true;
  } catch {
    return false;
  }
}
const check = async (body: unknown) => expectOk(await api("POST", "/verify", body)).body as { verdict: string; official: { alertId: string; status: string; version: number } | null };

describe("every published version is signed", () => {
  it("the public page's statement and the JSON feed verify against our keys; one changed character does not; the stop is signed too", async () => {
    const keys = (await (await get("/.well-known/child-alert-keys.json")).json()) as { keys: { kid: string; alg: string; use: string; d?: string }[] };
    expect(keys.keys).toHaveLength(1);
    expect(keys.keys[0]).toMatchObject({ alg: "ES256", use: "sig", kty: "EC", crv: "P-256" });
    expect(keys.keys[0]!.d).toBeUndefined(); // never the private half

    const id = await liveAlert(t, makeContent({ targeting: { regions: ["BE"], languages: ["fr", "nl"] } }));
    const res = await get(`/alert/${id}/signed.json`);
    expect(res.status).toBe(200);
    const signed = (await res.json()) as { statement: Record<string, unknown> & { content: { child: { firstName: string } } }; jws: string; keys: string };
    expect(signed.statement).toMatchObject({ alertId: id, status: "live", version: 1, iss: env.APP_ORIGIN, hotline: "116 000" });
    expect(signed.jws).toMatch(/^[\w-]+\.\.[\w-]+$/);
    expect(await joseVerifies(signed.statement, signed.jws)).toBe(true);
    expect(await check(signed)).toMatchObject({ verdict: "genuine_live", official: { alertId: id, status: "live", version: 1 } });

    // A hoax that copies the real one and changes the name: not ours.
    const doctored = structuredClone(signed.statement);
    doctored.content.child.firstName = "Lena";
    expect(await joseVerifies(doctored, signed.jws)).toBe(false);
    expect((await check({ statement: doctored, jws: signed.jws })).verdict).toBe("not_ours");
    // A signature of our format made with another key: not ours either.
    const [h, , s] = signed.jws.split(".");
    expect((await check({ statement: signed.statement, jws: `${h}..${s!.slice(0, -4)}AAAA` })).verdict).toBe("not_ours");

    // The JSON feed carries the same signed statement.
    const feed = (await (await get("/api/v1/feeds/alerts.json")).json()) as { alerts: { id: string; signature?: { statement: unknown; jws: string } }[] };
    const item = feed.alerts.find((a) => a.id === id)!;
    expect(item.signature!.jws).toBe(signed.jws);
    expect(await joseVerifies(item.signature!.statement, item.signature!.jws)).toBe(true);

    // A new version: the old statement is genuine but outdated.
    const detail = expectOk(await api("GET", `/alerts/${id}`, undefined, as(t.cell))).body;
    const v1 = detail.versions.find((v: { id: string }) => v.id === detail.currentVersionId).content;
    expectOk(await api("PUT", `/alerts/${id}/content`, { content: { ...v1, circumstances: { fr: "Vue près de la gare à 7 h 10.", nl: "Gezien bij het station om 7.10 uur." } } }, as(t.cell)));
    expectOk(await signOff(t.magistrate, id, "authorisation", DECISION));
    let v2: typeof signed | null = null;
    for (let i = 0; i < 50 && v2?.statement.version !== 2; i++) {
      v2 = (await (await get(`/alert/${id}/signed.json`)).json()) as typeof signed;
      if (v2.statement.version !== 2) await new Promise((r) => setTimeout(r, 100));
    }
    expect(await joseVerifies(v2!.statement, v2!.jws)).toBe(true);
    expect(await check(signed)).toMatchObject({ verdict: "genuine_outdated", official: { version: 2 } });

    // The stop: the withdrawal is signed, with no child data; everything earlier says "ended".
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
    await settledFanouts(id, ["stop"], as(t.cell));
    const ended = (await (await get(`/alert/${id}/signed.json`)).json()) as typeof signed;
    expect(ended.statement).toMatchObject({ alertId: id, status: "found", content: null });
    expect(await joseVerifies(ended.statement, ended.jws)).toBe(true);
    expect(JSON.stringify(ended)).not.toContain("Lina");
    expect(await check(signed)).toMatchObject({ verdict: "genuine_ended", official: { status: "found" } });
  });

  it("a link or a text: our alert's address (a poster's QR, a post) is checked against what we publish; anything else is not ours", async () => {
    const id = await liveAlert(t);
    expect(await check({ text: `Please share! ${env.APP_ORIGIN}/alert/${id}?lang=fr&v=1` })).toMatchObject({ verdict: "genuine_live", official: { alertId: id } });
    expect((await check({ text: `Please share! https://child-alert.example.net/alert/${id}?v=1` })).verdict).toBe("not_ours");
    expect((await check({ text: `URGENT missing girl, share everywhere ${env.APP_ORIGIN}/alert/00000000-0000-4000-8000-000000000000` })).verdict).toBe("not_ours");
    expect((await check({ text: "URGENT missing girl, share everywhere" })).verdict).toBe("not_ours");
    expect((await api("POST", "/verify", { text: "" })).status).toBe(400);
    expect((await api("POST", "/verify", { statement: {}, jws: "x", extra: 1 })).status).toBe(400);
  });

  it("each webhook body carries our detached JWS (Child-Alert-Signature) over its exact bytes: a partner checks it with our public keys", async () => {
    const { partnerWithWebhook } = await import("../test/standins/webhooks.ts");
    await partnerWithWebhook({}, "Signed partner");
    const id = await liveAlert(t);
    await settledFanouts(id, ["alert"], as(t.cell));
    const got = (await (await fetch(`https://hooks.test/__messages?alert=${id}`)).json()) as { body: string; publication: string | null }[];
    expect(got).toHaveLength(1);
    const keys = createLocalJWKSet((await (await get("/.well-known/child-alert-keys.json")).json()) as never);
    const [h, , sig] = got[0]!.publication!.split(".");
    const { payload } = await compactVerify(`${h}.${b64u(got[0]!.body)}.${sig}`, keys);
    expect(new TextDecoder().decode(payload)).toBe(got[0]!.body);
    await expect(compactVerify(`${h}.${b64u(got[0]!.body.replace("116 000", "116 001"))}.${sig}`, keys)).rejects.toThrow();
  });
});
