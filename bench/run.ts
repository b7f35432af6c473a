// `npm run bench`: runs every bench/*.bench.ts in turn (each prints its own measured figures, the
// target and the ratio against a baseline measured in the same process). `npm run bench -- merge`
// runs only the benchmarks whose file name contains "merge".
import { readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";

const dir = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2];
const files = readdirSync(dir).filter((f) => f.endsWith(".bench.ts") && (!filter || f.includes(filter))).sort();
let failed = 0;
for (const f of files) {
  console.log(`\n##### ${f}`);
  const r = spawnSync(process.execPath, ["--import", "tsx", join(dir, f)], { stdio: "inherit" });
  if (r.status !== 0) { failed++; console.log(`##### ${f}: exited with ${r.status}`); }
}
console.log(`\n${files.length - failed} benchmarks ran, ${failed} failed`);
process.exit(failed ? 1 : 0);
