// The page in headless Chromium, driven by playwright-core: run by
// tests/web.rs (`cargo test --test web`), which builds nothing itself and
// passes what to check through the environment:
//
//   NASVIZ_WEB_PAGE    the built page (target/web)
//   NASVIZ_WEB_SHARE   a folder written by `nasviz share` (optional)
//   NASVIZ_WEB_DROP    a trace to drop on the page
//   NASVIZ_WEB_NATIVE  the native viewer's PNG of the same state (optional)
//   NASVIZ_WEB_OUT     where screenshots and results.json go
//   NASVIZ_WEB_TOOLS   the folder whose node_modules holds playwright-core
//   NASVIZ_WEB_BENCH   a trace to time opening in the page (optional)
//
// Every check that fails is printed and makes the exit status 1. Console
// errors on the page fail the run.
import { createRequire } from "node:module";
import http from "node:http";
import fs from "node:fs";
import path from "node:path";

const env = (k, need = true) => {
  const v = process.env[k];
  if (need && !v) throw new Error(`${k} is not set`);
  return v;
};
const require = createRequire(path.resolve(env("NASVIZ_WEB_TOOLS"), "node_modules", "x.js"));
const { chromium } = require("playwright-core");
const { PNG } = await import("./png.mjs");

const OUT = env("NASVIZ_WEB_OUT");
fs.mkdirSync(OUT, { recursive: true });
const failures = [];
const results = {};
const check = (ok, what) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
};

// a static server for a folder (and the file to drop, under /drop/)
function serve(dir) {
  const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".jsonl": "application/x-ndjson", ".json": "application/json" };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    let p = decodeURIComponent(url.pathname);
    if (p.endsWith("/")) p += "index.html";
    const file = path.join(dir, path.normalize(p).replace(/^([/\\])+/, ""));
    if (!file.startsWith(dir) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404);
      res.end("not found");
      return;
    }
    res.writeHead(200, { "content-type": types[path.extname(file)] || "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

const FLAGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run", "--disable-quic"];
const WEBGPU_FLAGS = ["--enable-unsafe-webgpu", "--enable-features=Vulkan",
  "--use-vulkan=swiftshader", "--use-webgpu-adapter=swiftshader", "--use-angle=swiftshader"];

async function browser(webgpu) {
  const profile = fs.mkdtempSync(path.join(OUT, "profile-"));
  return chromium.launchPersistentContext(profile, {
    executablePath: process.env.NASVIZ_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: webgpu ? [...FLAGS, ...WEBGPU_FLAGS] : FLAGS,
    viewport: { width: 1100, height: 728 },
    deviceScaleFactor: 1,
  });
}

async function open(ctx, url, errors) {
  const page = await ctx.newPage();
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForFunction(() => {
    const c = document.getElementById("nasviz");
    return c && (c.dataset.state === "drawn" || c.dataset.state === "failed");
  }, null, { timeout: 90000 });
  return page;
}

const probe = (page) => page.evaluate(() => window.nasviz.probe());
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(page, f, what, ms = 20000) {
  const t0 = Date.now();
  let p;
  while (Date.now() - t0 < ms) {
    p = await probe(page);
    if (f(p)) {
      check(true, what);
      return p;
    }
    await sleep(100);
  }
  check(false, `${what} (probe: ${JSON.stringify(p)})`);
  return p;
}

// pixels that differ by more than `tol` in any channel, out of all
function diffShare(a, b, tol = 24) {
  if (a.width !== b.width || a.height !== b.height) return 1;
  let n = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    for (let c = 0; c < 3; c++) {
      if (Math.abs(a.data[i + c] - b.data[i + c]) > tol) { n++; break; }
    }
  }
  return n / (a.width * a.height);
}

async function dropFile(page, file) {
  const bytes = [...fs.readFileSync(file)];
  const name = path.basename(file);
  await page.evaluate(({ bytes, name }) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(bytes)], name));
    document.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, { bytes, name });
}

const page_dir = path.resolve(env("NASVIZ_WEB_PAGE"));
const site = await serve(page_dir);
const base = `http://127.0.0.1:${site.address().port}`;
const STATE = "paused=1&run=re-0&step=400";
const native = process.env.NASVIZ_WEB_NATIVE;
const MAX_DIFF = 0.03; // at most 3% of pixels off by more than 24 of 255

for (const backend of ["webgl2", "webgpu"]) {
  const label = backend === "webgpu" ? "WebGPU" : "WebGL2";
  const ctx = await browser(backend === "webgpu");
  const errors = [];
  try {
    const page = await open(ctx, `${base}/index.html?backend=${backend}&${STATE}`, errors);
    let p = await until(page, (p) => p.state === "drawn" && p.frames >= 1, `${label}: the demo is drawn`);
    check(p.backend === label, `${label}: drawn through ${p.backend} (${p.adapter})`);
    check(p.run === "re-0" && p.step === 400, `${label}: run re-0 at step 400 as the URL asks (${p.run} ${p.step})`);
    await sleep(500);
    const shot = path.join(OUT, `${backend}-demo.png`);
    await page.locator("#nasviz").screenshot({ path: shot });
    if (native && fs.existsSync(native)) {
      const d = diffShare(PNG.read(shot), PNG.read(native));
      results[`${backend}_vs_native`] = d;
      check(d <= MAX_DIFF, `${label}: the page matches the native frame (${(d * 100).toFixed(2)}% of pixels differ, at most ${MAX_DIFF * 100}%)`);
    }
    // hover a point: its tooltip; click it: it opens
    const pt = p.point;
    check(!!pt, `${label}: a point of the scatter to hover`);
    if (pt) {
      await page.mouse.move(pt.x, pt.y);
      p = await until(page, (p) => p.hovered === pt.trial, `${label}: hovering trial ${pt.trial} at (${pt.x.toFixed(0)}, ${pt.y.toFixed(0)})`);
      await sleep(400);
      await page.screenshot({ path: path.join(OUT, `${backend}-hover.png`) });
      await page.mouse.down();
      await page.mouse.up();
      p = await until(page, (p) => p.selected === pt.trial, `${label}: a click opens trial ${pt.trial}`);
      await page.screenshot({ path: path.join(OUT, `${backend}-click.png`) });
    }
    // the keyboard: Space plays (the canvas took focus with the click)
    const before = (await probe(page)).step;
    await page.keyboard.press("Escape");
    await page.keyboard.press("Space");
    p = await until(page, (p) => p.playing && p.step > before, `${label}: Space plays on from step ${before}`);
    // frames per second while playing
    const f0 = (await probe(page)).frames;
    const t0 = Date.now();
    await sleep(3000);
    const fps = ((await probe(page)).frames - f0) / ((Date.now() - t0) / 1000);
    results[`${backend}_fps_playing`] = fps;
    console.log(`     ${label}: ${fps.toFixed(1)} frames/s while playing`);
    await page.keyboard.press("Space");
    // the key help names the backend
    await page.keyboard.press("F1");
    await sleep(600);
    await page.screenshot({ path: path.join(OUT, `${backend}-help.png`) });
    await page.keyboard.press("F1");
    // the live search on the shipped Cora table: it runs, and edit mode opens
    if (backend === "webgl2") {
      await page.keyboard.press("3");
      p = await until(page, (p) => p.run === "live", `${label}: key 3 shows the live search`);
      const made = p.trials;
      await page.keyboard.press("Space");
      p = await until(page, (p) => p.trials > made + 3, `${label}: Space runs the live search (from ${made} trials)`);
      await page.keyboard.press("Space");
      await page.keyboard.press("e");
      p = await until(page, (p) => p.editing, `${label}: E opens edit mode on the live run`);
      await sleep(400);
      await page.screenshot({ path: path.join(OUT, `${backend}-edit.png`) });
      await page.keyboard.press("Escape");
      await page.keyboard.press("1");
    }
    // the page reflows when the window is resized
    await page.setViewportSize({ width: 900, height: 628 });
    await until(page, (p) => p.size[0] === 900 && p.size[1] === 600, `${label}: the canvas follows a resize to 900x600`);
    await page.setViewportSize({ width: 1100, height: 728 });
    // a dropped trace replaces the demo
    const drop = env("NASVIZ_WEB_DROP");
    await dropFile(page, drop);
    await page.waitForFunction((n) => document.getElementById("nasviz").dataset.trace === n, path.basename(drop), { timeout: 30000 }).catch(() => {});
    p = await probe(page);
    check(!p.runs.includes("re-0") && !p.runs.includes("live") && p.runs.length >= 1,
      `${label}: the dropped ${path.basename(drop)} replaces the demo (runs: ${p.runs})`);
    await sleep(500);
    await page.screenshot({ path: path.join(OUT, `${backend}-dropped.png`) });
    // a file that is no trace: said, and what was shown stays
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(["hello"], "notes.txt"));
      document.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await page.waitForFunction(() => !!document.getElementById("nasviz").dataset.error, null, { timeout: 10000 }).catch(() => {});
    const err = await page.evaluate(() => document.getElementById("nasviz").dataset.error || "");
    const after = await probe(page);
    check(err.startsWith("notes.txt") && after.runs.join() === p.runs.join(),
      `${label}: a dropped non-trace is refused by name ("${err.slice(0, 60)}…"), the runs stay`);
    if (backend === "webgl2" && process.env.NASVIZ_WEB_BENCH) {
      const big = process.env.NASVIZ_WEB_BENCH;
      fs.copyFileSync(big, path.join(page_dir, "bench-trace.jsonl"));
      const t = Date.now();
      const q = await open(ctx, `${base}/index.html?backend=${backend}&paused=1&trace=bench-trace.jsonl`, errors);
      await q.waitForFunction(() => document.getElementById("nasviz").dataset.trace === "bench-trace.jsonl", null, { timeout: 120000 });
      await until(q, (p) => p.frames >= 1 && p.runs.length >= 1, "the large trace is drawn", 120000);
      results.open_large_s = (Date.now() - t) / 1000;
      console.log(`     ${label}: ${path.basename(big)} opened and drawn in ${results.open_large_s.toFixed(2)} s`);
      fs.rmSync(path.join(page_dir, "bench-trace.jsonl"));
    }
  } catch (e) {
    check(false, `${label}: ${e}`);
  } finally {
    check(errors.length === 0, `${label}: no console errors${errors.length ? ": " + errors.join(" | ") : ""}`);
    await ctx.close();
  }
}
site.close();

// the folder `nasviz share` wrote loads the same way
const shareDir = process.env.NASVIZ_WEB_SHARE;
if (shareDir) {
  const s = await serve(path.resolve(shareDir));
  const ctx = await browser(false);
  const errors = [];
  try {
    const page = await open(ctx, `http://127.0.0.1:${s.address().port}/`, errors);
    const p = await until(page, (p) => p.frames >= 1 && p.runs.join() === "rs-0,rs-7", "share: both shared traces are drawn, the demo is not", 60000);
    const title = await page.title();
    check(title.includes("shared"), `share: the page's title names the share ("${title}")`);
    // it plays from there
    check(p.step >= 25 && p.step < 400, `share: opens at --step 25 and plays on (${p.step})`);
    await page.screenshot({ path: path.join(OUT, "share.png") });
    results.share_runs = p.runs;
  } catch (e) {
    check(false, `share: ${e}`);
  } finally {
    check(errors.length === 0, `share: no console errors${errors.length ? ": " + errors.join(" | ") : ""}`);
    await ctx.close();
    s.close();
  }
}

fs.writeFileSync(path.join(OUT, "results.json"), JSON.stringify(results, null, 2));
if (failures.length) {
  console.log(`${failures.length} check(s) failed`);
  process.exit(1);
}
console.log("all browser checks passed");
