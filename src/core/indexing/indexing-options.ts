/**
 * Parameters of the built-in electron indexer. Reciprocal quantities in nm⁻¹ (1 Å⁻¹ = 10 nm⁻¹).
 */
export interface IndexingOptions {
  /** Number of lowest-resolution peaks used as seeds for the orientation search (pairs of them). */
  readonly seedPeaks: number;
  /** Peaks closer to the beam than this 1/d are never seeds (beam stop, zero-order tail), nm⁻¹. */
  readonly minSeedInvNm: number;
  /** Peaks beyond this 1/d are never seeds (lattice-vector table size), nm⁻¹. */
  readonly maxSeedInvNm: number;
  /** Seed-pair matching: |q| tolerance = lengthTolInvNm + lengthTolRel·|q|. */
  readonly lengthTolInvNm: number;
  readonly lengthTolRel: number;
  /** Seed-pair matching: angle tolerance (deg) added to the position-error term. */
  readonly angleTolDeg: number;
  /** In-plane match tolerance of a peak to a lattice point (position error), nm⁻¹ (1 px ≈ 0.014 nm⁻¹ at 1.58 m). */
  readonly matchTolInvNm: number;
  /** Reciprocal profile radius (spot size in reciprocal space), nm⁻¹ (realistic < 0.05 nm⁻¹). */
  readonly profileRadiusInvNm: number;
  /** Peaks match when their excitation error is below this × the profile radius. */
  readonly excitationTolFactor: number;
  /** Accept a lattice when at least this many peaks match... */
  readonly minMatched: number;
  /** ...and at least this fraction of the (remaining) peaks match. */
  readonly minFraction: number;
  /** Search again on unmatched peaks up to this many lattices per pattern. */
  readonly maxLattices: number;
  /** Refine an in-plane centre shift together with the orientation. */
  readonly refineShift: boolean;
  /** Estimate the beam-centre offset from Friedel pairs before the search (experimental, default off: short lattice vectors can make false modes). */
  readonly friedelCentre: boolean;
  /** Refine the reciprocal axis lengths (lattice-constrained scale factors, ±3 %) per crystal. */
  readonly refineCell: boolean;
  /** Number of best pre-scored candidates that get full refinement. */
  readonly refineCandidates: number;
  /** Upper bound on candidate orientations per search (time guard). */
  readonly maxCandidates: number;
}

export const defaultIndexingOptions: IndexingOptions = {
  seedPeaks: 12,
  minSeedInvNm: 0.05,
  maxSeedInvNm: 2.5,
  lengthTolInvNm: 0.008,
  lengthTolRel: 0.006,
  angleTolDeg: 1.0,
  matchTolInvNm: 0.02,
  profileRadiusInvNm: 0.02,
  excitationTolFactor: 1.5,
  minMatched: 12,
  minFraction: 0.25,
  maxLattices: 3,
  refineShift: true,
  refineCell: true,
  friedelCentre: false,
  refineCandidates: 16,
  maxCandidates: 40000,
};

/** Fills unspecified options with defaults and checks ranges (throws naming the bad option). */
export function resolveIndexingOptions(o: Partial<IndexingOptions> = {}): IndexingOptions {
  const r: IndexingOptions = { ...defaultIndexingOptions, ...o };
  const pos: (keyof IndexingOptions)[] = ["seedPeaks", "maxSeedInvNm", "lengthTolInvNm", "angleTolDeg", "matchTolInvNm", "profileRadiusInvNm", "excitationTolFactor", "refineCandidates", "maxCandidates", "maxLattices"];
  for (const k of pos) {
    const v = r[k];
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) throw new Error(`indexing option ${k} must be a positive number, got ${String(v)}`);
  }
  if (r.seedPeaks < 2) throw new Error("indexing option seedPeaks must be ≥ 2");
  if (r.minFraction < 0 || r.minFraction > 1) throw new Error("indexing option minFraction must be in [0, 1]");
  return r;
}
