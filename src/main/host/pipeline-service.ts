/**
 * Host side of the processing wizard: opens or creates a project (project.yaml via
 * src/main/project), saves step options, runs steps through the same pipeline driver as
 * `serialed run` (runPipeline, i.e. the same step definitions and job runner: local jobs are
 * detached child processes that keep running when the browser closes), streams progress as
 * `pipelineUpdate` events, reattaches to a step still running after a host restart, and returns
 * step results (output files, stats JSON, per-crystal CSV, log tail) for the plots.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { latestRun, STEP_ORDER, isStepName, withStepOptions } from "../../core/project/project-model.ts";
import type { Project, StepName } from "../../core/project/project-model.ts";
import { stepStatuses } from "../../core/project/staleness.ts";
import type { GeometryPlots, HostEvents, PipelineResult, PipelineState, PipelineStepState } from "../../core/api/host-api.ts";
import { JobRunner } from "../jobs/job-runner.ts";
import { runPipeline, type DriverEvent } from "../project/pipeline-driver.ts";
import { createProject, loadProject, PROJECT_FILE, resolveInProject, saveProject } from "../project/project-store.ts";
import { geometryPlots } from "./pipeline-geometry.ts";
import { WIZARD_PROJECT_FOLDER, withDefaultOptions } from "./pipeline-demo.ts";

export interface PipelineServiceOptions {
  readonly emit: (event: "pipelineUpdate", payload: HostEvents["pipelineUpdate"]) => void;
  /** Image files of the session's dataset (new projects take them as inputs). */
  readonly sessionFiles: () => readonly string[];
  /** Project to open at start (e.g. the demo project). */
  readonly projectPath?: string;
}

export interface PipelineMethods {
  pipelineState(params: Record<string, never>): Promise<PipelineState>;
  pipelineOpen(params: { path: string; create: boolean }): Promise<PipelineState>;
  pipelineSetOptions(params: { step: string; options: Record<string, unknown> }): Promise<PipelineState>;
  pipelineRun(params: { step: string }): Promise<PipelineState>;
  pipelineCancel(params: Record<string, never>): Promise<PipelineState>;
  pipelineResult(params: { step: string }): Promise<PipelineResult>;
  pipelineGeometry(params: Record<string, never>): Promise<GeometryPlots>;
}

export interface PipelineService {
  readonly methods: PipelineMethods;
  /** Opens a project host-side (CLI / demo), e.g. `serialed demo` with createDemoProject's path. */
  openProject(path: string): void;
  dispose(): void;
}

const MAX_TEXT = 200_000;

function readText(path: string, max = MAX_TEXT): string | null {
  try {
    const st = statSync(path);
    if (!st.isFile()) return null;
    const t = readFileSync(path, "utf8");
    return t.length > max ? t.slice(t.length - max) : t;
  } catch { return null; }
}

/** Crystals of every chunk of a CrystFEL stream, in order (null for streams over 256 MB). */
export function crystalsPerChunk(path: string): number[] | null {
  try { if (statSync(path).size > 256 * 1024 * 1024) return null; } catch { return null; }
  const text = readFileSync(path, "utf8");
  const out: number[] = [];
  const re = /^(----- Begin chunk -----|--- Begin crystal)/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (m[1]!.startsWith("-----")) out.push(0);
    else if (out.length > 0) out[out.length - 1]! += 1;
  }
  return out;
}

export function streamSummary(perChunk: readonly number[]): string {
  const n = perChunk.length, idx = perChunk.filter((c) => c > 0).length, cr = perChunk.reduce((a, b) => a + b, 0);
  return `${n} patterns, ${idx} indexed (${n > 0 ? ((100 * idx) / n).toFixed(0) : 0} %), ${cr} crystals`;
}

function stepOf(name: string): StepName {
  if (!isStepName(name)) throw new Error(`unknown pipeline step '${name}' (steps: ${STEP_ORDER.join(", ")})`);
  return name;
}

export function createPipelineService(o: PipelineServiceOptions): PipelineService {
  let path: string | null = null;
  let active: { step: StepName; abort: AbortController; promise: Promise<void> } | null = null;
  let lastMessage = "";
  const progress = new Map<StepName, { done: number; total: number; note: string }>();

  const load = (): { project: Project; dir: string } | null => {
    if (!path) return null;
    const p = loadProject(path);
    return { project: p.project, dir: p.dir };
  };
  const suggested = (): string | null => {
    const f = o.sessionFiles()[0];
    return f ? join(dirname(f), WIZARD_PROJECT_FOLDER, PROJECT_FILE) : null;
  };

  const state = (): PipelineState => {
    const l = load();
    const sug = suggested();
    if (!l) return { projectPath: null, suggestedPath: sug, suggestedExists: sug ? existsSync(sug) : false, name: "", inputs: [], steps: [], active: null, message: lastMessage };
    const ds = l.project.datasets[0];
    const status = ds ? stepStatuses(l.project, ds.name) : null;
    const steps: PipelineStepState[] = STEP_ORDER.map((s) => {
      const r = ds ? latestRun(l.project, s, ds.name) : undefined;
      const p = progress.get(s);
      return {
        step: s,
        status: status?.[s] ?? "never-run",
        options: { ...(l.project.steps[s]?.options ?? {}) },
        custom: Boolean(l.project.steps[s]?.command),
        engine: l.project.steps[s]?.engine ?? "builtin",
        lastRun: r ? { id: r.id, state: r.state, startedAt: r.startedAt, finishedAt: r.finishedAt ?? null, outputs: [...r.outputs], message: r.message ?? null } : null,
        progress: p ? { ...p } : null,
      };
    });
    return { projectPath: path, suggestedPath: sug, suggestedExists: sug ? existsSync(sug) : false, name: l.project.name, inputs: [...(ds?.inputs ?? [])], steps, active: active ? { step: active.step } : null, message: lastMessage };
  };

  const emit = (step: StepName, kind: string, message: string, done = 0, total = 0): void => {
    o.emit("pipelineUpdate", { step, kind, message, done, total });
  };

  const start = (step: StepName): void => {
    if (!path) throw new Error("no project open");
    if (active) throw new Error(`step ${active.step} is still running; wait for it or cancel it first`);
    const abort = new AbortController();
    const onEvent = (e: DriverEvent): void => {
      if (e.kind === "progress") {
        const p = e.job.progress;
        if (p) progress.set(e.step, { done: p.done, total: p.total, note: p.note ?? "" });
        emit(e.step, "progress", p?.note ?? "", p?.done ?? 0, p?.total ?? 0);
      } else if (e.kind === "skip") emit(e.step, "skip", e.message);
      else if (e.kind === "start") { progress.delete(e.step); emit(e.step, "start", `run ${e.runId}: ${e.command}`); }
      else if (e.kind === "reattach") emit(e.step, "start", `reattached to run ${e.runId}`);
      else emit(e.step, "finish", `run ${e.runId}: ${e.job.state}`);
    };
    lastMessage = `running up to ${step} …`;
    const promise = runPipeline(path, { until: step, onEvent, signal: abort.signal, pollMs: 300 })
      .then((r) => { lastMessage = r.message; }, (e: unknown) => { lastMessage = `error: ${e instanceof Error ? e.message : String(e)}`; })
      .finally(() => { active = null; emit(step, "done", lastMessage); });
    active = { step, abort, promise };
  };

  /** After a host restart: a step whose job is still running is followed again (runPipeline reattaches). */
  const reattach = async (): Promise<void> => {
    const l = load();
    const ds = l?.project.datasets[0];
    if (!l || !ds || active) return;
    const running = STEP_ORDER.filter((s) => { const r = latestRun(l.project, s, ds.name); return r && (r.state === "running" || r.state === "queued"); });
    if (running.length === 0) return;
    const runner = new JobRunner(join(l.dir, "jobs"), { pollMs: 500 });
    try { await runner.recover(); } finally { runner.close(); }
    start(running[running.length - 1]!);
  };

  const open = (p: string): void => {
    const full = resolve(p);
    loadProject(full); // throws a clear error (with the backup copy) if corrupt
    path = full.endsWith(".yaml") || full.endsWith(".yml") ? full : join(full, PROJECT_FILE);
    progress.clear();
    lastMessage = `opened ${path}`;
    void reattach().catch((e: unknown) => { lastMessage = `reattach failed: ${e instanceof Error ? e.message : String(e)}`; });
  };

  if (o.projectPath) open(o.projectPath);

  const methods: PipelineMethods = {
    async pipelineState() {
      if (!path) { const s = suggested(); if (s && existsSync(s)) open(s); }
      return state();
    },
    async pipelineOpen({ path: p, create }) {
      if (active) throw new Error("a step is running; wait for it or cancel it before switching projects");
      const target = p.trim() === "" ? suggested() : p;
      if (!target) throw new Error("give a project folder");
      const file = target.endsWith(".yaml") || target.endsWith(".yml") ? resolve(target) : join(resolve(target), PROJECT_FILE);
      if (create && !existsSync(file)) {
        const files = o.sessionFiles();
        if (files.length === 0) throw new Error("open a dataset first (serialed serve FILE…): a new project takes the open dataset's files as inputs");
        const created = createProject(dirname(file), "project", files);
        const truth = join(dirname(files[0]!), "truth");
        saveProject(created.path, withDefaultOptions(created.project, existsSync(truth) ? truth : undefined));
      }
      open(file);
      return state();
    },
    async pipelineSetOptions({ step, options }) {
      const l = load();
      if (!l || !path) throw new Error("no project open");
      const s = stepOf(step);
      saveProject(path, withStepOptions(l.project, s, options, false));
      return state();
    },
    async pipelineRun({ step }) {
      start(stepOf(step));
      return state();
    },
    async pipelineCancel() {
      active?.abort.abort();
      return state();
    },
    async pipelineGeometry() {
      const l = load();
      if (!l) throw new Error("no project open");
      return geometryPlots(l.dir, l.project);
    },
    async pipelineResult({ step }) {
      const l = load();
      const s = stepOf(step);
      const ds = l?.project.datasets[0];
      const r = l && ds ? latestRun(l.project, s, ds.name) : undefined;
      if (!l || !r) return { step: s, runId: null, files: [], statsJson: null, crystalsCsv: null, log: null, text: null, crystalsPerChunk: null, statsHistory: [] };
      const abs = r.outputs.map((f) => resolveInProject(l.dir, f));
      const find = (re: RegExp): string | undefined => abs.find((f) => re.test(f));
      const jsonFile = find(/stats\.json$/);
      let statsJson: unknown = null;
      if (jsonFile) { try { statsJson = JSON.parse(readFileSync(jsonFile, "utf8")); } catch { statsJson = null; } }
      const csv = find(/\.crystals\.csv$/);
      const job = (l.project.runs.find((x) => x.id === r.id)?.jobId);
      const log = job ? readText(join(l.dir, "jobs", job, "log.txt"), 20_000) : null;
      const stream = find(/\.stream$/);
      const perChunk = stream ? crystalsPerChunk(stream) : null;
      const text = perChunk ? streamSummary(perChunk) : null;
      const label = (v: { startedAt: string; id: string }): string => {
        const m = l.project.runs.filter((x) => x.step === "merge" && x.state === "done" && x.startedAt <= v.startedAt).sort((x, y) => x.n - y.n).pop();
        return `${v.id}${m ? ` (${m.id}, ${String(m.options["model"] ?? "unity")})` : ""}`;
      };
      const statsHistory: { label: string; json: unknown }[] = [];
      if (s === "validate") {
        const runs = l.project.runs.filter((x) => x.step === "validate" && x.state === "done" && x.id !== r.id).sort((x, y) => y.n - x.n).slice(0, 4);
        for (const v of runs) {
          const f = v.outputs.find((o) => o.endsWith("stats.json"));
          const t = f ? readText(resolveInProject(l.dir, f)) : null;
          if (t) { try { statsHistory.push({ label: label(v), json: JSON.parse(t) }); } catch { /* unreadable: left out */ } }
        }
      }
      return { step: s, runId: s === "validate" ? label(r) : r.id, files: abs, statsJson, crystalsCsv: csv ? readText(csv) : null, log, text, crystalsPerChunk: perChunk, statsHistory };
    },
  };

  return {
    methods,
    openProject: open,
    // jobs are detached processes: they keep running when the host stops, and are reattached on the next open
    dispose() { active = null; },
  };
}
