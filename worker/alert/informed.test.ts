// Issue 24, item 4 — who is told, through the commands and each person's inbox (rules 9 and
// 12, DOMAIN.md): the end of a live alert informs every seat of the concertation — the cell,
// the case's investigators, the foundation (operator), the magistrate in charge, whoever
// ordered it; a published update tells the operator; the counsellor and an investigator
// not on the case hear nothing of it.
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { alertStub } from "./api.ts";
import { api, as, DECISION, expectOk, liveAlert, makeContent, makeStaff, makeTeam, signOff, type Staff, type Team } from "../test/helpers.ts";

let t: Team;
let outsider: Staff;
beforeAll(async () => {
  t = await makeTeam();
  outsider = await makeStaff("investigator");
});

const eventsFor = async (who: Staff, alertId: string) =>
  (expectOk(await api("GET", "/inbox", undefined, as(who))).body.items as { alertId: string; event: string }[]).filter((i) => i.alertId === alertId).map((i) => i.event);

describe("who is told (rules 9 and 12)", () => {
  it("a stop ordered by the cell reaches the magistrate in charge, the operator, the investigators and the cell", async () => {
    const id = await liveAlert(t);
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
    for (const who of [t.magistrate, t.operator, t.investigator, t.cell]) expect(await eventsFor(who, id), who.role).toContain("stopped");
    for (const who of [t.counsellor, outsider]) expect(await eventsFor(who, id), who.role).not.toContain("stopped");
  });

  it("an expiry reaches every seat too", async () => {
    const id = await liveAlert(t);
    await env.DB.prepare("UPDATE alerts SET ends_at = ? WHERE id = ?").bind(new Date(Date.now() - 1000).toISOString(), id).run();
    expect(await runDurableObjectAlarm(alertStub(env, id))).toBe(true);
    for (const who of [t.magistrate, t.operator, t.investigator, t.cell]) expect(await eventsFor(who, id), who.role).toContain("expired");
  });

  it("a published update tells the operator, who runs the channels", async () => {
    const id = await liveAlert(t);
    expectOk(await api("PUT", `/alerts/${id}/content`, { content: makeContent({ circumstances: "Seen later near the station." }) }, as(t.cell)));
    expectOk(await signOff(t.magistrate, id, "authorisation", DECISION));
    for (const who of [t.operator, t.investigator, t.cell]) expect(await eventsFor(who, id), who.role).toContain("updated");
  });
});
