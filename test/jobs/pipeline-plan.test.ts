/** What each step runs: built-in subcommands wired to earlier outputs, the CrystFEL engine, SLURM arrays. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emptyProject, withRun } from "../../src/core/project/project-model.ts";
import type { Project, StepName } from "../../src/core/project/project-model.ts";
import { optionsToArgs, stepCommand } from "../../src/main/project/pipeline-plan.ts";
import type { CrystfelInstall } from "../../src/main/crystfel/crystfel-detect.ts";

function done(p: Project, step: StepName, outputs: string[]): Project {
  return withRun(p, { id: `${step}-1`, step, n: 1, dataset: "main", state: "done", startedAt: "t", configHash: "h", options: {}, outputs });
}

function base(dir: string): Project {
  let p = emptyProject("x", ["raw/a.h5", "/abs/b.h5"]);
  p = done(p, "centre-peaks", ["runs/centre-peaks-1/processed.lst", "runs/centre-peaks-1/preproc.yaml"]);
  p = done(p, "geometry", ["runs/geometry-1/run.geom", "runs/geometry-1/run.cell"]);
  p = done(p, "index", ["runs/index-1/run.stream", "runs/index-1/run.sol"]);
  p = done(p, "merge", ["runs/merge-1/merged.hkl"]);
  void dir;
  return p;
}

describe("stepCommand", () => {
  it("wires built-in subcommands to the outputs of earlier steps", () => {
    const d = mkdtempSync(join(tmpdir(), "plan-"));
    let p = base(d);
    p = { ...p, steps: { merge: { options: { symmetry: "422", model: "unity", iterations: 1 } }, export: { options: { format: "mtz", spacegroup: "P43212" } } } };
    const ctx = (step: string) => ({ projectDir: d, project: p, dataset: "main", runDir: join(d, "runs", step) });
    assert.deepEqual(stepCommand("import", ctx("import-1")).argv, ["serialed", "info", join(d, "raw/a.h5"), "/abs/b.h5"]);
    assert.deepEqual(stepCommand("index", ctx("index-2")).argv, ["serialed", "index", "--geom", join(d, "runs/geometry-1/run.geom"), "--cell", join(d, "runs/geometry-1/run.cell"), join(d, "runs/centre-peaks-1/processed.lst"), "--out", join(d, "runs/index-2/run.stream"), "--sol", join(d, "runs/index-2/run.sol")]);
    assert.deepEqual(stepCommand("merge", ctx("merge-2")).argv, ["serialed", "merge", join(d, "runs/index-1/run.stream"), "--symmetry", "422", "--model", "unity", "--iterations", "1", "--out", join(d, "runs/merge-2/merged.hkl")]);
    assert.deepEqual(stepCommand("export", ctx("export-1")).argv.slice(-6), ["--format", "mtz", "--spacegroup", "P43212", "--out", join(d, "runs/export-1/merged.mtz")]);
    // validation: statistics vs number of crystals from the stream merge read, with merge's model (off with crystals-curve: false)
    const v = stepCommand("validate", ctx("validate-1")).argv;
    assert.deepEqual(v.slice(v.indexOf("--crystals-curve")), ["--crystals-curve", "--stream", join(d, "runs/index-1/run.stream"), "--model", "unity", "--json", join(d, "runs/validate-1/stats.json")]);
    const pi = done(p, "integrate", ["runs/integrate-1/integrated.stream"]);
    assert.ok(stepCommand("validate", { ...ctx("validate-2"), project: pi }).argv.join(" ").includes(`--stream ${join(d, "runs/integrate-1/integrated.stream")}`));
    const off = { ...p, steps: { ...p.steps, validate: { options: { "crystals-curve": false, shells: 8 } } } };
    assert.deepEqual(stepCommand("validate", { ...ctx("validate-3"), project: off }).argv.slice(2), [join(d, "runs/merge-1/merged.hkl"), "--cell", join(d, "runs/geometry-1/run.cell"), "--shells", "8", "--json", join(d, "runs/validate-3/stats.json")]);
    assert.throws(() => stepCommand("integrate", { ...ctx("integrate-1"), project: emptyProject("y", ["a.h5"]) }), /step integrate needs a \.sol file from step index, which has not run successfully yet/);
  });

  it("centre-peaks writes one options file from aggregate + corrections + centre-peaks, and splits over files on SLURM", () => {
    const d = mkdtempSync(join(tmpdir(), "plan-"));
    const p: Project = { ...base(d), steps: { aggregate: { options: { agg_query: "frame >= 1" } }, corrections: { options: { r_adf1: [50, 100] } }, "centre-peaks": { options: { min_peaks: 12 }, backend: "slurm", resources: { arrayTasks: 2 } } } };
    const c = stepCommand("centre-peaks", { projectDir: d, project: p, dataset: "main", runDir: d });
    assert.match(readFileSync(join(d, "preproc.yaml"), "utf8"), /agg_query: frame >= 1\nr_adf1:\n {2}- 50\n {2}- 100\nmin_peaks: 12/);
    assert.deepEqual(c.argv.slice(-3), ["--list", "{part}", "{inputs}"]);
    assert.deepEqual(c.array, { items: 2, tasks: 2, output: join(d, "processed.lst"), collect: "lines", inputs: [join(d, "raw/a.h5"), "/abs/b.h5"] });
  });

  it("the CrystFEL engine runs indexamajig/partialator/check_hkl, or says clearly that they are missing", () => {
    const d = mkdtempSync(join(tmpdir(), "plan-"));
    const p: Project = { ...base(d), steps: { integrate: { engine: "crystfel", options: {}, resources: { cpus: 3 } }, merge: { engine: "crystfel", options: { symmetry: "422", model: "xsphere" } } } };
    const prog = (name: string) => ({ name, path: `/opt/cf/${name}`, version: "0.12.0" });
    const inst = { usable: true, version: "0.12.0", programs: { indexamajig: prog("indexamajig"), partialator: prog("partialator"), check_hkl: prog("check_hkl") } } as unknown as CrystfelInstall;
    const i = stepCommand("integrate", { projectDir: d, project: p, dataset: "main", runDir: join(d, "runs/integrate-1"), crystfel: inst });
    assert.equal(i.argv[0], "/opt/cf/indexamajig");
    assert.ok(i.argv.includes(`--fromfile-input-file=${join(d, "runs/index-1/run.sol")}`));
    assert.ok(i.argv.includes("--indexing=file"));
    assert.deepEqual(i.argv.slice(-2), ["-j", "3"]);
    const m = stepCommand("merge", { projectDir: d, project: p, dataset: "main", runDir: join(d, "runs/merge-2"), crystfel: inst });
    assert.deepEqual(m.argv.slice(1, 7), ["-i", join(d, "runs/index-1/run.stream"), "-o", join(d, "runs/merge-2/merged.hkl"), "-y", "422"]);
    assert.ok(m.argv.includes("--model=xsphere"));
    const none = { usable: false, programs: { indexamajig: { name: "indexamajig" } } } as unknown as CrystfelInstall;
    assert.throws(() => stepCommand("integrate", { projectDir: d, project: p, dataset: "main", runDir: d, crystfel: none }), /uses the CrystFEL engine, but indexamajig was not found on PATH/);
  });

  it("optionsToArgs", () => {
    assert.deepEqual(optionsToArgs({ a: true, b: false, c: 3, d: [1, 2], _hidden: 1, e: null, f: { nested: 1 } }), ["--a", "--c", "3", "--d", "1,2"]);
  });
});
