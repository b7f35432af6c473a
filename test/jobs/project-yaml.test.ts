import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { emptyProject, withRun, withStepOptions } from "../../src/core/project/project-model.ts";
import { parseProjectYaml, ProjectFormatError, serializeProjectYaml } from "../../src/core/project/project-yaml.ts";

describe("project yaml", () => {
  it("round-trips datasets, step options, resources and runs", () => {
    let p = emptyProject("lyso", ["raw/a.h5", "raw/b.h5"]);
    p = withStepOptions(p, "index", { method: "builtin", "min-peaks": 15, tolerance: [0.02, 1.5] });
    p = { ...p, steps: { ...p.steps, index: { ...p.steps.index!, backend: "slurm", resources: { partition: "debug", cpus: 2, memMb: 4000, time: "01:00:00", gres: "gpu:1", extraSbatch: ["--account=x"], arrayTasks: 4 } } } };
    p = withRun(p, { id: "index-1", step: "index", n: 1, dataset: "main", state: "done", startedAt: "2026-01-01T00:00:00Z", finishedAt: "2026-01-01T00:01:00Z", jobId: "j1", configHash: "abc", options: { method: "builtin" }, outputs: ["runs/index-1/run.stream"], results: { indexed: 0.93 } });
    const text = serializeProjectYaml(p);
    assert.match(text, /partition: debug/);
    assert.match(text, /min-peaks: 15/);
    assert.deepEqual(parseProjectYaml(text), p);
  });

  it("names the key of a wrong type", () => {
    const bad = serializeProjectYaml(emptyProject("x")).replace("steps: {}", "steps:\n  index:\n    options: {}\n    resources:\n      cpus: many\n");
    assert.throws(() => parseProjectYaml(bad, "p.yaml"), (e: unknown) => e instanceof ProjectFormatError && /p\.yaml: steps\.index\.resources\.cpus: expected an integer/.test(e.message));
  });

  it("rejects unknown steps, versions and broken YAML", () => {
    assert.throws(() => parseProjectYaml("version: 1\nname: a\ndatasets: []\nruns: []\nsteps:\n  fly: {}\n"), /steps\.fly: unknown step name/);
    assert.throws(() => parseProjectYaml("version: 7\nname: a\n"), /unsupported project version 7/);
    assert.throws(() => parseProjectYaml("version: 1\nname: [a\n"), /not valid YAML/);
    assert.throws(() => parseProjectYaml("version: 1\nname: a\ndatasets: []\n"), /steps: missing/);
  });
});
