/**
 * Reading CrystFEL's result files into the same structures the built-in engine produces (parsers of
 * src/core/formats): merged .hkl (+ .hkl1/.hkl2 half sets when present), check_hkl and
 * compare_hkl shell files with their terminal output. Streams are read with
 * src/main/stream/stream-index.ts like the built-in engine's streams. Errors name the file.
 */
import { existsSync, readFileSync } from "node:fs";
import { parseHkl } from "../../core/formats/hkl-file.ts";
import type { HklReflections } from "../../core/formats/hkl-file.ts";
import { parseCheckHklOverall, parseCheckHklShells, parseCompareHklOverall, parseCompareHklShells } from "../../core/formats/shell-table.ts";
import type { CheckHklOverall, CheckHklShell, CompareHklOverall, CompareHklShell } from "../../core/formats/shell-table.ts";

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { cause: e });
  }
}

export interface MergedHkl {
  readonly reflections: HklReflections;
  /** partialator's two-way split, when the .hkl1/.hkl2 files exist. */
  readonly halfSets?: readonly [HklReflections, HklReflections];
}

export function readMergedHkl(path: string): MergedHkl {
  const reflections = parseHkl(readText(path, "reflection list"), path);
  const h1 = `${path}1`, h2 = `${path}2`;
  if (existsSync(h1) && existsSync(h2)) {
    return { reflections, halfSets: [parseHkl(readText(h1, "half set"), h1), parseHkl(readText(h2, "half set"), h2)] };
  }
  return { reflections };
}

export interface CheckHklResult {
  readonly shells: readonly CheckHklShell[];
  readonly overall?: CheckHklOverall;
}

/** `--shell-file` table, plus the overall numbers from the terminal output when given. */
export function readCheckHkl(shellFile: string, terminalOutput?: string): CheckHklResult {
  const shells = parseCheckHklShells(readText(shellFile, "check_hkl shell file"), shellFile);
  if (!terminalOutput) return { shells };
  return { shells, overall: parseCheckHklOverall(readText(terminalOutput, "check_hkl output"), terminalOutput) };
}

export interface CompareHklResult {
  readonly fom: string;
  readonly shells: readonly CompareHklShell[];
  readonly overall?: CompareHklOverall;
}

export function readCompareHkl(shellFile: string, terminalOutput?: string): CompareHklResult {
  const { fom, shells } = parseCompareHklShells(readText(shellFile, "compare_hkl shell file"), shellFile);
  if (!terminalOutput) return { fom, shells };
  return { fom, shells, overall: parseCompareHklOverall(readText(terminalOutput, "compare_hkl output"), terminalOutput) };
}

/** Shell boundaries printed by check_hkl / compare_hkl (3 decimals, nm⁻¹) agree within this. */
const SHELL_EDGE_TOLERANCE = 0.0015;

export interface CrystfelStatsInput {
  readonly check: CheckHklResult;
  readonly compares: readonly CompareHklResult[];
  /** Merged list the shells describe (recorded in the JSON), and its point group when known. */
  readonly file?: string;
  readonly symmetry?: string | null;
}

/** A stats row (the shape `serialed stats --json` writes, see src/main/merge/stats-report.ts). */
export interface CrystfelStatsRow {
  readonly shell: string;
  readonly minInvNm: number; readonly maxInvNm: number; readonly dMaxA: number; readonly dMinA: number;
  readonly nref: number; readonly possible: number; readonly completeness: number; readonly measurements: number;
  readonly multiplicity: number; readonly meanIOverSigma: number; readonly meanI: number;
  readonly pairs: number | null; readonly ccHalf: number | null; readonly ccStar: number | null; readonly rsplit: number | null;
}

function fomKey(fom: string): "ccHalf" | "ccStar" | "rsplit" | null {
  const f = fom.replace(/\/%$/, "");
  return f === "CC" ? "ccHalf" : f === "CC*" || f === "CCstar" ? "ccStar" : f === "Rsplit" ? "rsplit" : null;
}

/** compare_hkl's shells lie on check_hkl's (same count, same printed edges). */
function sameShells(a: readonly { minInvNm: number; maxInvNm: number }[], b: readonly { minInvNm: number; maxInvNm: number }[]): boolean {
  return a.length === b.length && a.every((s, i) => Math.abs(s.minInvNm - b[i]!.minInvNm) <= SHELL_EDGE_TOLERANCE && Math.abs(s.maxInvNm - b[i]!.maxInvNm) <= SHELL_EDGE_TOLERANCE);
}

/**
 * check_hkl + compare_hkl results in the statistics shape of the built-in engine (`serialed stats
 * --json`: shell rows + an "overall" row; completeness and Rsplit in %, CC½/CC* as fractions), so the
 * wizard's statistics pane shows a CrystFEL validation like a built-in one. Rows are check_hkl's
 * shells; a compare_hkl figure of merit fills them only when its shells are the same ones (compare_hkl
 * bins the accepted pairs' range, usually narrower), otherwise its per-shell table is kept under
 * `halfSetShells` and only the overall value goes into the overall row. Multiplicity is
 * measurements / nref (check_hkl's redundancy, unrounded). Without check_hkl's terminal output the
 * overall row is summed from the shells (I/σ weighted by nref).
 */
export function crystfelStats(x: CrystfelStatsInput): Record<string, unknown> {
  const { shells, overall } = x.check;
  if (shells.length === 0) throw new Error("check_hkl shell file has no shells");
  const perShell: Record<"ccHalf" | "ccStar" | "rsplit", (number | null)[] | null> = { ccHalf: null, ccStar: null, rsplit: null };
  const overallFom: Record<"ccHalf" | "ccStar" | "rsplit", number | null> = { ccHalf: null, ccStar: null, rsplit: null };
  let pairs: (number | null)[] | null = null;
  let overallPairs: number | null = null, relativeScale: number | null = null, relativeBA2: number | null = null;
  const halfSetShells: Record<string, unknown> = {};
  for (const c of x.compares) {
    const key = fomKey(c.overall?.fom ?? c.fom);
    halfSetShells[c.fom] = c.shells;
    if (c.overall) {
      overallPairs ??= c.overall.pairsAccepted;
      relativeScale ??= c.overall.relativeScale;
      relativeBA2 ??= c.overall.relativeBAngstrom2;
      if (key) overallFom[key] = c.overall.value;
    }
    if (key && sameShells(c.shells, shells)) {
      perShell[key] = c.shells.map((s) => (Number.isFinite(s.value) ? s.value : null));
      pairs ??= c.shells.map((s) => s.nref);
    }
  }
  // compare_hkl's CC* is √(2CC/(1+CC)); derived from CC when only CC was computed
  const star = (cc: number | null): number | null => (cc === null || cc <= 0 ? null : Math.sqrt((2 * cc) / (1 + cc)));
  if (perShell.ccStar === null && perShell.ccHalf !== null) perShell.ccStar = perShell.ccHalf.map(star);
  if (overallFom.ccStar === null) overallFom.ccStar = star(overallFom.ccHalf);
  const fin = (v: number): number => (Number.isFinite(v) ? v : Number.NaN);
  const rows: CrystfelStatsRow[] = shells.map((s, i) => ({
    shell: String(i + 1), minInvNm: s.minInvNm, maxInvNm: s.maxInvNm, dMaxA: 10 / s.minInvNm, dMinA: 10 / s.maxInvNm,
    nref: s.nref, possible: s.possible, completeness: fin(s.completenessPct), measurements: s.measurements,
    multiplicity: s.nref > 0 ? s.measurements / s.nref : Number.NaN, meanIOverSigma: fin(s.snr), meanI: fin(s.meanI),
    pairs: pairs?.[i] ?? null, ccHalf: perShell.ccHalf?.[i] ?? null, ccStar: perShell.ccStar?.[i] ?? null, rsplit: perShell.rsplit?.[i] ?? null,
  }));
  const sum = (f: (s: CheckHklShell) => number): number => shells.reduce((a, s) => a + f(s), 0);
  const nref = overall?.reflections ?? sum((s) => s.nref);
  const measurements = overall?.measurements ?? sum((s) => s.measurements);
  const possible = overall?.possible ?? sum((s) => s.possible);
  const minInvNm = overall?.invNmRange?.[0] ?? shells[0]!.minInvNm, maxInvNm = overall?.invNmRange?.[1] ?? shells[shells.length - 1]!.maxInvNm;
  rows.push({
    shell: "overall", minInvNm, maxInvNm, dMaxA: 10 / minInvNm, dMinA: 10 / maxInvNm,
    nref, possible, completeness: overall?.completenessPct ?? (100 * nref) / possible, measurements,
    multiplicity: overall?.redundancy ?? measurements / nref,
    meanIOverSigma: overall?.snr ?? sum((s) => (Number.isFinite(s.snr) ? s.snr * s.nref : 0)) / sum((s) => (Number.isFinite(s.snr) ? s.nref : 0)),
    meanI: Number.NaN, pairs: overallPairs, ...overallFom,
  });
  return {
    engine: "crystfel", file: x.file ?? null, symmetry: x.symmetry ?? null, spaceGroup: null, shells: rows,
    invalidIOverSigma: overall?.invalidSnrCount ?? null,
    halfSets: x.compares.length > 0 ? { pairs: overallPairs, relativeScale, relativeBA2 } : null,
    halfSetShells: Object.keys(halfSetShells).length > 0 ? halfSetShells : null,
    crystalsCurve: null,
  };
}
