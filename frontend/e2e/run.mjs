// The storefront's browser tests: real stack, production build, Debian's Chromium.
// Each scenario saves a screenshot under test-results/ when it fails; the main pages are
// also saved under test-results/pages/ for a look. Exit code 1 when any scenario fails.
// E2E_ONLY=<regular expression> runs only the scenarios whose names match (mind their order:
// some use what an earlier one made).
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { buildIfStale, CHROMIUM, CHROMIUM_ARGS, resultsDir, startNext, startStack } from "./harness.mjs";
import { scenarios } from "./scenarios.mjs";

const started = Date.now();
const only = process.env.E2E_ONLY ? new RegExp(process.env.E2E_ONLY, "i") : null;
const chosen = Object.entries(scenarios).filter(([name]) => !only || only.test(name));
buildIfStale();
const stack = await startStack();
let next;
let browser;
let failures = 0;
try {
  next = await startNext(stack.gateway);
  // playwright-core gives each launch a new, empty --user-data-dir of its own.
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const shared = { emailOf: (who) => `${who}-${randomUUID().slice(0, 8)}@example.com`, password: "a long passphrase 42" };
  for (const [name, scenario] of chosen) {
    const context = await browser.newContext({ baseURL: next.url, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const t0 = Date.now();
    try {
      await scenario({ page, context, browser, next, stack, shared, baseURL: next.url });
      console.log(`  ✓ ${name} (${Date.now() - t0} ms)`);
    } catch (error) {
      failures += 1;
      const shot = join(resultsDir(), `${name.replace(/[^a-z0-9]+/gi, "-")}.png`);
      await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
      console.log(`  ✗ ${name} (${Date.now() - t0} ms): ${error.stack ?? error}\n    screenshot: ${shot}`);
    } finally {
      await context.close();
    }
  }
} finally {
  await browser?.close();
  await next?.stop();
  await stack.stop();
}
const total = chosen.length;
if (failures) console.log(`e2e: the stack's log is ${stack.log}`);
console.log(`e2e: ${total - failures}/${total} scenarios passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failures ? 1 : 0);
