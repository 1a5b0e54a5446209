import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { api, as, authorisedAlert, expectOk, makeTeam, type Team } from "../test/helpers.ts";

let t: Team;
beforeAll(async () => {
  t = await makeTeam();
});

describe("GET /api/v1/audit/verify", () => {
  it("reports an intact chain over every action", async () => {
    await authorisedAlert(t);
    const res = expectOk(await api("GET", "/audit/verify", undefined, as(t.admin)));
    expect(res.body.ok).toBe(true);
    expect(res.body.entries).toBeGreaterThan(10);
  });

  it("names the first tampered entry when a stored entry is altered", async () => {
    const id = await authorisedAlert(t);
    const target = await env.DB.prepare("SELECT seq FROM audit_entries WHERE alert_id = ? AND action = 'authorised'")
      .bind(id)
      .first<{ seq: number }>();
    // Someone with database access rewrites history: the authorisation becomes a mere sign-off.
    await env.DB.prepare("UPDATE audit_entries SET action = 'signed_off' WHERE seq = ?").bind(target!.seq).run();
    const res = expectOk(await api("GET", "/audit/verify", undefined, as(t.magistrate)));
    expect(res.body).toMatchObject({ ok: false, firstBroken: target!.seq, reason: "hash_mismatch" });
    const trail = expectOk(await api("GET", `/alerts/${id}/audit`, undefined, as(t.operator)));
    expect(trail.body.chain.firstBroken).toBe(target!.seq);
    const authorised = trail.body.entries.find((e: { seq: number }) => e.seq === target!.seq);
    expect(authorised.actorName).toMatch(/^magistrate /); // the staff member's name beside the entry
  });

  it("the audit log holds no free text: details are ids, roles, hashes and codes", async () => {
    const rows = (await env.DB.prepare("SELECT details FROM audit_entries").all<{ details: string }>()).results;
    for (const r of rows) expect(r.details).not.toMatch(/Lina|Exemple|raincoat|parents agreed|Publicity weighed/);
  });
});
