import { resolve } from "node:path";
import { defineConfig } from "vite";

// The staff dashboard (Preact), built into Workers Static Assets (wrangler.toml [assets]),
// and the public verification page's script (/verify.js, issue 28) under a fixed name:
// the Worker's server-rendered /verify page loads it.
export default defineConfig({
  root: "dashboard",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    rollupOptions: {
      input: { main: resolve(import.meta.dirname, "index.html"), verify: resolve(import.meta.dirname, "src/verify-page.ts") },
      output: { entryFileNames: (chunk) => (chunk.name === "verify" ? "verify.js" : "assets/[name]-[hash].js") },
    },
  },
});
