// `npm run provision [-- --dry-run] [--config wrangler.toml] [--env name]`: creates every
// D1 database, R2 bucket, queue and dead-letter queue that wrangler.toml names, read from
// it (one list: add a queue there and provisioning follows). Idempotent: a resource that
// exists already is left as it is and reported so. --dry-run prints the commands only.
// A new D1 database's id is printed: put it into wrangler.toml (preflight checks it).
import { readConfig, resourcesOf, runWrangler } from "./lib/wrangler-config.mjs";
import { parseArgs } from "./lib/local.mjs";

/** Cloudflare's answers for "exists already": D1 by name, R2 code 10004, Queues code 11009 / "already taken". */
const EXISTS = /already exists|already taken|code:\s*(10004|11009|7502)/i;

export function provisionCommands(cfg) {
  const r = resourcesOf(cfg);
  return [
    ...r.d1.map((d) => ({ kind: "D1 database", name: d.name, args: ["d1", "create", d.name] })),
    ...r.r2.map((name) => ({ kind: "R2 bucket", name, args: ["r2", "bucket", "create", name] })),
    ...r.queues.map((name) => ({ kind: "queue", name, args: ["queues", "create", name] })),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = parseArgs(process.argv.slice(2));
  const dryRun = process.argv.includes("--dry-run");
  const cfg = readConfig({ ...(args.config ? { config: args.config } : {}), ...(args.env ? { env: args.env } : {}) });
  const commands = provisionCommands(cfg);
  console.log(`${dryRun ? "Would create" : "Creating"} ${commands.length} resources named in ${args.config ?? "wrangler.toml"}${args.env ? ` [env.${args.env}]` : ""}:`);
  let failed = 0;
  for (const c of commands) {
    if (dryRun) {
      console.log(`  npx wrangler ${c.args.join(" ")}`);
      continue;
    }
    const { status, output } = runWrangler(c.args);
    if (status === 0) {
      const id = c.kind === "D1 database" ? /database_id\W+([0-9a-f-]{36})/i.exec(output)?.[1] : undefined;
      console.log(`  ✓ ${c.kind} ${c.name}: created${id ? ` — put database_id = "${id}" into wrangler.toml` : ""}`);
    } else if (EXISTS.test(output)) console.log(`  · ${c.kind} ${c.name}: exists already`);
    else {
      failed++;
      console.error(`  ✗ ${c.kind} ${c.name}: ${output.trim().split("\n").slice(-3).join(" ")}`);
    }
  }
  if (!dryRun) {
    console.log(failed ? `\n${failed} resource(s) could not be created (see above); run again once fixed: what exists is kept.` : "\nEvery resource exists. Next: npm run preflight");
  }
  process.exit(failed ? 1 : 0);
}
