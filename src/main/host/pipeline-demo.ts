/**
 * Default step options of a new wizard project, and the demo project (project.yaml next to a
 * simulated dataset) that `serialed demo` / `npm start` opens in the wizard.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { withStepOptions } from "../../core/project/project-model.ts";
import type { Project } from "../../core/project/project-model.ts";
import { optionsToArgs } from "../project/pipeline-plan.ts";
import { fileURLToPath } from "node:url";
import { createProject, loadProject, PROJECT_FILE, saveProject } from "../project/project-store.ts";

/** Name of the project folder the wizard suggests beside a dataset's list file. */
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

export const WIZARD_PROJECT_FOLDER = "serialed-project";

/**
 * Sensible defaults for lysozyme-like SerialED data (P4₃2₁2). `truthDir` (a simulator's truth/
 * folder) supplies the starting cell and, while `serialed geometry` is not available in this
 * build, the detector geometry (a stand-in geometry step copying truth/geometry.geom and lyso.cell).
 */
export function withDefaultOptions(p: Project, truthDir?: string): Project {
  let q = p;
  const cell = truthDir && existsSync(join(truthDir, "lyso.cell")) ? join(truthDir, "lyso.cell") : undefined;
  q = withStepOptions(q, "aggregate", { aggregate: true, agg_query: "frame >= 0 and frame <= 5" });
  q = withStepOptions(q, "corrections", { cam_length: 1.58, correct_saturation: true, remove_background: true });
  q = withStepOptions(q, "centre-peaks", { min_peaks: 10 });
  q = withStepOptions(q, "geometry", { ...(cell ? { cell } : {}), lattice: "tP" });
  q = withStepOptions(q, "index", { "min-peaks": 10 });
  q = withStepOptions(q, "merge", { symmetry: "422", model: "unity" });
  q = withStepOptions(q, "validate", { spacegroup: "P43212", shells: 8 });
  q = withStepOptions(q, "export", { format: "mtz", spacegroup: "P43212" });
  // Stand-ins (see the report), because the built-in plan and the subcommands do not fit together yet:
  // the plan passes the processed .lst to `serialed index`, which opens only HDF5 files, and
  // `serialed integrate` stops with "Cannot convert a BigInt value to a number" (index already
  // integrates, so its stream stands in); `serialed geometry` is used once it accepts --out.
  // `serialed geometry` exists now but opens only HDF5 files, while the plan passes it the processed
  // .lst (…/processed.lst: "Not an HDF5 file"), so the truth geometry stands in whenever available.
  const geometryUsable = !(truthDir && existsSync(join(truthDir, "geometry.geom")));
  if (!geometryUsable && truthDir && existsSync(join(truthDir, "geometry.geom")) && cell) {
    const geom = join(truthDir, "geometry.geom");
    q = { ...q, steps: { ...q.steps, geometry: { options: { ...(q.steps.geometry?.options ?? {}), source: "truth geometry (stand-in)" }, command: sh(`sed 's#/%/data/raw_counts#/%/data/corrected#' '${geom}' > '{run_dir}/geometry.geom' && cp '${cell}' '{run_dir}/lyso.cell'`) } } };
  }
  q = refreshStandIns(q);
  q = { ...q, steps: { ...q.steps, integrate: { options: { source: "index stream (stand-in)" }, command: sh(`I=${latest("index")}; cp "$I/run.stream" '{run_dir}/integrated.stream'`) } } };
  return q;
}

const sh = (script: string): readonly string[] => ["sh", "-c", script];
const latest = (step: string): string => `$(ls -d '{project_dir}'/runs/${step}-*/ | sort -V | tail -1)`;
const bin = join(repoRoot, "bin", "serialed.mjs");
const INDEX_MARK = "# serialed index stand-in";
const quote = (a: string): string => `'${a.replaceAll("'", "'\\''")}'`;

/**
 * Rebuilds the index stand-in command from the index step's current options (so that e.g. a higher
 * min-peaks for a quick test on the best patterns takes effect). Call after changing index options.
 */
export function refreshStandIns(p: Project): Project {
  const idx = p.steps.index;
  if (idx?.command && !idx.command.some((a) => a.includes(INDEX_MARK))) return p;
  const G = `G=${latest("geometry")}; GEOM=$(ls "$G"/*.geom | head -1); CELL=$(ls "$G"/*.cell | head -1)`;
  const args = optionsToArgs(idx?.options ?? {}).map(quote).join(" ");
  const script = `${INDEX_MARK}\n${G}; P=${latest("centre-peaks")}; exec ${quote(process.execPath)} ${quote(bin)} index --geom "$GEOM" --cell "$CELL" ${args} $(cat "$P/processed.lst") --out '{run_dir}/run.stream' --sol '{run_dir}/run.sol'`;
  return { ...p, steps: { ...p.steps, index: { ...(idx ?? { options: {} }), command: sh(script) } } };
}

/**
 * Creates (once) `<dataDir>/serialed-project/project.yaml` for the dataset list `lstPath` with the
 * default options, and returns the project.yaml path. An existing project is left unchanged.
 */
export function createDemoProject(dataDir: string, lstPath: string): string {
  const dir = join(resolve(dataDir), WIZARD_PROJECT_FOLDER);
  const path = join(dir, PROJECT_FILE);
  if (existsSync(path)) { loadProject(path); return path; }
  const open = createProject(dir, "demo", [resolve(lstPath)]);
  const truth = join(dirname(resolve(lstPath)), "truth");
  saveProject(path, withDefaultOptions(open.project, existsSync(truth) ? truth : undefined));
  return path;
}
