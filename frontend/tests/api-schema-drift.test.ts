import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");

describe("the generated API types", () => {
  it("match functions/openapi.yaml (run `npm run gen:api` when this fails)", () => {
    // Run the very command `npm run gen:api` runs, into a scratch file.
    const script = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts["gen:api"]!;
    const fresh = join(mkdtempSync(join(tmpdir(), "schema-")), "schema.d.ts");
    const [command, ...args] = script.replace("lib/api/schema.d.ts", fresh).split(/\s+/);
    execFileSync(join(root, "node_modules", ".bin", command!), args, { cwd: root, stdio: "pipe" });
    expect(readFileSync(join(root, "lib/api/schema.d.ts"), "utf8")).toBe(readFileSync(fresh, "utf8"));
  }, 60_000);
});
