/**
 * Step options per engine (issue 9). A step's options in project.yaml belong to the step's engine:
 * the built-in `serialed` subcommand's, or the CrystFEL program's (keys = CrystFEL's long option
 * names, `--key=value` on the command line). This file lists, for the steps CrystFEL can run, the
 * CrystFEL option set with diffractem's defaults (crystfel-formats.md §3–4, §7; tools.py
 * call_indexamajig / call_partialator / analyze_hkl) and the option names the built-in subcommands
 * accept, and converts a step's options when its engine is switched (options meaningful to both
 * keep their value, the others are put aside under `_<engine>` and come back on switching back).
 */
import type { StepEngine, StepName } from "./project-model.ts";

export type EngineOptionKind = "number" | "int" | "string" | "boolean" | "choice";
export type EngineOptionValue = string | number | boolean;

export interface EngineOption {
  readonly key: string;
  readonly label: string;
  readonly help: string;
  readonly kind: EngineOptionKind;
  readonly choices?: readonly string[];
  /** Value used when the option is not set (diffractem's default); absent = not passed (the program's own default). */
  readonly defaultValue?: EngineOptionValue;
  /** Only passed with this indexing method (indexer-specific options). */
  readonly onlyWithIndexing?: string;
  /** What the plan uses when the option is empty, if not the program's default (e.g. "the built-in indexer's .sol"). */
  readonly emptyMeans?: string;
}

/** The steps CrystFEL can run and the programs they call. */
export const CRYSTFEL_STEP_PROGRAMS: Readonly<Partial<Record<StepName, readonly string[]>>> = {
  index: ["indexamajig"], integrate: ["indexamajig"], merge: ["partialator"], validate: ["check_hkl", "compare_hkl"],
};

const num = (key: string, label: string, help: string, defaultValue?: number, kind: EngineOptionKind = "number"): EngineOption => ({ key, label, help, kind, ...(defaultValue !== undefined ? { defaultValue } : {}) });
const int = (key: string, label: string, help: string, defaultValue?: number): EngineOption => num(key, label, help, defaultValue, "int");
const flag = (key: string, label: string, help: string, defaultValue?: boolean): EngineOption => ({ key, label, help, kind: "boolean", ...(defaultValue !== undefined ? { defaultValue } : {}) });
const text = (key: string, label: string, help: string, defaultValue?: string): EngineOption => ({ key, label, help, kind: "string", ...(defaultValue !== undefined ? { defaultValue } : {}) });
const choice = (key: string, label: string, help: string, choices: readonly string[], defaultValue?: string): EngineOption => ({ key, label, help, kind: "choice", choices, ...(defaultValue !== undefined ? { defaultValue } : {}) });
const only = (o: EngineOption, indexing: string): EngineOption => ({ ...o, onlyWithIndexing: indexing });

/** indexamajig options shared by indexing and integration (diffractem's integration_params / indexing_params). */
const INDEXAMAJIG_COMMON: readonly EngineOption[] = [
  choice("peaks", "peaks", "where the peaks come from: cxi = the pre-processing's CXI peak lists (peak_list in the .geom)", ["cxi", "peakfinder8", "peakfinder9", "zaef", "hdf5", "msgpack"], "cxi"),
  int("min-peaks", "min peaks", "patterns with fewer peaks are not indexed", 15),
  text("integration", "integration", "integration method: rings (ring summation) or prof2d, with -nograd (no background gradient), -nocen (no centring), -sat …", "rings-nograd-nocen"),
  text("int-radius", "integration radii", "inner peak radius, background annulus inner and outer radius, px", "3,4,6"),
  flag("no-refine", "no prediction refinement", "skip the refinement of orientation and detector shift after indexing", true),
  flag("no-retry", "no retry", "do not retry indexing with the weakest peaks removed", true),
  flag("no-check-peaks", "no peak check", "do not require the solution to account for most peaks", true),
  flag("no-revalidate", "no peak revalidation", "keep the CXI peaks as they are (no re-integration / SNR check)"),
  int("max-indexer-threads", "indexer threads", "threads each indexing engine may use", 2),
  num("push-res", "push resolution", "integrate up to this far beyond each crystal's apparent resolution, nm⁻¹"),
  flag("overpredict", "over-predict", "predict reflections further from the Ewald sphere (for partialator's post-refinement)"),
  num("fix-profile-radius", "fixed profile radius", "use this profile radius (m⁻¹) instead of determining it per crystal"),
];

/** CrystFEL option sets of the steps CrystFEL can run. */
export const CRYSTFEL_STEP_OPTIONS: Readonly<Partial<Record<StepName, readonly EngineOption[]>>> = {
  index: [
    choice("indexing", "indexing method", "pinkIndexer (diffractem's default for ED), xgandalf, or file = the orientations of a .sol file (the built-in indexer's, or fromfile-input-file)", ["pinkIndexer", "xgandalf", "file", "taketwo", "asdf", "mosflm", "dirax", "xds"], "pinkIndexer"),
    { ...only(text("fromfile-input-file", "solution file", "indexing=file: .sol file to use (empty: the .sol of the built-in indexer's latest run)"), "file"), emptyMeans: "built-in indexer's .sol" },
    ...INDEXAMAJIG_COMMON,
    text("tolerance", "cell tolerance", "accepted deviation from the target cell: a,b,c (%) and α,β,γ (°); CrystFEL's default 5,5,5,1.5,1.5,1.5"),
    flag("no-check-cell", "no cell check", "accept lattices whatever their cell"),
    flag("multi", "multiple lattices", "index again with the remaining peaks to find further crystals"),
    { ...num("camera-length-estimate", "camera length estimate", "m, for pinkIndexer (empty: the corrections step's camera length)"), emptyMeans: "corrections step's camera length" },
    only(int("pinkIndexer-considered-peaks-count", "pinkIndexer peaks", "pinkIndexer: peaks considered (0 = very few … 4 = very many)", 4), "pinkIndexer"),
    only(int("pinkIndexer-angle-resolution", "pinkIndexer angle resolution", "pinkIndexer: orientation sampling (0 = very coarse … 4 = extremely fine)", 4), "pinkIndexer"),
    only(int("pinkIndexer-refinement-type", "pinkIndexer refinement", "pinkIndexer: refinement type (0 = none … 5 = fixed lattice parameters with variable centre)", 5), "pinkIndexer"),
    only(num("pinkIndexer-tolerance", "pinkIndexer tolerance", "pinkIndexer: relative tolerance of the lattice vectors", 0.1), "pinkIndexer"),
    only(num("pinkIndexer-reflection-radius", "pinkIndexer reflection radius", "pinkIndexer: radius of the reciprocal lattice points, nm⁻¹", 0.001), "pinkIndexer"),
    only(num("pinkIndexer-max-resolution-for-indexing", "pinkIndexer max resolution", "pinkIndexer: peaks up to this resolution are used, nm⁻¹", 2), "pinkIndexer"),
    only(num("xgandalf-sampling-pitch", "xgandalf sampling pitch", "xgandalf: sampling density of the search (0 = coarse … 7 = fine; CrystFEL's default 6)"), "xgandalf"),
    only(int("xgandalf-grad-desc-iterations", "xgandalf iterations", "xgandalf: gradient-descent iterations (0 … 5; CrystFEL's default 4)"), "xgandalf"),
    only(num("xgandalf-tolerance", "xgandalf tolerance", "xgandalf: relative tolerance of the lattice vectors (CrystFEL's default 0.02)"), "xgandalf"),
    only(int("xgandalf-max-peaks", "xgandalf max peaks", "xgandalf: maximum number of peaks used (CrystFEL's default 250)"), "xgandalf"),
  ],
  integrate: [...INDEXAMAJIG_COMMON],
  merge: [
    text("symmetry", "point group", "point group to merge in (-y), e.g. 422"),
    choice("model", "model", "unity: full reflections; xsphere: partiality from profile radius and excitation error; offset, ggpm", ["unity", "xsphere", "offset", "ggpm"], "unity"),
    int("iterations", "iterations", "cycles of scaling and post-refinement", 1),
    choice("polarisation", "polarisation", "polarisation correction: none for electrons", ["none", "horiz", "vert"], "none"),
    num("push-res", "push resolution", "merge up to this far beyond each crystal's apparent resolution, nm⁻¹ (diffractem: 1.4)"),
    int("min-measurements", "min measurements", "a reflection needs at least this many observations (CrystFEL's default 2)"),
    num("max-adu", "max ADU", "leave out reflections whose peak exceeds this value (detector saturation)"),
    num("min-res", "min crystal resolution", "merge only crystals diffracting beyond this resolution, Å"),
    num("max-rel-B", "max relative B", "leave out crystals with a larger relative |B|, Å²"),
    flag("no-scale", "no scaling", "fix all scale factors to 1"),
    flag("no-Bscale", "no B scaling", "scale factor only, no relative B factor"),
    flag("no-pr", "no post-refinement", "no orientation / partiality refinement"),
    flag("no-deltacchalf", "no ΔCC½ rejection", "keep crystals that lower CC½"),
    num("force-bandwidth", "force bandwidth", "set every crystal's bandwidth (fraction; diffractem: 2e-5)"),
    num("force-radius", "force profile radius", "set every crystal's profile radius, nm⁻¹"),
    num("force-lambda", "force wavelength", "set every crystal's wavelength, Å (200 kV electrons: 0.0251)"),
    int("stop-after", "stop after", "merge only the first N crystals"),
    flag("no-logs", "no logs", "do not write partialator's per-crystal log folder"),
  ],
  validate: [
    { ...text("symmetry", "point group", "point group (-y) of the merged list (empty: the merging step's)"), emptyMeans: "merging step's point group" },
    int("nshells", "shells", "number of resolution shells", 10),
    num("lowres", "low resolution", "low-resolution cutoff, Å"),
    num("highres", "high resolution", "high-resolution cutoff, Å"),
    num("sigma-cutoff", "σ cutoff", "leave out reflections with I/σ(I) below this"),
    flag("ignore-negs", "ignore negative", "leave out negative intensities"),
    flag("zero-negs", "zero negative", "set negative intensities to zero"),
    text("fom", "half-set figures of merit", "compare_hkl --fom for the half sets, one run each (CC, CCstar, Rsplit, R1I, …)", "CC,CCstar,Rsplit"),
  ],
};

/** Option names the built-in subcommands accept (src/main/cli/commands: index, integrate, merge, stats). */
export const BUILTIN_STEP_OPTION_KEYS: Readonly<Partial<Record<StepName, readonly string[]>>> = {
  index: ["int-radius", "profile-radius", "min-peaks", "j", "resume", "no-integrate", "match-tol", "min-fraction", "max-lattices", "seed-peaks", "no-refine-cell"],
  integrate: ["int-radius", "profile-radius", "min-peaks", "j", "resume", "no-integrate", "frames"],
  merge: ["symmetry", "model", "iterations", "min-measurements", "highres", "lowres", "no-scale", "no-bscale", "no-deltacchalf", "min-partiality", "stop-after", "exclude", "ambiguity", "push-res", "ambiguity-highres"],
  validate: ["symmetry", "spacegroup", "shells", "lowres", "highres", "crystals-curve", "model", "steps", "csv"],
};

/** Same option, different names: [built-in, CrystFEL]. */
const RENAMED: Readonly<Partial<Record<StepName, readonly (readonly [string, string])[]>>> = {
  merge: [["no-bscale", "no-Bscale"]],
  validate: [["shells", "nshells"]],
};

export function crystfelStepOptions(step: StepName): readonly EngineOption[] | undefined {
  return CRYSTFEL_STEP_OPTIONS[step];
}

/** Whether `key` is an option of `engine` for `step` (`_`-keys are put-aside values, not options). */
export function engineHasOption(step: StepName, engine: StepEngine, key: string): boolean {
  if (engine === "crystfel") return (CRYSTFEL_STEP_OPTIONS[step] ?? []).some((o) => o.key === key);
  const builtin = BUILTIN_STEP_OPTION_KEYS[step];
  // steps without a list: the subcommand checks its own options
  return builtin ? builtin.includes(key) : true;
}

/**
 * Options of the step that the engine does not have (`_`-keys ignored). For the built-in engine,
 * the CrystFEL options its subcommand does not know.
 */
export function foreignOptions(step: StepName, engine: StepEngine, options: Readonly<Record<string, unknown>>): string[] {
  const keys = Object.keys(options).filter((k) => !k.startsWith("_"));
  if (engine === "crystfel") return keys.filter((k) => !engineHasOption(step, "crystfel", k));
  // built-in: the CrystFEL-only names (other unknown names are reported by the subcommand itself)
  return keys.filter((k) => engineHasOption(step, "crystfel", k) && !engineHasOption(step, "builtin", k));
}

/** One sentence for an option the engine does not have, naming the step, the option and the engine's options. */
export function foreignOptionMessage(step: StepName, engine: StepEngine, keys: readonly string[]): string {
  const progs = engine === "crystfel" ? (CRYSTFEL_STEP_PROGRAMS[step] ?? []).join("/") : `serialed ${step === "validate" ? "stats" : step}`;
  const known = engine === "crystfel" ? (CRYSTFEL_STEP_OPTIONS[step] ?? []).map((o) => o.key) : [...(BUILTIN_STEP_OPTION_KEYS[step] ?? [])];
  const other: StepEngine = engine === "crystfel" ? "builtin" : "crystfel";
  const hint = keys.some((k) => engineHasOption(step, other, k)) ? ` (${keys.length > 1 ? "they are options" : "it is an option"} of the ${other === "builtin" ? "built-in" : "CrystFEL"} engine)` : "";
  return `step ${step}: option${keys.length > 1 ? "s" : ""} ${keys.map((k) => `'${k}'`).join(", ")} ${keys.length > 1 ? "are" : "is"} not ${keys.length > 1 ? "options" : "an option"} of the ${engine === "crystfel" ? "CrystFEL" : "built-in"} engine (${progs})${hint}; ` +
    `remove ${keys.length > 1 ? "them" : "it"} from steps.${step}.options in project.yaml, or switch the engine in the wizard (which converts the options). ${engine === "crystfel" ? "CrystFEL" : "Built-in"} options of this step: ${known.join(", ")}`;
}

/**
 * Values of the wrong type for their option (numbers, integers, flags; text: one non-empty line),
 * as sentences naming the step and the option; empty when all are fine.
 */
export function badOptionValues(step: StepName, options: Readonly<Record<string, unknown>>): string[] {
  const out: string[] = [];
  for (const o of CRYSTFEL_STEP_OPTIONS[step] ?? []) {
    const v = options[o.key];
    if (v === undefined || v === null) continue;
    const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
    const problem =
      o.kind === "boolean" ? (typeof v === "boolean" ? null : "must be true or false")
        : o.kind === "int" ? (Number.isInteger(n) ? null : "must be an integer")
          : o.kind === "number" ? (Number.isFinite(n) ? null : "must be a number")
            : Array.isArray(v) ? (v.every((x) => typeof x === "number" || typeof x === "string") ? null : "must be a list of numbers or words")
              : typeof v === "string" || typeof v === "number" ? (String(v).trim() === "" ? "must not be empty (leave the option out for its default)" : /[\n\r\0]/.test(String(v)) ? "must be a single line" : null)
                : "must be a number or a text";
    if (problem) out.push(`step ${step}: option '${o.key}' = ${JSON.stringify(v)} ${problem}`);
  }
  return out;
}

/** The step's CrystFEL options with diffractem's defaults for those not set (indexer-specific ones only with their method). */
export function withCrystfelDefaults(step: StepName, options: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const set = CRYSTFEL_STEP_OPTIONS[step] ?? [];
  const indexing = options["indexing"] ?? set.find((o) => o.key === "indexing")?.defaultValue;
  const out: Record<string, unknown> = {};
  for (const o of set) {
    if (o.onlyWithIndexing && o.onlyWithIndexing !== indexing) continue;
    const v = options[o.key];
    if (v !== undefined && v !== null) out[o.key] = v;
    else if (o.defaultValue !== undefined) out[o.key] = o.defaultValue;
  }
  return out;
}

/**
 * A step's options after switching its engine `from` → `to`: options meaningful to both keep their
 * value (renamed where the names differ, e.g. shells ↔ nshells), the others are put aside under
 * `_<from>` (and those put aside earlier under `_<to>` come back); for CrystFEL, diffractem's
 * defaults are filled in for options not set.
 */
export function convertStepOptions(step: StepName, from: StepEngine, to: StepEngine, options: Readonly<Record<string, unknown>>): Record<string, unknown> {
  if (from === to) return { ...options };
  const renames = new Map<string, string>();
  for (const [b, c] of RENAMED[step] ?? []) renames.set(to === "crystfel" ? b : c, to === "crystfel" ? c : b);
  const out: Record<string, unknown> = {};
  const aside: Record<string, unknown> = {};
  const stashFrom = `_${from}`, stashTo = `_${to}`;
  for (const [k, v] of Object.entries(options)) {
    if (k === stashFrom || k === stashTo) continue;
    if (k.startsWith("_")) { out[k] = v; continue; }
    const nk = renames.get(k) ?? k;
    if (engineHasOption(step, to, nk)) out[nk] = v;
    else aside[k] = v;
  }
  const back = options[stashTo];
  if (back && typeof back === "object" && !Array.isArray(back)) {
    for (const [k, v] of Object.entries(back as Record<string, unknown>)) if (out[k] === undefined) out[k] = v;
  }
  const prevAside = options[stashFrom];
  const allAside = { ...(prevAside && typeof prevAside === "object" && !Array.isArray(prevAside) ? prevAside as Record<string, unknown> : {}), ...aside };
  if (Object.keys(allAside).length > 0) out[stashFrom] = allAside;
  if (to !== "crystfel") return out;
  for (const [k, v] of Object.entries(withCrystfelDefaults(step, out))) if (out[k] === undefined) out[k] = v;
  return out;
}
