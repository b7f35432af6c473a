/**
 * A real pipeline step through SLURM: `serialed preprocess` on a simulated dataset (from
 * `serialed simulate`), split as a job array over the input files, gives the same processed
 * files and list as the same step run locally in one process.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { JobRunner } from "../../src/main/jobs/job-runner.ts";
import { SlurmBackend } from "../../src/main/jobs/backend-slurm.ts";
import { REPO_ROOT, SERIALED_BIN } from "../../src/main/jobs/command-line.ts";
import { commandNames } from "../../src/main/cli/main.ts";

let skipReason: string | undefined;

before(async () => {
  const missing = ["simulate", "preprocess"].filter((c) => !commandNames().includes(c));
  if (missing.length > 0) { skipReason = `serialed ${missing.join(", ")} not available yet`; return; }
  const r = await execa("bash", [join(REPO_ROOT, "scripts/slurm/start-slurm.sh")], { reject: false, timeout: 120_000 });
  if (r.exitCode !== 0) skipReason = `SLURM could not be started: ${(r.stderr || r.stdout).trim()}`;
  const h = await execa("h5dump", ["--version"], { reject: false });
  if (h.exitCode !== 0) skipReason = "h5dump not installed";
});

async function dump(file: string, dir: string): Promise<string> {
  const r = await execa("h5dump", [file]);
  return r.stdout.split(dir).join("<DIR>").replace(/^HDF5 ".*" \{/, "HDF5 {");
}

describe("pipeline step through SLURM", () => {
  it("preprocess as a job array over files = preprocess run locally", { timeout: 300_000 }, async (t) => {
    if (skipReason) { t.skip(skipReason); return; }
    const d = mkdtempSync(join(tmpdir(), "slurm-pre-"));
    const raw = join(d, "raw");
    const sim = await execa(process.execPath, [SERIALED_BIN, "simulate", "--out", raw, "--crystals", "2", "--frames", "2", "--files", "2", "--seed", "3", "--workers", "0"], { reject: false });
    assert.equal(sim.exitCode, 0, sim.stderr);
    const inputs = [join(raw, "sim_r01.h5"), join(raw, "sim_r02.h5")];
    writeFileSync(join(d, "opts.yaml"), "min_peaks: 5\n");
    const argv = (out: string): string[] => ["serialed", "preprocess", "--opts", join(d, "opts.yaml"), "--out", out, "--list", "{part}", "--workers", "1", "{inputs}"];
    const runner = new JobRunner(join(d, "jobs"), { pollMs: 300, backends: { slurm: new SlurmBackend() } });
    const loc = join(d, "local"), sl = join(d, "slurm");
    const lj = await runner.start({ name: "pre-local", cwd: d, backend: "local", argv: argv(loc), array: { items: 2, tasks: 1, output: join(d, "local.lst"), collect: "lines", inputs } });
    const sj = await runner.start({ name: "pre-slurm", cwd: d, backend: "slurm", argv: argv(sl), resources: { cpus: 1 }, array: { items: 2, tasks: 2, output: join(d, "slurm.lst"), collect: "lines", inputs } });
    const [l, s] = [await runner.wait(lj.id, 300_000), await runner.wait(sj.id, 300_000)];
    runner.close();
    assert.equal(l.state, "done", `${l.reason}\n${l.logTail}`);
    assert.equal(s.state, "done", `${s.reason} ${JSON.stringify(s.taskFailures)}`);
    assert.equal(readFileSync(join(d, "slurm.lst"), "utf8").split(sl).join("<DIR>"), readFileSync(join(d, "local.lst"), "utf8").split(loc).join("<DIR>"));
    assert.equal(readFileSync(join(d, "slurm.lst"), "utf8").trim().split("\n").length, 2);
    for (const f of ["sim_r01_agg.h5", "sim_r02_agg.h5"]) {
      assert.equal(await dump(join(sl, f), sl), await dump(join(loc, f), loc), `${f}: SLURM result identical to the local one`);
    }
  });
});
