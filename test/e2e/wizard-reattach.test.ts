/**
 * The wizard's host side survives a host crash: a host process (pipeline service) starts the
 * pre-processing step, is killed with SIGKILL while the job runs, and a new host opening the same
 * project reattaches to the still-running job, follows it to the end and records its outputs.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDemoProject } from "../../src/main/host/pipeline-demo.ts";
import { createPipelineService } from "../../src/main/host/pipeline-service.ts";
import { root } from "./e2e-helpers.ts";

describe("wizard host restart", { timeout: 600_000 }, () => {
  it("reattaches to the running pre-processing job after the host was killed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wizard-reattach-"));
    const data = join(dir, "data");
    execFileSync(process.execPath, [join(root, "bin", "serialed.mjs"), "simulate", "--out", data, "--crystals", "12", "--frames", "2", "--seed", "5", "--workers", "2"], { stdio: "ignore" });
    const project = createDemoProject(data, join(data, "sim.lst"));
    // host 1: a separate process running the service; it reports when centre-peaks has started
    const script = join(dir, "host1.mts");
    writeFileSync(script, `import { createPipelineService } from ${JSON.stringify(join(root, "src/main/host/pipeline-service.ts"))};
const svc = createPipelineService({ projectPath: ${JSON.stringify(project)}, sessionFiles: () => [], emit: (_e, p) => { if (p.step === "centre-peaks" && p.kind === "start") console.log("STARTED"); } });
await svc.methods.pipelineRun({ step: "centre-peaks" });
setInterval(() => undefined, 1000);
`);
    const host1 = spawn(process.execPath, ["--import", "tsx", script], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((res, rej) => {
      const t = setTimeout(() => rej(new Error("host 1 did not start centre-peaks in 240 s")), 240_000);
      host1.stdout!.on("data", (d: Buffer) => { if (d.toString().includes("STARTED")) { clearTimeout(t); res(); } });
      host1.once("exit", (c) => { clearTimeout(t); rej(new Error(`host 1 exited with ${c}`)); });
    });
    host1.kill("SIGKILL");
    await new Promise((r) => host1.once("exit", r));

    // host 2: opening the project finds the running job and follows it
    const kinds: string[] = [];
    const svc = createPipelineService({ projectPath: project, sessionFiles: () => [], emit: (_e, p) => kinds.push(`${p.step}:${p.kind}`) });
    const st0 = await svc.methods.pipelineState({});
    assert.equal(st0.steps.find((s) => s.step === "centre-peaks")?.status, "running", "the step is still running after the host died");
    const t0 = Date.now();
    let st = st0;
    while (Date.now() - t0 < 300_000) {
      st = await svc.methods.pipelineState({});
      if (st.active === null && st.steps.find((s) => s.step === "centre-peaks")?.status !== "running") break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const cp = st.steps.find((s) => s.step === "centre-peaks")!;
    assert.equal(cp.status, "up-to-date", `centre-peaks after reattach: ${cp.status} ${cp.lastRun?.message ?? ""} / ${st.message}`);
    assert.equal(cp.lastRun?.id, "centre-peaks-1", "the same run, not a second one");
    assert.ok(cp.lastRun?.outputs.some((o) => o.endsWith(".lst")), "outputs recorded");
    assert.ok(kinds.includes("centre-peaks:start"), `reattach reported (${kinds.join(", ")})`);
    svc.dispose();
  });
});
