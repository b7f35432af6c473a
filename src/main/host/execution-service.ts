/**
 * Host side of the wizard's engine / backend choice (issue 9): which engines (built-in, CrystFEL)
 * and backends (this computer, SLURM) the host can offer (engine-detect.ts, cached), every step's
 * choice and SLURM resources as stored in project.yaml, why the latest run of a step failed (job
 * state, exit reason, log tail, failed SLURM array tasks), and setting a step's engine, backend
 * and resources with strict checks (written with the project store: temp file + rename, .bak).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ExecutionStatus, PipelineState, StepExecution, StepFailure, StepResourcesWire } from "../../core/api/host-api.ts";
import { convertStepOptions } from "../../core/project/engine-options.ts";
import { isStepName, latestRun, STEP_ORDER } from "../../core/project/project-model.ts";
import type { Project, StepConfig, StepName, StepResources } from "../../core/project/project-model.ts";
import type { JobRecord } from "../jobs/job-record.ts";
import { tailLines } from "../jobs/log-tail.ts";
import { FOLDED_INTO } from "../project/pipeline-plan.ts";
import { loadProject, updateProject } from "../project/project-store.ts";
import { createEngineDetector, type EngineDetector, type EngineStatus } from "./engine-detect.ts";

/** The CrystFEL program each step runs with engine: crystfel (src/main/project/pipeline-plan.ts). */
export const STEP_CRYSTFEL_PROGRAM: Readonly<Partial<Record<StepName, string>>> = { index: "indexamajig", integrate: "indexamajig", merge: "partialator", validate: "check_hkl" };
/** Steps whose job the plan can split into a SLURM job array (resources.arrayTasks). */
export const SPLITTABLE_STEPS: ReadonlySet<StepName> = new Set<StepName>(["centre-peaks"]);

/** sbatch options the host writes itself (or that have their own field): refused among the extra options. */
const RESERVED_SBATCH: Readonly<Record<string, string>> = {
  "--array": "the host sets the job array from 'array tasks'", "-a": "the host sets the job array from 'array tasks'",
  "--output": "the host sets the log file", "-o": "the host sets the log file", "--error": "the host sets the log file", "-e": "the host sets the log file",
  "--chdir": "the host sets the working folder", "-D": "the host sets the working folder", "--job-name": "the host names the job", "-J": "the host names the job",
  "--parsable": "the host submits with --parsable", "--wrap": "the host writes the batch script", "--wait": "the host monitors the job itself", "-W": "the host monitors the job itself",
  "--partition": "use the partition field", "-p": "use the partition field", "--cpus-per-task": "use the CPUs field", "-c": "use the CPUs field",
  "--mem": "use the memory field", "--time": "use the time field", "-t": "use the time field", "--gres": "use the GRES field",
};

const TIME_RE = /^(?:\d+(?::\d{1,2}){0,2}|\d+-\d{1,2}(?::\d{1,2}){0,2}|unlimited|infinite)$/i;

/**
 * Checks SLURM resources beyond their types (the contract checks those): clear messages naming the
 * field. `partitions` (when SLURM answered) must contain the chosen partition.
 */
export function checkResources(step: string, r: StepResourcesWire, partitions: readonly string[] | null, canSplit: boolean): StepResources {
  const bad = (field: string, problem: string): never => { throw new Error(`step ${step}: resources.${field}: ${problem}`); };
  const out: { -readonly [K in keyof StepResources]: StepResources[K] } = {};
  const text = (field: "partition" | "time" | "gres", v: string | undefined): string | undefined => {
    if (v === undefined) return undefined;
    const t = v.trim();
    if (t === "") bad(field, "empty (leave the field out for the cluster's default)");
    return t;
  };
  const partition = text("partition", r.partition);
  if (partition !== undefined) {
    if (!/^[A-Za-z0-9_.,-]+$/.test(partition)) bad("partition", `'${partition}' is not a partition name (letters, digits, _ . - and commas)`);
    if (partitions && partitions.length > 0) {
      const unknown = partition.split(",").filter((x) => !partitions.includes(x));
      if (unknown.length > 0) bad("partition", `'${unknown.join(",")}' is not a partition of this cluster (sinfo lists: ${partitions.join(", ")})`);
    }
    out.partition = partition;
  }
  if (r.cpus !== undefined) out.cpus = r.cpus;
  if (r.memMb !== undefined) out.memMb = r.memMb;
  const time = text("time", r.time);
  if (time !== undefined) {
    if (!TIME_RE.test(time)) bad("time", `'${time}' is not a SLURM time limit (minutes, HH:MM:SS, D-HH, D-HH:MM:SS or UNLIMITED)`);
    out.time = time;
  }
  const gres = text("gres", r.gres);
  if (gres !== undefined) {
    if (!/^[A-Za-z0-9_:.,=/-]+$/.test(gres)) bad("gres", `'${gres}' is not a GRES specification (e.g. gpu:1 or gpu:a100:2)`);
    out.gres = gres;
  }
  if (r.extraSbatch !== undefined) {
    const extra: string[] = [];
    r.extraSbatch.forEach((x, i) => {
      const t = x.trim();
      if (t === "") return;
      if (!t.startsWith("-")) bad(`extraSbatch[${i}]`, `'${t}' must be one sbatch option starting with '-' (e.g. --account=abc)`);
      if (/[\n\r\0]/.test(t)) bad(`extraSbatch[${i}]`, "must be a single line");
      const name = t.split(/[=\s]/, 1)[0]!;
      const why = RESERVED_SBATCH[name] ?? (name.startsWith("--") ? undefined : RESERVED_SBATCH[name.slice(0, 2)]);
      if (why) bad(`extraSbatch[${i}]`, `${name} is not allowed here: ${why}`);
      extra.push(t);
    });
    if (extra.length > 0) out.extraSbatch = extra;
  }
  if (r.arrayTasks !== undefined) {
    if (!canSplit && r.arrayTasks !== 1) bad("arrayTasks", `step ${step} cannot be split into array tasks (only ${[...SPLITTABLE_STEPS].join(", ")})`);
    if (canSplit) out.arrayTasks = r.arrayTasks;
  }
  return out;
}

function readJob(projectDir: string, jobId: string): JobRecord | null {
  try { return JSON.parse(readFileSync(join(projectDir, "jobs", jobId, "job.json"), "utf8")) as JobRecord; } catch { return null; }
}

/** Why the latest run of a step failed (null if it did not fail). */
export function stepFailure(projectDir: string, project: Project, step: StepName, dataset: string): StepFailure | null {
  const run = latestRun(project, step, dataset);
  if (!run || (run.state !== "failed" && run.state !== "interrupted")) return null;
  const job = run.jobId ? readJob(projectDir, run.jobId) : null;
  if (!job) {
    return { runId: run.id, jobId: run.jobId ?? "", backend: project.steps[step]?.backend ?? "local", slurmJobId: null, state: run.state, reason: run.message ?? `run ${run.state}`, exitCode: null, logPath: "", logTail: "", tasks: [] };
  }
  const slurm = job.spec.backend === "slurm";
  const exit = job.exitCode ?? null;
  const reason = job.reason ?? run.message ?? (exit !== null ? `exit code ${exit}` : job.state);
  return {
    runId: run.id, jobId: job.id, backend: job.spec.backend, slurmJobId: job.backendIds?.slurmJobId ?? null, state: job.state,
    reason: slurm && !/SLURM|task/.test(reason) ? `SLURM job ${job.backendIds?.slurmJobId ?? "?"}: ${reason}` : reason,
    exitCode: exit, logPath: job.logPath,
    logTail: job.logTail ?? tailLines(job.logPath, 20),
    tasks: (job.taskFailures ?? []).map((t) => ({ task: t.task, state: t.state, reason: t.reason, exitCode: t.exitCode ?? null, logTail: t.logTail })),
  };
}

function stepExecution(projectDir: string, project: Project, step: StepName, dataset: string | undefined): StepExecution {
  const c: StepConfig | undefined = project.steps[step];
  const r = c?.resources ?? {};
  const resources: { -readonly [K in keyof StepResourcesWire]: StepResourcesWire[K] } = {};
  for (const k of ["partition", "cpus", "memMb", "time", "gres", "arrayTasks"] as const) if (r[k] !== undefined) (resources as Record<string, unknown>)[k] = r[k];
  if (r.extraSbatch) resources.extraSbatch = [...r.extraSbatch];
  return {
    step, engine: c?.engine ?? "builtin", backend: c?.backend ?? "local", resources,
    crystfelProgram: STEP_CRYSTFEL_PROGRAM[step] ?? null, foldedInto: FOLDED_INTO[step] ?? null, canSplit: SPLITTABLE_STEPS.has(step),
    failure: dataset ? stepFailure(projectDir, project, step, dataset) : null,
  };
}

export interface ExecutionServiceOptions {
  /** The wizard's pipeline state (whose projectPath is the open project), e.g. the pipeline service's pipelineState. */
  readonly pipelineState: () => Promise<PipelineState>;
  readonly detector?: EngineDetector;
}

export interface ExecutionMethods {
  pipelineExecution(params: { redetect?: boolean }): Promise<ExecutionStatus>;
  pipelineSetExecution(params: { step: string; engine: "builtin" | "crystfel"; backend: "local" | "slurm"; resources: StepResourcesWire }): Promise<PipelineState>;
}

export function createExecutionMethods(o: ExecutionServiceOptions): ExecutionMethods {
  const detector = o.detector ?? createEngineDetector();
  const programOk = (s: EngineStatus, name: string): boolean => Boolean(s.crystfel.programs.find((p) => p.name === name)?.version);
  return {
    async pipelineExecution({ redetect = false }) {
      const [status, ps] = await Promise.all([detector.detect({ redetect }), o.pipelineState()]);
      if (!ps.projectPath) return { ...status, steps: [] };
      const { project, dir } = loadProject(ps.projectPath);
      const ds = project.datasets[0]?.name;
      return { ...status, steps: STEP_ORDER.map((s) => stepExecution(dir, project, s, ds)) };
    },
    async pipelineSetExecution({ step, engine, backend, resources }) {
      if (!isStepName(step)) throw new Error(`unknown pipeline step '${step}' (steps: ${STEP_ORDER.join(", ")})`);
      const ps = await o.pipelineState();
      if (!ps.projectPath) throw new Error("no project open");
      const path = ps.projectPath;
      const main = FOLDED_INTO[step];
      if (main) throw new Error(`step ${step} runs inside the ${main} job: set the engine and the computer on step ${main}`);
      const cur = loadProject(path).project.steps[step];
      let status = await detector.detect();
      if (engine === "crystfel") {
        const prog = STEP_CRYSTFEL_PROGRAM[step];
        if (!prog) throw new Error(`step ${step} has no CrystFEL engine (CrystFEL can run: ${Object.keys(STEP_CRYSTFEL_PROGRAM).join(", ")})`);
        if ((cur?.engine ?? "builtin") !== "crystfel" && !programOk(status, prog)) {
          status = await detector.detect({ redetect: true }); // installed meanwhile?
          if (!programOk(status, prog)) throw new Error(`step ${step}: cannot use the CrystFEL engine: ${prog} is not usable here (${status.crystfel.message})`);
        }
      }
      if (backend === "slurm" && (cur?.backend ?? "local") !== "slurm" && !status.slurm.reachable) {
        status = await detector.detect({ redetect: true }); // started meanwhile?
        if (!status.slurm.reachable) throw new Error(`step ${step}: cannot run on SLURM: ${status.slurm.message}`);
      }
      const res = checkResources(step, resources, status.slurm.reachable ? status.slurm.partitions.map((p) => p.name) : null, SPLITTABLE_STEPS.has(step));
      updateProject(path, (p) => {
        const old: StepConfig = p.steps[step] ?? { options: {} };
        const { engine: _e, backend: _b, resources: _r, ...rest } = old;
        // the options of the new engine: shared ones kept, the others put aside, CrystFEL's defaults filled in
        const from = old.engine ?? "builtin";
        const cfg: StepConfig = {
          ...rest,
          ...(from !== engine ? { options: convertStepOptions(step, from, engine, old.options) } : {}),
          ...(engine !== "builtin" ? { engine } : {}),
          ...(backend !== "local" ? { backend } : {}),
          ...(Object.keys(res).length > 0 ? { resources: res } : {}),
        };
        return { ...p, steps: { ...p.steps, [step]: cfg } };
      });
      return o.pipelineState();
    },
  };
}
