// The local certificate authority of the Workers-runtime tests. workerd does not take a
// CA from node:tls options (`ca` is ignored): it trusts its own store, which Miniflare
// extends with NODE_EXTRA_CA_CERTS when it loads. So the CA is made before vitest starts,
// and vitest is started with that variable (scripts/vitest.mjs, scripts/test.mjs).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { testCa } from "../../e2e/lib/test-ca.mjs";
import { ROOT } from "./local.mjs";

/** Writes a fresh CA (certificate for NODE_EXTRA_CA_CERTS, key for the servers) and returns the env to run vitest with. */
export async function testTlsEnv() {
  const dir = join(ROOT, ".wrangler", "test-ca");
  mkdirSync(dir, { recursive: true });
  const ca = await testCa();
  writeFileSync(join(dir, "ca.pem"), ca.cert);
  writeFileSync(join(dir, "ca.json"), JSON.stringify({ private: ca.private, cert: ca.cert }), { mode: 0o600 });
  return { NODE_EXTRA_CA_CERTS: join(dir, "ca.pem"), TEST_CA_JSON: join(dir, "ca.json") };
}
