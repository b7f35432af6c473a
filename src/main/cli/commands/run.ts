/** `serialed run project.yaml [--until STEP]`: the headless pipeline driver. */
import { getString, parseArgs } from "../args.ts";
import { progressBar } from "../progress.ts";
import type { ProgressBar } from "../progress.ts";
import { isStepName, latestRun, STEP_ORDER } from "../../../core/project/project-model.ts";
import { stepStatuses } from "../../../core/project/staleness.ts";
import { runPipeline } from "../../project/pipeline-driver.ts";
import { addRecentProject } from "../../project/recent-projects.ts";
import { loadProject, projectFilePath } from "../../project/project-store.ts";

export const summary = "run a project's pipeline headless (same steps and results as the wizard)";

export const usage = `Usage: serialed run PROJECT [--until STEP] [--dataset NAME] [--force]

Runs the pipeline of a project (a folder with project.yaml, or the project.yaml itself) step by
step as jobs, with the options stored in the project: ${STEP_ORDER.join(" → ")}.
Steps that are up to date (same options and inputs as their last successful run) are skipped;
changing an option of a step re-runs it and every later step. Each run's outputs go to
runs/<step>-<n>/, its job record and log to jobs/<id>/, and the run history to project.yaml.
Steps configured with backend: slurm are submitted to SLURM with the step's resources.
If this command is interrupted (even kill -9), the job keeps running; running the command again
waits for that job instead of starting it twice.

Options:
  --until STEP      stop after this step
  --dataset NAME    dataset of the project to process (default: the first)
  --force           re-run steps even if up to date
  --status          only print each step's state (up-to-date, stale, never-run, running, failed)
Exit status: 0 done, 1 a step failed (its reason and log tail are printed), 3 a step's
subcommand is not available in this build.`;

export async function run(args: string[]): Promise<number> {
  const a = parseArgs(args, { until: { value: true }, dataset: { value: true }, force: { value: false }, status: { value: false } });
  const proj = a.positional[0];
  if (!proj || a.positional.length > 1) throw new Error("give exactly one project (folder or project.yaml)");
  if (a.flags.has("status")) {
    const { project } = loadProject(proj);
    const ds = getString(a, "dataset") ?? project.datasets[0]?.name ?? "main";
    const st = stepStatuses(project, ds);
    for (const s of STEP_ORDER) {
      const r = latestRun(project, s, ds);
      console.log(`${s.padEnd(13)} ${st[s].padEnd(10)} ${r ? `${r.id} ${r.state}${r.finishedAt ? ` ${r.finishedAt}` : ""}${r.message ? ` — ${r.message}` : ""}` : ""}`);
    }
    return 0;
  }
  const until = getString(a, "until");
  if (until !== undefined && !isStepName(until)) throw new Error(`--until: unknown step '${until}' (steps: ${STEP_ORDER.join(", ")})`);
  const dataset = getString(a, "dataset");
  const ac = new AbortController();
  const onSig = (): void => { process.stderr.write("\ninterrupted: cancelling the running job…\n"); ac.abort(); };
  process.once("SIGINT", onSig);
  let bar: ProgressBar | undefined;
  let barKey = "";
  let barDone = -1;
  try {
    addRecentProject(projectFilePath(proj));
    const r = await runPipeline(proj, {
      ...(until ? { until } : {}), ...(dataset ? { dataset } : {}), force: a.flags.has("force"), signal: ac.signal,
      onEvent: (e) => {
        if (e.kind === "skip") console.log(`${e.step}: ${e.message}`);
        else if (e.kind === "start") console.log(`${e.step}: run ${e.runId}, job ${e.job.id} (${e.job.spec.backend})\n  $ ${e.command}`);
        else if (e.kind === "reattach") console.log(`${e.step}: job ${e.job.id} of run ${e.runId} is still ${e.job.state}; following it`);
        else if (e.kind === "progress" && e.job.progress && e.job.progress.total > 0) {
          const key = `${e.job.id}/${e.job.progress.total}`;
          if (key !== barKey) { bar = progressBar(`  ${e.step}`, e.job.progress.total, e.job.progress.note ?? "items"); barKey = key; barDone = -1; }
          if (e.job.progress.done !== barDone) { barDone = e.job.progress.done; bar?.update(barDone); }
        } else if (e.kind === "finish") {
          bar = undefined; barKey = "";
          console.log(`${e.step}: ${e.job.state}${e.job.state === "done" ? ` (outputs in runs/${e.runId}/)` : ""}`);
        }
      },
    });
    (r.code === 0 ? console.log : console.error)(r.message);
    return r.code;
  } finally {
    process.off("SIGINT", onSig);
  }
}
