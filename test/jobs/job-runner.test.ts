import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JobRunner } from "../../src/main/jobs/job-runner.ts";
import { tsNodeArgv } from "../../src/main/jobs/command-line.ts";
import type { JobRecord } from "../../src/main/jobs/job-record.ts";
import { isSameProcessAlive } from "../../src/main/jobs/backend-local.ts";

const step = new URL("./fixtures/slow-step.ts", import.meta.url).pathname;
const host = new URL("./fixtures/host.ts", import.meta.url).pathname;
const stepArgv = (out: string, last: number, delay: number, extra: string[] = []): string[] =>
  [...tsNodeArgv(step), "--first", "0", "--last", String(last), "--out-dir", out, "--delay-ms", String(delay), ...extra];
const items = (dir: string): string[] => readdirSync(dir).filter((f) => /^item-\d+\.txt$/.test(f));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timeout waiting for ${what}`);
    await sleep(50);
  }
}

/** Starts tests/jobs/fixtures/host.ts as a separate host process and returns it with the job id it started. */
async function startHost(jobsDir: string, out: string, nItems: number, delayMs: number): Promise<{ pid: number; jobId: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", host, jobsDir, out, String(delayMs), String(nItems)], { stdio: ["ignore", "pipe", "inherit"] });
  const jobId = await new Promise<string>((res, rej) => {
    let buf = "";
    child.stdout.on("data", (d: Buffer) => { buf += d.toString(); const m = /JOB (\S+)/.exec(buf); if (m) res(m[1]!); });
    child.once("exit", (c) => rej(new Error(`host exited early (${c})`)));
  });
  child.stdout.removeAllListeners("data");
  child.removeAllListeners("exit");
  child.unref();
  return { pid: child.pid!, jobId };
}

describe("job runner, local backend", () => {
  it("runs a job to completion with progress, log and outputs in the record", async () => {
    const d = mkdtempSync(join(tmpdir(), "jobs-"));
    const runner = new JobRunner(join(d, "jobs"), { pollMs: 100 });
    const rec = await runner.start({ name: "t", cwd: d, backend: "local", argv: stepArgv(join(d, "out"), 4, 10), outputs: [join(d, "out")] });
    const fin = await runner.wait(rec.id, 30_000);
    runner.close();
    assert.equal(fin.state, "done", fin.reason);
    assert.equal(fin.exitCode, 0);
    assert.deepEqual(fin.progress && [fin.progress.done, fin.progress.total], [5, 5]);
    assert.equal(items(join(d, "out")).length, 5);
    assert.match(readFileSync(fin.logPath, "utf8"), /items 0-4 done, 5 computed/);
    assert.deepEqual(JSON.parse(readFileSync(join(d, "jobs", rec.id, "job.json"), "utf8")).state, "done");
  });

  it("a failing job keeps its log and reports exit status and the log tail", async () => {
    const d = mkdtempSync(join(tmpdir(), "jobs-"));
    const runner = new JobRunner(join(d, "jobs"), { pollMs: 100 });
    const rec = await runner.start({ name: "t", cwd: d, backend: "local", argv: stepArgv(join(d, "out"), 9, 0, ["--fail-at", "3"]) });
    const fin = await runner.wait(rec.id, 30_000);
    runner.close();
    assert.equal(fin.state, "failed");
    assert.equal(fin.exitCode, 3);
    assert.equal(fin.reason, "exit status 3");
    assert.match(fin.logTail ?? "", /item 3: simulated failure/);
  });

  it("a command that cannot start is a failed job with the reason", async () => {
    const d = mkdtempSync(join(tmpdir(), "jobs-"));
    const runner = new JobRunner(join(d, "jobs"), { pollMs: 100 });
    const rec = await runner.start({ name: "t", cwd: d, backend: "local", argv: ["/nonexistent/program"] });
    const fin = await runner.wait(rec.id, 10_000);
    runner.close();
    assert.equal(fin.state, "failed");
    assert.equal(fin.exitCode, 127);
    assert.match(fin.logTail ?? "", /nonexistent/);
  });

  it("cancelling kills the whole process group and records cancelled", async () => {
    const d = mkdtempSync(join(tmpdir(), "jobs-"));
    const runner = new JobRunner(join(d, "jobs"), { pollMs: 100 });
    const rec = await runner.start({ name: "t", cwd: d, backend: "local", argv: stepArgv(join(d, "out"), 200, 100) });
    await waitFor(() => existsSync(join(d, "out")) && items(join(d, "out")).length >= 2, 20_000, "2 items");
    const c = await runner.cancel(rec.id);
    assert.equal(c.state, "cancelled");
    assert.equal(isSameProcessAlive(rec.backendIds), false);
    const n = items(join(d, "out")).length;
    await sleep(400);
    assert.equal(items(join(d, "out")).length, n, "no more work after cancel");
    await runner.pollOnce();
    assert.equal(runner.get(rec.id).state, "cancelled");
    runner.close();
  });

  it("after kill -9 of the host, a new host reattaches to the running job and sees it finish", async () => {
    const d = mkdtempSync(join(tmpdir(), "jobs-"));
    const out = join(d, "out");
    const { pid, jobId } = await startHost(join(d, "jobs"), out, 20, 120);
    await waitFor(() => existsSync(out) && items(out).length >= 3, 30_000, "3 items");
    process.kill(pid, "SIGKILL");
    await sleep(200);
    const runner = new JobRunner(join(d, "jobs"), { pollMs: 100 });
    const recovered = (await runner.recover()).find((r) => r.id === jobId)!;
    assert.equal(recovered.state, "running", "reattached to the live job");
    assert.ok(recovered.hostPid === pid);
    const fin = await runner.wait(jobId, 60_000);
    runner.close();
    assert.equal(fin.state, "done", fin.reason);
    assert.equal(items(out).length, 20);
  });

  it("after kill -9 of host and job, the job is reported interrupted with its finished part kept, and resumes", async () => {
    const d = mkdtempSync(join(tmpdir(), "jobs-"));
    const out = join(d, "out");
    const { pid, jobId } = await startHost(join(d, "jobs"), out, 30, 120);
    await waitFor(() => existsSync(out) && items(out).length >= 4, 30_000, "4 items");
    const runnerA = new JobRunner(join(d, "jobs"));
    const live: JobRecord = runnerA.get(jobId);
    runnerA.close();
    // the machine "crashes": host and job die together
    process.kill(pid, "SIGKILL");
    process.kill(-live.backendIds!.pid!, "SIGKILL");
    await waitFor(() => !isSameProcessAlive(live.backendIds), 5000, "job death");
    const doneBefore = items(out).length;
    assert.ok(doneBefore >= 4 && doneBefore < 30);
    const runner = new JobRunner(join(d, "jobs"), { pollMs: 100 });
    const rec = (await runner.recover()).find((r) => r.id === jobId)!;
    assert.equal(rec.state, "interrupted");
    assert.match(rec.reason ?? "", /without reporting an exit status/);
    assert.deepEqual(rec.outputsPresent, [out]);
    assert.match(rec.resumeCommand ?? "", /slow-step\.ts --first 0 --last 29/);
    assert.equal(items(out).length, doneBefore, "finished part kept");
    const again = await runner.resume(jobId);
    assert.equal(again.resumedFrom, jobId);
    const fin = await runner.wait(again.id, 60_000);
    runner.close();
    assert.equal(fin.state, "done", fin.reason);
    assert.equal(items(out).length, 30);
    assert.match(readFileSync(fin.logPath, "utf8"), new RegExp(`${30 - doneBefore} computed`), "resume skipped finished items");
  });
});
