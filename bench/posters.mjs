// bench:posters — the full poster set of one alert (7 formats × 4 languages, with a
// photo) rendered by our pipeline inside workerd (satori + resvg wasm), against the usual
// alternative: headless Chromium screenshots of the same layouts as HTML (same fonts,
// same photos, same geometry; the browser already running, fonts cached). Same run,
// same machine; median of several runs each.
//   RESULT posters ours=<ms> peer=<ms> ratio=<peer/ours>
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createServer as netServer } from "node:net";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { ROOT, startWorker } from "../scripts/lib/local.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const port = await new Promise((r) => {
  const s = netServer().listen(0, "127.0.0.1", () => {
    const { port } = s.address();
    s.close(() => r(port));
  });
});

console.log(`bench:posters — ${RUNS} runs each; machine: ${process.arch}, Node ${process.version}`);
const worker = await startWorker({ port, config: "bench/wrangler.bench.toml", healthPath: "/noop" });
const photo = readFileSync(join(ROOT, "worker/test/fixtures/photo-exif.jpg"));
const base = `http://127.0.0.1:${port}`;

try {
  // ---- ours: workerd
  const render = async () => {
    const t0 = performance.now();
    const res = await fetch(`${base}/render`, { method: "POST", body: photo });
    const body = await res.json();
    if (!res.ok || body.posters !== 28) throw new Error(`render failed: ${JSON.stringify(body)}`);
    return performance.now() - t0;
  };
  await render(); // warm-up: wasm instantiation, font parsing
  const ours = [];
  for (let i = 0; i < RUNS; i++) ours.push(await render());
  console.log(`  ours (workerd, satori+resvg): ${ours.map((x) => x.toFixed(0)).join(", ")} ms`);

  // ---- peer: Chromium screenshots of the same layout trees as HTML
  const trees = await (await fetch(`${base}/trees`, { method: "POST", body: photo })).json();
  const fonts = {
    400: readFileSync(join(ROOT, "node_modules/@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf")),
    700: readFileSync(join(ROOT, "node_modules/@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf")),
    900: readFileSync(join(ROOT, "node_modules/@expo-google-fonts/noto-sans/900Black/NotoSans_900Black.ttf")),
  };
  const UNITLESS = new Set(["fontWeight", "lineHeight", "opacity", "flex", "flexGrow", "flexShrink", "zIndex"]);
  const css = (style = {}) =>
    Object.entries(style)
      .map(([k, v]) => `${k.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)}:${typeof v === "number" && !UNITLESS.has(k) ? `${v}px` : v}`)
      .join(";");
  const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const toHtml = (n) => {
    if (n === null || n === undefined || n === false) return "";
    if (typeof n === "string" || typeof n === "number") return esc(n);
    if (Array.isArray(n)) return n.map(toHtml).join("");
    const { style, children, src, width, height } = n.props ?? {};
    if (n.type === "img") return `<img src="${src}" width="${width}" height="${height}" style="${css(style)}">`;
    return `<${n.type} style="${css(style)}">${toHtml(children)}</${n.type}>`;
  };
  const pages = trees.map(
    (t) => `<!doctype html><html><head><meta charset="utf-8"><style>
@font-face{font-family:"Noto Sans";font-weight:400;src:url(/f/400.ttf)}
@font-face{font-family:"Noto Sans";font-weight:700;src:url(/f/700.ttf)}
@font-face{font-family:"Noto Sans";font-weight:900;src:url(/f/900.ttf)}
*{box-sizing:border-box;margin:0;padding:0}html,body{width:${t.width}px;height:${t.height}px;overflow:hidden}div{display:flex}
</style></head><body>${toHtml(t.node)}</body></html>`,
  );
  const server = createServer((req, res) => {
    const f = /^\/f\/(\d+)\.ttf$/.exec(req.url);
    if (f) {
      res.writeHead(200, { "Content-Type": "font/ttf", "Cache-Control": "max-age=3600" });
      return res.end(fonts[f[1]]);
    }
    const i = Number(/^\/p\/(\d+)$/.exec(req.url)?.[1]);
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(pages[i]);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const http = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage();
  const shoot = async () => {
    const t0 = performance.now();
    let bytes = 0;
    for (let i = 0; i < trees.length; i++) {
      await page.setViewportSize({ width: trees[i].width, height: trees[i].height });
      await page.goto(`${http}/p/${i}`);
      await page.evaluate(() => document.fonts.ready);
      bytes += (await page.screenshot({ type: "png" })).length;
    }
    if (bytes === 0) throw new Error("no screenshots");
    return performance.now() - t0;
  };
  await shoot(); // warm-up: fonts cached, renderer warm
  const peer = [];
  for (let i = 0; i < RUNS; i++) peer.push(await shoot());
  console.log(`  peer (Chromium ${browser.version()} screenshots): ${peer.map((x) => x.toFixed(0)).join(", ")} ms`);
  await page.screenshot({ path: join(ROOT, "bench", "last-peer-poster.png") });
  await browser.close();
  server.close();

  const o = median(ours);
  const p = median(peer);
  console.log(`  full set = ${trees.length} posters; goal: < 2000 ms and ≥ 5× faster than Chromium`);
  console.log(`RESULT posters ours=${o.toFixed(0)}ms peer=${p.toFixed(0)}ms ratio=${(p / o).toFixed(2)}`);
} finally {
  worker.stop();
}
