// Measured in workerd (Miniflare) by bench:national: how many page-protocol calls one
// ledger shard answers per second (our PageBook on a real Durable Object's storage: begin,
// stop-fence leases that mark keys, report — the calls a page makes), and how many small
// D1 queries per second a local database answers one at a time (a page's recipient read).
import { DurableObject } from "cloudflare:workers";
import { PageBook } from "../../worker/fanout/page-book.ts";
import type { PageRef } from "../../worker/fanout/ledger.ts";

interface RateEnv {
  SHARD: DurableObjectNamespace<Shard>;
  DB: D1Database;
}

export class Shard extends DurableObject<RateEnv> {
  private readonly book = new PageBook(this.ctx.storage, { closing: () => null, fenceOpen: async () => true });
  async setup(): Promise<void> {
    await this.book.publish("push", { event: "alert", version: 1, audience: null, byLang: { fr: { title: "x" } }, endsAt: null });
  }
  begin(ref: PageRef, from: number, to: number) {
    return this.book.beginPage(ref, { from, to });
  }
  gate(ref: PageRef, keys: number[]) {
    return this.book.gate(ref, keys, 1, 200);
  }
  report(ref: PageRef, keys: number[]) {
    return this.book.reportPage({ ...ref, firstPass: true, counts: { sent: keys.length, failed: 0, pruned: 0, retrying: 0, fenced: 0, skipped: 0 }, sent: keys.map((k) => [k, 1]), unsent: [] });
  }
}

export default {
  async fetch(request: Request, env: RateEnv): Promise<Response> {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get("pages") ?? 100);
    if (url.pathname === "/ledger") {
      // `senders` pages at a time, each as a real page does: begin, `gates` leases marking its keys in slices, report.
      const senders = Number(url.searchParams.get("senders") ?? 40);
      const gates = Number(url.searchParams.get("gates") ?? 21);
      const pageSize = Number(url.searchParams.get("pageSize") ?? 250);
      const stub = env.SHARD.get(env.SHARD.idFromName(crypto.randomUUID()));
      await stub.setup();
      let calls = 0;
      const t0 = Date.now();
      await Promise.all(
        Array.from({ length: senders }, async (_, w) => {
          for (let p = w; p < n; p += senders) {
            const from = p * pageSize;
            const ref: PageRef = { alertId: "bench", fanoutId: "f", channel: "push", event: "alert", pageKey: `${from}`, claim: crypto.randomUUID() };
            await stub.begin(ref, from, from + pageSize);
            const keys = Array.from({ length: pageSize }, (_, i) => from + i);
            const slice = Math.ceil(pageSize / gates);
            for (let g = 0; g < gates; g++) await stub.gate(ref, keys.slice(g * slice, (g + 1) * slice));
            await stub.report(ref, keys);
            calls += gates + 2;
          }
        }),
      );
      return Response.json({ calls, ms: Date.now() - t0 });
    }
    if (url.pathname === "/d1") {
      const rows = Number(url.searchParams.get("rows") ?? 20_000);
      await env.DB.exec("CREATE TABLE IF NOT EXISTS subs (seq INTEGER PRIMARY KEY, endpoint TEXT NOT NULL, lang TEXT NOT NULL, regions TEXT NOT NULL)");
      const { results } = await env.DB.prepare("SELECT count(*) AS n FROM subs").all<{ n: number }>();
      for (let i = results[0]!.n; i < rows; i += 25) {
        const batch = Array.from({ length: 25 }, (_, j) => env.DB.prepare("INSERT INTO subs (endpoint, lang, regions) VALUES (?, 'fr', '[\"BE\"]')").bind(`https://push.example/${i + j}`));
        await env.DB.batch(batch);
      }
      const t0 = Date.now();
      for (let q = 0; q < n; q++) {
        const from = (q * 250) % rows;
        await env.DB.prepare("SELECT seq, endpoint, lang, regions FROM subs WHERE seq >= ? AND seq < ? ORDER BY seq").bind(from, from + 250).all();
      }
      return Response.json({ queries: n, ms: Date.now() - t0 });
    }
    return new Response("not found", { status: 404 });
  },
};
