/**
 * Default step options of a new wizard project, and the demo project (project.yaml next to a
 * simulated dataset) that `serialed demo` / `npm start` opens in the wizard.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { withStepOptions } from "../../core/project/project-model.ts";
import type { Project } from "../../core/project/project-model.ts";
import { createProject, loadProject, PROJECT_FILE, saveProject } from "../project/project-store.ts";

/** Name of the project folder the wizard suggests beside a dataset's list file. */
export const WIZARD_PROJECT_FOLDER = "serialed-project";

/**
 * Sensible defaults for lysozyme-like SerialED data (P4₃2₁2). Every step runs the plan's built-in
 * command. `truthDir` (a simulator's truth/ folder) supplies only the starting cell (what a user
 * brings from an earlier experiment), never the geometry: the geometry step fits centre and
 * ellipticity and refines the cell from the data.
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
  return q;
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
