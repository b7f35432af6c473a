/** `serialed slurm start|status|bundle`: the SLURM backend from the command line. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { getNumber, getString, parseArgs } from "../args.ts";
import { REPO_ROOT } from "../../jobs/command-line.ts";
import { slurmAvailable, squeueAll } from "../../slurm/slurm-commands.ts";
import { writeJobBundle } from "../../slurm/job-bundle.ts";

export const summary = "SLURM: start a local test cluster, show jobs, write a self-contained job bundle";

export const usage = `Usage:
  serialed slurm start
      Starts a single-node SLURM on this machine (munged, slurmctld, slurmd; needs root and the
      Debian packages slurm-wlm + munge). Does nothing if it is already up.
  serialed slurm status
      Partitions and the jobs SLURM knows about (one squeue call).
  serialed slurm bundle --out JOB.tar.gz [--name N] [--input FILE]… [--tasks T --items N --output F
                        --collect stream|lines|concat] [--partition P --cpus C --mem-mb M --time T
                        --gres G --sbatch OPT…] -- SUBCOMMAND ARGS…
      Writes a .tar.gz with the sbatch script (a job array over shot ranges when --tasks > 1), submit,
      run-local and collect scripts and the input files, for clusters this host cannot reach.
      In ARGS, {first} {last} {count} {part} are replaced per task; input paths are rewritten to inputs/.
      Example: serialed slurm bundle --out idx.tar.gz --input a.h5 --tasks 8 --items 4000 \\
                 --output run.stream -- index --shots {first}-{last} --out {part} a.h5`;

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "start") {
    const r = await execa("bash", [join(REPO_ROOT, "scripts/slurm/start-slurm.sh")], { reject: false, all: true });
    console.log((r.all ?? "").trim());
    return r.exitCode ?? 1;
  }
  if (sub === "status") {
    const av = await slurmAvailable();
    if (!av.ok) { console.error(`SLURM not available: ${av.message}`); return 1; }
    console.log(`partitions (name avail nodes state):\n${av.message}`);
    const jobs = await squeueAll();
    console.log(jobs.length === 0 ? "no jobs" : jobs.map((j) => `${j.jobId}${j.task !== undefined ? `_${j.task}` : ""}  ${j.state.padEnd(11)} ${j.reason}${j.exitCode ? `  exit ${j.exitCode}` : ""}`).join("\n"));
    return 0;
  }
  if (sub === "bundle") {
    const a = parseArgs(rest, {
      out: { value: true }, name: { value: true }, input: { value: true, multiple: true }, tasks: { value: true }, items: { value: true }, output: { value: true }, collect: { value: true },
      partition: { value: true }, cpus: { value: true }, "mem-mb": { value: true }, time: { value: true }, gres: { value: true }, sbatch: { value: true, multiple: true },
    });
    const out = getString(a, "out");
    if (!out) throw new Error("--out JOB.tar.gz is required");
    if (a.positional.length === 0) throw new Error("give the serialed subcommand and its arguments after --");
    const inputs = a.options.get("input") ?? [];
    for (const i of inputs) if (!existsSync(i)) throw new Error(`--input ${i}: no such file`);
    const tasks = getNumber(a, "tasks", 1, { integer: true, min: 1 });
    const output = getString(a, "output");
    const collect = getString(a, "collect") ?? "stream";
    if (collect !== "stream" && collect !== "lines" && collect !== "concat") throw new Error(`--collect: '${collect}' is not stream, lines or concat`);
    if (tasks > 1 && !output) throw new Error("--output FILE is required with --tasks > 1 (the assembled result)");
    const items = getNumber(a, "items", tasks, { integer: true, min: 1 });
    const res = {
      ...(getString(a, "partition") ? { partition: getString(a, "partition")! } : {}),
      ...(getString(a, "cpus") ? { cpus: getNumber(a, "cpus", 1, { integer: true, min: 1 }) } : {}),
      ...(getString(a, "mem-mb") ? { memMb: getNumber(a, "mem-mb", 1, { integer: true, min: 1 }) } : {}),
      ...(getString(a, "time") ? { time: getString(a, "time")! } : {}),
      ...(getString(a, "gres") ? { gres: getString(a, "gres")! } : {}),
      ...(a.options.get("sbatch") ? { extraSbatch: a.options.get("sbatch")! } : {}),
    };
    const entries = await writeJobBundle(out, {
      name: getString(a, "name") ?? a.positional[0]!, args: a.positional, inputs, resources: res,
      ...(output ? { array: { items, tasks, output, collect } } : {}),
    });
    console.log(`wrote ${out}:\n  ${entries.join("\n  ")}`);
    return 0;
  }
  console.error(usage);
  return 2;
}
