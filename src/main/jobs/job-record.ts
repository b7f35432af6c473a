/**
 * Persistent job records: jobs/<id>/job.json (+ log.txt, exit-code, backend files).
 * Every long pipeline step runs as a job; the record survives host restarts.
 */
import type { StepResources } from "../../core/project/project-model.ts";

export type JobState = "queued" | "running" | "done" | "failed" | "cancelled" | "interrupted";
export type BackendKind = "local" | "slurm";

export function isFinalState(s: JobState): boolean {
  return s === "done" || s === "failed" || s === "cancelled" || s === "interrupted";
}

/**
 * Split of a job over shot ranges (SLURM job array). In `argv`, the placeholders `{first}` and
 * `{last}` (inclusive shot indices), `{count}` (shots in the range) and `{part}` (this task's output
 * file) are replaced per task; a local run uses one range over all shots and `{part}` = `output`.
 */
export interface ArraySpec {
  /** Total number of shots (or items) to split. */
  readonly items: number;
  /** Number of tasks (ranges of nearly equal size). */
  readonly tasks: number;
  /** Final output file assembled from the parts. */
  readonly output: string;
  /** How parts are combined: "stream" = CrystFEL stream (header once + chunks), "lines" = text lines concatenated (.lst), "concat" = bytes. */
  readonly collect: "stream" | "lines" | "concat";
  /**
   * Split over input files instead of shots: the argument "{inputs}" expands to the task's slice
   * inputs[first..last] (items must equal inputs.length).
   */
  readonly inputs?: readonly string[];
}

export interface JobSpec {
  /** Human-readable name, e.g. "index (index-2)". */
  readonly name: string;
  /**
   * Command to run. If argv[0] is "serialed", it is run as `node <repo>/bin/serialed.mjs ...`
   * (locally and on SLURM nodes); otherwise argv[0] is an executable.
   */
  readonly argv: readonly string[];
  /** Working directory (absolute). */
  readonly cwd: string;
  readonly backend: BackendKind;
  /** Output files the job produces (absolute); kept whatever happens. */
  readonly outputs?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** SLURM resources (ignored locally). */
  readonly resources?: StepResources;
  readonly array?: ArraySpec;
  /** Command to resume an interrupted job (defaults to argv: subcommands skip finished work). */
  readonly resumeArgv?: readonly string[];
  /** Expected total for progress when the log does not say (e.g. number of images for indexamajig). */
  readonly progressTotal?: number;
  /** Link to the project run, e.g. "index-2". */
  readonly runId?: string;
}

export interface JobProgress {
  readonly done: number;
  readonly total: number;
  readonly note?: string;
}

/** Backend identifiers, enough to find the job again after a host restart. */
export interface BackendIds {
  /** Local: pid of the job's wrapper shell, also its process group id. */
  readonly pid?: number;
  /** Local: process start time (clock ticks since boot, /proc/<pid>/stat field 22) against pid reuse. */
  readonly pidStartTicks?: number;
  /** SLURM job id (array job id for arrays). */
  readonly slurmJobId?: string;
}

export interface TaskFailure {
  readonly task: number;
  readonly state: string;
  readonly reason: string;
  readonly exitCode?: number;
  readonly logTail: string;
}

export interface JobRecord {
  readonly id: string;
  readonly spec: JobSpec;
  readonly state: JobState;
  /** ISO times (host clock). */
  readonly createdAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly progress?: JobProgress;
  /** Absolute path of the log file. */
  readonly logPath: string;
  readonly backendIds?: BackendIds;
  /** pid of the host process that submitted the job. */
  readonly hostPid: number;
  readonly exitCode?: number;
  /** Why it failed / was interrupted / cancelled, in words. */
  readonly reason?: string;
  /** Last lines of the log (failed jobs). */
  readonly logTail?: string;
  /** Outputs that exist on disk (kept after failure/interruption). */
  readonly outputsPresent?: readonly string[];
  /** Shell command that resumes an interrupted job. */
  readonly resumeCommand?: string;
  readonly resumedFrom?: string;
  readonly taskFailures?: readonly TaskFailure[];
}
