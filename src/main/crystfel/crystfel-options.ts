/**
 * CrystFEL command lines the way diffractem builds them (tools.call_indexamajig/call_partialator,
 * crystfel-formats.md §3–4, §7): mandatory short options first, then the step's options in the
 * order given — booleans as bare flags (`--no-refine`; false = omitted), lists joined by commas
 * (`--int-radius=3,4,6`), everything else `--key=value` — then `-j <threads>`.
 */
import { isAbsolute, resolve } from "node:path";
import { withCrystfelDefaults } from "../../core/project/engine-options.ts";

export type CrystfelOptionValue = string | number | boolean | readonly (string | number)[] | null | undefined;
export type CrystfelOptions = Readonly<Record<string, CrystfelOptionValue>>;

/** Options that name files the indexer opens from its own temp folder: made absolute (0.12.0 bug, fixtures README). */
const PATH_OPTIONS = new Set(["fromfile-input-file"]);

export function optionArgs(opts: CrystfelOptions, cwd?: string): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(opts)) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(k)) throw new Error(`CrystFEL option '${k}': not a valid option name`);
    if (v === undefined || v === null || v === false) continue;
    if (v === true) { out.push(`--${k}`); continue; }
    let s = Array.isArray(v) ? v.join(",") : String(v);
    if (PATH_OPTIONS.has(k) && cwd && !isAbsolute(s)) s = resolve(cwd, s);
    out.push(`--${k}=${s}`);
  }
  return out;
}

function threads(j: number | undefined): string[] {
  if (j === undefined) return [];
  if (!Number.isInteger(j) || j < 1) throw new Error(`CrystFEL -j: '${j}' is not a positive integer`);
  return ["-j", String(j)];
}

export interface IndexamajigInput {
  /** Event list (.lst) or file list. */
  readonly input: string;
  readonly output: string;
  readonly geometry: string;
  readonly cell?: string;
  readonly threads?: number;
  readonly options?: CrystfelOptions;
  /** Working directory the command runs in (relative path options resolved against it). */
  readonly cwd?: string;
}

export function indexamajigArgs(x: IndexamajigInput): string[] {
  return ["-i", x.input, "-o", x.output, "-g", x.geometry, ...(x.cell ? ["-p", x.cell] : []), ...optionArgs(x.options ?? {}, x.cwd), ...threads(x.threads)];
}

export interface PartialatorInput {
  readonly input: string | readonly string[];
  readonly output: string;
  /** Point group, e.g. "422". */
  readonly symmetry: string;
  readonly threads?: number;
  readonly options?: CrystfelOptions;
}

export function partialatorArgs(x: PartialatorInput): string[] {
  const ins = typeof x.input === "string" ? [x.input] : x.input;
  return [...ins.flatMap((i) => ["-i", i]), "-o", x.output, "-y", x.symmetry, ...optionArgs(x.options ?? {}), ...threads(x.threads)];
}

export interface CheckHklInput {
  readonly hkl: string;
  readonly symmetry: string;
  readonly cell: string;
  readonly options?: CrystfelOptions;
}

export function checkHklArgs(x: CheckHklInput): string[] {
  return ["-y", x.symmetry, "-p", x.cell, ...optionArgs(x.options ?? {}), x.hkl];
}

export interface CompareHklInput {
  readonly hkl1: string;
  readonly hkl2: string;
  readonly symmetry: string;
  readonly cell: string;
  /** CC, CCstar, Rsplit, R1I, ... (goes first among the options, like the fixtures). */
  readonly fom: string;
  readonly options?: CrystfelOptions;
}

export function compareHklArgs(x: CompareHklInput): string[] {
  return ["-y", x.symmetry, "-p", x.cell, `--fom=${x.fom}`, ...optionArgs(x.options ?? {}), x.hkl1, x.hkl2];
}

export interface AmbigatorInput {
  readonly input: string;
  readonly output: string;
  /** Actual point group (-y) and apparent/lattice point group (-w). */
  readonly symmetry: string;
  readonly apparentSymmetry: string;
  readonly threads?: number;
  readonly options?: CrystfelOptions;
}

export function ambigatorArgs(x: AmbigatorInput): string[] {
  return [x.input, "-o", x.output, "-y", x.symmetry, "-w", x.apparentSymmetry, ...optionArgs(x.options ?? {}), ...threads(x.threads)];
}

export function listEventsArgs(x: { readonly input: string; readonly geometry: string; readonly output: string }): string[] {
  return ["-i", x.input, "-g", x.geometry, "-o", x.output];
}

/** diffractem's indexing defaults (crystfel-formats.md §4), without the per-run paths: the index step's CrystFEL option set (engine-options.ts). */
export const DIFFRACTEM_INDEXING_DEFAULTS: CrystfelOptions = withCrystfelDefaults("index", {}) as CrystfelOptions;

/** diffractem's integration-only defaults with a solution file (§3): file indexing + the integrate step's CrystFEL option set. */
export const DIFFRACTEM_INTEGRATION_DEFAULTS: CrystfelOptions = { indexing: "file", ...withCrystfelDefaults("integrate", {}) } as CrystfelOptions;
