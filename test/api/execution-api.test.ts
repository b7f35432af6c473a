import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseRequest, validateResult } from "../../src/core/api/host-api.ts";

const req = (method: string, params: unknown) => parseRequest({ type: "request", id: 1, method, params });

describe("engine & backend contract", () => {
  it("accepts a full pipelineSetExecution request and a bare pipelineExecution", () => {
    const r = req("pipelineSetExecution", { step: "index", engine: "crystfel", backend: "slurm", resources: { partition: "debug", cpus: 4, memMb: 8000, time: "01:00:00", gres: "gpu:1", extraSbatch: ["--account=x"], arrayTasks: 2 } });
    assert.equal(r.method, "pipelineSetExecution");
    req("pipelineSetExecution", { step: "merge", engine: "builtin", backend: "local", resources: {} });
    req("pipelineExecution", {});
    req("pipelineExecution", { redetect: true });
  });

  it("refuses unknown keys and wrong types, naming the field", () => {
    const base = { step: "index", engine: "builtin", backend: "slurm", resources: {} };
    assert.throws(() => req("pipelineSetExecution", { ...base, resources: { cpu: 4 } }), /invalid request for pipelineSetExecution: params\.resources\.cpu: unknown field/);
    assert.throws(() => req("pipelineSetExecution", { ...base, resources: { cpus: "4" } }), /params\.resources\.cpus: expected integer in \[1, 100000\], got string/);
    assert.throws(() => req("pipelineSetExecution", { ...base, resources: { cpus: 0 } }), /params\.resources\.cpus: expected integer/);
    assert.throws(() => req("pipelineSetExecution", { ...base, resources: { memMb: 1.5 } }), /params\.resources\.memMb: expected integer/);
    assert.throws(() => req("pipelineSetExecution", { ...base, resources: { extraSbatch: "--account=x" } }), /params\.resources\.extraSbatch: expected array, got string/);
    assert.throws(() => req("pipelineSetExecution", { ...base, engine: "gpu" }), /params\.engine: expected one of "builtin", "crystfel", got "gpu"/);
    assert.throws(() => req("pipelineSetExecution", { ...base, backend: "cluster" }), /params\.backend: expected one of "local", "slurm"/);
    assert.throws(() => req("pipelineSetExecution", { step: "index", engine: "builtin", backend: "local" }), /params\.resources: missing/);
    assert.throws(() => req("pipelineSetExecution", { ...base, options: {} }), /params\.options: unknown field/);
    assert.throws(() => req("pipelineExecution", { redetect: "yes" }), /params\.redetect: expected boolean/);
  });

  it("checks the status answer", () => {
    const ok = {
      detectedAt: "2026-01-01T00:00:00Z",
      crystfel: { usable: false, version: null, programs: [{ name: "indexamajig", path: null, version: null, problem: null }], message: "CrystFEL not found on PATH (indexamajig)" },
      slurm: { reachable: true, partitions: [{ name: "debug", isDefault: true, availability: "up", nodes: 1, states: ["idle"], timeLimit: "infinite" }], message: "SLURM reachable" },
      steps: [{ step: "index", engine: "builtin", backend: "slurm", resources: { cpus: 2 }, crystfelProgram: "indexamajig", foldedInto: null, canSplit: false, failure: null }],
    };
    assert.deepEqual(validateResult("pipelineExecution", ok), ok);
    assert.throws(() => validateResult("pipelineExecution", { ...ok, slurm: { ...ok.slurm, reachable: "yes" } }), /result\.slurm\.reachable: expected boolean/);
    const failure = { runId: "index-1", jobId: "j", backend: "slurm", slurmJobId: "4", state: "failed", reason: "FAILED", exitCode: 3, logPath: "/x", logTail: "t", tasks: [{ task: 0, state: "FAILED", reason: "r", exitCode: null, logTail: "" }] };
    validateResult("pipelineExecution", { ...ok, steps: [{ ...ok.steps[0], failure }] });
    assert.throws(() => validateResult("pipelineExecution", { ...ok, steps: [{ ...ok.steps[0], failure: { ...failure, tasks: [{ task: -1 }] } }] }), /result\.steps\[0\]\.failure\.tasks\[0\]\.task: expected integer/);
  });
});
