/**
 * Dose-fraction exposure choice (merging-and-export.md §4): the same crystals integrated over
 * different frame ranges are merged separately; with common resolution shells, the run with the best
 * high-resolution CC½ (then overall CC½) is the exposure to use.
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
}

export interface ExposureChoice {
  readonly runs: readonly RunSummary[];
  /** Index of the chosen run (best highest-shell CC½, ties/NaN broken by overall CC½, then I/σ). */
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
    return {
      label: r.label, nref: st.overall.nref, completeness: st.overall.completeness, multiplicity: st.overall.multiplicity, meanIOverSigma: st.overall.meanIOverSigma,
      ccHalf: cmp?.overall.cc ?? Number.NaN,
      highShell: { minInvNm: hs.minInvNm, maxInvNm: hs.maxInvNm, completeness: hs.completeness, meanIOverSigma: hs.meanIOverSigma, ccHalf: cmp?.shells[cmp.shells.length - 1]?.cc ?? Number.NaN },
    };
  });
  const score = (s: RunSummary): [number, number, number] => [Number.isFinite(s.highShell.ccHalf) ? s.highShell.ccHalf : -2, Number.isFinite(s.ccHalf) ? s.ccHalf : -2, Number.isFinite(s.meanIOverSigma) ? s.meanIOverSigma : -1e9];
  let best = 0;
  for (let i = 1; i < summaries.length; i++) {
    const a = score(summaries[i]!), b = score(summaries[best]!);
    if (a[0] > b[0] || (a[0] === b[0] && (a[1] > b[1] || (a[1] === b[1] && a[2] > b[2])))) best = i;
  }
  return { runs: summaries, best };
}
