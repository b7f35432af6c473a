// Runs test files with node:test under tsx. `node scripts/run-tests.mjs unit|e2e|all [filter]`.
// Node 20 does not expand globs or pick up .ts files from folders, so the file list is built here.
import { readdirSync, statSync, readFileSync, mkdtempSync } from "node:fs";
import { join, relative } from "node:path";
import { tmpdir } from "node:os";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = join(fileURLToPath(import.meta.url), "..", "..");

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules") continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith(".test.ts")) out.push(relative(root, p));
  }
  return out;
}

export function listTestFiles(kind, filter) {
  const all = [...walk(join(root, "src"), []), ...walk(join(root, "test"), [])].sort();
  const isE2e = (f) => f.startsWith("test/e2e/") || f.startsWith("test/integration/");
  const pick = kind === "unit" ? all.filter((f) => !isE2e(f)) : kind === "e2e" ? all.filter(isE2e) : all;
  return filter ? pick.filter((f) => f.includes(filter)) : pick;
}

export function runNodeTests(files) {
  if (files.length === 0) {
    console.log("no test files found");
    return { pass: 0, fail: 1, skipped: 0, status: 1 };
  }
  const tap = join(mkdtempSync(join(tmpdir(), "serialed-tap-")), "result.tap");
  const args = ["--import", "tsx", "--test", "--test-concurrency=2", "--test-timeout=900000",
    "--test-reporter=spec", "--test-reporter-destination=stdout",
    "--test-reporter=tap", `--test-reporter-destination=${tap}`, ...files];
  const r = spawnSync(process.execPath, args, { stdio: "inherit", cwd: root, env: process.env });
  const text = readFileSync(tap, "utf8");
  const num = (k) => Number((text.match(new RegExp(`^# ${k} (\\d+)`, "m")) ?? [])[1] ?? 0);
  return { pass: num("pass"), fail: num("fail") + num("cancelled"), skipped: num("skipped"), status: r.status ?? 1 };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const kind = process.argv[2] ?? "all";
  const r = runNodeTests(listTestFiles(kind, process.argv[3]));
  console.log(`\n${r.pass} passed, ${r.fail} failed${r.skipped ? `, ${r.skipped} skipped` : ""}`);
  process.exit(r.status === 0 && r.fail === 0 ? 0 : 1);
}
