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
import { badOptionValues, foreignOptionMessage, foreignOptions, withCrystfelDefaults } from "../../core/project/engine-options.ts";
import { latestRun } from "../../core/project/project-model.ts";
import type { Project, StepConfig, StepName } from "../../core/project/project-model.ts";
import { checkHklArgs, compareHklArgs, indexamajigArgs, partialatorArgs } from "../crystfel/crystfel-options.ts";
import type { CrystfelOptions } from "../crystfel/crystfel-options.ts";
import type { CrystfelInstall } from "../crystfel/crystfel-detect.ts";
import type { ArraySpec } from "../jobs/job-record.ts";
import { resolveArgv, shellJoin } from "../jobs/command-line.ts";
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
  /** The program command lines when the job runs several in a row (CrystFEL validation: check_hkl, compare_hkl …). */
  readonly commands?: readonly (readonly string[])[];
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

function crystfelProgram(ctx: StepContext, name: "indexamajig" | "partialator" | "check_hkl" | "compare_hkl", step: StepName): string {
  const p = ctx.crystfel?.programs[name];
  if (!p?.path || !p.version) throw new Error(`step ${step} uses the CrystFEL engine, but ${name} was not found on PATH${p?.problem ? ` (${p.problem})` : ""}; install CrystFEL or set engine: builtin`);
  return p.path;
}

/** The step's options for the CrystFEL engine with diffractem's defaults; an option CrystFEL does not have is refused. */
function crystfelOptions(step: StepName, o: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const bad = foreignOptions(step, "crystfel", o);
  if (bad.length > 0) throw new Error(foreignOptionMessage(step, "crystfel", bad));
  const wrong = badOptionValues(step, o);
  if (wrong.length > 0) throw new Error(wrong.join("; "));
  return withCrystfelDefaults(step, o);
}

/** The .sol of the latest successful run of the index step that wrote one (the built-in indexer's), absolute. */
function latestSol(ctx: StepContext, step: StepName): string {
  let best: { n: number; f: string } | undefined;
  for (const r of ctx.project.runs) {
    if (r.step !== "index" || r.dataset !== ctx.dataset || r.state !== "done") continue;
    const f = r.outputs.find((x) => x.endsWith(".sol"));
    if (f && (!best || r.n > best.n)) best = { n: r.n, f };
  }
  if (!best) throw new Error(`step ${step}: indexing=file needs a .sol file: run the index step once with the built-in engine (it writes run.sol), or set the option fromfile-input-file to a .sol file`);
  return resolveInProject(ctx.projectDir, best.f);
}

/** CrystFEL figures of merit compare_hkl computes (--fom). */
const COMPARE_HKL_FOMS = ["R1I", "R1F", "R2", "Rsplit", "CC", "CCstar", "CCano", "CRDano", "Rano", "Rano/Rsplit", "d1sig", "d2sig"];

/** One program of a sequence job; `shellArgs` is shell text appended unquoted (e.g. `$range`), `before` a shell line run first. */
interface SequenceCommand { readonly argv: readonly string[]; readonly name: string; readonly shellArgs?: string; readonly before?: string }

/** `sh -c` running the commands in order, each one's terminal output (stderr) also kept in `<name>.txt`; stops at the first failure. */
function sequenceArgv(cmds: readonly SequenceCommand[]): string[] {
  const script = cmds.map((c) => `${c.before ? `${c.before}\n` : ""}{ ${shellJoin(resolveArgv(c.argv))}${c.shellArgs ? ` ${c.shellArgs}` : ""}; } 2>${shellJoin([`${c.name}.txt`])}; s=$?; cat ${shellJoin([`${c.name}.txt`])} >&2; [ $s -eq 0 ] || exit $s`).join("\n");
  return ["/bin/sh", "-c", script];
}

/**
 * `sh -c`: `serialed crystfel sol STREAM --out SOL` (the .sol from an indexed stream, diffractem's
 * stream2sol), then `exec` of the step's program, so its output streams live and its exit status is
 * the job's; a stream without crystals stops the job with the converter's message.
 */
function solFromStreamArgv(stream: string, sol: string, argv: readonly string[]): string[] {
  return ["/bin/sh", "-c", `${shellJoin(resolveArgv(["serialed", "crystfel", "sol", stream, "--out", sol]))} || exit $?\nexec ${shellJoin(resolveArgv(argv))}`];
}

/**
 * Shell line setting `$range` to compare_hkl's `--rmin=… --rmax=…` (m⁻¹) from check_hkl's "1/d goes
 * from A to B nm^-1" line, widened by 1e-6 nm⁻¹ against the 6-decimal print so no reflection falls
 * outside: compare_hkl then bins the same shells as check_hkl (by default it bins the accepted pairs'
 * narrower range), so CC½, CC* and Rsplit go into the same shell rows. Empty when the line is missing.
 */
function rangeFromCheckHkl(checkLog: string): string {
  return `range=$(awk '/^1\\/d goes from / { printf "--rmin=%.9e --rmax=%.9e", ($4 - 0.000001) * 1e9, ($6 + 0.000001) * 1e9 }' ${shellJoin([checkLog])})`;
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
  if (!cf) {
    const bad = foreignOptions(step, "builtin", o);
    if (bad.length > 0) throw new Error(foreignOptionMessage(step, "builtin", bad));
  }
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
        const options = crystfelOptions(step, o);
        if (options["indexing"] === "file") {
          const given = options["fromfile-input-file"];
          options["fromfile-input-file"] = typeof given === "string" && given.trim() !== "" ? resolveInProject(ctx.projectDir, given.trim()) : latestSol(ctx, step);
        }
        // diffractem passes the camera length to the indexer (pinkIndexer needs it)
        const cam = cfg(ctx.project, "corrections").options["cam_length"];
        if (options["camera-length-estimate"] === undefined && typeof cam === "number") options["camera-length-estimate"] = cam;
        const lst = stepOutput(ctx, "centre-peaks", ".lst", step);
        const prog = crystfelProgram(ctx, "indexamajig", step);
        return { argv: [prog, ...indexamajigArgs({ input: lst, output: join(rd, "run.stream"), geometry: geom, cell, threads: threads(c), options: options as CrystfelOptions, cwd: rd })], program: "indexamajig", cwd: rd, options };
      }
      return sub("index", ["--geom", geom, "--cell", cell, ...optionsToArgs(o), ...processedInputs(ctx), "--out", join(rd, "run.stream"), "--sol", join(rd, "run.sol")]);
    }
    case "integrate": {
      // the index run's .sol; an index run by CrystFEL left only its stream: the job first writes the .sol from it
      const given = optionalOutput(ctx, "index", ".sol");
      const sol = given ?? join(rd, "index.sol");
      const fromStream = given ? null : optionalOutput(ctx, "index", ".stream") ?? stepOutput(ctx, "index", ".sol", step);
      const withSol = (x: StepCommand): StepCommand => (fromStream === null ? x : { ...x, argv: solFromStreamArgv(fromStream, sol, x.argv) });
      if (cf) {
        const geom = stepOutput(ctx, "geometry", ".geom", step), cell = stepOutput(ctx, "geometry", ".cell", step), lst = stepOutput(ctx, "centre-peaks", ".lst", step);
        const options = { indexing: "file", "fromfile-input-file": sol, ...crystfelOptions(step, o) };
        return withSol({ argv: [crystfelProgram(ctx, "indexamajig", step), ...indexamajigArgs({ input: lst, output: join(rd, "integrated.stream"), geometry: geom, cell, threads: threads(c), options: options as CrystfelOptions, cwd: rd })], program: "indexamajig", cwd: rd, options });
      }
      const geom = stepOutput(ctx, "geometry", ".geom", step), cell = stepOutput(ctx, "geometry", ".cell", step);
      return withSol(sub("integrate", ["--sol", sol, "--geom", geom, "--cell", cell, ...optionsToArgs(o), ...processedInputs(ctx), "--out", join(rd, "integrated.stream")]));
    }
    case "merge": {
      const stream = mergeInputStream(ctx, step);
      if (cf) {
        const options = crystfelOptions(step, o);
        const { symmetry, ...rest } = options;
        if (symmetry === undefined || String(symmetry).trim() === "") throw new Error("step merge: option 'symmetry' (the point group, e.g. 422) is not set; partialator needs it (-y)");
        return { argv: [crystfelProgram(ctx, "partialator", step), ...partialatorArgs({ input: stream, output: join(rd, "merged.hkl"), symmetry: String(symmetry), threads: threads(c), options: rest as CrystfelOptions })], program: "partialator", cwd: rd, options };
      }
      return sub("merge", [stream, ...optionsToArgs(o), "--out", join(rd, "merged.hkl")]);
    }
    case "validate": {
      const hkl = stepOutput(ctx, "merge", ".hkl", step), cell = stepOutput(ctx, "geometry", ".cell", step);
      if (cf) {
        const options = crystfelOptions(step, o);
        const { symmetry: own, fom = "", ...rest } = options;
        const symmetry = own ?? cfg(ctx.project, "merge").options["symmetry"];
        if (symmetry === undefined || String(symmetry).trim() === "") throw new Error("step validate: option 'symmetry' (the point group) is not set here nor on the merge step; check_hkl needs it (-y)");
        const foms = String(fom).split(",").map((f) => f.trim()).filter((f) => f !== "");
        const unknown = foms.filter((f) => !COMPARE_HKL_FOMS.includes(f));
        if (unknown.length > 0) throw new Error(`step validate: option 'fom': ${unknown.map((f) => `'${f}'`).join(", ")} is not a compare_hkl figure of merit (${COMPARE_HKL_FOMS.join(", ")})`);
        const cmds: SequenceCommand[] = [{ name: "check_hkl", argv: [crystfelProgram(ctx, "check_hkl", step), ...checkHklArgs({ hkl, symmetry: String(symmetry), cell, options: { ...(rest as CrystfelOptions), "shell-file": join(rd, "check_hkl_shells.dat") } })] }];
        // compare_hkl on check_hkl's shells unless the user fixed the range (then both programs get it)
        const ownRange = ["lowres", "highres", "rmin", "rmax"].some((k) => rest[k] !== undefined && rest[k] !== null && rest[k] !== false);
        if (foms.length > 0) {
          const cmp = crystfelProgram(ctx, "compare_hkl", step);
          foms.forEach((f, i) => {
            const name = `compare_hkl_${f.replace(/[^A-Za-z0-9]/g, "_")}`;
            cmds.push({ name, argv: [cmp, ...compareHklArgs({ hkl1: `${hkl}1`, hkl2: `${hkl}2`, symmetry: String(symmetry), cell, fom: f, options: { ...(rest as CrystfelOptions), "shell-file": join(rd, `${name}.dat`) } })], ...(ownRange ? {} : { shellArgs: "$range", ...(i === 0 ? { before: rangeFromCheckHkl("check_hkl.txt") } : {}) }) });
          });
        }
        // the statistics pane's stats.json (the built-in engine's shape) from the shell files, in the same job
        const conv = ["serialed", "crystfel", "stats", "--check", join(rd, "check_hkl_shells.dat"), "--check-log", join(rd, "check_hkl.txt"), ...cmds.slice(1).flatMap((x) => ["--compare", join(rd, `${x.name}.dat`)]), "--hkl", hkl, "--symmetry", String(symmetry), "--json", join(rd, "stats.json")];
        return { argv: sequenceArgv([...cmds, { name: "crystfel_stats", argv: conv }]), program: cmds.map((x) => x.name).join(" + "), cwd: rd, options, commands: cmds.map((x) => [...x.argv]) };
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
