/**
 * Runs jobs through SLURM: sbatch (a plain batch job, or a job array over shot ranges), one
 * `squeue` call per polling cycle for all jobs (sacct for jobs squeue has forgotten, when
 * accounting is enabled), scancel, and concatenation of the array parts when all tasks are done.
 * The SLURM job id is stored in the job record, so a restarted host monitors the job again.
 * A failed task is reported with its SLURM state, reason, exit code and the tail of its log.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { resolveArgv } from "./command-line.ts";
import type { BackendStatus, JobBackend } from "./job-backend.ts";
import type { BackendIds, JobRecord, TaskFailure } from "./job-record.ts";
import { tailLines } from "./log-tail.ts";
import { arrayTaskCount, batchScript, partPath } from "../slurm/batch-script.ts";
import { collectParts } from "../slurm/collect-parts.ts";
import { sacctJobs, sbatch, scancel, squeueAll } from "../slurm/slurm-commands.ts";
import type { SlurmTaskState } from "../slurm/slurm-commands.ts";

const ACTIVE = new Set(["PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED", "RESIZING", "SIGNALING", "STAGE_OUT", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD"]);

function jobDir(rec: JobRecord): string {
  return dirname(rec.logPath);
}

function taskLog(rec: JobRecord, k: number): string {
  return arrayTaskCount(rec.spec.array) > 1 ? join(jobDir(rec), `task-${k}.log`) : rec.logPath;
}

export class SlurmBackend implements JobBackend {
  readonly kind = "slurm" as const;

  async submit(rec: JobRecord): Promise<BackendIds> {
    const dir = jobDir(rec);
    const tasks = arrayTaskCount(rec.spec.array);
    const partsDir = join(dir, "parts");
    mkdirSync(partsDir, { recursive: true });
    const script = batchScript({
      jobName: `serialed-${rec.spec.name}`,
      argv: resolveArgv(rec.spec.argv),
      cwd: rec.spec.cwd,
      logPattern: tasks > 1 ? join(dir, "task-%a.log") : rec.logPath,
      partsDir,
      ...(rec.spec.resources ? { resources: rec.spec.resources } : {}),
      ...(rec.spec.array ? { array: rec.spec.array } : {}),
      env: { ...(rec.spec.env ?? {}), SERIALED_JOB_ID: rec.id },
    });
    const path = join(dir, "slurm.sh");
    writeFileSync(path, script, { mode: 0o755 });
    if (tasks > 1) writeFileSync(rec.logPath, `SLURM job array of ${tasks} tasks; task logs: ${join(dir, "task-<k>.log")}\n`);
    return { slurmJobId: await sbatch(path, rec.spec.cwd) };
  }

  async poll(recs: readonly JobRecord[]): Promise<Map<string, BackendStatus>> {
    const out = new Map<string, BackendStatus>();
    const mine = recs.filter((r) => r.backendIds?.slurmJobId);
    if (mine.length === 0) return out;
    const all = await squeueAll(); // ONE call per cycle for all jobs
    const byJob = new Map<string, SlurmTaskState[]>();
    for (const t of all) byJob.set(t.jobId, [...(byJob.get(t.jobId) ?? []), t]);
    const missing = mine.map((r) => r.backendIds!.slurmJobId!).filter((id) => !byJob.has(id));
    for (const t of await sacctJobs(missing)) byJob.set(t.jobId, [...(byJob.get(t.jobId) ?? []), t]);
    for (const rec of mine) {
      const st = byJob.get(rec.backendIds!.slurmJobId!);
      if (!st) {
        out.set(rec.id, this.forgotten(rec));
        continue;
      }
      out.set(rec.id, this.aggregate(rec, st));
    }
    return out;
  }

  /** Job no longer known to SLURM (older than MinJobAge, no accounting): judge by the outputs. */
  private forgotten(rec: JobRecord): BackendStatus {
    const tasks = arrayTaskCount(rec.spec.array);
    const a = rec.spec.array;
    const allParts = a ? Array.from({ length: tasks }, (_, k) => (tasks > 1 ? partPath(join(jobDir(rec), "parts"), a, k) : a.output)).every((p) => existsSync(p)) : false;
    if (allParts) return { state: "done", reason: "SLURM no longer lists the job; all task outputs are present" };
    return { state: "interrupted", reason: `SLURM no longer knows job ${rec.backendIds?.slurmJobId} and accounting (sacct) is not available; its outputs are incomplete` };
  }

  private aggregate(rec: JobRecord, st: readonly SlurmTaskState[]): BackendStatus {
    const tasks = arrayTaskCount(rec.spec.array);
    const active = st.filter((t) => ACTIVE.has(t.state));
    const done = st.filter((t) => t.state === "COMPLETED").length;
    const counts = { tasksDone: done, tasksTotal: tasks };
    if (active.length > 0 || st.length < tasks) {
      const allPending = active.length > 0 && active.every((t) => t.state === "PENDING") && done === 0;
      return { state: allPending ? "queued" : "running", ...counts };
    }
    const bad = st.filter((t) => t.state !== "COMPLETED");
    if (bad.length === 0) return { state: "done", exitCode: 0, ...counts };
    const failures: TaskFailure[] = bad.filter((t) => t.state !== "CANCELLED").map((t) => {
      const k = t.task ?? 0;
      const f: TaskFailure = { task: k, state: t.state, reason: describeTask(t), logTail: tailLines(taskLog(rec, k), 20) };
      return t.exitCode === undefined ? f : { ...f, exitCode: t.exitCode };
    }).sort((a, b) => a.task - b.task);
    if (failures.length === 0) return { state: "cancelled", reason: "cancelled in SLURM (scancel)", ...counts };
    const first = failures[0]!;
    return {
      state: "failed",
      ...(first.exitCode !== undefined ? { exitCode: first.exitCode } : {}),
      reason: `${failures.length} of ${tasks} task(s) failed; task ${first.task}: ${first.reason}`,
      taskFailures: failures,
      ...counts,
    };
  }

  async cancel(rec: JobRecord): Promise<void> {
    const id = rec.backendIds?.slurmJobId;
    if (id) await scancel(id);
  }

  async collect(rec: JobRecord): Promise<void> {
    const a = rec.spec.array;
    const tasks = arrayTaskCount(a);
    if (!a || tasks <= 1) return;
    const parts = Array.from({ length: tasks }, (_, k) => partPath(join(jobDir(rec), "parts"), a, k));
    collectParts(parts, a.output, a.collect);
  }

  progressLogs(rec: JobRecord): string[] {
    const tasks = arrayTaskCount(rec.spec.array);
    return tasks > 1 ? [] : [rec.logPath];
  }
}

function describeTask(t: SlurmTaskState): string {
  const parts = [t.state];
  if (t.exitCode !== undefined && (t.exitCode !== 0 || !t.signal)) parts.push(`exit code ${t.exitCode}`);
  if (t.signal) parts.push(`signal ${t.signal}`);
  const why = t.reason && t.reason !== "None" && t.reason !== t.state ? ` (${t.reason})` : "";
  return parts.join(", ") + why;
}
