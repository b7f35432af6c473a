/**
 * Self-contained job bundle (.tar.gz) for clusters the host cannot reach, like diffractem's SLURM
 * helpers: copy it over, unpack, `./submit.sh` (or `./run-local.sh` without SLURM), then
 * `./collect.sh` to assemble the output from the parts. Contents:
 *   job.sbatch     batch script (array over shot ranges when tasks > 1); runs `${SERIALED:-serialed} …`
 *   submit.sh      sbatch job.sbatch (pass --wait to block until the job ends)
 *   run-local.sh   runs every task one after the other without SLURM, then collect.sh
 *   collect.sh     concatenates parts/ into the output (stream: header once + chunks)
 *   inputs/        the input files (paths in the command are rewritten to inputs/<name>)
 *   bundle.json    manifest; README.txt
 */
import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { execa } from "execa";
import type { StepResources } from "../../core/project/project-model.ts";
import type { ArraySpec } from "../jobs/job-record.ts";
import { arrayTaskCount, batchScript, partExtension } from "./batch-script.ts";

export interface JobBundleInput {
  readonly name: string;
  /** serialed arguments (without "serialed"), may contain {first} {last} {count} {part}. */
  readonly args: readonly string[];
  /** Files to ship; every argument equal to one of these paths is rewritten to inputs/<basename>. */
  readonly inputs?: readonly string[];
  readonly resources?: StepResources;
  /** Shot-range split; `output` is taken as a file name inside the bundle folder. */
  readonly array?: ArraySpec;
}

const SERIALED_MARK = "__SERIALED_COMMAND__";

export function bundleScripts(x: JobBundleInput): Record<string, string> {
  const inputs = x.inputs ?? [];
  const names = new Map<string, string>();
  for (const p of inputs) {
    const n = basename(p);
    if ([...names.values()].includes(`inputs/${n}`)) throw new Error(`two inputs are named ${n}; rename one before bundling`);
    names.set(resolve(p), `inputs/${n}`);
  }
  const args = x.args.map((a) => names.get(resolve(a)) ?? a);
  const array = x.array ? { ...x.array, output: basename(x.array.output), ...(x.array.inputs ? { inputs: x.array.inputs.map((i) => names.get(resolve(i)) ?? i) } : {}) } : undefined;
  const tasks = arrayTaskCount(array);
  let job = batchScript({
    jobName: `serialed-${x.name}`,
    argv: [SERIALED_MARK, ...args],
    logPattern: tasks > 1 ? "logs/task-%a.log" : "logs/job.log",
    partsDir: "parts",
    ...(x.resources ? { resources: x.resources } : {}),
    ...(array ? { array } : {}),
  });
  job = job.replace(`"${SERIALED_MARK}"`, "${SERIALED:-serialed}");
  const out = array?.output ?? "";
  const ext = array ? partExtension(array) : "";
  const collect = !array || tasks <= 1 ? "#!/bin/bash\n# single task: the output is written directly\nexit 0\n"
    : array.collect === "stream"
      ? `#!/bin/bash\n# Assemble ${out} from parts/: stream header once, then the chunks of every part in task order.\nset -euo pipefail\ncd "$(dirname "$0")"\ntmp=${out}.tmp\n: > "$tmp"\nfor k in $(seq 0 ${tasks - 1}); do\n  p=parts/part-$k${ext}\n  [ -f "$p" ] || { echo "missing $p: task $k did not finish (see logs/task-$k.log)" >&2; exit 1; }\n  if [ "$k" = 0 ]; then cat "$p" >> "$tmp"; else awk 'f || /^----- Begin chunk -----$/ {f=1; print}' "$p" >> "$tmp"; fi\ndone\nmv "$tmp" ${out}\necho "wrote ${out}"\n`
      : `#!/bin/bash\n# Assemble ${out} from parts/ in task order.\nset -euo pipefail\ncd "$(dirname "$0")"\ntmp=${out}.tmp\n: > "$tmp"\nfor k in $(seq 0 ${tasks - 1}); do\n  p=parts/part-$k${ext}\n  [ -f "$p" ] || { echo "missing $p: task $k did not finish (see logs/task-$k.log)" >&2; exit 1; }\n  cat "$p" >> "$tmp"\ndone\nmv "$tmp" ${out}\necho "wrote ${out}"\n`;
  const submit = `#!/bin/bash\n# Submit to SLURM from this folder. Set SERIALED to the serialed command if it is not on PATH\n# (e.g. SERIALED="node /opt/serialed-studio/bin/serialed.mjs"). Extra arguments go to sbatch (e.g. --wait).\nset -euo pipefail\ncd "$(dirname "$0")"\nmkdir -p logs parts\nexec sbatch "$@" job.sbatch\n`;
  const runLocal = `#!/bin/bash\n# Run all ${tasks} task(s) here, one after the other, without SLURM; then assemble the output.\nset -euo pipefail\ncd "$(dirname "$0")"\nmkdir -p logs parts\nfor k in $(seq 0 ${tasks - 1}); do\n  SLURM_ARRAY_TASK_ID=$k bash job.sbatch > logs/task-$k.log 2>&1 || { echo "task $k failed; see logs/task-$k.log" >&2; tail -20 logs/task-$k.log >&2; exit 1; }\ndone\nexec bash collect.sh\n`;
  const readme = `serialed-studio job bundle: ${x.name}\n\n1. Copy this folder to the cluster and unpack it.\n2. Make serialed available (install serialed-studio, or set SERIALED to its command).\n3. ./submit.sh           submits ${tasks > 1 ? `a job array of ${tasks} tasks` : "one batch job"} (logs in logs/)\n   ./run-local.sh        runs it without SLURM\n4. ./collect.sh          assembles ${out || "the output"} from parts/ when all tasks are done\n\nCommand: serialed ${args.join(" ")}\n`;
  return { "job.sbatch": job, "submit.sh": submit, "run-local.sh": runLocal, "collect.sh": collect, "README.txt": readme, "bundle.json": JSON.stringify({ name: x.name, args, inputs: [...names.values()], resources: x.resources ?? {}, array: array ?? null, tasks }, null, 2) + "\n" };
}

/** Writes the bundle to `outPath` (.tar.gz, via a temp file + rename). Returns the list of entries. */
export async function writeJobBundle(outPath: string, x: JobBundleInput): Promise<string[]> {
  const stage = mkdtempSync(join(tmpdir(), "serialed-bundle-"));
  const top = x.name.replace(/[^A-Za-z0-9_.-]/g, "_");
  const root = join(stage, top);
  try {
    mkdirSync(join(root, "inputs"), { recursive: true });
    const files = bundleScripts(x);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text, { mode: name.endsWith(".sh") || name.endsWith(".sbatch") ? 0o755 : 0o644 });
    for (const p of x.inputs ?? []) {
      try { copyFileSync(p, join(root, "inputs", basename(p))); } catch (e) { throw new Error(`cannot add input ${p} to the bundle: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { cause: e }); }
    }
    const tmp = join(dirname(resolve(outPath)), `.${basename(outPath)}.tmp-${process.pid}`);
    const r = await execa("tar", ["-czf", tmp, "-C", stage, top], { reject: false });
    if (r.exitCode !== 0) { rmSync(tmp, { force: true }); throw new Error(`tar failed writing ${outPath}: ${r.stderr.trim()}`); }
    renameSync(tmp, outPath);
    return [...Object.keys(files), ...(x.inputs ?? []).map((p) => `inputs/${basename(p)}`)].map((f) => `${top}/${f}`);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}
