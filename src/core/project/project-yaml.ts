/**
 * project.yaml <-> Project. Human-readable YAML (the `yaml` package); parsing validates every
 * field and names the offending key, so a hand-edited file gives a clear error, never garbage.
 */
import { parseDocument, stringify } from "yaml";
import { isStepName } from "./project-model.ts";
import type { Project, ProjectDataset, RunRecord, RunState, StepConfig, StepResources } from "./project-model.ts";

/** Error in a project file's content; `where` is the key path, e.g. `steps.index.resources.cpus`. */
export class ProjectFormatError extends Error {
  constructor(readonly source: string, readonly where: string, problem: string) {
    super(`${source}: ${where ? `${where}: ` : ""}${problem}`);
    this.name = "ProjectFormatError";
  }
}

const HEADER = "# serialed-studio project file. Edit with care: options per step, run history below.\n";

export function serializeProjectYaml(p: Project): string {
  return HEADER + stringify(p, { lineWidth: 0, aliasDuplicateObjects: false });
}

type Obj = Record<string, unknown>;
const RUN_STATES: readonly RunState[] = ["queued", "running", "done", "failed", "cancelled", "interrupted"];

export function parseProjectYaml(text: string, source = "project.yaml"): Project {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new ProjectFormatError(source, "", `not valid YAML (${e.message.split("\n")[0]})`);
  }
  const root = doc.toJS() as unknown;
  const fail = (where: string, problem: string): never => { throw new ProjectFormatError(source, where, problem); };
  const obj = (v: unknown, where: string): Obj => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : fail(where, "expected a mapping"));
  const str = (v: unknown, where: string): string => (typeof v === "string" ? v : fail(where, `expected a string, got ${JSON.stringify(v)}`));
  const num = (v: unknown, where: string, integer = false): number =>
    typeof v === "number" && Number.isFinite(v) && (!integer || Number.isInteger(v)) ? v : fail(where, `expected ${integer ? "an integer" : "a number"}, got ${JSON.stringify(v)}`);
  const strList = (v: unknown, where: string): string[] => (Array.isArray(v) ? v.map((x, i) => str(x, `${where}[${i}]`)) : fail(where, "expected a list"));

  const r = obj(root, "");
  if (r["version"] !== 1) fail("version", `unsupported project version ${JSON.stringify(r["version"])} (expected 1)`);
  // a complete file always has all top-level keys (the serializer writes them): their absence means truncation
  for (const k of ["name", "datasets", "steps", "runs"]) if (!(k in r)) fail(k, "missing (the file is incomplete or not a project file)");
  const name = str(r["name"], "name");
  if (name.includes("\n")) fail("name", "must be a single line");
  const datasets: ProjectDataset[] = (Array.isArray(r["datasets"] ?? []) ? ((r["datasets"] ?? []) as unknown[]) : fail("datasets", "expected a list")).map((d, i) => {
    const o = obj(d, `datasets[${i}]`);
    const ds: ProjectDataset = { name: str(o["name"], `datasets[${i}].name`), inputs: strList(o["inputs"] ?? [], `datasets[${i}].inputs`) };
    return o["query"] !== undefined ? { ...ds, query: str(o["query"], `datasets[${i}].query`) } : ds;
  });
  const steps: Partial<Record<string, StepConfig>> = {};
  const so = r["steps"] === undefined || r["steps"] === null ? {} : obj(r["steps"], "steps");
  for (const [k, v] of Object.entries(so)) {
    const w = `steps.${k}`;
    if (!isStepName(k)) fail(w, "unknown step name");
    const o = obj(v, w);
    let cfg: StepConfig = { options: o["options"] === undefined || o["options"] === null ? {} : obj(o["options"], `${w}.options`) };
    if (o["engine"] !== undefined) {
      const e = str(o["engine"], `${w}.engine`);
      if (e !== "builtin" && e !== "crystfel") fail(`${w}.engine`, `expected builtin or crystfel, got '${e}'`);
      cfg = { ...cfg, engine: e as "builtin" | "crystfel" };
    }
    if (o["backend"] !== undefined) {
      const b = str(o["backend"], `${w}.backend`);
      if (b !== "local" && b !== "slurm") fail(`${w}.backend`, `expected local or slurm, got '${b}'`);
      cfg = { ...cfg, backend: b as "local" | "slurm" };
    }
    if (o["command"] !== undefined) cfg = { ...cfg, command: strList(o["command"], `${w}.command`) };
    if (o["resources"] !== undefined) cfg = { ...cfg, resources: parseResources(obj(o["resources"], `${w}.resources`), `${w}.resources`) };
    steps[k] = cfg;
  }
  function parseResources(o: Obj, w: string): StepResources {
    const known = ["partition", "cpus", "memMb", "time", "gres", "extraSbatch", "arrayTasks"];
    for (const k of Object.keys(o)) if (!known.includes(k)) fail(`${w}.${k}`, `unknown resource (known: ${known.join(", ")})`);
    const res: { -readonly [K in keyof StepResources]: StepResources[K] } = {};
    if (o["partition"] !== undefined) res.partition = str(o["partition"], `${w}.partition`);
    if (o["cpus"] !== undefined) res.cpus = num(o["cpus"], `${w}.cpus`, true);
    if (o["memMb"] !== undefined) res.memMb = num(o["memMb"], `${w}.memMb`, true);
    if (o["time"] !== undefined) res.time = String(o["time"]);
    if (o["gres"] !== undefined) res.gres = str(o["gres"], `${w}.gres`);
    if (o["extraSbatch"] !== undefined) res.extraSbatch = strList(o["extraSbatch"], `${w}.extraSbatch`);
    if (o["arrayTasks"] !== undefined) res.arrayTasks = num(o["arrayTasks"], `${w}.arrayTasks`, true);
    return res;
  }
  const runsRaw = r["runs"] ?? [];
  const runs: RunRecord[] = (Array.isArray(runsRaw) ? runsRaw : fail("runs", "expected a list")).map((x, i) => {
    const w = `runs[${i}]`;
    const o = obj(x, w);
    const step = str(o["step"], `${w}.step`);
    if (!isStepName(step)) fail(`${w}.step`, `unknown step '${step}'`);
    const state = str(o["state"], `${w}.state`) as RunState;
    if (!RUN_STATES.includes(state)) fail(`${w}.state`, `unknown state '${state}'`);
    let run: RunRecord = {
      id: str(o["id"], `${w}.id`), step: step as RunRecord["step"], n: num(o["n"], `${w}.n`, true),
      dataset: str(o["dataset"], `${w}.dataset`), state, startedAt: str(o["startedAt"], `${w}.startedAt`),
      configHash: str(o["configHash"], `${w}.configHash`),
      options: o["options"] === undefined ? {} : obj(o["options"], `${w}.options`),
      outputs: strList(o["outputs"] ?? [], `${w}.outputs`),
    };
    if (o["finishedAt"] !== undefined) run = { ...run, finishedAt: str(o["finishedAt"], `${w}.finishedAt`) };
    if (o["jobId"] !== undefined) run = { ...run, jobId: str(o["jobId"], `${w}.jobId`) };
    if (o["results"] !== undefined) run = { ...run, results: obj(o["results"], `${w}.results`) };
    if (o["message"] !== undefined) run = { ...run, message: str(o["message"], `${w}.message`) };
    return run;
  });
  return { version: 1, name, datasets, steps, runs };
}
