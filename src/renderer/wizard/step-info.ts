/**
 * What the wizard shows for each pipeline step: title, one-paragraph purpose, and the options it
 * offers with one-line explanations and defaults (the keys are those of the step's subcommand /
 * diffractem PreProcOpts, stored in project.yaml under steps.<step>.options). With the CrystFEL
 * engine a step offers the CrystFEL program's options instead (src/core/project/engine-options.ts).
 */
import { CRYSTFEL_STEP_OPTIONS, CRYSTFEL_STEP_PROGRAMS } from "../../core/project/engine-options.ts";
import type { StepName } from "../../core/project/project-model.ts";

export type OptionKind = "number" | "int" | "string" | "boolean" | "choice";

export interface OptionInfo {
  readonly key: string;
  readonly label: string;
  readonly help: string;
  readonly kind: OptionKind;
  readonly choices?: readonly string[];
  /** Default used by the subcommand when the option is not set; absent: the program's own default (not passed). */
  readonly defaultValue?: string | number | boolean;
  /** Shown only with this indexing method (CrystFEL indexer-specific options). */
  readonly onlyWithIndexing?: string;
  /** Placeholder of an empty field when the plan fills it from elsewhere. */
  readonly emptyMeans?: string;
}

export interface StepInfo {
  readonly step: string;
  readonly title: string;
  readonly purpose: string;
  readonly options: readonly OptionInfo[];
}

const n = (key: string, label: string, help: string, defaultValue: number, kind: OptionKind = "number"): OptionInfo => ({ key, label, help, kind, defaultValue });
const b = (key: string, label: string, help: string, defaultValue: boolean): OptionInfo => ({ key, label, help, kind: "boolean", defaultValue });
const s = (key: string, label: string, help: string, defaultValue: string): OptionInfo => ({ key, label, help, kind: "string", defaultValue });
const c = (key: string, label: string, help: string, choices: readonly string[], defaultValue: string): OptionInfo => ({ key, label, help, kind: "choice", choices, defaultValue });

export const STEP_INFO: readonly StepInfo[] = [
  { step: "import", title: "Import & browse", purpose: "The dataset's raw files: shots, crystals, frames and stacks are listed (serialed info). Browse the patterns in the Viewer tab.", options: [] },
  {
    step: "aggregate", title: "Dose-fraction aggregation", purpose: "Sums the dose-fraction frames of every crystal over a frame range (runs inside the centre & peaks job).",
    options: [
      b("aggregate", "aggregate", "sum the frames of each crystal (false: select single frames with select_query)", true),
      s("agg_query", "frames to sum", "shot query of the frames summed per crystal", "frame >= 0 and frame <= 5"),
      s("select_query", "selection", "shot query when not aggregating", "frame >= 0"),
    ],
  },
  {
    step: "corrections", title: "Detector corrections", purpose: "Saturation (paralyzable dead time), flat field, dead pixels and the radial background (runs inside the centre & peaks job).",
    options: [
      b("correct_saturation", "saturation correction", "undo the counting loss of the paralyzable dead-time model", true),
      n("dead_time", "dead time", "detector dead time, ms", 1.9e-3),
      b("remove_background", "radial background", "subtract the azimuthally averaged background (peaks masked)", true),
      b("interpolate_dead", "interpolate dead pixels", "replace dead pixels by their neighbours' mean instead of masking", false),
      n("cam_length", "camera length", "sample–detector distance, m", 2),
    ],
  },
  {
    step: "centre-peaks", title: "Centre & peaks", purpose: "Thresholded centre of mass, Lorentz fit of the direct beam, peakfinder8 and Friedel-pair centre refinement on every pattern (serialed preprocess). Tune the peak finder on single patterns in the tuning panel.",
    options: [
      n("min_peaks", "min peaks", "patterns with fewer peaks are not corrected / indexed", 10, "int"),
      n("com_threshold", "CoM threshold", "fraction of the maximum above which pixels enter the centre of mass", 0.9),
      n("lorentz_radius", "Lorentz radius", "half-size of the direct-beam fit window, px", 30),
      b("friedel_refine", "Friedel refinement", "refine the centre from Friedel pairs of peaks", true),
      n("max_peaks", "max peaks", "peaks kept per pattern", 500, "int"),
    ],
  },
  {
    step: "geometry", title: "Ellipticity & cell", purpose: "Elliptical distortion from the polar histogram of all peaks, virtual powder and pair-distance histograms, cell refinement; writes the .geom and .cell used for indexing.",
    options: [
      s("cell", "starting cell", "CrystFEL .cell file with the starting cell", ""),
      c("lattice", "lattice", "Bravais lattice of the cell refinement", ["aP", "mP", "mC", "oP", "oC", "oI", "oF", "tP", "tI", "hP", "hR", "cP", "cI", "cF"], "tP"),
    ],
  },
  {
    step: "index", title: "Indexing", purpose: "Orientation search and refinement for every pattern with enough peaks; writes a CrystFEL stream and a .sol file. Try a subset with a high peak count first (min peaks), then all.",
    options: [
      n("min-peaks", "min peaks", "minimum number of peaks to try indexing (raise it for a quick test on the best patterns)", 15, "int"),
      n("profile-radius", "profile radius", "reciprocal profile radius, nm⁻¹", 0.02),
      n("min-fraction", "min fraction", "accept a lattice matching at least this fraction of peaks", 0.25),
      n("max-lattices", "max lattices", "lattices per pattern", 3, "int"),
    ],
  },
  {
    step: "integrate", title: "Integration", purpose: "Ring-summation integration of the indexed crystals, optionally over a dose-fraction frame range.",
    options: [s("frames", "frame range", "sum frames A-B of each crystal before integrating (e.g. 0-2); empty = as indexed", ""), s("int-radius", "integration radii", "peak radius and background annulus, px", "3,4,6")],
  },
  {
    step: "merge", title: "Merging", purpose: "Scaling and merging of all crystals (unity or partiality model xsphere) with ΔCC½ outlier rejection; half-sets for CC½. To compare models, run validation with unity, switch to xsphere and run validation again: the statistics of both runs are overlaid side by side.",
    options: [
      s("symmetry", "point group", "point group of the crystal (CrystFEL name, e.g. 422)", "422"),
      c("model", "model", "unity: full reflections; xsphere: partiality from profile radius and excitation error", ["unity", "xsphere"], "unity"),
      n("iterations", "iterations", "scaling / post-refinement cycles", 1, "int"),
      n("highres", "high resolution", "leave out observations beyond this resolution, Å", 0),
    ],
  },
  {
    step: "validate", title: "Validation", purpose: "Completeness, multiplicity, I/σ, CC½, CC* and Rsplit per resolution shell and overall (serialed stats).",
    options: [n("shells", "shells", "number of resolution shells (equal reciprocal volume)", 10, "int"), s("spacegroup", "space group", "remove screw/glide absences from the possible reflections", "P43212"), b("crystals-curve", "statistics vs crystals", "also merge the first N crystals for growing N (same stream and model as the merging step) and plot the statistics against N", true)],
  },
  {
    step: "export", title: "Export", purpose: "Writes the merged intensities for phasing / refinement.",
    options: [
      c("format", "format", "output format", ["mtz", "shelx", "mmcif", "hkl"], "mtz"),
      s("spacegroup", "space group", "space group symbol or number", "P43212"),
      n("wavelength", "wavelength", "Å (200 kV electrons: 0.0251)", 0.0251),
    ],
  },
];

/** The options the step offers with its engine: the built-in subcommand's, or the CrystFEL program's. */
export function stepOptions(step: string, engine: "builtin" | "crystfel"): readonly OptionInfo[] {
  if (engine === "crystfel") {
    const set = CRYSTFEL_STEP_OPTIONS[step as StepName];
    if (set) return set;
  }
  return stepInfo(step).options;
}

/** "indexamajig", "check_hkl + compare_hkl", or null when the step has no CrystFEL engine. */
export function crystfelPrograms(step: string): string | null {
  return CRYSTFEL_STEP_PROGRAMS[step as StepName]?.join(" + ") ?? null;
}

/** Whether an option row is shown, given the form's current values (indexer-specific options only with their method). */
export function optionVisible(o: OptionInfo, form: Readonly<Record<string, string | boolean>>, all: readonly OptionInfo[]): boolean {
  if (!o.onlyWithIndexing) return true;
  const ix = all.find((x) => x.key === "indexing");
  const cur = form["indexing"];
  return (cur === undefined || cur === "" ? ix?.defaultValue : cur) === o.onlyWithIndexing;
}

export function stepInfo(step: string): StepInfo {
  const i = STEP_INFO.find((x) => x.step === step);
  if (!i) throw new Error(`unknown step ${step}`);
  return i;
}

/** Parses a form value to the option's type; "" → undefined (option not set). */
export function parseOptionValue(o: OptionInfo, raw: string | boolean): string | number | boolean | undefined {
  if (o.kind === "boolean") return raw === "" ? undefined : Boolean(raw);
  const t = String(raw).trim();
  if (t === "") return undefined;
  if (o.kind === "number" || o.kind === "int") {
    const v = Number(t);
    if (!Number.isFinite(v) || (o.kind === "int" && !Number.isInteger(v))) throw new Error(`${o.label}: '${t}' is not ${o.kind === "int" ? "an integer" : "a number"}`);
    return v;
  }
  return t;
}
