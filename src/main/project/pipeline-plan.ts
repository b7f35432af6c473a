/**
 * What each pipeline step runs: the `serialed` subcommand (built-in engine) or the CrystFEL
 * program (engine: crystfel) with the project's options, the previous steps' outputs as inputs,
 * and the run folder for outputs. aggregate and corrections are folded into the centre-peaks job
 * (one `serialed preprocess` does all three, with the options of the three steps merged).
 */
import { readdirSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, relative } from "node:path";
import { stringify } from "yaml";
import { latestRun } from "../../core/project/project-model.ts";
import type { Project, StepConfig, StepName } from "../../core/project/project-model.ts";
import { checkHklArgs, DIFFRACTEM_INTEGRATION_DEFAULTS, indexamajigArgs, partialatorArgs } from "../crystfel/crystfel-options.ts";
import type { CrystfelOptions } from "../crystfel/crystfel-options.ts";
import type { CrystfelInstall } from "../crystfel/crystfel-detect.ts";
import type { ArraySpec } from "../jobs/job-record.ts";
import { writeFileAtomic } from "./atomic-write.ts";
import { resolveInProject } from "./project-store.ts";

/** Built-in subcommand of each step (null = folded into another step's job). */
export const STEP_SUBCOMMAND: Readonly<Record<StepName, string | null>> = {
  import: "info", aggregate: null, corrections: null, "centre-peaks": "preprocess", geometry: "geometry",
  index: "index", integrate: "integrate", merge: "merge", validate: "stats", export: "export",
};

export const FOLDED_INTO: Partial<Record<StepName, StepName>> = { aggregate: "centre-peaks", corrections: "centre-peaks" };

export interface StepContext {
  readonly projectDir: string;
  readonly project: Project;
  readonly dataset: string;
  /** Absolute run folder (created). */
  readonly runDir: string;
  readonly crystfel?: CrystfelInstall;
}

export interface StepCommand {
  /** argv for the job ("serialed" first for subcommands). */
  readonly argv: string[];
  /** Subcommand or program name, for messages. */
  readonly program: string;
  readonly cwd: string;
  readonly progressTotal?: number;
  /** Options used (recorded in the run history). */
  readonly options: Record<string, unknown>;
  /** Job array split (SLURM backend with resources.arrayTasks > 1, for steps that can split). */
  readonly array?: ArraySpec;
}

/** Step options → `--key value` arguments (true → bare flag, false/null → omitted, lists comma-joined, `_`-keys skipped). */
export function optionsToArgs(options: Readonly<Record<string, unknown>>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(options)) {
    if (k.startsWith("_") || v === undefined || v === null || v === false) continue;
    if (v === true) out.push(`--${k}`);
    else if (Array.isArray(v)) out.push(`--${k}`, v.join(","));
    else if (typeof v === "object") continue; // nested blocks (e.g. peak_search_params) only go through YAML files
    else out.push(`--${k}`, String(v));
  }
  return out;
}

function cfg(p: Project, s: StepName): StepConfig {
  return p.steps[s] ?? { options: {} };
}

/** An output of the latest successful run of `step` ending in `ext`, absolute. */
export function stepOutput(ctx: StepContext, step: StepName, ext: string, neededBy: StepName): string {
  const r = latestRun(ctx.project, step, ctx.dataset, "done");
  const f = r?.outputs.find((o) => o.endsWith(ext));
  if (!f) throw new Error(`step ${neededBy} needs a ${ext} file from step ${step}${r ? ` (its run ${r.id} produced none)` : ", which has not run successfully yet"}`);
  return resolveInProject(ctx.projectDir, f);
}

function optionalOutput(ctx: StepContext, step: StepName, ext: string): string | undefined {
  const f = latestRun(ctx.project, step, ctx.dataset, "done")?.outputs.find((o) => o.endsWith(ext));
  return f ? resolveInProject(ctx.projectDir, f) : undefined;
}

/** The stream merging reads: the integration's, or the indexing's when integration has not run. */
function mergeInputStream(ctx: StepContext, neededBy: StepName): string {
  return optionalOutput(ctx, "integrate", ".stream") ?? stepOutput(ctx, "index", ".stream", neededBy);
}

function inputs(ctx: StepContext): string[] {
  const ds = ctx.project.datasets.find((d) => d.name === ctx.dataset);
  if (!ds) throw new Error(`no dataset '${ctx.dataset}' in the project`);
  if (ds.inputs.length === 0) throw new Error(`dataset '${ctx.dataset}' has no input files`);
  return ds.inputs.map((i) => resolveInProject(ctx.projectDir, i));
}

/** Processed event list (from pre-processing) or the raw inputs. */
function processedInputs(ctx: StepContext): string[] {
  const lst = optionalOutput(ctx, "centre-peaks", ".lst");
  return lst ? [lst] : inputs(ctx);
}

function threads(c: StepConfig): number {
  return c.resources?.cpus ?? availableParallelism();
}

function crystfelProgram(ctx: StepContext, name: "indexamajig" | "partialator" | "check_hkl", step: StepName): string {
  const p = ctx.crystfel?.programs[name];
  if (!p?.path || !p.version) throw new Error(`step ${step} uses the CrystFEL engine, but ${name} was not found on PATH${p?.problem ? ` (${p.problem})` : ""}; install CrystFEL or set engine: builtin`);
  return p.path;
}

export function stepCommand(step: StepName, ctx: StepContext): StepCommand {
  const c = cfg(ctx.project, step);
  const o = c.options;
  const rd = ctx.runDir;
  if (c.command) {
    const argv = c.command.flatMap((a) => (a === "{inputs}" ? inputs(ctx) : [a.replaceAll("{run_dir}", rd).replaceAll("{project_dir}", ctx.projectDir)]));
    return { argv, program: argv[0] === "serialed" ? argv[1] ?? "serialed" : argv[0] ?? "?", cwd: rd, options: { ...o } };
  }
  const sub = (name: string, args: string[], options: Record<string, unknown> = { ...o }): StepCommand => ({ argv: ["serialed", name, ...args], program: `serialed ${name}`, cwd: ctx.projectDir, options });
  const cf = c.engine === "crystfel";
  switch (step) {
    case "import":
      return sub("info", inputs(ctx));
    case "aggregate":
    case "corrections":
      throw new Error(`step ${step} runs as part of centre-peaks`);
    case "centre-peaks": {
      // one diffractem-style options file for aggregation, corrections and pattern analysis
      const merged = { ...cfg(ctx.project, "aggregate").options, ...cfg(ctx.project, "corrections").options, ...o };
      const yaml = join(rd, "preproc.yaml");
      writeFileAtomic(yaml, stringify(merged));
      const ins = inputs(ctx);
      const tasks = Math.min(c.resources?.arrayTasks ?? 1, ins.length);
      if (c.backend === "slurm" && tasks > 1) {
        // one array task per group of input files; each writes its own list, collected into processed.lst
        const array: ArraySpec = { items: ins.length, tasks, output: join(rd, "processed.lst"), collect: "lines", inputs: ins };
        return { ...sub("preprocess", ["--opts", yaml, "--out", rd, "--list", "{part}", "{inputs}"], merged), array };
      }
      return sub("preprocess", ["--opts", yaml, "--out", rd, ...ins], merged);
    }
    case "geometry": {
      const opts = optionalOutput(ctx, "centre-peaks", "preproc.yaml");
      return sub("geometry", [...(opts ? ["--opts", opts] : []), ...optionsToArgs(o), "--out", rd, ...processedInputs(ctx)]);
    }
    case "index": {
      const geom = stepOutput(ctx, "geometry", ".geom", step), cell = stepOutput(ctx, "geometry", ".cell", step);
      if (cf) {
        const lst = stepOutput(ctx, "centre-peaks", ".lst", step);
        const prog = crystfelProgram(ctx, "indexamajig", step);
        return { argv: [prog, ...indexamajigArgs({ input: lst, output: join(rd, "run.stream"), geometry: geom, cell, threads: threads(c), options: o as CrystfelOptions, cwd: rd })], program: "indexamajig", cwd: rd, options: { ...o } };
      }
      return sub("index", ["--geom", geom, "--cell", cell, ...optionsToArgs(o), ...processedInputs(ctx), "--out", join(rd, "run.stream"), "--sol", join(rd, "run.sol")]);
    }
    case "integrate": {
      const sol = stepOutput(ctx, "index", ".sol", step);
      if (cf) {
        const geom = stepOutput(ctx, "geometry", ".geom", step), cell = stepOutput(ctx, "geometry", ".cell", step), lst = stepOutput(ctx, "centre-peaks", ".lst", step);
        const options = { ...DIFFRACTEM_INTEGRATION_DEFAULTS, ...(o as CrystfelOptions), "fromfile-input-file": sol };
        return { argv: [crystfelProgram(ctx, "indexamajig", step), ...indexamajigArgs({ input: lst, output: join(rd, "integrated.stream"), geometry: geom, cell, threads: threads(c), options, cwd: rd })], program: "indexamajig", cwd: rd, options };
      }
      const geom = stepOutput(ctx, "geometry", ".geom", step), cell = stepOutput(ctx, "geometry", ".cell", step);
      return sub("integrate", ["--sol", sol, "--geom", geom, "--cell", cell, ...optionsToArgs(o), ...processedInputs(ctx), "--out", join(rd, "integrated.stream")]);
    }
    case "merge": {
      const stream = mergeInputStream(ctx, step);
      if (cf) {
        const { symmetry = "1", ...rest } = o as Record<string, unknown>;
        return { argv: [crystfelProgram(ctx, "partialator", step), ...partialatorArgs({ input: stream, output: join(rd, "merged.hkl"), symmetry: String(symmetry), threads: threads(c), options: rest as CrystfelOptions })], program: "partialator", cwd: rd, options: { ...o } };
      }
      return sub("merge", [stream, ...optionsToArgs(o), "--out", join(rd, "merged.hkl")]);
    }
    case "validate": {
      const hkl = stepOutput(ctx, "merge", ".hkl", step), cell = stepOutput(ctx, "geometry", ".cell", step);
      if (cf) {
        const { symmetry = "1", ...rest } = o as Record<string, unknown>;
        return { argv: [crystfelProgram(ctx, "check_hkl", step), ...checkHklArgs({ hkl, symmetry: String(symmetry), cell, options: { ...(rest as CrystfelOptions), "shell-file": join(rd, "shells.dat") } })], program: "check_hkl", cwd: rd, options: { ...o } };
      }
      // statistics vs number of crystals (unless crystals-curve: false): the stream merge read, its model
      const { "crystals-curve": curveOpt, stream: _stream, ...rest } = o;
      const curve: string[] = [];
      if (curveOpt !== false) {
        const mergeModel = cfg(ctx.project, "merge").options["model"];
        curve.push("--crystals-curve", "--stream", mergeInputStream(ctx, step), ...(rest["model"] === undefined && mergeModel !== undefined ? ["--model", String(mergeModel)] : []));
      }
      return sub("stats", [hkl, "--cell", cell, ...optionsToArgs(rest), ...curve, "--json", join(rd, "stats.json")]);
    }
    case "export": {
      const hkl = stepOutput(ctx, "merge", ".hkl", step), cell = stepOutput(ctx, "geometry", ".cell", step);
      const format = String(o["format"] ?? "mtz");
      const ext = format === "shelx" ? "hkl4" : format === "mmcif" ? "cif" : format;
      return sub("export", [hkl, "--cell", cell, ...optionsToArgs({ format, ...o }), "--out", join(rd, `merged.${ext}`)]);
    }
  }
}

/** Files under the run folder, relative to the project folder (temporary files left out). */
export function listRunOutputs(projectDir: string, runDir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (!/\.tmp(-|$)/.test(n)) out.push(relative(projectDir, p));
    }
  };
  walk(runDir);
  return out;
}
