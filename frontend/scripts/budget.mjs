// The listing page's budget, measured on the production build against the real stack:
// first-load JavaScript (every script the page loads, gzipped; under 150 kB) and the warm
// server render time of /products (under 200 ms). Prints both; exit code 1 when over.
import { performance } from "node:perf_hooks";
import { gzipSync } from "node:zlib";
import { buildIfStale, startNext, startStack } from "../e2e/harness.mjs";

const JS_BUDGET_KB = 150;
const RENDER_BUDGET_MS = 200;
const PATH = "/products?q=tent&in_stock=1&sort=-price";
const RUNS = 30;

buildIfStale();
const stack = await startStack();
let next;
try {
  next = await startNext(stack.gateway);
  const html = await (await fetch(next.url + PATH)).text();
  // Every script the page loads; not the noModule polyfills, which modern browsers skip.
  const scripts = [...html.matchAll(/<script[^>]*>/g)]
    .map((m) => m[0])
    .filter((tag) => !/\snomodule/i.test(tag))
    .map((tag) => /src="([^"]+\.js)"/.exec(tag)?.[1])
    .filter(Boolean);
  const skipped = [...html.matchAll(/<script[^>]*nomodule[^>]*>/gi)].length;
  let raw = 0;
  let gzipped = 0;
  for (const src of new Set(scripts)) {
    const body = Buffer.from(await (await fetch(new URL(src, next.url))).arrayBuffer());
    raw += body.length;
    gzipped += gzipSync(body, { level: 9 }).length;
  }
  const inline = [...html.matchAll(/<script(?![^>]*src=)[^>]*>([\s\S]*?)<\/script>/g)].reduce((n, m) => n + m[1].length, 0);
  const kb = gzipped / 1024;
  console.log(`listing first-load JS: ${kb.toFixed(1)} kB gzipped (${(raw / 1024).toFixed(1)} kB raw, ${new Set(scripts).size} files); ` +
    `budget ${JS_BUDGET_KB} kB; ${skipped} noModule polyfill script(s) not counted; plus ${(inline / 1024).toFixed(1)} kB inline (the RSC payload)`);

  for (let i = 0; i < 5; i++) await (await fetch(next.url + PATH)).text(); // warm: functions started, caches filled
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await (await fetch(next.url + PATH)).text();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const p50 = times[Math.floor(RUNS / 2)];
  const p95 = times[Math.floor(RUNS * 0.95)];
  console.log(`listing warm server render (${PATH}, whole response, ${RUNS} runs): p50 ${p50.toFixed(1)} ms, ` +
    `p95 ${p95.toFixed(1)} ms, min ${times[0].toFixed(1)} ms; budget ${RENDER_BUDGET_MS} ms (p50)`);
  process.exitCode = kb <= JS_BUDGET_KB && p50 <= RENDER_BUDGET_MS ? 0 : 1;
} finally {
  await next?.stop();
  await stack.stop();
}
