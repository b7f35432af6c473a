/**
 * diffractem's PreProcOpts (../shared/spec/preprocessing.md §14): every YAML key with its default,
 * parsing of an existing diffractem YAML/JSON file unchanged, type checking with clear errors,
 * reporting of unknown keys, and serialisation back to YAML.
 */
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";

/** peakfinder8 parameters as in the YAML (`peak_search_params`, hyphenated keys as indexamajig's). */
export interface PeakSearchParams {
  /** Inner radius limit in px from the pattern centre. */
  readonly "min-res": number;
  /** Outer radius limit in px. */
  readonly "max-res": number;
  /** Local background ring half width in px (ring radius = 2×). */
  readonly "local-bg-radius": number;
  /** Absolute ADU floor of the per-radius pixel threshold. */
  readonly threshold: number;
  readonly "min-pix-count": number;
  readonly "max-pix-count": number;
  /** SNR for the radial threshold and for peak acceptance. */
  readonly "min-snr": number;
  /** indexamajig's peak method (ignored by pre-processing, kept for CrystFEL calls). */
  readonly peaks: string;
  /** Further indexamajig peak options are kept verbatim. */
  readonly [extra: string]: string | number | boolean | null;
}

/** Free-form indexamajig options: booleans are bare flags, others --key=value. */
export type CrystfelParams = Readonly<Record<string, string | number | boolean | null>>;

/** Compression of written stacks: HDF5 filter id (32004 LZ4, 32008 bitshuffle-LZ4) or a name. */
export type CompressionOpt = number | string | null;

/** All pre-processing options. Units: times in ms, lengths in m unless named `_px`/radius, λ in Å. */
export interface PreProcOpts {
  readonly reference: string | null;
  readonly pxmask: string | null;
  readonly correct_saturation: boolean;
  readonly remove_background: boolean;
  /** Dead time τ in ms. */
  readonly dead_time: number;
  readonly dead_time_gap_factor: number;
  /** Exposure per frame in ms. */
  readonly shutter_time: number;
  readonly mask_gaps: boolean;
  readonly interpolate_dead: boolean;
  /** σ (px) of the Gaussian used to interpolate dead pixels. */
  readonly interp_range: number;
  /** Masked columns [first n, last m]. */
  readonly edge_mask_x: readonly [number, number];
  /** Masked rows [first n, last m]. */
  readonly edge_mask_y: readonly [number, number];
  readonly float: boolean;
  readonly int_factor: number;
  readonly find_peaks: boolean;
  readonly compression: CompressionOpt;
  /** Camera length in m. */
  readonly cam_length: number;
  readonly y_scale: number;
  readonly ellipse_ratio: number;
  /** Degrees. */
  readonly ellipse_angle: number;
  /** Pixel size in m. */
  readonly pixel_size: number;
  /** Wavelength in Å. */
  readonly wavelength: number;
  readonly com_threshold: number;
  readonly com_xrng: number;
  readonly com_yrng: number;
  readonly lorentz_radius: number;
  readonly lorentz_maxshift: number;
  readonly xsize: number;
  readonly ysize: number;
  /** Virtual ADF radii [inner, outer) in px. */
  readonly r_adf1: readonly [number, number];
  readonly r_adf2: readonly [number, number];
  readonly select_query: string;
  readonly agg_query: string;
  readonly agg_file_suffix: string;
  readonly aggregate: boolean;
  readonly scratch_dir: string;
  readonly proc_dir: string;
  readonly peak_data_path: string;
  readonly det_shift_x_path: string;
  readonly det_shift_y_path: string;
  readonly rechunk: number | null;
  readonly peak_search_params: PeakSearchParams;
  readonly indexing_params: CrystfelParams;
  readonly integration_params: CrystfelParams;
  readonly max_peaks: number;
  readonly im_exc: string;
  readonly friedel_refine: boolean;
  readonly min_peaks: number;
  /** σ (px) of the Friedel score. */
  readonly peak_sigma: number;
  readonly friedel_max_radius: number | null;
  /** Radial background: radius (px) of the disk cut around each peak (library default 3). */
  readonly bg_peak_radius: number;
  /** Radial background: median filter length over the profile (odd, library default 5). */
  readonly bg_filter_len: number;
}

export const defaultPeakSearchParams: PeakSearchParams = {
  "min-res": 5, "max-res": 600, "local-bg-radius": 5, threshold: 8,
  "min-pix-count": 3, "max-pix-count": 10000, "min-snr": 3.5, peaks: "peakfinder8",
};

export const defaultPreProcOpts: PreProcOpts = {
  reference: "Ref12_reference.tif", pxmask: "Ref12_pxmask.tif",
  correct_saturation: true, remove_background: true,
  dead_time: 1.9e-3, dead_time_gap_factor: 2, shutter_time: 2,
  mask_gaps: true, interpolate_dead: false, interp_range: 1,
  edge_mask_x: [100, 30], edge_mask_y: [0, 0],
  float: false, int_factor: 1, find_peaks: true, compression: 32004,
  cam_length: 2, y_scale: 1, ellipse_ratio: 1, ellipse_angle: 0,
  pixel_size: 55e-6, wavelength: 0.0251,
  com_threshold: 0.9, com_xrng: 800, com_yrng: 800,
  lorentz_radius: 30, lorentz_maxshift: 36, xsize: 1556, ysize: 516,
  r_adf1: [50, 100], r_adf2: [100, 200],
  select_query: "frame >= 0", agg_query: "frame >= 0 and frame <= 5",
  agg_file_suffix: "_agg.h5", aggregate: true,
  scratch_dir: "/scratch/diffractem", proc_dir: "proc_data",
  peak_data_path: "/%/data", det_shift_x_path: "det_shift_x_mm", det_shift_y_path: "det_shift_y_mm",
  rechunk: null,
  peak_search_params: defaultPeakSearchParams,
  indexing_params: {
    indexing: "pinkIndexer", integration: "rings-nograd-nocen", "int-radius": "3,4,6", peaks: "cxi",
    "max-indexer-threads": 2, "min-peaks": 15, "no-refine": true, "no-retry": true, "no-check-peaks": true,
    "pinkIndexer-considered-peaks-count": 4, "pinkIndexer-angle-resolution": 4,
    "pinkIndexer-refinement-type": 5, "pinkIndexer-tolerance": 0.1,
    "pinkIndexer-reflection-radius": 0.001, "pinkIndexer-max-resolution-for-indexing": 2,
  },
  integration_params: {
    indexing: "file", integration: "rings-nograd-nocen", "int-radius": "3,4,6", peaks: "cxi",
    "max-indexer-threads": 2, "min-peaks": 15, "no-refine": true, "no-retry": true, "no-check-peaks": true,
  },
  max_peaks: 500, im_exc: "indexamajig",
  friedel_refine: true, min_peaks: 10, peak_sigma: 2, friedel_max_radius: null,
  bg_peak_radius: 3, bg_filter_len: 5,
};

type Kind = "number" | "int" | "boolean" | "string" | "string?" | "number?" | "int?" | "pair" | "compression" | "peaks" | "params";

const kinds: { readonly [K in keyof PreProcOpts]: Kind } = {
  reference: "string?", pxmask: "string?", correct_saturation: "boolean", remove_background: "boolean",
  dead_time: "number", dead_time_gap_factor: "number", shutter_time: "number", mask_gaps: "boolean",
  interpolate_dead: "boolean", interp_range: "number", edge_mask_x: "pair", edge_mask_y: "pair",
  float: "boolean", int_factor: "number", find_peaks: "boolean", compression: "compression",
  cam_length: "number", y_scale: "number", ellipse_ratio: "number", ellipse_angle: "number",
  pixel_size: "number", wavelength: "number", com_threshold: "number", com_xrng: "int", com_yrng: "int",
  lorentz_radius: "number", lorentz_maxshift: "number", xsize: "int", ysize: "int",
  r_adf1: "pair", r_adf2: "pair", select_query: "string", agg_query: "string", agg_file_suffix: "string",
  aggregate: "boolean", scratch_dir: "string", proc_dir: "string", peak_data_path: "string",
  det_shift_x_path: "string", det_shift_y_path: "string", rechunk: "int?",
  peak_search_params: "peaks", indexing_params: "params", integration_params: "params",
  max_peaks: "int", im_exc: "string", friedel_refine: "boolean", min_peaks: "int", peak_sigma: "number",
  friedel_max_radius: "number?", bg_peak_radius: "number", bg_filter_len: "int",
};

/** Names of all known option keys. */
export const preProcOptKeys = Object.keys(kinds) as (keyof PreProcOpts)[];

const kindText: Record<Kind, string> = {
  number: "a number", int: "an integer", boolean: "a boolean (true/false)", string: "a string",
  "string?": "a string or null", "number?": "a number or null", "int?": "an integer or null",
  pair: "a pair of numbers [a, b] (or one number)", compression: "an HDF5 filter id (32004, 32008) or 'gzip'/'lz4'/'none'",
  peaks: "a mapping of peakfinder8 parameters", params: "a mapping of indexamajig options",
};

const peakNumKeys = ["min-res", "max-res", "local-bg-radius", "threshold", "min-pix-count", "max-pix-count", "min-snr"] as const;

/** Result of parsing: the options plus warnings (unknown keys), which the caller must show. */
export interface ParsedPreProcOpts {
  readonly opts: PreProcOpts;
  readonly warnings: string[];
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  return typeof v === "object" ? "a mapping" : `${typeof v} ${JSON.stringify(v)}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function checkValue(key: string, kind: Kind, v: unknown, source: string, warnings: string[]): unknown {
  const bad = (): Error => new Error(`${source}: option '${key}' must be ${kindText[kind]}, got ${typeName(v)}`);
  switch (kind) {
    case "number": if (typeof v === "number" && Number.isFinite(v)) return v; throw bad();
    case "int": if (typeof v === "number" && Number.isInteger(v)) return v; throw bad();
    case "boolean": if (typeof v === "boolean") return v; throw bad();
    case "string": if (typeof v === "string") return v; throw bad();
    case "string?": if (v === null || typeof v === "string") return v; throw bad();
    case "number?": if (v === null || (typeof v === "number" && Number.isFinite(v))) return v; throw bad();
    case "int?": if (v === null || (typeof v === "number" && Number.isInteger(v))) return v; throw bad();
    case "pair":
      if (typeof v === "number" && Number.isFinite(v)) return [v, v];
      if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === "number" && Number.isFinite(x))) return [v[0], v[1]];
      throw bad();
    case "compression":
      if (v === null || v === false) return null;
      if (typeof v === "number" && Number.isInteger(v)) return v;
      if (typeof v === "string" && ["gzip", "lz4", "bitshuffle-lz4", "none"].includes(v)) return v;
      throw bad();
    case "peaks": {
      if (!isPlainObject(v)) throw bad();
      const out: Record<string, string | number | boolean | null> = { ...defaultPeakSearchParams };
      for (const [k, x] of Object.entries(v)) {
        const nk = k.replace(/_/g, "-");
        if ((peakNumKeys as readonly string[]).includes(nk)) {
          if (typeof x !== "number" || !Number.isFinite(x)) throw new Error(`${source}: option '${key}.${k}' must be a number, got ${typeName(x)}`);
          out[nk] = x;
        } else if (x === null || ["string", "number", "boolean"].includes(typeof x)) {
          if (nk !== "peaks") warnings.push(`${source}: '${key}.${k}' is not a peakfinder8 parameter (kept for indexamajig)`);
          out[k] = x as string | number | boolean | null;
        } else throw new Error(`${source}: option '${key}.${k}' must be a scalar, got ${typeName(x)}`);
      }
      return out;
    }
    case "params": {
      if (!isPlainObject(v)) throw bad();
      const out: Record<string, string | number | boolean | null> = {};
      for (const [k, x] of Object.entries(v)) {
        if (x !== null && !["string", "number", "boolean"].includes(typeof x)) throw new Error(`${source}: option '${key}.${k}' must be a scalar, got ${typeName(x)}`);
        out[k] = x as string | number | boolean | null;
      }
      return out;
    }
  }
}

/**
 * Builds options from a plain object (a parsed YAML/JSON mapping). Missing keys take their defaults;
 * unknown keys are returned as warnings and ignored; a wrong type is an Error naming key and type.
 */
export function preProcOptsFromObject(obj: unknown, source = "options"): ParsedPreProcOpts {
  if (obj === null || obj === undefined) return { opts: defaultPreProcOpts, warnings: [] };
  if (!isPlainObject(obj)) throw new Error(`${source}: expected a mapping of option keys, got ${typeName(obj)}`);
  const warnings: string[] = [];
  const out: Record<string, unknown> = { ...defaultPreProcOpts };
  for (const [k, v] of Object.entries(obj)) {
    const kind = (kinds as Record<string, Kind | undefined>)[k];
    if (!kind) { warnings.push(`${source}: unknown option '${k}' ignored`); continue; }
    out[k] = checkValue(k, kind, v, source, warnings);
  }
  const o = out as unknown as PreProcOpts;
  if (o.bg_filter_len < 1 || o.bg_filter_len % 2 === 0) throw new Error(`${source}: option 'bg_filter_len' must be an odd integer ≥ 1, got ${o.bg_filter_len}`);
  if (o.xsize <= 0 || o.ysize <= 0) throw new Error(`${source}: options 'xsize'/'ysize' must be positive`);
  return { opts: o, warnings };
}

/** Parses a diffractem options file (YAML, or JSON which is YAML). `source` names the file in errors. */
export function parsePreProcOpts(text: string, source = "options"): ParsedPreProcOpts {
  let obj: unknown;
  try {
    obj = parseYaml(text);
  } catch (e) {
    throw new Error(`${source}: not valid YAML: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}`, { cause: e });
  }
  return preProcOptsFromObject(obj, source);
}

/** Returns options with one key overridden from a command-line string (typed like the key's default). */
export function overridePreProcOpt(opts: PreProcOpts, key: string, value: string): PreProcOpts {
  let v: unknown;
  try { v = parseYaml(value); } catch { v = value; }
  const dot = key.indexOf(".");
  if (dot > 0) {
    // nested key of a mapping option, e.g. peak_search_params.min-snr=4
    const top = key.slice(0, dot), sub = key.slice(dot + 1);
    if (top !== "peak_search_params" && top !== "indexing_params" && top !== "integration_params") throw new Error(`unknown option '${key}'`);
    const { opts: next } = preProcOptsFromObject({ ...opts, [top]: { ...opts[top], [sub]: v } }, "command line");
    return next;
  }
  if (!(key in kinds)) throw new Error(`unknown option '${key}'`);
  const kind = (kinds as Record<string, Kind>)[key]!;
  if ((kind === "string" || kind === "string?") && typeof v !== "string" && v !== null) v = value;
  const { opts: next } = preProcOptsFromObject({ ...opts, [key]: v }, "command line");
  return next;
}

/** Serialises to YAML with keys in the §14 order (readable by diffractem and by parsePreProcOpts). */
export function serializePreProcOpts(opts: PreProcOpts): string {
  const plain: Record<string, unknown> = {};
  for (const k of preProcOptKeys) {
    const v = opts[k];
    plain[k] = Array.isArray(v) ? [...(v as readonly number[])] : v;
  }
  return stringifyYaml(plain, { lineWidth: 0 });
}
