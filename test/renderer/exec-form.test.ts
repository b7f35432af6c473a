import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { methodSchemas } from "../../src/core/api/host-api.ts";
import { formToResources, toForm } from "../../src/renderer/wizard/exec-form.ts";

const empty = { partition: "", cpus: "", memMb: "", time: "", gres: "", extraSbatch: "", arrayTasks: "" };

describe("SLURM resources form", () => {
  it("leaves empty fields out (the cluster's defaults) and trims, one extra option per line", () => {
    assert.deepEqual(formToResources(empty, true), {});
    const r = formToResources({ ...empty, partition: " debug ", cpus: "4", memMb: "8000", time: "01:00:00", extraSbatch: "--account=abc\n\n  --qos=long \n", arrayTasks: "3" }, true);
    assert.deepEqual(r, { partition: "debug", cpus: 4, memMb: 8000, time: "01:00:00", extraSbatch: ["--account=abc", "--qos=long"], arrayTasks: 3 });
    assert.equal(methodSchemas.pipelineSetExecution.params({ step: "centre-peaks", engine: "builtin", backend: "slurm", resources: r }, "params"), null, "what the form sends passes the contract");
  });

  it("round-trips stored resources and ignores array tasks on steps that cannot split", () => {
    const stored = { partition: "big", cpus: 2, memMb: 1500, time: "2-00", gres: "gpu:1", extraSbatch: ["-A x"], arrayTasks: 4 };
    assert.deepEqual(formToResources(toForm(stored), true), stored);
    const { arrayTasks: _a, ...rest } = stored;
    assert.deepEqual(formToResources(toForm(stored), false), rest);
  });

  it("names the field of a number that is not a whole number ≥ 1", () => {
    assert.throws(() => formToResources({ ...empty, cpus: "two" }, false), /CPUs: 'two' is not a whole number/);
    assert.throws(() => formToResources({ ...empty, memMb: "1.5" }, false), /memory: '1.5' is not a whole number/);
    assert.throws(() => formToResources({ ...empty, arrayTasks: "0" }, true), /array tasks: '0'/);
  });
});
