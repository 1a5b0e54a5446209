// `npm run test:worker [-- files…]`: vitest in workerd, with the test CA trusted by the runtime.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./lib/local.mjs";
import { testTlsEnv } from "./lib/test-tls.mjs";

const env = { ...process.env, ...(await testTlsEnv()) };
const r = spawnSync(process.execPath, [join(ROOT, "node_modules/vitest/vitest.mjs"), "run", "--config", "vitest.config.ts", ...process.argv.slice(2)], { cwd: ROOT, stdio: "inherit", env });
process.exit(r.status ?? 1);
