// The import-layering rule as a test: renderer → (contract) ; main → workers → core.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

function files(dir: string): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (/\.(ts|tsx)$/.test(n)) out.push(p);
  }
  return out;
}
const importRe = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;
function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(importRe)].map((m) => (m[1] ?? m[2])!);
}

const rules: Record<string, { forbid: RegExp; why: string }[]> = {
  "src/core": [
    { forbid: /^node:|^(fs|path|os|child_process|worker_threads)$/, why: "core uses no Node APIs" },
    { forbid: /\/(workers|main|renderer)\//, why: "core imports only core" },
    { forbid: /^(electron|react|react-dom|zustand|pixi\.js|plotly\.js-dist-min|h5wasm|execa|ws)(\/|$)/, why: "core has no I/O or UI libraries" },
  ],
  "src/workers": [{ forbid: /\/(main|renderer)\/|^electron$/, why: "workers import only core" }],
  "src/main": [{ forbid: /\/renderer\//, why: "main never imports the renderer" }],
  "src/renderer": [
    { forbid: /^node:|\/(main|workers)\/|^(electron|h5wasm|execa|ws)(\/|$)/, why: "renderer reaches the host only through the contract" },
  ],
};

for (const [layer, rs] of Object.entries(rules)) {
  test(`imports in ${layer} respect the layering`, () => {
    let dir: string;
    try { dir = layer; statSync(dir); } catch { return; }
    const bad: string[] = [];
    for (const f of files(dir)) {
      // tests beside core code may use node:test/node:assert and read fixtures; only the code under test must be pure
      const isCoreTest = layer === "src/core" && f.endsWith(".test.ts");
      for (const spec of imports(f)) {
        if (isCoreTest && /^node:/.test(spec)) continue;
        for (const r of rs) if (r.forbid.test(spec)) bad.push(`${f}: '${spec}' (${r.why})`);
      }
      if (layer === "src/main" && !f.startsWith("src/main/electron/")) {
        for (const spec of imports(f)) if (spec === "electron") bad.push(`${f}: 'electron' outside src/main/electron`);
      }
    }
    assert.deepEqual(bad, []);
  });
}

test("the layering check catches a forbidden import", () => {
  const sample = `import { readFileSync } from "node:fs";\nimport x from "../main/thing.ts";`;
  const found = [...sample.matchAll(importRe)].map((m) => m[1] ?? m[2]);
  assert.deepEqual(found, ["node:fs", "../main/thing.ts"]);
  assert.ok(rules["src/core"]!.some((r) => r.forbid.test("node:fs")));
});
