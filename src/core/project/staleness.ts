/**
 * Out-of-date tracking: each step's config hash chains its own options with the hash of the step
 * before it and the dataset inputs, so changing an earlier step's options changes every later
 * step's hash, and the runs recorded under the old hash become stale.
 */
import { STEP_ORDER, latestRun } from "./project-model.ts";
import type { Project, StepName } from "./project-model.ts";
import { stableHash } from "./stable-hash.ts";

/**
 * Config hash of every step for one dataset. `inputsFingerprint` is supplied by the host
 * (e.g. paths + sizes + modification times of the input files) so that changed data also counts.
 */
export function stepConfigHashes(p: Project, dataset: string, inputsFingerprint = ""): Record<StepName, string> {
  const ds = p.datasets.find((d) => d.name === dataset);
  let prev = stableHash({ inputs: ds?.inputs ?? [], query: ds?.query ?? null, fingerprint: inputsFingerprint });
  const out = {} as Record<StepName, string>;
  for (const step of STEP_ORDER) {
    const cfg = p.steps[step];
    // engine matters for results; backend and resources do not (SLURM = local results); `_`-keys
    // (options put aside for the other engine, engine-options.ts) are not passed to any program.
    const options = Object.fromEntries(Object.entries(cfg?.options ?? {}).filter(([k]) => !k.startsWith("_")));
    prev = stableHash({ prev, step, options, engine: cfg?.engine ?? "builtin", command: cfg?.command ?? null });
    out[step] = prev;
  }
  return out;
}

/**
 * never-run: no successful run; up-to-date: the latest successful run used the current config;
 * stale: it used an older config (an option of this or an earlier step changed since);
 * running / failed: the latest run of any state is in progress / failed.
 */
export type StepStatus = "never-run" | "up-to-date" | "stale" | "running" | "failed";

export function stepStatuses(p: Project, dataset: string, inputsFingerprint = ""): Record<StepName, StepStatus> {
  const hashes = stepConfigHashes(p, dataset, inputsFingerprint);
  const out = {} as Record<StepName, StepStatus>;
  let upstreamStale = false;
  for (const step of STEP_ORDER) {
    const last = latestRun(p, step, dataset);
    const ok = latestRun(p, step, dataset, "done");
    let s: StepStatus;
    if (last && (last.state === "running" || last.state === "queued")) s = "running";
    else if (last && last.state === "failed" && (!ok || ok.n < last.n)) s = "failed";
    else if (!ok) s = "never-run";
    else if (ok.configHash !== hashes[step] || upstreamStale) s = "stale";
    else s = "up-to-date";
    // a later step run before an earlier one was re-run is stale too
    if (s === "stale" || (ok && upstreamRunAfter(p, step, dataset, ok.startedAt))) {
      if (s === "up-to-date") s = "stale";
      upstreamStale = true;
    }
    out[step] = s;
  }
  return out;
}

/** True when an earlier step has a successful run that started after `since`. */
function upstreamRunAfter(p: Project, step: StepName, dataset: string, since: string): boolean {
  const idx = STEP_ORDER.indexOf(step);
  for (let i = 0; i < idx; i++) {
    const r = latestRun(p, STEP_ORDER[i]!, dataset, "done");
    if (r && r.startedAt > since) return true;
  }
  return false;
}
