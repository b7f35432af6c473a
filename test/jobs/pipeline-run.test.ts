/** `serialed run` / runPipeline: steps as jobs, history in project.yaml, skipping up-to-date steps, reattaching after kill -9. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { createProject, loadProject, updateProject } from "../../src/main/project/project-store.ts";
import { runPipeline } from "../../src/main/project/pipeline-driver.ts";
import { stepStatuses } from "../../src/core/project/staleness.ts";
import { REPO_ROOT, tsNodeArgv } from "../../src/main/jobs/command-line.ts";
import type { Project } from "../../src/core/project/project-model.ts";

const step = new URL("./fixtures/slow-step.ts", import.meta.url).pathname;
const slow = (last: number, delay: number): string[] => [...tsNodeArgv(step), "--first", "0", "--last", String(last), "--out-dir", "{run_dir}/items", "--delay-ms", String(delay), "--part", "{run_dir}/all.stream"];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function project(dir: string, importDelay = 5, importLast = 3, extra: string[] = []): string {
  const { path } = createProject(dir, "test", ["a.h5"]);
  updateProject(path, (p): Project => ({ ...p, steps: {
    import: { options: { note: "v1" }, command: [...slow(importLast, importDelay), ...extra] },
    "centre-peaks": { options: { threshold: 8 }, command: slow(2, 5) },
    aggregate: { options: { agg_query: "frame >= 0" } },
  } }));
  return path;
}

describe("pipeline driver", () => {
  it("runs steps as jobs, records runs, skips up-to-date steps and re-runs after an option change", async () => {
    const d = mkdtempSync(join(tmpdir(), "pipe-"));
    const path = project(d);
    const r1 = await runPipeline(path, { until: "centre-peaks", pollMs: 100 });
    assert.equal(r1.code, 0, r1.message);
    assert.deepEqual(r1.stepsRun, ["import", "centre-peaks"]);
    let p = loadProject(path).project;
    const imp = p.runs.find((r) => r.id === "import-1")!;
    assert.equal(imp.state, "done");
    assert.ok(imp.outputs.includes("runs/import-1/all.stream"));
    assert.equal(readdirSync(join(d, "runs", "import-1", "items")).length, 4);
    // aggregate is folded into centre-peaks' job and recorded with it
    const agg = p.runs.find((r) => r.step === "aggregate")!;
    assert.equal(agg.state, "done");
    assert.equal(agg.jobId, p.runs.find((r) => r.id === "centre-peaks-1")!.jobId);
    assert.equal(stepStatuses(p, "main")["centre-peaks"], "up-to-date");

    const r2 = await runPipeline(path, { until: "centre-peaks", pollMs: 100 });
    assert.deepEqual(r2.stepsRun, []);
    assert.match(r2.message, /everything was up to date/);

    updateProject(path, (q) => ({ ...q, steps: { ...q.steps, import: { ...q.steps.import!, options: { note: "v2" } } } }));
    const r3 = await runPipeline(path, { until: "centre-peaks", pollMs: 100 });
    assert.deepEqual(r3.stepsRun, ["import", "centre-peaks"], "changing an earlier step re-runs the later ones");
    p = loadProject(path).project;
    assert.ok(p.runs.some((r) => r.id === "centre-peaks-2" && r.state === "done"));
  });

  it("stops clearly at a step whose subcommand is not available, and reports a failing step with its log", async () => {
    const d = mkdtempSync(join(tmpdir(), "pipe-"));
    const path = project(d);
    const r = await runPipeline(path, { until: "geometry", pollMs: 100, availableCommands: ["info", "preprocess"] });
    assert.equal(r.code, 3);
    assert.match(r.message, /step geometry: `serialed geometry` is not available yet/);
    updateProject(path, (q) => ({ ...q, steps: { ...q.steps, import: { options: {}, command: [...slow(5, 1), "--fail-at", "2"] } } }));
    const f = await runPipeline(path, { until: "import", pollMs: 100 });
    assert.equal(f.code, 1);
    assert.match(f.message, /step import failed: exit status 3/);
    assert.match(f.message, /item 2: simulated failure/);
    assert.equal(loadProject(path).project.runs.find((x) => x.id === "import-2")?.state, "failed");
  });

  it("serialed run killed with -9 mid-step: the job goes on, the rerun follows it, project.yaml stays valid", async () => {
    const d = mkdtempSync(join(tmpdir(), "pipe-"));
    const go = join(d, "go");
    const path = project(d, 10, 9, ["--hold-at", "3", "--hold-file", go]);
    const bin = join(REPO_ROOT, "bin", "serialed.mjs");
    const child = spawn(process.execPath, [bin, "run", path, "--until", "import"], { stdio: "ignore" });
    const items = join(d, "runs", "import-1", "items");
    const t0 = Date.now();
    while (!(existsSync(items) && readdirSync(items).length >= 2)) {
      if (Date.now() - t0 > 60_000) throw new Error("job did not start");
      await sleep(50);
    }
    child.kill("SIGKILL");
    await sleep(200);
    const mid = loadProject(path).project; // parses: never corrupt
    assert.equal(mid.runs.find((r) => r.id === "import-1")?.state, "running");
    const rerun = execa(process.execPath, [bin, "run", path, "--until", "import"], { reject: false });
    let out = "";
    rerun.stdout.on("data", (b: Buffer) => { out += b.toString(); });
    while (!/following it/.test(out)) {
      if (Date.now() - t0 > 90_000) throw new Error(`rerun did not reattach: ${out}`);
      await sleep(50);
    }
    writeFileSync(go, ""); // let the job finish only now
    const r = await rerun;
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /import: job \S+ of run import-1 is still running; following it/);
    const p = loadProject(path).project;
    const run = p.runs.find((x) => x.id === "import-1")!;
    assert.equal(run.state, "done");
    assert.equal(p.runs.filter((x) => x.step === "import").length, 1, "not started twice");
    assert.equal(readdirSync(items).length, 10);
    // and a third run finds everything up to date
    const again = await execa(process.execPath, [bin, "run", path, "--until", "import"], { reject: false });
    assert.match(again.stdout, /import: up to date \(run import-1\)/);
  });
});
