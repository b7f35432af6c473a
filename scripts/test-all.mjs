// `npm test`: every check the project has, in order, ending with one line "N passed, N failed".
//   1. system packages the tests need (installed with apt-get when missing and running as root)
//   2. typecheck (tsc, strict), 3. lint incl. the import-layering rules (eslint),
//   4. renderer build (vite; the end-to-end tests serve it), 5. all tests (node:test via tsx).
import { spawnSync } from "node:child_process";
import { listTestFiles, runNodeTests } from "./run-tests.mjs";

let passed = 0;
let failed = 0;
function step(name, cmd, args) {
  const t0 = Date.now();
  console.log(`\n=== ${name}: ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { stdio: "inherit", env: process.env });
  const ok = r.status === 0;
  console.log(`=== ${name}: ${ok ? "ok" : "FAILED"} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  if (ok) passed++;
  else failed++;
  return ok;
}

step("system packages", "bash", ["scripts/ensure-system-deps.sh"]);
step("typecheck", "npx", ["tsc", "-p", "tsconfig.json", "--noEmit"]);
step("lint", "npx", ["eslint", "--max-warnings", "0", "src", "test", "scripts", "bench"]);
step("renderer build", "npx", ["vite", "build", "--config", "vite.config.ts", "--logLevel", "warn"]);
const files = listTestFiles("all");
const r = runNodeTests(files);
passed += r.pass;
failed += r.fail;
console.log(`\n${passed} passed, ${failed} failed${r.skipped ? `, ${r.skipped} skipped` : ""}`);
process.exit(failed === 0 && r.status === 0 ? 0 : 1);
