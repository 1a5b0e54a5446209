// `npm run check:deploy` (and a stage of `npm test`): builds the production bundle exactly
// as `wrangler deploy` would (`--dry-run --outdir`), prints its size, and measures its
// start-up the way `wrangler check startup` does (workerd's CPU profile of the global
// scope). Fails above Cloudflare's documented limits, so an oversize Worker fails here
// and not at the deploy of an emergency fix:
//   - Worker size: 10 MB after gzip on Workers Paid (3 MB on Free), and 64 MiB
//     uncompressed — https://developers.cloudflare.com/workers/platform/limits/#worker-size
//   - Worker startup time: 1 second to parse and run the global scope —
//     https://developers.cloudflare.com/workers/platform/limits/#worker-startup-time
// Options: --max-gzip-bytes N (default the paid limit), --no-startup (size only).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { ROOT } from "./lib/local.mjs";

export const LIMITS = {
  gzipBytes: 10 * 1000 * 1000, // Workers Paid: 10 MB compressed
  rawBytes: 64 * 1024 * 1024, // 64 MiB uncompressed
  startupMs: 1000,
};

const WRANGLER = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
const wrangler = (args) =>
  spawnSync(process.execPath, [WRANGLER, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
    maxBuffer: 64 * 1024 * 1024,
  });

/** Sizes of a `wrangler deploy --dry-run --outdir` folder: what is uploaded (not the source map). */
export function bundleSize(dir) {
  let raw = 0;
  let gzip = 0;
  const files = [];
  for (const name of readdirSync(dir)) {
    if (name.endsWith(".map") || name === "README.md") continue;
    const body = readFileSync(join(dir, name));
    const z = gzipSync(body, { level: 9 }).length;
    raw += statSync(join(dir, name)).size;
    gzip += z;
    files.push({ name, raw: body.length, gzip: z });
  }
  return { raw, gzip, files: files.sort((a, b) => b.gzip - a.gzip) };
}

const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;

export function checkDeploy({ maxGzipBytes = LIMITS.gzipBytes, startup = true } = {}) {
  const problems = [];
  const out = mkdtempSync(join(tmpdir(), "child-alert-bundle-"));
  try {
    const build = wrangler(["deploy", "--dry-run", "--outdir", out]);
    if (build.status !== 0) return { problems: [`wrangler deploy --dry-run failed:\n${(build.stdout + build.stderr).slice(-2000)}`] };
    const size = bundleSize(out);
    console.log(`  bundle: ${kib(size.raw)} uploaded, ${kib(size.gzip)} gzipped (limit ${kib(maxGzipBytes)} gzipped, ${kib(LIMITS.rawBytes)} raw)`);
    for (const f of size.files.slice(0, 4)) console.log(`    ${f.name.replace(/^[0-9a-f]{40}-/, "")}: ${kib(f.gzip)} gzipped`);
    if (size.gzip > maxGzipBytes) problems.push(`the Worker is ${kib(size.gzip)} gzipped, over the ${kib(maxGzipBytes)} limit`);
    if (size.raw > LIMITS.rawBytes) problems.push(`the Worker is ${kib(size.raw)} uncompressed, over the ${kib(LIMITS.rawBytes)} limit`);
    let startupMs = null;
    if (startup) {
      const profile = join(out, "startup.cpuprofile");
      const r = wrangler(["check", "startup", "--outfile", profile]);
      const active = /Active:\s*([\d.]+)\s*ms/.exec(r.stdout + r.stderr);
      if (r.status !== 0 || !active) problems.push(`wrangler check startup failed:\n${(r.stdout + r.stderr).slice(-2000)}`);
      else {
        startupMs = Number(active[1]);
        console.log(`  start-up: ${startupMs} ms of CPU in the global scope (wrangler check startup; limit ${LIMITS.startupMs} ms)`);
        if (startupMs > LIMITS.startupMs) problems.push(`start-up takes ${startupMs} ms, over the ${LIMITS.startupMs} ms limit`);
      }
    }
    return { problems, size, startupMs };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const at = args.indexOf("--max-gzip-bytes");
  const { problems } = checkDeploy({
    maxGzipBytes: at >= 0 ? Number(args[at + 1]) : LIMITS.gzipBytes,
    startup: !args.includes("--no-startup"),
  });
  for (const p of problems) console.error(`✗ ${p}`);
  if (!problems.length) console.log("  deployable: within Cloudflare's size and start-up limits");
  process.exit(problems.length ? 1 : 0);
}
