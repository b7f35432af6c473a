import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PipelineState } from "../../core/api/host-api.ts";
import { validateResult } from "../../core/api/host-api.ts";
import { withRun } from "../../core/project/project-model.ts";
import { stepConfigHashes, stepStatuses } from "../../core/project/staleness.ts";
import { createProject, loadProject, updateProject } from "../project/project-store.ts";
import { createEngineDetector } from "./engine-detect.ts";
import { checkResources, createExecutionMethods } from "./execution-service.ts";

function bin(scripts: Record<string, string>): string {
  const d = join(mkdtempSync(join(tmpdir(), "exec-svc-")), "bin");
  mkdirSync(d);
  for (const [n, body] of Object.entries(scripts)) { writeFileSync(join(d, n), `#!/bin/sh\n${body}\n`); chmodSync(join(d, n), 0o755); }
  return d;
}
const SINFO_UP = 'echo "debug*|up|1|idle|infinite"';
const SINFO_DOWN = 'echo "slurm_load_partitions: Unable to contact slurm controller (connect failure)" >&2; exit 1';

function setup(scripts: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), "exec-proj-"));
  const { path } = createProject(dir, "p", ["a.h5"]);
  const pipelineState = async (): Promise<PipelineState> => ({ projectPath: path, suggestedPath: null, suggestedExists: false, name: "p", inputs: [], steps: [], active: null, message: "" });
  const b = bin(scripts);
  const m = createExecutionMethods({ pipelineState, detector: createEngineDetector({ path: b }) });
  return { dir, path, m, bin: b };
}

describe("pipelineExecution", () => {
  it("reports detection and every step's defaults, valid against the contract", async () => {
    const { m } = setup({ sinfo: SINFO_UP });
    const s = validateResult("pipelineExecution", await m.pipelineExecution({}));
    assert.equal(s.crystfel.usable, false);
    assert.match(s.crystfel.message, /^CrystFEL not found on PATH \(indexamajig/);
    assert.equal(s.slurm.reachable, true);
    assert.deepEqual(s.slurm.partitions.map((p) => p.name), ["debug"]);
    const index = s.steps.find((x) => x.step === "index")!;
    assert.deepEqual(index, { step: "index", engine: "builtin", backend: "local", resources: {}, crystfelProgram: "indexamajig", foldedInto: null, canSplit: false, failure: null });
    assert.equal(s.steps.find((x) => x.step === "merge")!.crystfelProgram, "partialator");
    assert.equal(s.steps.find((x) => x.step === "geometry")!.crystfelProgram, null);
    assert.equal(s.steps.find((x) => x.step === "aggregate")!.foldedInto, "centre-peaks");
    assert.equal(s.steps.find((x) => x.step === "centre-peaks")!.canSplit, true);
  });

  it("shows why the latest run failed: SLURM task state, exit code and the task's log tail", async () => {
    const { dir, path, m } = setup({ sinfo: SINFO_UP });
    const jobId = "20260101T000000-x1";
    mkdirSync(join(dir, "jobs", jobId), { recursive: true });
    const job = {
      id: jobId, state: "failed", createdAt: "2026-01-01T00:00:00Z", logPath: join(dir, "jobs", jobId, "log.txt"), hostPid: 1, exitCode: 3,
      spec: { name: "index (index-1)", argv: ["serialed", "index"], cwd: dir, backend: "slurm" }, backendIds: { slurmJobId: "42" },
      reason: "1 of 2 task(s) failed; task 1: FAILED, exit code 3",
      taskFailures: [{ task: 1, state: "FAILED", reason: "FAILED, exit code 3", exitCode: 3, logTail: "reading shots 5-9\nerror: cannot open b.h5" }],
    };
    writeFileSync(join(dir, "jobs", jobId, "job.json"), JSON.stringify(job));
    updateProject(path, (p) => withRun(p, { id: "index-1", step: "index", n: 1, dataset: "main", state: "failed", startedAt: "2026-01-01T00:00:00Z", jobId, configHash: "x", options: {}, outputs: [], message: job.reason }));
    const f = (await m.pipelineExecution({})).steps.find((x) => x.step === "index")!.failure!;
    assert.equal(f.backend, "slurm");
    assert.equal(f.slurmJobId, "42");
    assert.equal(f.exitCode, 3);
    assert.equal(f.reason, "1 of 2 task(s) failed; task 1: FAILED, exit code 3");
    assert.deepEqual(f.tasks, [{ task: 1, state: "FAILED", reason: "FAILED, exit code 3", exitCode: 3, logTail: "reading shots 5-9\nerror: cannot open b.h5" }]);
  });
});

describe("pipelineSetExecution", () => {
  it("stores SLURM backend and resources in project.yaml", async () => {
    const { path, m } = setup({ sinfo: SINFO_UP });
    await m.pipelineSetExecution({ step: "index", engine: "builtin", backend: "slurm", resources: { partition: "debug", cpus: 4, memMb: 2000, time: "01:30:00", gres: "gpu:1", extraSbatch: ["--account=abc", " "] } });
    const cfg = loadProject(path).project.steps.index!;
    assert.equal(cfg.backend, "slurm");
    assert.equal(cfg.engine, undefined, "the default engine is not written");
    assert.deepEqual(cfg.resources, { partition: "debug", cpus: 4, memMb: 2000, time: "01:30:00", gres: "gpu:1", extraSbatch: ["--account=abc"] });
    assert.match(readFileSync(path, "utf8"), /backend: slurm[\s\S]*memMb: 2000/);
    const s = (await m.pipelineExecution({})).steps.find((x) => x.step === "index")!;
    assert.equal(s.backend, "slurm");
    assert.equal(s.resources.cpus, 4);
    // back to this computer: backend key removed, options kept
    await m.pipelineSetExecution({ step: "index", engine: "builtin", backend: "local", resources: {} });
    assert.deepEqual(loadProject(path).project.steps.index, { options: {} });
  });

  it("refuses SLURM when sinfo cannot reach a controller, with sinfo's reason", async () => {
    const { m } = setup({ sinfo: SINFO_DOWN });
    await assert.rejects(m.pipelineSetExecution({ step: "index", engine: "builtin", backend: "slurm", resources: {} }), /step index: cannot run on SLURM: SLURM not reachable: sinfo: slurm_load_partitions: Unable to contact/);
  });

  it("refuses the CrystFEL engine while indexamajig is missing, accepts it once installed (re-detects)", async () => {
    const { path, m, bin: b } = setup({ sinfo: SINFO_UP });
    await assert.rejects(m.pipelineSetExecution({ step: "index", engine: "crystfel", backend: "local", resources: {} }), /cannot use the CrystFEL engine: indexamajig is not usable here \(CrystFEL not found on PATH/);
    writeFileSync(join(b, "indexamajig"), '#!/bin/sh\necho "CrystFEL: 0.11.1"\n');
    chmodSync(join(b, "indexamajig"), 0o755);
    await m.pipelineSetExecution({ step: "index", engine: "crystfel", backend: "local", resources: {} });
    assert.equal(loadProject(path).project.steps.index!.engine, "crystfel");
    await assert.rejects(m.pipelineSetExecution({ step: "merge", engine: "crystfel", backend: "local", resources: {} }), /partialator is not usable here/);
    await assert.rejects(m.pipelineSetExecution({ step: "geometry", engine: "crystfel", backend: "local", resources: {} }), /step geometry has no CrystFEL engine/);
  });

  it("an engine change makes the step and the later ones out of date; a backend change does not", async () => {
    const { path, m, bin: b } = setup({ sinfo: SINFO_UP, indexamajig: 'echo "CrystFEL: 0.11.1"' });
    void b;
    updateProject(path, (p) => {
      const h = stepConfigHashes(p, "main");
      let q = p;
      (["import", "centre-peaks", "geometry", "index", "integrate", "merge"] as const).forEach((s, i) => {
        q = withRun(q, { id: `${s}-1`, step: s, n: 1, dataset: "main", state: "done", startedAt: `2026-01-01T00:00:0${i}Z`, configHash: h[s], options: {}, outputs: [] });
      });
      return q;
    });
    const st = () => stepStatuses(loadProject(path).project, "main");
    assert.equal(st().merge, "up-to-date");
    await m.pipelineSetExecution({ step: "index", engine: "builtin", backend: "slurm", resources: { cpus: 2 } });
    assert.equal(st().index, "up-to-date", "SLURM gives the same results as a local run");
    await m.pipelineSetExecution({ step: "index", engine: "crystfel", backend: "slurm", resources: { cpus: 2 } });
    const after = st();
    assert.equal(after.geometry, "up-to-date");
    assert.equal(after.index, "stale");
    assert.equal(after.integrate, "stale");
    assert.equal(after.merge, "stale");
  });

  it("switching the engine converts the step's options: shared ones kept, CrystFEL defaults filled in, the built-in ones back on switching back", async () => {
    const { path, m } = setup({ sinfo: SINFO_UP, check_hkl: 'echo "CrystFEL: 0.12.0"' });
    updateProject(path, (p) => ({ ...p, steps: { ...p.steps, validate: { options: { spacegroup: "P43212", shells: 8, symmetry: "422" } } } }));
    const before = stepConfigHashes(loadProject(path).project, "main").validate;
    await m.pipelineSetExecution({ step: "validate", engine: "crystfel", backend: "local", resources: {} });
    const cf = loadProject(path).project.steps.validate!;
    assert.equal(cf.engine, "crystfel");
    assert.deepEqual(cf.options, { nshells: 8, symmetry: "422", _builtin: { spacegroup: "P43212" }, fom: "CC,CCstar,Rsplit" });
    // a backend change alone leaves the options alone
    await m.pipelineSetExecution({ step: "validate", engine: "crystfel", backend: "slurm", resources: {} });
    assert.deepEqual(loadProject(path).project.steps.validate!.options, cf.options);
    await m.pipelineSetExecution({ step: "validate", engine: "builtin", backend: "local", resources: {} });
    assert.deepEqual(loadProject(path).project.steps.validate, { options: { shells: 8, symmetry: "422", spacegroup: "P43212", _crystfel: { fom: "CC,CCstar,Rsplit" } } });
    // there and back without edits: the same configuration as before (the put-aside values do not count)
    assert.equal(stepConfigHashes(loadProject(path).project, "main").validate, before);
  });

  it("refuses folded steps, unknown steps and bad resources with a message naming the field", async () => {
    const { m } = setup({ sinfo: SINFO_UP });
    const set = (step: string, resources: object) => m.pipelineSetExecution({ step, engine: "builtin", backend: "slurm", resources });
    await assert.rejects(set("aggregate", {}), /step aggregate runs inside the centre-peaks job/);
    await assert.rejects(set("indexing", {}), /unknown pipeline step 'indexing'/);
    await assert.rejects(set("index", { partition: "gpu" }), /resources\.partition: 'gpu' is not a partition of this cluster \(sinfo lists: debug\)/);
    await assert.rejects(set("index", { time: "soon" }), /resources\.time: 'soon' is not a SLURM time limit/);
    await assert.rejects(set("index", { partition: "" }), /resources\.partition: empty/);
    await assert.rejects(set("index", { extraSbatch: ["--array=0-3"] }), /resources\.extraSbatch\[0\]: --array is not allowed here/);
    await assert.rejects(set("index", { extraSbatch: ["account=x"] }), /must be one sbatch option starting with '-'/);
    await assert.rejects(set("index", { arrayTasks: 4 }), /resources\.arrayTasks: step index cannot be split/);
  });
});

describe("checkResources", () => {
  it("accepts SLURM time formats and array tasks on splittable steps", () => {
    for (const t of ["30", "30:00", "01:30:00", "2-00", "2-12:00", "1-00:00:00", "UNLIMITED"]) assert.equal(checkResources("s", { time: t }, null, false).time, t);
    assert.deepEqual(checkResources("centre-peaks", { arrayTasks: 8, extraSbatch: ["-A abc", "--qos=long"] }, null, true), { arrayTasks: 8, extraSbatch: ["-A abc", "--qos=long"] });
    assert.throws(() => checkResources("s", { extraSbatch: ["-p debug"] }, null, false), /-p is not allowed here: use the partition field/);
    assert.throws(() => checkResources("s", { extraSbatch: ["-odir/x.log"] }, null, false), /-odir\/x\.log is not allowed here: the host sets the log file/);
  });
});
