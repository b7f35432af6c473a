/**
 * sbatch scripts for jobs: resources from the project (partition, CPUs, memory, time, GRES, extra
 * options), a job array over shot ranges when the spec has `array` with more than one task. Each
 * task computes its inclusive range [first, last] from SLURM_ARRAY_TASK_ID exactly like
 * taskRange() and writes its output to parts/part-<k><ext>.
 */
import { extname } from "node:path";
import type { StepResources } from "../../core/project/project-model.ts";
import type { ArraySpec } from "../jobs/job-record.ts";

/** Double-quoted shell word in which {first} {last} {count} {part} become shell variables. */
export function shellWordWithPlaceholders(a: string): string {
  if (a === "{inputs}") return '"${inputs[@]:first:count}"';
  const esc = a.replace(/["$`\\]/g, "\\$&");
  return `"${esc.replaceAll("{first}", "${first}").replaceAll("{last}", "${last}").replaceAll("{count}", "${count}").replaceAll("{part}", "${part}")}"`;
}

export function sbatchResourceLines(r: StepResources | undefined): string[] {
  const l: string[] = [];
  if (!r) return l;
  if (r.partition) l.push(`--partition=${r.partition}`);
  if (r.cpus) l.push(`--cpus-per-task=${r.cpus}`);
  if (r.memMb) l.push(`--mem=${r.memMb}M`);
  if (r.time) l.push(`--time=${r.time}`);
  if (r.gres) l.push(`--gres=${r.gres}`);
  for (const x of r.extraSbatch ?? []) {
    if (!x.startsWith("-") || /[\n\r]/.test(x)) throw new Error(`extra sbatch option '${x}' must be one option starting with '-'`);
    l.push(x);
  }
  return l;
}

export interface BatchScriptInput {
  readonly jobName: string;
  /** Resolved command (argv[0] an executable), may contain placeholders. */
  readonly argv: readonly string[];
  /** Working directory (--chdir); omitted = the folder sbatch is called from. */
  readonly cwd?: string;
  /** Log file pattern; %a = array task index. */
  readonly logPattern: string;
  readonly partsDir: string;
  readonly resources?: StepResources;
  readonly array?: ArraySpec;
  readonly env?: Readonly<Record<string, string>>;
}

export function partExtension(a: ArraySpec): string {
  return extname(a.output);
}

export function partPath(partsDir: string, a: ArraySpec, k: number): string {
  return `${partsDir}/part-${k}${partExtension(a)}`;
}

export function arrayTaskCount(a: ArraySpec | undefined): number {
  return a ? Math.max(1, Math.min(a.tasks, a.items)) : 1;
}

export function batchScript(x: BatchScriptInput): string {
  const tasks = arrayTaskCount(x.array);
  const lines = ["#!/bin/bash", `#SBATCH --job-name=${x.jobName.replace(/[^A-Za-z0-9_.-]/g, "_")}`, `#SBATCH --output=${x.logPattern}`];
  if (x.cwd) lines.push(`#SBATCH --chdir=${x.cwd}`);
  for (const r of sbatchResourceLines(x.resources)) lines.push(`#SBATCH ${r}`);
  if (x.array && tasks > 1) lines.push(`#SBATCH --array=0-${tasks - 1}`);
  lines.push("set -u");
  for (const [k, v] of Object.entries(x.env ?? {})) lines.push(`export ${k}=${shellWordWithPlaceholders(v)}`);
  if (x.array) {
    if (x.array.inputs) {
      if (x.array.inputs.length !== x.array.items) throw new Error(`job array over input files: items (${x.array.items}) must equal the number of inputs (${x.array.inputs.length})`);
      lines.push(`inputs=(${x.array.inputs.map(shellWordWithPlaceholders).join(" ")})`);
    }
    lines.push(
      `items=${x.array.items}; tasks=${tasks}; k=\${SLURM_ARRAY_TASK_ID:-0}`,
      "first=$(( k * items / tasks )); last=$(( (k + 1) * items / tasks - 1 )); count=$(( last - first + 1 ))",
      tasks > 1 ? `part=${shellWordWithPlaceholders(x.partsDir)}/part-\${k}${partExtension(x.array)}` : `part=${shellWordWithPlaceholders(x.array.output)}`,
      `echo "serialed: task $k of $tasks, items $first-$last on $(hostname)"`,
    );
  }
  lines.push(`exec ${x.argv.map(shellWordWithPlaceholders).join(" ")}`, "");
  return lines.join("\n");
}
