/**
 * Dose-fraction exposure choice (merging-and-export.md §4): the same crystals integrated over
 * different frame ranges are merged separately; with common resolution shells, the run that keeps
 * CC½ ≥ 0.143 to the highest resolution (the paper's cut-off criterion), then the best mean CC½ over
 * the shells, then the best overall CC½, is the exposure to use. Single near-zero CC½ values of the
 * outermost shell are noise and are not used to rank runs.
 */
import type { UnitCell } from "../geometry/cell.ts";
import type { PointGroup } from "../symmetry/point-groups.ts";
import { checkHklStats, compareHklStats } from "./merge-stats.ts";
import type { ReflectionList } from "./observations.ts";
import { invResolutionFn } from "../geometry/cell.ts";

export interface RunInput {
  readonly label: string;
  readonly merged: ReflectionList;
  /** Half-sets for CC½; null when not available. */
  readonly halves: readonly [ReflectionList, ReflectionList] | null;
}

export interface RunSummary {
  readonly label: string;
  readonly nref: number;
  readonly completeness: number;
  readonly multiplicity: number;
  readonly meanIOverSigma: number;
  readonly ccHalf: number;
  readonly highShell: { readonly minInvNm: number; readonly maxInvNm: number; readonly completeness: number; readonly meanIOverSigma: number; readonly ccHalf: number };
  /** Mean of the finite per-shell CC½ values. */
  readonly meanShellCcHalf: number;
  /** 1/d (nm⁻¹) where CC½ falls to 0.143 (linear between shell centres); the range's upper end if it never does; NaN without half-sets. */
  readonly cutoffInvNm: number;
}

/** CC½ = 0.143 ↔ CC* = 0.5 (Karplus & Diederichs 2012). */
export const CC_HALF_CUTOFF = 0.143;

/** 1/d where the CC½ curve (shell centres, ascending) first falls below `level`. */
export function ccHalfCutoff(centres: readonly number[], cc: readonly number[], upper: number, level = CC_HALF_CUTOFF): number {
  let prevX = Number.NaN, prevY = Number.NaN;
  for (let i = 0; i < centres.length; i++) {
    const x = centres[i]!, y = cc[i]!;
    if (!Number.isFinite(y)) continue;
    if (y < level) {
      if (!Number.isFinite(prevY)) return x;
      return prevX + ((prevY - level) / (prevY - y)) * (x - prevX);
    }
    prevX = x; prevY = y;
  }
  return Number.isFinite(prevY) ? upper : Number.NaN;
}

export interface ExposureChoice {
  readonly runs: readonly RunSummary[];
  /** Index of the chosen run (highest CC½ cut-off resolution, then mean shell CC½, overall CC½, I/σ). */
  readonly best: number;
}

export function chooseExposure(runs: readonly RunInput[], cell: UnitCell, pg: PointGroup, opts: { nShells?: number; rminInvNm?: number; rmaxInvNm?: number } = {}): ExposureChoice {
  if (runs.length === 0) throw new Error("exposure choice: no runs given");
  const invD = invResolutionFn(cell);
  let lo = Number.POSITIVE_INFINITY, hi = 0;
  for (const r of runs) {
    for (let i = 0; i < r.merged.count; i++) {
      const d = invD(r.merged.h[i]!, r.merged.k[i]!, r.merged.l[i]!);
      if (d < lo) lo = d;
      if (d > hi) hi = d;
    }
  }
  const range = { nShells: opts.nShells ?? 10, rminInvNm: opts.rminInvNm ?? lo, rmaxInvNm: opts.rmaxInvNm ?? hi };
  const summaries = runs.map((r): RunSummary => {
    const st = checkHklStats(r.merged, cell, pg, range);
    let cmp = null;
    if (r.halves !== null) {
      try {
        cmp = compareHklStats(r.halves[0], r.halves[1], cell, range);
      } catch {
        cmp = null;
      }
    }
    const hs = st.shells[st.shells.length - 1]!;
    const shellCc = cmp ? cmp.shells.map((x) => x.cc) : [];
    const finite = shellCc.filter((v) => Number.isFinite(v));
    const centres = cmp ? cmp.shells.map((x) => (x.minInvNm + x.maxInvNm) / 2) : [];
    return {
      meanShellCcHalf: finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : Number.NaN,
      cutoffInvNm: cmp ? ccHalfCutoff(centres, shellCc, range.rmaxInvNm) : Number.NaN,
      label: r.label, nref: st.overall.nref, completeness: st.overall.completeness, multiplicity: st.overall.multiplicity, meanIOverSigma: st.overall.meanIOverSigma,
      ccHalf: cmp?.overall.cc ?? Number.NaN,
      highShell: { minInvNm: hs.minInvNm, maxInvNm: hs.maxInvNm, completeness: hs.completeness, meanIOverSigma: hs.meanIOverSigma, ccHalf: cmp?.shells[cmp.shells.length - 1]?.cc ?? Number.NaN },
    };
  });
  const fin = (v: number, fallback: number): number => (Number.isFinite(v) ? v : fallback);
  const score = (s: RunSummary): number[] => [fin(s.cutoffInvNm, -1), fin(s.meanShellCcHalf, -2), fin(s.ccHalf, -2), fin(s.meanIOverSigma, -1e9)];
  const better = (a: number[], b: number[]): boolean => {
    for (let k = 0; k < a.length; k++) if (a[k]! !== b[k]!) return a[k]! > b[k]!;
    return false;
  };
  let best = 0;
  for (let i = 1; i < summaries.length; i++) if (better(score(summaries[i]!), score(summaries[best]!))) best = i;
  return { runs: summaries, best };
}
