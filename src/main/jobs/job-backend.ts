/** Interface of the places a job can run: this machine (backend-local.ts) or SLURM (backend-slurm.ts). */
import type { BackendIds, BackendKind, JobRecord, JobState, TaskFailure } from "./job-record.ts";

export interface BackendStatus {
  readonly state: JobState;
  readonly exitCode?: number;
  readonly reason?: string;
  readonly taskFailures?: readonly TaskFailure[];
  /** Progress from the backend's own accounting, e.g. finished array tasks. */
  readonly tasksDone?: number;
  readonly tasksTotal?: number;
}

export interface JobBackend {
  readonly kind: BackendKind;
  /** Starts the job; returns the ids needed to find it again after a host restart. */
  submit(rec: JobRecord): Promise<BackendIds>;
  /** Status of many jobs at once (one squeue call for SLURM). Jobs not found are left out. */
  poll(recs: readonly JobRecord[]): Promise<Map<string, BackendStatus>>;
  /** Stops the job (process group kill / scancel). */
  cancel(rec: JobRecord): Promise<void>;
  /** Called once when the job finished successfully, e.g. to concatenate array parts. */
  collect?(rec: JobRecord): Promise<void>;
  /** Log files whose tails carry progress (defaults to rec.logPath). */
  progressLogs?(rec: JobRecord): string[];
}
