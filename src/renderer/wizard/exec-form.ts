/** The SLURM resources form of a wizard step (ExecutionPanel.tsx): text fields <-> StepResourcesWire. */
import type { StepResourcesWire } from "../../core/api/host-api.ts";

export interface ResourceForm { partition: string; cpus: string; memMb: string; time: string; gres: string; extraSbatch: string; arrayTasks: string }

export const toForm = (r: StepResourcesWire): ResourceForm => ({
  partition: r.partition ?? "", cpus: r.cpus?.toString() ?? "", memMb: r.memMb?.toString() ?? "", time: r.time ?? "", gres: r.gres ?? "",
  extraSbatch: (r.extraSbatch ?? []).join("\n"), arrayTasks: r.arrayTasks?.toString() ?? "",
});

function intField(label: string, v: string): number | undefined {
  const t = v.trim();
  if (t === "") return undefined;
  const n = Number(t);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${label}: '${t}' is not a whole number ≥ 1`);
  return n;
}

/** Form → resources (empty fields left out = the cluster's defaults). */
export function formToResources(f: ResourceForm, canSplit: boolean): StepResourcesWire {
  const r: { -readonly [K in keyof StepResourcesWire]: StepResourcesWire[K] } = {};
  if (f.partition.trim()) r.partition = f.partition.trim();
  const cpus = intField("CPUs", f.cpus), mem = intField("memory", f.memMb), tasks = canSplit ? intField("array tasks", f.arrayTasks) : undefined;
  if (cpus !== undefined) r.cpus = cpus;
  if (mem !== undefined) r.memMb = mem;
  if (f.time.trim()) r.time = f.time.trim();
  if (f.gres.trim()) r.gres = f.gres.trim();
  const extra = f.extraSbatch.split("\n").map((x) => x.trim()).filter(Boolean);
  if (extra.length > 0) r.extraSbatch = extra;
  if (tasks !== undefined) r.arrayTasks = tasks;
  return r;
}
