/**
 * Headless pipeline driver behind `serialed run project.yaml [--until STEP]`: walks the steps in
 * order, skips those that are up to date, runs the others as jobs (local or SLURM backend per
 * step) with the project's options, records every run (options, config hash, outputs, result)
 * in project.yaml, and reattaches to a step's job that is still running from an earlier,
 * interrupted driver instead of starting it twice.
 */
import { join } from "node:path";
import { latestRun, nextRunNumber, STEP_ORDER, withRun } from "../../core/project/project-model.ts";
import type { Project, RunRecord, StepName } from "../../core/project/project-model.ts";
import { stepConfigHashes, stepStatuses } from "../../core/project/staleness.ts";
import { commandNames } from "../cli/main.ts";
import { detectCrystfel } from "../crystfel/crystfel-detect.ts";
import type { CrystfelInstall } from "../crystfel/crystfel-detect.ts";
import { SlurmBackend } from "../jobs/backend-slurm.ts";
import { isFinalState } from "../jobs/job-record.ts";
import type { JobRecord } from "../jobs/job-record.ts";
import { JobRunner } from "../jobs/job-runner.ts";
import { FOLDED_INTO, listRunOutputs, STEP_SUBCOMMAND, stepCommand } from "./pipeline-plan.ts";
import { allocateRunDir, loadProject, updateProject } from "./project-store.ts";

export type DriverEvent =
  | { kind: "skip"; step: StepName; message: string }
  | { kind: "start"; step: StepName; runId: string; job: JobRecord; command: string }
  | { kind: "reattach"; step: StepName; runId: string; job: JobRecord }
  | { kind: "progress"; step: StepName; job: JobRecord }
  | { kind: "finish"; step: StepName; runId: string; job: JobRecord };

export interface DriverOptions {
  readonly until?: StepName;
  readonly dataset?: string;
  /** Re-run steps even if up to date. */
  readonly force?: boolean;
  readonly pollMs?: number;
  readonly onEvent?: (e: DriverEvent) => void;
  readonly signal?: AbortSignal;
  /** serialed subcommands available (default: the ones in src/main/cli/commands). */
  readonly availableCommands?: readonly string[];
}

export interface DriverResult {
  /** 0 = all requested steps done; 1 = a step failed/was cancelled; 3 = a step is not available yet. */
  readonly code: number;
  readonly message: string;
  readonly stepsRun: readonly StepName[];
}

const now = (): string => new Date().toISOString();

export async function runPipeline(projectPath: string, o: DriverOptions = {}): Promise<DriverResult> {
  const open = loadProject(projectPath);
  const dir = open.dir;
  let project = open.project;
  const dataset = o.dataset ?? project.datasets[0]?.name;
  if (!dataset) return { code: 1, message: `${open.path}: the project has no dataset; add input files first`, stepsRun: [] };
  const runner = new JobRunner(join(dir, "jobs"), { pollMs: o.pollMs ?? 500, backends: { slurm: new SlurmBackend() } });
  await runner.recover();
  const emit = o.onEvent ?? ((): void => undefined);
  const lastIdx = o.until ? STEP_ORDER.indexOf(o.until) : STEP_ORDER.length - 1;
  let crystfel: CrystfelInstall | undefined;
  const ran: StepName[] = [];
  try {
    for (const step of STEP_ORDER.slice(0, lastIdx + 1)) {
      if (FOLDED_INTO[step]) {
        // aggregate/corrections run inside centre-peaks; with --until on them, run that job
        if (step !== STEP_ORDER[lastIdx]) continue;
      }
      const main: StepName = FOLDED_INTO[step] ?? step;
      const group = [main, ...STEP_ORDER.filter((s) => FOLDED_INTO[s] === main)];
      const last = latestRun(project, main, dataset);
      // a job of this step still running from an earlier driver: wait for it instead of starting again
      if (last && (last.state === "running" || last.state === "queued") && last.jobId) {
        let job: JobRecord | undefined;
        try { job = runner.get(last.jobId); } catch { job = undefined; }
        if (job && !isFinalState(job.state)) {
          emit({ kind: "reattach", step: main, runId: last.id, job });
          const r = await follow(runner, job, main, emit, o.signal);
          project = finishRuns(open.path, dir, group, last, r);
          emit({ kind: "finish", step: main, runId: last.id, job: r });
          if (r.state !== "done") return failed(main, r, ran);
          ran.push(main);
          continue;
        }
        if (job) project = finishRuns(open.path, dir, group, last, job);
      }
      const status = stepStatuses(project, dataset);
      if (!o.force && group.every((s) => status[s] === "up-to-date")) {
        emit({ kind: "skip", step: main, message: `up to date (run ${latestRun(project, main, dataset, "done")?.id})` });
        continue;
      }
      const cfg = project.steps[main];
      if (!cfg?.command && cfg?.engine !== "crystfel") {
        const sub = STEP_SUBCOMMAND[main]!;
        if (!(o.availableCommands ?? commandNames()).includes(sub)) {
          return { code: 3, message: `step ${main}: \`serialed ${sub}\` is not available yet in this build, so the pipeline stops before ${main}. Steps done: ${ran.join(", ") || "none"}.`, stepsRun: ran };
        }
      }
      if (cfg?.engine === "crystfel" && !crystfel) crystfel = await detectCrystfel();
      const { id: runId, n, dir: runDir } = allocateRunDir(dir, project, main);
      let cmd;
      try {
        cmd = stepCommand(main, { projectDir: dir, project, dataset, runDir, ...(crystfel ? { crystfel } : {}) });
      } catch (e) {
        // e.g. an option the step's engine does not have, or a missing input (shown by the wizard as an error)
        const m = e instanceof Error ? e.message : String(e);
        return { code: 1, message: `error: ${m.startsWith(`step ${main}`) ? m : `step ${main}: ${m}`}`, stepsRun: ran };
      }
      const hashes = stepConfigHashes(project, dataset);
      const job = await runner.start({
        name: `${main} (${runId})`, argv: cmd.argv, cwd: cmd.cwd, backend: cfg?.backend ?? "local", outputs: [runDir], runId,
        ...(cfg?.resources ? { resources: cfg.resources } : {}), ...(cmd.progressTotal ? { progressTotal: cmd.progressTotal } : {}), ...(cmd.array ? { array: cmd.array } : {}),
      });
      const base = { dataset, startedAt: now(), jobId: job.id, state: "running" as const, outputs: [] };
      project = updateProject(open.path, (p) => {
        let q = withRun(p, { ...base, id: runId, step: main, n, configHash: hashes[main], options: cmd.options });
        for (const s of group.slice(1)) q = withRun(q, { ...base, id: `${s}-${nextRunNumber(q, s)}`, step: s, n: nextRunNumber(q, s), configHash: hashes[s], options: q.steps[s]?.options ?? {} });
        return q;
      });
      emit({ kind: "start", step: main, runId, job, command: cmd.argv.join(" ") });
      const r = await follow(runner, job, main, emit, o.signal);
      project = finishRuns(open.path, dir, group, latestRun(project, main, dataset)!, r);
      emit({ kind: "finish", step: main, runId, job: r });
      if (r.state !== "done") return failed(main, r, ran);
      ran.push(main);
    }
    return { code: 0, message: `pipeline done${o.until ? ` up to ${o.until}` : ""}: ${ran.length > 0 ? `ran ${ran.join(", ")}` : "everything was up to date"}`, stepsRun: ran };
  } finally {
    runner.close();
  }
}

async function follow(runner: JobRunner, job: JobRecord, step: StepName, emit: (e: DriverEvent) => void, signal?: AbortSignal): Promise<JobRecord> {
  const onUpdate = (r: JobRecord): void => { if (r.id === job.id) emit({ kind: "progress", step, job: r }); };
  runner.on("update", onUpdate);
  const onAbort = (): void => { runner.cancel(job.id).catch(() => undefined); };
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    return await runner.wait(job.id, 7 * 24 * 3600 * 1000);
  } finally {
    runner.off("update", onUpdate);
    signal?.removeEventListener("abort", onAbort);
  }
}

/** Records the job's end in the runs of the step and its folded steps (same job). */
function finishRuns(path: string, projectDir: string, group: readonly StepName[], mainRun: RunRecord, job: JobRecord): Project {
  const runDir = join(projectDir, "runs", mainRun.id);
  let outputs: string[] = [];
  try { outputs = listRunOutputs(projectDir, runDir); } catch { outputs = []; }
  const state = job.state === "queued" || job.state === "running" ? "interrupted" : job.state;
  return updateProject(path, (p) => {
    let q = p;
    for (const r of p.runs) {
      if (r.jobId !== job.id || !group.includes(r.step)) continue;
      const message = job.reason ?? (state === "done" ? undefined : state);
      q = withRun(q, { ...r, state, finishedAt: job.finishedAt ?? now(), outputs, ...(message ? { message } : {}), ...(job.progress ? { results: { ...(r.results ?? {}), progress: `${job.progress.done}/${job.progress.total}${job.progress.note ? ` ${job.progress.note}` : ""}` } } : {}) });
    }
    return q;
  });
}

function failed(step: StepName, r: JobRecord, ran: readonly StepName[]): DriverResult {
  const parts = [`step ${step} ${r.state}: ${r.reason ?? "no reason given"}`];
  for (const f of r.taskFailures ?? []) parts.push(`  task ${f.task}: ${f.reason}\n${f.logTail.split("\n").map((l) => `    | ${l}`).join("\n")}`);
  if (!r.taskFailures?.length && r.logTail) parts.push(`last lines of ${r.logPath}:\n${r.logTail.split("\n").map((l) => `  | ${l}`).join("\n")}`);
  if (r.resumeCommand) parts.push(`resume with: ${r.resumeCommand}`);
  return { code: 1, message: parts.join("\n"), stepsRun: ran };
}
