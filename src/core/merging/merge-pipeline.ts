/**
 * partialator-like merging: symmetry reduction, optional partiality model, iterative per-crystal
 * scaling against the merged reference, ΔCC½ rejection of outlier crystals, resolution limits,
 * minimum measurements, and half-sets from alternating crystals (stream order).
 */
import type { PointGroup } from "../symmetry/point-groups.ts";
import { accumulate, prepareObservations, toReflectionList, unityModel, type MergeAccumulator, type PreparedObservations, type ScaleModel } from "./merge-engine.ts";
import type { CrystalInputs, Observations, ReflectionList } from "./observations.ts";
import { scaleCrystals } from "./scaling.ts";
import { badCrystalsByDeltaCcHalf, deltaCcHalf, sigmaTauCcHalf } from "./cc-half.ts";
import { computePartialities, refineRadii } from "./partiality.ts";

export type PartialityModel = "unity" | "xsphere";

export interface MergeOptions {
  readonly pointGroup: PointGroup;
  /** Default "unity". */
  readonly model?: PartialityModel;
  /** Scaling/refinement cycles after the initial scaling (partialator --iterations), default 1. */
  readonly iterations?: number;
  /** Per-crystal scaling (default true). */
  readonly scale?: boolean;
  /** Refine relative B factors (default true). */
  readonly bScale?: boolean;
  /** Minimum observations per merged reflection (default 2, as partialator). */
  readonly minMeasurements?: number;
  /** Resolution limits of observations used, nm⁻¹ (1/d). */
  readonly lowResInvNm?: number;
  readonly highResInvNm?: number;
  /** Reject crystals with outlying negative ΔCC½ (default true when scaling). */
  readonly rejectOutliers?: boolean;
  /** Observations with partiality below this are not merged (xsphere; default 0.3). */
  readonly minPartiality?: number;
  /**
   * partialator --push-res: merge only observations up to this far (nm⁻¹) beyond each crystal's
   * diffraction_resolution_limit (crystals without a limit are not cut). Default: no cut.
   */
  readonly pushResInvNm?: number;
  /** Crystal indices to leave out from the start (e.g. to reproduce another program's rejections). */
  readonly excludeCrystals?: readonly number[];
  /** Crystal → half-set (1 or 2); default as partialator: even crystal index → half 2, odd → half 1. */
  readonly halfSetOf?: (crystal: number) => 1 | 2;
  /** Progress/log lines. */
  readonly log?: (line: string) => void;
}

export interface MergeResult {
  readonly merged: ReflectionList;
  readonly half1: ReflectionList;
  readonly half2: ReflectionList;
  /** Per-crystal results (crystal index order). */
  readonly crystals: {
    readonly scale: Float64Array;
    readonly bFactorA2: Float64Array;
    readonly included: Uint8Array;
    readonly deltaCcHalf: Float64Array;
    readonly nObservations: Int32Array;
    readonly radiusInvNm: Float64Array;
  };
  /** σ-τ CC½ of the final merge (all reflections with ≥ 2 measurements). */
  readonly ccHalf: number;
}

function scaleAll(prep: PreparedObservations, model: ScaleModel, opts: MergeOptions, acc0: () => MergeAccumulator, log: (s: string) => void): void {
  let last = Number.POSITIVE_INFINITY;
  for (let cycle = 0; cycle < 10; cycle++) {
    const ref = acc0();
    const { failed, logResidual } = scaleCrystals(prep, model, ref, { bScale: opts.bScale ?? true });
    for (const c of failed) model.included[c] = 0;
    log(`scaling cycle ${cycle + 1}: log residual ${logResidual.toExponential(4)}${failed.length > 0 ? `, ${failed.length} crystals failed to scale` : ""}`);
    if (Math.abs(last - logResidual) < 0.01 * Math.abs(logResidual)) break;
    last = logResidual;
  }
}

/** Merges observations with the options given; see module doc. */
export function mergeObservations(obs: Observations, crystals: CrystalInputs, opts: MergeOptions): MergeResult {
  const log = opts.log ?? (() => undefined);
  const prep = prepareObservations(obs, opts.pointGroup);
  const model = unityModel(prep);
  for (const c of opts.excludeCrystals ?? []) if (c >= 0 && c < prep.nCrystals) model.included[c] = 0;
  const minP = opts.model === "xsphere" ? (opts.minPartiality ?? 0.3) : 0;
  const radius = new Float64Array(prep.nCrystals);
  for (let c = 0; c < prep.nCrystals; c++) radius[c] = crystals.profileRadiusInvNm[c] ?? Number.NaN;
  if (opts.model === "xsphere") computePartialities(prep, model, radius);
  const push = opts.pushResInvNm;
  const cutPushRes = (): void => {
    if (push === undefined) return;
    for (let i = 0; i < obs.count; i++) {
      const lim = crystals.resolutionLimitInvNm[obs.crystal[i]!];
      if (lim !== undefined && Number.isFinite(lim) && obs.invDNm[i]! > lim + push) model.partiality[i] = 0;
    }
  };
  cutPushRes();
  const range = { lowInvNm: opts.lowResInvNm ?? 0, highInvNm: opts.highResInvNm ?? Number.POSITIVE_INFINITY };
  const weightByPartiality = opts.model === "xsphere";
  const acc = (mask?: Uint8Array): MergeAccumulator => accumulate(prep, model, { ...range, minPartiality: minP, weightByPartiality, ...(mask !== undefined ? { crystalMask: mask } : {}) });
  const doScale = opts.scale ?? true;
  const reject = opts.rejectOutliers ?? doScale;
  let delta: Float64Array = new Float64Array(prep.nCrystals).fill(Number.NaN);
  const rejectStep = (): void => {
    const a = acc();
    const { ccHalf, nref } = sigmaTauCcHalf(a);
    log(`overall CC½ = ${(100 * ccHalf).toFixed(2)} % (${nref} reflections)`);
    if (!reject) return;
    delta = deltaCcHalf(prep, model, a, minP, weightByPartiality);
    const { bad, mean, sd } = badCrystalsByDeltaCcHalf(delta, model.included);
    log(`ΔCC½ = ${(100 * mean).toFixed(2)} ± ${(100 * sd).toFixed(2)} %; ${bad.length} bad crystals`);
    for (const c of bad) model.included[c] = 0;
  };
  if (doScale) {
    log("initial scaling");
    scaleAll(prep, model, opts, () => acc(), log);
  }
  rejectStep();
  const iterations = opts.iterations ?? 1;
  for (let it = 0; it < iterations; it++) {
    log(`scaling and refinement cycle ${it + 1} of ${iterations}`);
    if (opts.model === "xsphere") {
      refineRadii(prep, model, acc(), radius);
      cutPushRes();
    }
    if (doScale) scaleAll(prep, model, opts, () => acc(), log);
    rejectStep();
  }
  const minMeas = opts.minMeasurements ?? 2;
  const final = acc();
  const half = opts.halfSetOf ?? ((c: number) => (c % 2 === 1 ? 1 : 2));
  const m1 = new Uint8Array(prep.nCrystals), m2 = new Uint8Array(prep.nCrystals);
  for (let c = 0; c < prep.nCrystals; c++) {
    if (model.included[c] !== 1) continue;
    if (half(c) === 1) m1[c] = 1;
    else m2[c] = 1;
  }
  const nObs = new Int32Array(prep.nCrystals);
  for (let i = 0; i < obs.count; i++) nObs[obs.crystal[i]!]!++;
  return {
    merged: toReflectionList(prep, final, minMeas),
    half1: toReflectionList(prep, acc(m1), minMeas),
    half2: toReflectionList(prep, acc(m2), minMeas),
    crystals: { scale: model.scale, bFactorA2: model.bFactorA2, included: model.included, deltaCcHalf: delta, nObservations: nObs, radiusInvNm: radius },
    ccHalf: sigmaTauCcHalf(final).ccHalf,
  };
}
