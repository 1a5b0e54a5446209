// `npm test`: typecheck, Workers-runtime tests (vitest in workerd), browser tests
// (node:test + Chromium). Runs every stage even if one fails, then prints one closing
// line with the totals: "tests: N passed, N failed".
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./lib/local.mjs";
import { testTlsEnv } from "./lib/test-tls.mjs";

const out = join(ROOT, ".test-results");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const bin = (pkg, file) => join(ROOT, "node_modules", pkg, file);
const run = (label, args, env = {}) => {
  console.log(`\n\x1b[1m▸ ${label}\x1b[0m`);
  return spawnSync(process.execPath, args, { cwd: ROOT, stdio: "inherit", env: { ...process.env, FORCE_COLOR: "0", ...env } }).status ?? 1;
};

// The browser tests need Chromium: checked first, not after the long worker stage. As
// root on Debian it is installed (what .ci/run does); otherwise stop now with the command.
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(CHROMIUM)) {
  const root = process.getuid?.() === 0 && existsSync("/usr/bin/apt-get");
  if (root) {
    console.log(`\x1b[1m▸ Chromium is missing (${CHROMIUM}): apt-get install -y chromium, for the browser tests\x1b[0m`);
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
    spawnSync("apt-get", ["install", "-y", "-qq", "chromium"], { stdio: "inherit", env });
  }
  if (!existsSync(CHROMIUM)) {
    console.error(`Chromium is needed for the browser tests and is not at ${CHROMIUM}.\nInstall it first:  sudo apt-get install -y chromium   (or set CHROMIUM_PATH)`);
    process.exit(1);
  }
}

const failures = [];
let passed = 0;
let failed = 0;
let skipped = 0;
const failedNames = [];

// The Worker's generated binding types must match wrangler.toml and worker/secrets.env
// (`npm run types` regenerates them).
if (run("types are fresh (wrangler types --check)", [bin("wrangler", "bin/wrangler.js"), "types", "worker/worker-configuration.d.ts", "--check"]) !== 0) {
  failures.push("worker/worker-configuration.d.ts is out of date: npm run types");
}
for (const project of ["tsconfig.json", "dashboard/tsconfig.json"]) {
  if (run(`typecheck ${project}`, [bin("typescript", "bin/tsc"), "--noEmit", "-p", project]) !== 0) failures.push(`typecheck ${project}`);
}

const vitestStatus = run("worker tests (workerd)", [
  bin("vitest", "vitest.mjs"), "run", "--config", "vitest.config.ts",
  "--reporter=default", "--reporter=json", `--outputFile.json=${join(out, "vitest.json")}`,
], await testTlsEnv());
try {
  const r = JSON.parse(readFileSync(join(out, "vitest.json"), "utf8"));
  passed += r.numPassedTests;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  failed += r.numFailedTests + (r.numTotalTests - r.numPassedTests - r.numFailedTests - (r.numPendingTests ?? 0) - (r.numTodoTests ?? 0));
  // The names of the failed tests, repeated at the end where a truncated log still shows them.
  for (const file of r.testResults ?? []) {
    for (const t of file.assertionResults ?? []) {
      if (t.status === "failed") failedNames.push(`${file.name.replace(ROOT + "/", "")} > ${t.fullName}: ${String(t.failureMessages?.[0] ?? "").split("\n")[0].slice(0, 300)}`);
    }
    if (file.status === "failed" && !(file.assertionResults ?? []).some((t) => t.status === "failed")) {
      failedNames.push(`${file.name.replace(ROOT + "/", "")}: ${String(file.message ?? "").split("\n")[0].slice(0, 300)}`);
    }
  }
} catch {
  failed += 1;
}
if (vitestStatus !== 0) failures.push("worker tests");

if (run("build dashboard", [bin("vite", "bin/vite.js"), "build", "--config", "dashboard/vite.config.ts", "--logLevel", "warn"]) !== 0) {
  failures.push("dashboard build");
}
// The production bundle: within Cloudflare's size and start-up limits (scripts/deploy-check.mjs).
const deployArgs = process.env.DEPLOY_MAX_GZIP_BYTES ? ["--max-gzip-bytes", process.env.DEPLOY_MAX_GZIP_BYTES] : [];
if (run("deployable (wrangler deploy --dry-run: size; wrangler check startup)", [join(ROOT, "scripts", "deploy-check.mjs"), ...deployArgs]) !== 0) {
  failures.push("deploy check (bundle size or start-up over Cloudflare's limits)");
}

const e2e = spawnSync(process.execPath, ["--test", "--test-concurrency=1", "--test-reporter=spec", "--test-reporter-destination=stdout",
  "--test-reporter=tap", `--test-reporter-destination=${join(out, "e2e.tap")}`, "e2e/*.test.mjs"], { cwd: ROOT, stdio: "inherit" });
console.log("\n\x1b[1m▸ browser tests (Chromium)\x1b[0m done");
try {
  const tap = readFileSync(join(out, "e2e.tap"), "utf8");
  passed += Number(/^# pass (\d+)/m.exec(tap)?.[1] ?? 0);
  skipped += Number(/^# skipped (\d+)/m.exec(tap)?.[1] ?? 0) + Number(/^# todo (\d+)/m.exec(tap)?.[1] ?? 0);
  failed += Number(/^# fail (\d+)/m.exec(tap)?.[1] ?? 0) + Number(/^# cancelled (\d+)/m.exec(tap)?.[1] ?? 0);
  for (const m of tap.matchAll(/^\s*not ok \d+ - (.*)$/gm)) failedNames.push(`e2e > ${m[1]}`);
} catch {
  failed += 1;
}
if (e2e.status !== 0) failures.push("browser tests");

if (failures.length) console.log(`\nFAILED stages: ${failures.join(", ")}`);
for (const name of failedNames) console.log(`  ✗ ${name}`);
console.log(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failures.length || failed ? 1 : 0);
