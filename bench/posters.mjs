// bench:posters — the full poster set of one alert (7 formats × 4 languages, with a
// photo), from the save to the last poster stored, as the set's jobs run it: the first job
// decodes the photo once and scales it for every format, then one job per poster renders
// a format in one language, each in its own isolate (on Cloudflare the POSTERS queue's
// consumers; here one workerd process per core, BENCH_ISOLATES to change it, a free
// isolate taking the next poster — biggest formats first — as a queue consumer would). The peer is the usual
// alternative: headless Chromium screenshots of the very same layouts as HTML (same fonts,
// same photos, same geometry; the browser already running, fonts cached), given as many
// pages in parallel as we get isolates. Same run, same machine; median of several runs.
// Also printed: the whole set in one invocation (the old way), one job per format (the
// previous release), and each run's critical path (first job + slowest poster job: the
// wall time with one isolate per poster, as the POSTERS queue's 28 consumers allow).
//   RESULT posters ours=<ms> peer=<ms> ratio=<peer/ours>
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createServer as netServer } from "node:net";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { ROOT, startWorker } from "../scripts/lib/local.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ISOLATES = Number(process.env.BENCH_ISOLATES ?? availableParallelism());
const FORMATS = ["square", "story", "landscape", "push", "leaderboard", "billboard", "print"]; // FORMAT_NAMES' order
const SIZE = { square: 1080 * 1080, story: 1080 * 1920, landscape: 1200 * 630, push: 1024 * 512, leaderboard: 728 * 90, billboard: 970 * 250, print: 1240 * 1754 };
const LANGS = ["fr", "nl", "de", "en"];
// The order the set's first job hands the poster jobs out: biggest formats first (worker/render/poster-sets.ts).
const POSTER_JOBS = [...FORMATS].sort((a, b) => SIZE[b] - SIZE[a]).flatMap((f) => LANGS.map((l) => [f, l]));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (xs) => xs.map((x) => x.toFixed(0)).join(", ");
const freePort = () =>
  new Promise((r) => {
    const s = netServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => r(port));
    });
  });
/** Runs `jobs` with `n` workers, each taking the next job when free (a queue's consumers). */
async function drain(jobs, n, run) {
  const queue = [...jobs];
  await Promise.all(Array.from({ length: n }, async (_, i) => {
    for (let job = queue.shift(); job !== undefined; job = queue.shift()) await run(job, i);
  }));
}

console.log(`bench:posters — ${RUNS} runs each, ${ISOLATES} isolates (workerd processes) and as many Chromium pages; machine: ${process.arch}, Node ${process.version}`);
const workers = [];
for (let i = 0; i < ISOLATES; i++) {
  const port = await freePort();
  workers.push({ ...(await startWorker({ port, config: "bench/wrangler.bench.toml", healthPath: "/noop" })), base: `http://127.0.0.1:${port}` });
}
const photo = readFileSync(join(ROOT, "worker/test/fixtures/photo-exif.jpg"));
const post = async (base, path, body) => {
  const res = await fetch(`${base}${path}`, { method: "POST", body });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
};

try {
  // ---- ours, the old way: the whole set in one invocation
  const whole = async () => {
    const t0 = performance.now();
    const body = await post(workers[0].base, "/render", photo);
    if (body.posters !== 28) throw new Error(`render failed: ${JSON.stringify(body)}`);
    return performance.now() - t0;
  };
  // ---- ours: the set's jobs — the first one, then one per poster (or, the previous release, per format) over the isolates
  const jobs = async (perPoster = true) => {
    const t0 = performance.now();
    const sized = await post(workers[0].base, "/prepare", photo);
    const prepared = performance.now() - t0;
    const took = {};
    let posters = 0;
    await drain(perPoster ? POSTER_JOBS : FORMATS.map((f) => [f, null]), ISOLATES, async ([format, lang], i) => {
      const t = performance.now();
      const done = await post(workers[i].base, `/format?f=${format}${lang ? `&l=${lang}` : ""}`, JSON.stringify(sized[format]));
      posters += done.posters;
      took[format] = Math.max(took[format] ?? 0, performance.now() - t);
    });
    if (posters !== 28) throw new Error(`${posters} posters`);
    return { wall: performance.now() - t0, critical: prepared + Math.max(...Object.values(took)), prepared, took };
  };
  for (const w of workers) await post(w.base, "/render", photo); // warm-up: wasm instantiation, font parsing, in every isolate
  await jobs();
  await jobs(false);
  const oursWhole = [];
  const oursFormats = [];
  const ours = [];
  for (let i = 0; i < RUNS; i++) {
    oursWhole.push(await whole());
    oursFormats.push(await jobs(false));
    ours.push(await jobs());
  }
  const last = ours.at(-1);
  console.log(`  ours, whole set in one invocation (the old way): ${ms(oursWhole)} ms`);
  console.log(`  ours, one job per format (the previous release) on ${ISOLATES} isolates: ${ms(oursFormats.map((r) => r.wall))} ms; critical path ${ms(oursFormats.map((r) => r.critical))} ms`);
  console.log(`  ours, one job per poster on ${ISOLATES} isolates, save → last poster: ${ms(ours.map((r) => r.wall))} ms`);
  console.log(`    first job (photo decoded once, scaled for 7 formats) ${last.prepared.toFixed(0)} ms; slowest poster job per format: ${FORMATS.map((f) => `${f} ${last.took[f].toFixed(0)}`).join(", ")} ms`);
  console.log(`    critical path (one isolate per poster, as the POSTERS queue's 28 consumers allow): ${ms(ours.map((r) => r.critical))} ms`);

  // ---- peer: Chromium screenshots of the same layout trees as HTML
  const trees = await post(workers[0].base, "/trees", photo);
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
  // One page per isolate of ours, each in its own context (its own renderer process).
  const tabs = await Promise.all(Array.from({ length: ISOLATES }, async () => (await browser.newContext()).newPage()));
  const shot = async (page, i) => {
    await page.setViewportSize({ width: trees[i].width, height: trees[i].height });
    await page.goto(`${http}/p/${i}`);
    await page.evaluate(() => document.fonts.ready);
    return (await page.screenshot({ type: "png" })).length;
  };
  const byFormat = FORMATS.map((f) => trees.flatMap((t, i) => (t.format === f ? [i] : [])));
  const shoot = async (n) => {
    const t0 = performance.now();
    let bytes = 0;
    await drain(byFormat, n, async (indices, w) => {
      for (const i of indices) {
        const n = await shot(tabs[w], i);
        bytes += n;
      }
    });
    if (bytes === 0) throw new Error("no screenshots");
    return performance.now() - t0;
  };
  await shoot(ISOLATES); // warm-up: fonts cached, renderers warm
  const peerOne = [];
  const peer = [];
  for (let i = 0; i < RUNS; i++) {
    peerOne.push(await shoot(1));
    peer.push(await shoot(ISOLATES));
  }
  console.log(`  peer (Chromium ${browser.version()}), one page: ${ms(peerOne)} ms`);
  console.log(`  peer, ${ISOLATES} pages in parallel, one format at a time each: ${ms(peer)} ms`);
  await tabs[0].screenshot({ path: join(ROOT, "bench", "last-peer-poster.png") });
  await browser.close();
  server.close();

  const o = median(ours.map((r) => r.wall));
  const p = median(peer);
  console.log(`  one invocation vs one page: ${median(oursWhole).toFixed(0)} vs ${median(peerOne).toFixed(0)} ms (ratio ${(median(peerOne) / median(oursWhole)).toFixed(2)})`);
  const crit = median(ours.map((r) => r.critical));
  console.log(`  full set = ${trees.length} posters; save → last poster with one isolate per poster ≈ ${crit.toFixed(0)} ms: ${(p / crit).toFixed(1)}× Chromium's ${ISOLATES} pages (modelled from the measured jobs, not measured: this machine has ${ISOLATES} cores)`);
  console.log(`RESULT posters ours=${o.toFixed(0)}ms peer=${p.toFixed(0)}ms ratio=${(p / o).toFixed(2)}`);
} finally {
  for (const w of workers) w.stop();
}
