/**
 * The project: a folder with a human-readable `project.yaml` holding the input files, datasets,
 * every pipeline step's options and SLURM resources, and the history of runs. Pure data model;
 * (de)serialisation in project-yaml.ts, the on-disk store in src/main/project/project-store.ts.
 */

/** Pipeline steps in execution order. */
export const STEP_ORDER = [
  "import", "aggregate", "corrections", "centre-peaks", "geometry",
  "index", "integrate", "merge", "validate", "export",
] as const;

export type StepName = (typeof STEP_ORDER)[number];

export function isStepName(s: string): s is StepName {
  return (STEP_ORDER as readonly string[]).includes(s);
}

/** SLURM resources of one step (sbatch options). */
export interface StepResources {
  readonly partition?: string;
  readonly cpus?: number;
  /** Memory per node in MB (sbatch --mem). */
  readonly memMb?: number;
  /** Time limit as sbatch accepts it, e.g. "01:00:00". */
  readonly time?: string;
  /** Generic resources, e.g. "gpu:1". */
  readonly gres?: string;
  /** Extra sbatch options, each one full option, e.g. "--account=abc". */
  readonly extraSbatch?: readonly string[];
  /** Number of array tasks to split the step over shot ranges (1 = a plain batch job). */
  readonly arrayTasks?: number;
}

export type StepEngine = "builtin" | "crystfel";
export type StepBackend = "local" | "slurm";

/** Options and execution settings of one step. `options` are the step's own key/values. */
export interface StepConfig {
  readonly options: Readonly<Record<string, unknown>>;
  readonly engine?: StepEngine;
  readonly backend?: StepBackend;
  readonly resources?: StepResources;
  /**
   * Custom command (advanced): run this argv instead of the step's built-in subcommand. "serialed"
   * as argv[0] means this program. Placeholders: {run_dir} (the run's output folder), {project_dir},
   * {inputs} (expands to the dataset's input files, as separate arguments).
   */
  readonly command?: readonly string[];
}

/** A dataset: a named set of input files (paths relative to the project folder or absolute). */
export interface ProjectDataset {
  readonly name: string;
  readonly inputs: readonly string[];
  /** Optional shot selection in the dataset query language. */
  readonly query?: string;
}

export type RunState = "queued" | "running" | "done" | "failed" | "cancelled" | "interrupted";

/** One run of a step, kept in the history. */
export interface RunRecord {
  /** `<step>-<n>`, also the folder name under runs/. */
  readonly id: string;
  readonly step: StepName;
  readonly n: number;
  readonly dataset: string;
  readonly state: RunState;
  /** ISO 8601 UTC times, supplied by the host. */
  readonly startedAt: string;
  readonly finishedAt?: string;
  /** Job id in the project's jobs/ folder. */
  readonly jobId?: string;
  /** Hash of this step's options chained with all earlier steps' options and the inputs (staleness.ts). */
  readonly configHash: string;
  /** Options used, copied for the record. */
  readonly options: Readonly<Record<string, unknown>>;
  /** Output files, relative to the project folder. */
  readonly outputs: readonly string[];
  /** Summary numbers of the result (e.g. indexed fraction, CC1/2). */
  readonly results?: Readonly<Record<string, unknown>>;
  readonly message?: string;
}

export interface Project {
  readonly version: 1;
  readonly name: string;
  readonly datasets: readonly ProjectDataset[];
  readonly steps: Readonly<Partial<Record<StepName, StepConfig>>>;
  readonly runs: readonly RunRecord[];
}

export function emptyProject(name: string, inputs: readonly string[] = []): Project {
  return {
    version: 1,
    name,
    datasets: inputs.length > 0 ? [{ name: "main", inputs: [...inputs] }] : [],
    steps: {},
    runs: [],
  };
}

/** Next run number for a step (1-based, one more than the largest used). */
export function nextRunNumber(p: Project, step: StepName): number {
  let n = 0;
  for (const r of p.runs) if (r.step === step && r.n > n) n = r.n;
  return n + 1;
}

/** Returns a copy with one step's config replaced (options merged shallowly when `merge`). */
export function withStepOptions(p: Project, step: StepName, options: Record<string, unknown>, merge = true): Project {
  const old = p.steps[step];
  const cfg: StepConfig = { ...(old ?? {}), options: merge ? { ...(old?.options ?? {}), ...options } : { ...options } };
  return { ...p, steps: { ...p.steps, [step]: cfg } };
}

/** Returns a copy with the run added, or replaced if a run with that id exists. */
export function withRun(p: Project, run: RunRecord): Project {
  const i = p.runs.findIndex((r) => r.id === run.id);
  const runs = [...p.runs];
  if (i >= 0) runs[i] = run; else runs.push(run);
  return { ...p, runs };
}

/** Latest run of a step for a dataset (by run number), if any. */
export function latestRun(p: Project, step: StepName, dataset: string, state?: RunState): RunRecord | undefined {
  let best: RunRecord | undefined;
  for (const r of p.runs) {
    if (r.step !== step || r.dataset !== dataset || (state && r.state !== state)) continue;
    if (!best || r.n > best.n) best = r;
  }
  return best;
}
