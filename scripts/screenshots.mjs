// `npm run screenshots`: copies the README's images from the last browser-suite run
// (.test-results/screenshots/, written by `npm test` or `npm run test:e2e`) into
// docs/screenshots/. Tests never write tracked files; refreshing the pictures is this
// explicit step.
import { copyFileSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./lib/local.mjs";

const from = join(ROOT, ".test-results", "screenshots");
const to = join(ROOT, "docs", "screenshots");
const wanted = readdirSync(to).filter((f) => f.endsWith(".png"));
const missing = wanted.filter((f) => !existsSync(join(from, f)));
if (missing.length) {
  console.error(`not in ${from}: ${missing.join(", ")}\nrun the browser suite first (npm test, or npm run test:e2e)`);
  process.exit(1);
}
for (const f of wanted) copyFileSync(join(from, f), join(to, f));
console.log(`copied ${wanted.length} screenshots into docs/screenshots/`);
