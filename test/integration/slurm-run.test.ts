/** `serialed run` with steps on the SLURM backend: resources in the project, job id in the record, run history updated. */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { createProject, loadProject, updateProject } from "../../src/main/project/project-store.ts";
import { runPipeline } from "../../src/main/project/pipeline-driver.ts";
import { REPO_ROOT, tsNodeArgv } from "../../src/main/jobs/command-line.ts";
import { JobStore } from "../../src/main/jobs/job-store.ts";

const step = new URL("../jobs/fixtures/slow-step.ts", import.meta.url).pathname;
let skipReason: string | undefined;

before(async () => {
  const r = await execa("bash", [join(REPO_ROOT, "scripts/slurm/start-slurm.sh")], { reject: false, timeout: 120_000 });
  if (r.exitCode !== 0) skipReason = `SLURM could not be started: ${(r.stderr || r.stdout).trim()}`;
});

describe("serialed run on SLURM", () => {
  it("runs a step as a SLURM job with the project's resources and records it", { timeout: 300_000 }, async (t) => {
    if (skipReason) { t.skip(skipReason); return; }
    const d = mkdtempSync(join(tmpdir(), "slurm-run-"));
    const { path } = createProject(d, "s", ["a.h5"]);
    updateProject(path, (p) => ({ ...p, steps: { import: {
      options: {}, backend: "slurm", resources: { cpus: 1, memMb: 700, time: "00:05:00", extraSbatch: ["--comment=serialed-test"] },
      command: [...tsNodeArgv(step), "--first", "0", "--last", "4", "--out-dir", "{run_dir}/items", "--part", "{run_dir}/all.stream"],
    } } }));
    const r = await runPipeline(path, { until: "import", pollMs: 300 });
    assert.equal(r.code, 0, r.message);
    const run = loadProject(path).project.runs.find((x) => x.id === "import-1")!;
    assert.equal(run.state, "done");
    assert.ok(run.outputs.includes("runs/import-1/all.stream"));
    assert.equal(readdirSync(join(d, "runs", "import-1", "items")).length, 5);
    const job = new JobStore(join(d, "jobs")).read(run.jobId!);
    assert.equal(job.spec.backend, "slurm");
    assert.match(job.backendIds?.slurmJobId ?? "", /^\d+$/);
    const script = readFileSync(join(d, "jobs", job.id, "slurm.sh"), "utf8");
    assert.match(script, /#SBATCH --cpus-per-task=1\n#SBATCH --mem=700M\n#SBATCH --time=00:05:00\n#SBATCH --comment=serialed-test/);
    assert.match(readFileSync(job.logPath, "utf8"), /items 0-4 done, 5 computed/);
  });
});
