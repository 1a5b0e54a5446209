// A foreign organisation's request to publish the posters (issue 24.6), from the protocol
// (§2.3.3.4: "si Child Focus reçoit une demande de diffusion d'affiches émanant d'une ONG
// étrangère, elle ne donne une suite favorable qu'après en avoir avisé le parquet fédéral
// et la DGJ/DJO/Cellule personnes disparues") and rule 13 (personal data abroad only to an
// adequate country): tried through the API, with the SMTP server as the mailboxes' side.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { smtp } from "../test/standins/email.ts";
import { api, as, expectOk, liveAlert, makeTeam, type Team } from "../test/helpers.ts";

let t: Team;
const PROSECUTOR = `parquet-federal-${crypto.randomUUID().slice(0, 8)}@justice.example`;
const CELL = `cellule-${crypto.randomUUID().slice(0, 8)}@police.example`;
beforeAll(async () => {
  t = await makeTeam();
});

const audit = async (id: string) => (await env.DB.prepare("SELECT action, details FROM audit_entries WHERE alert_id = ? ORDER BY seq").bind(id).all<{ action: string; details: string }>()).results;
/** Waits until the cell's notice of this request has been through the mail job (every address recorded). */
async function noticeMailed(alertId: string, requestId: string) {
  for (let i = 0; i < 100; i++) {
    const row = await env.DB.prepare("SELECT mail_status FROM notifications WHERE dedupe_key = ?").bind(`${alertId}:foreign_poster_request:${requestId}:cell`).first<{ mail_status: string | null }>();
    if (row?.mail_status) return row.mail_status;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the notice was never mailed");
}

describe("a foreign organisation's poster request (protocol §2.3.3.4)", () => {
  it("is granted only once the federal prosecutor's office and the cell are informed; never to a country without adequate protection; only the foundation handles it", { timeout: 60_000 }, async () => {
    // The admin has set the cell's mailbox, not yet the federal prosecutor's office's.
    expectOk(await api("PUT", "/admin/mailboxes", { cell: [CELL], federal_prosecutor: [] }, as(t.admin)));
    const id = await liveAlert(t);

    const recorded = expectOk(await api("POST", `/alerts/${id}/foreign-requests`, { organisation: "Association Enfants Disparus (FR)", country: "fr" }, as(t.operator)), 201).body;
    const first = recorded.requests[0];
    expect(first.country).toBe("FR");
    expect(first.grantedAt).toBeNull();
    expect(first.posters).toBeNull();
    expect((await audit(id)).map((a) => a.action)).toContain("foreign_request_recorded");
    // The cell hears of it in its inbox.
    const inbox = expectOk(await api("GET", "/inbox", undefined, as(t.cell))).body.items as { alertId: string; event: string }[];
    expect(inbox.some((n) => n.alertId === id && n.event === "foreign_poster_request")).toBe(true);

    // Only the cell's mailbox got the e-mail: the federal prosecutor's office was never told — refused.
    expect(await noticeMailed(id, first.id)).toBe("sent");
    expect((await smtp.waitFor(CELL)).some((m) => m.headers["x-child-alert"] === "notice; event=foreign_poster_request")).toBe(true);
    const early = await api("POST", `/alerts/${id}/foreign-requests/${first.id}/grant`, undefined, as(t.operator));
    expect(early.status).toBe(409);
    expect(early.body.code).toBe("E_NOT_INFORMED");
    expect(early.body.detail).toContain("federal prosecutor");
    expect((await audit(id)).map((a) => a.action)).not.toContain("foreign_request_granted");

    // With both mailboxes set, a new request: both told, then granted — by the foundation only.
    expectOk(await api("PUT", "/admin/mailboxes", { federal_prosecutor: [PROSECUTOR] }, as(t.admin)));
    const second = expectOk(await api("POST", `/alerts/${id}/foreign-requests`, { organisation: "Stichting Vermiste Kinderen (NL)", country: "NL" }, as(t.operator)), 201).body.requests[1];
    expect(await noticeMailed(id, second.id)).toBe("sent");
    await smtp.waitFor(PROSECUTOR);
    const told = await smtp.waitFor(CELL, 2);
    // No child data in the authorities' e-mail.
    expect(JSON.stringify(told)).not.toContain("Lina");
    expect((await api("POST", `/alerts/${id}/foreign-requests/${second.id}/grant`, undefined, as(t.cell))).body.code).toBe("E_FORBIDDEN_ROLE");
    const granted = expectOk(await api("POST", `/alerts/${id}/foreign-requests/${second.id}/grant`, undefined, as(t.operator))).body.requests[1];
    expect(granted.grantedAt).not.toBeNull();
    expect(granted.posters.length).toBeGreaterThan(0);
    expect(granted.posters[0]).toMatch(new RegExp(`/alert/${id}/poster/`));
    const entries = await audit(id);
    expect(entries.filter((a) => a.action === "foreign_request_granted").map((a) => JSON.parse(a.details).requestId)).toEqual([second.id]);

    // Rule 13: an organisation in a country without adequate protection is informed about but never sent the posters.
    const far = expectOk(await api("POST", `/alerts/${id}/foreign-requests`, { organisation: "ONG Crianças Desaparecidas", country: "BR" }, as(t.operator)), 201).body.requests[2];
    expect(far.personalData).toBe(false);
    expect(await noticeMailed(id, far.id)).toBe("sent");
    const refused = await api("POST", `/alerts/${id}/foreign-requests/${far.id}/grant`, undefined, as(t.operator));
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe("E_RULE");
    expect(refused.body.detail).toContain("rule 13");

    // Bad input: a clear 400, nothing recorded.
    for (const bad of [{ organisation: "X", country: "FR" }, { organisation: "Org", country: "France" }, { organisation: "<b>Org</b>", country: "FR" }, { organisation: "Org", country: "FR", extra: 1 }]) {
      expect((await api("POST", `/alerts/${id}/foreign-requests`, bad, as(t.operator))).status, JSON.stringify(bad)).toBe(400);
    }
    expect(expectOk(await api("GET", `/alerts/${id}/foreign-requests`, undefined, as(t.cell))).body.requests).toHaveLength(3);
  });
});
