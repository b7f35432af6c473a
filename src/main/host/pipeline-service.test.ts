import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crystalsPerChunk, createPipelineService, streamSummary } from "./pipeline-service.ts";
import { createDemoProject } from "./pipeline-demo.ts";
import { loadProject } from "../project/project-store.ts";

const chunk = (crystals: number): string => `----- Begin chunk -----\nImage filename: x.h5\n${"--- Begin crystal\n--- End crystal\n".repeat(crystals)}----- End chunk -----\n`;

describe("pipeline service", () => {
  it("counts crystals per stream chunk for the indexing-rate plot", () => {
    const dir = mkdtempSync(join(tmpdir(), "pipe-svc-"));
    const p = join(dir, "a.stream");
    writeFileSync(p, `CrystFEL stream format 2.3\n${chunk(0)}${chunk(2)}${chunk(1)}${chunk(0)}`);
    const c = crystalsPerChunk(p);
    assert.deepEqual(c, [0, 2, 1, 0]);
    assert.equal(streamSummary(c!), "4 patterns, 2 indexed (50 %), 3 crystals");
  });

  it("opens the demo project beside the data, saves options and marks later steps out of date", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pipe-svc-"));
    mkdirSync(join(dir, "data", "truth"), { recursive: true });
    writeFileSync(join(dir, "data", "sim.lst"), "sim_r01.h5\n");
    const path = createDemoProject(join(dir, "data"), join(dir, "data", "sim.lst"));
    assert.equal(createDemoProject(join(dir, "data"), join(dir, "data", "sim.lst")), path, "idempotent");
    const events: string[] = [];
    const svc = createPipelineService({ emit: (_e, p) => events.push(p.kind), sessionFiles: () => [join(dir, "data", "sim_r01.h5")] });
    const st = await svc.methods.pipelineState({});
    assert.equal(st.projectPath, path, "the suggested project beside the data is opened");
    assert.equal(st.steps.length, 10);
    assert.deepEqual(st.steps.find((s) => s.step === "merge")?.options, { symmetry: "422", model: "unity" });
    const after = await svc.methods.pipelineSetOptions({ step: "index", options: { "min-peaks": 30 } });
    assert.equal(after.steps.find((s) => s.step === "index")?.options["min-peaks"], 30);
    // no stand-in commands: every step runs the plan's built-in command with the saved options
    const saved = loadProject(path).project;
    assert.equal(saved.steps.index!.options["min-peaks"], 30);
    for (const [s, c] of Object.entries(saved.steps)) assert.equal(c?.command, undefined, `step ${s} has no custom command`);
    await assert.rejects(svc.methods.pipelineSetOptions({ step: "nope", options: {} }), /unknown pipeline step 'nope'/);
    await assert.rejects(svc.methods.pipelineRun({ step: "bogus" }), /unknown pipeline step/);
    svc.dispose();
  });

  it("reports a corrupt project file with its last good copy", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pipe-svc-"));
    mkdirSync(join(dir, "data"), { recursive: true });
    writeFileSync(join(dir, "data", "sim.lst"), "sim_r01.h5\n");
    const path = createDemoProject(join(dir, "data"), join(dir, "data", "sim.lst"));
    const svc = createPipelineService({ emit: () => undefined, sessionFiles: () => [] });
    await svc.methods.pipelineOpen({ path, create: false });
    await svc.methods.pipelineSetOptions({ step: "merge", options: { symmetry: "4" } }); // makes a .bak
    writeFileSync(path, "version: 1\nname: [unclosed\n");
    await assert.rejects(svc.methods.pipelineOpen({ path, create: false }), (e: Error) => e.message.includes(path) && e.message.includes("project.yaml.bak"));
  });
});
