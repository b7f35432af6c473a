/**
 * Real single-node SLURM (slurmctld + slurmd on localhost, started by scripts/slurm/start-slurm.sh).
 * Skips with a visible note only if SLURM cannot be started here.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { JobRunner } from "../../src/main/jobs/job-runner.ts";
import { SlurmBackend } from "../../src/main/jobs/backend-slurm.ts";
import { REPO_ROOT, tsNodeArgv } from "../../src/main/jobs/command-line.ts";
import { squeueAll } from "../../src/main/slurm/slurm-commands.ts";

const simStep = new URL("./fixtures/sim-stats-step.ts", import.meta.url).pathname;
const slowStep = new URL("../jobs/fixtures/slow-step.ts", import.meta.url).pathname;
let skipReason: string | undefined;

before(async () => {
  const r = await execa("bash", [join(REPO_ROOT, "scripts/slurm/start-slurm.sh")], { reject: false, timeout: 120_000 });
  if (r.exitCode !== 0) skipReason = `SLURM could not be started: ${(r.stderr || r.stdout).trim()}`;
});

const runner = (d: string): JobRunner => new JobRunner(join(d, "jobs"), { pollMs: 300, backends: { slurm: new SlurmBackend() } });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("SLURM backend (real slurmctld/slurmd)", () => {
  it("a job array over a simulated dataset gives output identical to the local run, and monitoring survives a host restart", { timeout: 300_000 }, async (t) => {
    if (skipReason) { t.skip(skipReason); return; }
    const d = mkdtempSync(join(tmpdir(), "slurm-"));
    const argv = [...tsNodeArgv(simStep), "--first", "{first}", "--last", "{last}", "--out", "{part}"];
    const n = 16;
    const local = runner(d);
    const lj = await local.start({ name: "sim-stats-local", cwd: d, backend: "local", argv, array: { items: n, tasks: 1, output: join(d, "local.stream"), collect: "stream" } });
    const sj = await local.start({ name: "sim-stats", cwd: d, backend: "slurm", argv, resources: { cpus: 1, memMb: 1000, time: "00:10:00" }, array: { items: n, tasks: 4, output: join(d, "slurm.stream"), collect: "stream" } });
    assert.match(sj.backendIds?.slurmJobId ?? "", /^\d+$/);
    assert.equal((await local.wait(lj.id, 120_000)).state, "done");
    local.close();
    // host restart: a fresh runner finds the SLURM job by the id in its record
    const again = runner(d);
    const rec = (await again.recover()).find((r) => r.id === sj.id)!;
    assert.ok(["queued", "running", "done"].includes(rec.state), rec.state);
    const fin = await again.wait(sj.id, 120_000);
    again.close();
    assert.equal(fin.state, "done", `${fin.reason} ${JSON.stringify(fin.taskFailures)}`);
    assert.deepEqual(fin.progress, { done: 4, total: 4, note: "array tasks" });
    const a = readFileSync(join(d, "local.stream"), "utf8");
    const b = readFileSync(join(d, "slurm.stream"), "utf8");
    assert.equal((b.match(/^CrystFEL stream format/gm) ?? []).length, 1, "header once");
    assert.equal((b.match(/^----- Begin chunk -----$/gm) ?? []).length, n);
    assert.equal(b, a, "SLURM result identical to the local run");
    const script = readFileSync(join(d, "jobs", sj.id, "slurm.sh"), "utf8");
    assert.match(script, /#SBATCH --array=0-3/);
    assert.match(script, /#SBATCH --mem=1000M/);
    assert.deepEqual(readdirSync(join(d, "jobs", sj.id)).filter((f) => f.startsWith("task-")).sort(), ["task-0.log", "task-1.log", "task-2.log", "task-3.log"]);
  });

  it("a cancelled job is reported cancelled and stops working", { timeout: 300_000 }, async (t) => {
    if (skipReason) { t.skip(skipReason); return; }
    const d = mkdtempSync(join(tmpdir(), "slurm-"));
    const r = runner(d);
    const out = join(d, "out");
    const j = await r.start({ name: "slow", cwd: d, backend: "slurm", argv: [...tsNodeArgv(slowStep), "--first", "0", "--last", "300", "--out-dir", out, "--delay-ms", "200"] });
    const t0 = Date.now();
    while (!(existsSync(out) && readdirSync(out).length >= 2)) {
      if (Date.now() - t0 > 60_000) throw new Error("the SLURM job did not start working");
      await sleep(200);
    }
    const c = await r.cancel(j.id);
    assert.equal(c.state, "cancelled");
    await sleep(1500);
    const n = readdirSync(out).length;
    await sleep(1000);
    assert.equal(readdirSync(out).length, n, "no more work after scancel");
    const st = (await squeueAll()).find((x) => x.jobId === j.backendIds!.slurmJobId);
    assert.equal(st?.state, "CANCELLED");
    await r.pollOnce();
    assert.equal(r.get(j.id).state, "cancelled");
    r.close();
  });

  it("a failing array task is reported failed with SLURM state, exit code and log tail", { timeout: 300_000 }, async (t) => {
    if (skipReason) { t.skip(skipReason); return; }
    const d = mkdtempSync(join(tmpdir(), "slurm-"));
    const r = runner(d);
    const argv = [...tsNodeArgv(simStep), "--first", "{first}", "--last", "{last}", "--out", "{part}", "--fail-at", "5"];
    const j = await r.start({ name: "sim-fail", cwd: d, backend: "slurm", argv, array: { items: 9, tasks: 3, output: join(d, "x.stream"), collect: "stream" } });
    const fin = await r.wait(j.id, 120_000);
    r.close();
    assert.equal(fin.state, "failed");
    assert.equal(fin.exitCode, 3);
    assert.equal(fin.taskFailures?.length, 1);
    const f = fin.taskFailures![0]!;
    assert.equal(f.task, 1);
    assert.equal(f.state, "FAILED");
    assert.match(f.reason, /FAILED, exit code 3 \(NonZeroExitCode\)/);
    assert.match(f.logTail, /shot 5: simulated read error/);
    assert.match(fin.reason ?? "", /1 of 3 task\(s\) failed; task 1/);
    assert.equal(existsSync(join(d, "x.stream")), false, "no assembled output from a failed array");
  });
});
