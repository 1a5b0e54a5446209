// The production configuration as wrangler reads it (wrangler.toml, optionally one of its
// [env.*] sections): the one list of resources and variables that `npm run provision`
// creates and `npm run preflight` checks, so the deploy steps cannot drift from it.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { unstable_readConfig } from "wrangler";
import { ROOT } from "./local.mjs";

export function readConfig({ config = join(ROOT, "wrangler.toml"), env } = {}) {
  return unstable_readConfig({ config, ...(env ? { env } : {}) }, {});
}

/** Every resource the Worker binds, by kind (queues: producers, consumers and their dead-letter queues). */
export function resourcesOf(cfg) {
  const queues = new Set();
  for (const p of cfg.queues?.producers ?? []) queues.add(p.queue);
  for (const c of cfg.queues?.consumers ?? []) {
    queues.add(c.queue);
    if (c.dead_letter_queue) queues.add(c.dead_letter_queue);
  }
  return {
    d1: (cfg.d1_databases ?? []).map((d) => ({ binding: d.binding, name: d.database_name, id: d.database_id })),
    r2: [...new Set((cfg.r2_buckets ?? []).map((b) => b.bucket_name))],
    queues: [...queues],
  };
}

/** The secret names the code reads: worker/secrets.env (the same list `npm run types` types). */
export function secretNames() {
  return readFileSync(join(ROOT, "worker", "secrets.env"), "utf8")
    .split("\n")
    .map((l) => /^([A-Z][A-Z0-9_]*)=/.exec(l.trim())?.[1])
    .filter(Boolean);
}

/**
 * Runs wrangler (the project's own, or WRANGLER_BIN: a script standing in for it in tests)
 * and returns its exit status and output.
 */
export function runWrangler(args) {
  const bin = process.env.WRANGLER_BIN ?? join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
    maxBuffer: 16 * 1024 * 1024,
  });
  return { status: r.status ?? 1, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}
