import { defineConfig } from "vite";

// The staff dashboard, built into Workers Static Assets (wrangler.toml [assets]).
export default defineConfig({
  root: "dashboard",
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true },
});
