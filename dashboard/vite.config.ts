import { defineConfig } from "vite";

// The staff dashboard (Preact), built into Workers Static Assets (wrangler.toml [assets]).
export default defineConfig({
  root: "dashboard",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true },
});
