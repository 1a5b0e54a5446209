import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, as, expectOk, liveAlert, makeTeam } from "../test/helpers.ts";
import { SEND_CONCURRENCY, pushQueues } from "../channels/push/channel.ts";

const PUSH = "https://push.test";
const stats = async (tag: string) =>
  (await (await fetch(`${PUSH}/__stats?tag=${tag}`)).json()) as { byType: Record<string, number>; withContent: number; contentWithoutStop: number };

describe("the stop fence under load", () => {
  it("stop in the middle of a 10,000-subscriber fan-out: no content accepted after it beyond requests in flight; the stop reaches everyone who got the alert", { timeout: 120_000 }, async () => {
    const t = await makeTeam();
    const subs = (await (await fetch(`${PUSH}/__subscribe?n=10000`, { method: "POST" })).json()) as { endpoint: string; keys: { p256dh: string; auth: string } }[];
    // Bulk insert (a real subscribe goes through the API; 10,000 of them would only test the rate limiter).
    for (let i = 0; i < subs.length; i += 200) {
      const values = subs
        .slice(i, i + 200)
        .map((s) => `('${crypto.randomUUID()}', '${s.endpoint}', '${s.keys.p256dh}', '${s.keys.auth}', 'fr', '["BE"]', 0)`)
        .join(",");
      await env.DB.prepare(`INSERT INTO subscriptions (id, endpoint, p256dh, auth, lang, regions, exercise) VALUES ${values}`).run();
    }

    const id = await liveAlert(t);
    // Let the fan-out get going, then stop.
    const deadline = Date.now() + 60_000;
    while (((await stats(id)).byType.alert ?? 0) < 300) {
      if (Date.now() > deadline) throw new Error("fan-out did not start");
      await new Promise((r) => setTimeout(r, 20));
    }
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.magistrate)));
    const atStop = (await stats(id)).byType.alert ?? 0;

    // Wait until the alert fan-out has finished every page and the stop fan-out too.
    for (;;) {
      const f = expectOk(await api("GET", `/alerts/${id}/fanout`, undefined, as(t.operator))).body.fanouts as {
        event: string;
        pagesPlanned: number;
        pagesDone: number;
        sent: number;
        fenced: number;
        retrying: number;
      }[];
      const alert = f.find((x) => x.event === "alert");
      const stop = f.find((x) => x.event === "stop");
      if (alert && stop && alert.pagesDone >= alert.pagesPlanned && stop.pagesDone >= stop.pagesPlanned && stop.retrying === 0) {
        const final = await stats(id);
        const after = (final.byType.alert ?? 0) - atStop;
        // Only requests already in flight when the fence closed: one per send slot per running consumer.
        expect(after).toBeLessThanOrEqual(SEND_CONCURRENCY * pushQueues(env).length);
        expect(alert.sent).toBe(final.byType.alert);
        expect(alert.sent).toBeLessThan(10_000);
        expect(alert.fenced).toBeGreaterThan(0);
        // Everyone who got the alert got the "found — thank you" that replaces it.
        expect(final.contentWithoutStop).toBe(0);
        console.log(`stop fence: ${alert.sent} alerts sent, ${after} accepted after the stop (in flight), ${alert.fenced} fenced, ${final.byType.stop} stop messages`);
        return;
      }
      if (Date.now() > deadline + 60_000) throw new Error(`not settled: ${JSON.stringify(f)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });
});
