/** Job bundles (.tar.gz with scripts + inputs): unpacked elsewhere, run without SLURM and through real sbatch, same output as a direct run. */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { writeJobBundle } from "../../src/main/slurm/job-bundle.ts";
import { REPO_ROOT, shellJoin, tsNodeArgv } from "../../src/main/jobs/command-line.ts";

const simStep = new URL("./fixtures/sim-stats-step.ts", import.meta.url).pathname;
const FIX = "/work/shared/fixtures/crystfel";
let slurmSkip: string | undefined;

before(async () => {
  const r = await execa("bash", [join(REPO_ROOT, "scripts/slurm/start-slurm.sh")], { reject: false, timeout: 120_000 });
  if (r.exitCode !== 0) slurmSkip = `SLURM could not be started: ${(r.stderr || r.stdout).trim()}`;
});

describe("job bundle", () => {
  it("unpacks into scripts + inputs and reproduces the direct run (without SLURM and with sbatch)", { timeout: 300_000 }, async (t) => {
    const d = mkdtempSync(join(tmpdir(), "bundle-"));
    const direct = join(d, "direct.stream");
    await execa(tsNodeArgv(simStep)[0]!, [...tsNodeArgv(simStep).slice(1), "--first", "0", "--last", "5", "--out", direct]);
    const bundle = join(d, "job.tar.gz");
    const entries = await writeJobBundle(bundle, {
      name: "sim stats", args: ["--first", "{first}", "--last", "{last}", "--out", "{part}", "--seed", "7"], inputs: [join(FIX, "lyso_ed.cell")],
      resources: { cpus: 1, memMb: 500, extraSbatch: ["--nice=10"] }, array: { items: 6, tasks: 2, output: "/somewhere/else/sim.stream", collect: "stream" },
    });
    assert.ok(entries.includes("sim_stats/inputs/lyso_ed.cell"));
    const listing = (await execa("tar", ["-tzf", bundle])).stdout.split("\n");
    for (const f of ["job.sbatch", "submit.sh", "run-local.sh", "collect.sh", "README.txt", "bundle.json", "inputs/lyso_ed.cell"]) assert.ok(listing.includes(`sim_stats/${f}`), f);
    const env = { SERIALED: shellJoin(tsNodeArgv(simStep)) };
    const x1 = mkdtempSync(join(tmpdir(), "unpack-"));
    await execa("tar", ["-xzf", bundle, "-C", x1]);
    const job = readFileSync(join(x1, "sim_stats", "job.sbatch"), "utf8");
    assert.match(job, /#SBATCH --array=0-1/);
    assert.match(job, /#SBATCH --nice=10/);
    assert.match(job, /exec \$\{SERIALED:-serialed\} "--first" "\$\{first\}"/);
    const r = await execa("bash", [join(x1, "sim_stats", "run-local.sh")], { env, reject: false });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(readFileSync(join(x1, "sim_stats", "sim.stream"), "utf8"), readFileSync(direct, "utf8"));

    if (slurmSkip) { t.diagnostic(`sbatch part skipped: ${slurmSkip}`); return; }
    const x2 = mkdtempSync(join(tmpdir(), "unpack-"));
    await execa("tar", ["-xzf", bundle, "-C", x2]);
    const s = await execa("bash", [join(x2, "sim_stats", "submit.sh"), "--wait"], { env, reject: false, timeout: 120_000 });
    assert.equal(s.exitCode, 0, s.stderr);
    const c = await execa("bash", [join(x2, "sim_stats", "collect.sh")], { reject: false });
    assert.equal(c.exitCode, 0, c.stderr);
    assert.equal(readFileSync(join(x2, "sim_stats", "sim.stream"), "utf8"), readFileSync(direct, "utf8"));
  });

  it("a missing input is a clear error", async () => {
    const d = mkdtempSync(join(tmpdir(), "bundle-"));
    await assert.rejects(writeJobBundle(join(d, "b.tar.gz"), { name: "x", args: [], inputs: [join(d, "nope.h5")] }), /cannot add input .*nope\.h5.*ENOENT/);
  });
});
