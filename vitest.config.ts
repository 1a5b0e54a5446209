import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { readdirSync, readFileSync } from "node:fs";
import { defineConfig } from "vitest/config";

/** Image fixtures (see worker/test/fixtures/make.mjs), handed to workerd as one JSON binding. */
const fixtures = Object.fromEntries(
  readdirSync("worker/test/fixtures")
    .filter((f) => !f.endsWith(".mjs"))
    .map((f) => [f, readFileSync(`worker/test/fixtures/${f}`).toString("base64")]),
);

export default defineConfig(async () => {
  const migrations = await readD1Migrations("migrations");
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            TEST_FIXTURES: fixtures,
            APP_ORIGIN: "http://localhost:8787",
            RP_ID: "localhost",
            ENVIRONMENT: "test",
            RETENTION_HOURS: "1",
            POSTERS_ON_SAVE: "false",
          },
        },
      }),
    ],
    test: {
      include: ["worker/**/*.test.ts", "worker/**/*.test.tsx", "templates/**/*.test.ts", "templates/**/*.test.tsx"],
      setupFiles: ["./worker/test/apply-migrations.ts"],
      testTimeout: 30_000,
    },
  };
});
