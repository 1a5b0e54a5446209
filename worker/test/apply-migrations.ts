// Applies the committed D1 migrations to each test file's isolated database, and lets every
// launched alert's fan-outs settle before the file's runtime is torn down: a page still
// sending (and logging) then is an unhandled "Closing rpc while onUserConsoleLog was
// pending" error that fails the run although every test passed.
import { applyD1Migrations, type D1Migration } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll } from "vitest";
import { fanoutFinished } from "../fanout/ledger.ts";
import { alertStub } from "../alert/api.ts";

await applyD1Migrations(env.DB, (env as unknown as { TEST_MIGRATIONS: D1Migration[] }).TEST_MIGRATIONS);

/** How long a file's end waits at most for its fan-outs (a test may leave one retrying on purpose). */
const SETTLE_MS = 15_000;

afterAll(async () => {
  const launched = await env.DB.prepare("SELECT id FROM alerts WHERE launched_at IS NOT NULL")
    .all<{ id: string }>()
    .catch(() => ({ results: [] as { id: string }[] }));
  if (!launched.results.length) return;
  const deadline = Date.now() + SETTLE_MS;
  for (const { id } of launched.results) {
    for (;;) {
      const fanouts = await alertStub(env as unknown as Env, id)
        .fanouts()
        .catch(() => []);
      if (fanouts.every(fanoutFinished) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  // The last page's closing lines (its report, its log).
  await new Promise((r) => setTimeout(r, 300));
}, SETTLE_MS + 10_000);
