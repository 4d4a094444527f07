// The browser tests' plumbing: the real stack (e2e/stack.py), the production Next server, and
// Debian's Chromium driven by playwright-core. Nothing here downloads a browser.
import { randomUUID } from "node:crypto";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, openSync, statSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const FRONTEND = join(dirname(fileURLToPath(import.meta.url)), "..");
export const REPO = join(FRONTEND, "..");
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run", "--disable-quic",
];

/** A port nothing listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** Run `next build` unless the last build is newer than every source file. */
export function buildIfStale() {
  const buildId = join(FRONTEND, ".next", "BUILD_ID");
  const sources = ["app", "components", "lib", "proxy.ts", "next.config.ts", "package-lock.json", "postcss.config.mjs"];
  const newest = Math.max(...sources.map((s) => newestMtime(join(FRONTEND, s))));
  if (existsSync(buildId) && statSync(buildId).mtimeMs > newest) return false;
  console.log("e2e: next build (the sources changed since the last build)");
  const result = spawnSync(join(FRONTEND, "node_modules", ".bin", "next"), ["build"], {
    cwd: FRONTEND, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) throw new Error("next build failed");
  return true;
}

/** Start e2e/stack.py: a scratch database, the gateway and the functions on a free port. */
export async function startStack() {
  const python = process.env.PYTHON ?? join(REPO, ".venv", "bin", "python");
  // The functions log a JSON line per request: keep them in a file, not in the test output.
  const log = join(resultsDir(), "stack.log");
  const child = spawn(python, [join(FRONTEND, "e2e", "stack.py")], {
    cwd: REPO, stdio: ["pipe", "pipe", openSync(log, "w")], env: { ...process.env, PYTHONPATH: REPO },
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await Promise.race([
    lines.next(),
    new Promise((_, reject) => child.once("exit", (code) => reject(new Error(`stack.py exited (${code}): see ${log}`)))),
  ]);
  const { gateway, database, producer_key: producerKey } = JSON.parse(first.value);
  return {
    gateway,
    database,
    log,
    /** POST a CloudEvent (binary mode) to the gateway's /events as the outside producer `warehouse`. */
    async sendEvent(type, subject, data) {
      const answer = await fetch(`${gateway}/events`, {
        method: "POST", body: JSON.stringify(data),
        headers: { "content-type": "application/json", apikey: producerKey, "ce-specversion": "1.0",
          "ce-id": randomUUID(), "ce-source": "/warehouse/storefront-e2e", "ce-type": type, "ce-subject": subject },
      });
      if (answer.status !== 202) throw new Error(`POST /events ${type}: ${answer.status} ${await answer.text()}`);
    },
    /** Give a registered user the admin role (as `make admin` does). */
    async promote(email) {
      child.stdin.write(`admin ${email}\n`);
      const answer = (await lines.next()).value;
      if (answer !== "ok") throw new Error(`promote ${email}: ${answer}`);
    },
    async stop() {
      child.stdin.end();
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once("exit", resolve)));
    },
  };
}

/** Start the production server (`next start`) against `gateway` on a free port; resolve when it answers. */
export async function startNext(gateway) {
  const port = await freePort();
  const child = spawn(join(FRONTEND, "node_modules", ".bin", "next"), ["start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: FRONTEND, stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, GATEWAY_URL: gateway, NEXT_TELEMETRY_DISABLED: "1" },
  });
  child.stdout.resume();
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/login`)).ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error("next start did not answer");
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once("exit", resolve)));
    },
  };
}

export const RESULTS = join(FRONTEND, "test-results");
export function resultsDir(sub = "") {
  const dir = join(RESULTS, sub);
  mkdirSync(dir, { recursive: true });
  return dir;
}
