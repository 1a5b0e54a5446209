import { evictDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { alertStub } from "../alert/api.ts";
import { api, as, authorisedAlert, createAlert, renderPosterSet, expectOk, makeTeam, ORIGIN, type Staff, type Team } from "../test/helpers.ts";

let t: Team;
beforeAll(async () => {
  t = await makeTeam();
});

async function connect(who: Staff | null, alertId: string | null, origin: string | null = ORIGIN) {
  const headers: Record<string, string> = { Upgrade: "websocket" };
  if (who) headers.Cookie = who.cookie;
  if (origin) headers.Origin = origin;
  const path = alertId ? `/alerts/${alertId}/live` : "/board/live";
  const res = await exports.default.fetch(new Request(`${ORIGIN}/api/v1${path}`, { headers }));
  const messages: { type: string; state?: string; command?: string; alertId?: string; counters?: { event: string } }[] = [];
  const ws = res.webSocket;
  if (ws) {
    ws.accept();
    ws.addEventListener("message", (e) => messages.push(JSON.parse(e.data as string)));
  }
  return { status: res.status, ws, messages };
}

const until = async (pred: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe("GET /api/v1/alerts/:id/live (WebSocket from the alert's Durable Object)", () => {
  it("greets with the state, pushes each change, and survives hibernation of the object", async () => {
    const id = await authorisedAlert(t);
    const a = await connect(t.operator, id);
    const b = await connect(t.magistrate, id); // a second dashboard sees the same updates
    expect(a.status).toBe(101);
    await until(() => a.messages.some((m) => m.type === "hello"));
    expectOk(await api("POST", `/alerts/${id}/launch`, undefined, as(t.cell)));
    await until(() => a.messages.some((m) => m.type === "state" && m.state === "live"));
    await until(() => b.messages.some((m) => m.type === "state" && m.state === "live"));

    await evictDurableObject(alertStub(env, id));
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
    await until(() => a.messages.some((m) => m.type === "state" && m.state === "stopped"));
    await until(() => b.messages.some((m) => m.type === "state" && m.state === "stopped"));

    a.ws!.send("ping");
    await until(() => a.messages.some((m) => m.type === "pong"));
    a.ws!.close(1000);
    b.ws!.close(1000);
  });

  it("refuses other origins (cross-site WebSocket hijacking), anonymous callers and the admin", async () => {
    const id = await authorisedAlert(t);
    expect((await connect(t.operator, id, "https://evil.example")).status).toBe(403);
    expect((await connect(null, id)).status).toBe(401);
    expect((await connect(t.admin, id)).status).toBe(403);
  });
});

describe("poster previews are announced, not polled", () => {
  it("the render job tells the alert's open dashboards that the version's posters are ready", async () => {
    const id = await createAlert(t.cell);
    const view = expectOk(await api("GET", `/alerts/${id}`, undefined, as(t.cell))).body;
    const screen = await connect(t.cell, id);
    await until(() => screen.messages.some((m) => m.type === "hello"));
    expect((await renderPosterSet(id, view.currentVersionId)).explicitAcks).toEqual(["render"]);
    await until(() => screen.messages.some((m) => m.type === "posters" && (m as { versionId?: string }).versionId === view.currentVersionId));
    expect(expectOk(await api("GET", `/alerts/${id}/posters`, undefined, as(t.cell))).body.status).toBe("ready");
    screen.ws!.close(1000);
  });
});

describe("GET /api/v1/board/live (every open alert list)", () => {
  it("announces new alerts and every state change, with ids and states only; survives hibernation", async () => {
    const list = await connect(t.magistrate, null);
    expect(list.status).toBe(101);
    await until(() => list.messages.some((m) => m.type === "hello"));
    const id = await authorisedAlert(t);
    await until(() => list.messages.some((m) => m.alertId === id && m.state === "authorised"));
    expect(list.messages.filter((m) => m.alertId === id).map((m) => m.command)).toEqual(
      expect.arrayContaining(["create", "submit", "signOff", "consent"]),
    );
    await evictDurableObject(env.BOARD.get(env.BOARD.idFromName("board")));
    expectOk(await api("POST", `/alerts/${id}/launch`, undefined, as(t.cell)));
    await until(() => list.messages.some((m) => m.alertId === id && m.state === "live"));
    for (const m of list.messages) expect(Object.keys(m).sort()).toEqual(m.type === "hello" ? ["type"] : ["alertId", "command", "state", "type"]);
    list.ws!.close(1000);
  });

  it("refuses other origins, anonymous callers and the admin", async () => {
    expect((await connect(t.operator, null, "https://evil.example")).status).toBe(403);
    expect((await connect(null, null)).status).toBe(401);
    expect((await connect(t.admin, null)).status).toBe(403);
  });
});
