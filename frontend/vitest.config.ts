import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Component and store tests (jsdom). The browser tests have their own config: vitest.e2e.config.ts.
export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL(".", import.meta.url)) } },
  oxc: { jsx: { runtime: "automatic" } },
  test: {
    environment: "jsdom",
    include: ["tests/**/*.test.{ts,tsx}"],
    setupFiles: ["tests/setup.ts"],
  },
});
