/**
 * One shot through the built-in engine: peaks (corner convention) → indexing → prediction →
 * ring integration, and the CrystFEL stream chunk for it. Pure; run by the worker pool.
 */
import type { UnitCell } from "../geometry/cell.ts";
import type { Frame } from "../image/frame.ts";
import type { StreamChunk, StreamCrystal, StreamPeaks, StreamReflections } from "../formats/stream-types.ts";
import { standardChunkFields } from "../formats/stream-writer.ts";
import { invNmToShiftMm, peaksToQ, qLength, type PanelGeometry } from "./ewald-geometry.ts";
import { createIndexer, type Indexer } from "./index-pattern.ts";
import type { IndexingOptions } from "./indexing-options.ts";
import { mat9ToBasis } from "./lattice.ts";
import { predictReflections } from "../integration/predict.ts";
import { integrateRings, type RingOptions } from "../integration/integrate-rings.ts";

export interface EngineConfig {
  readonly panel: PanelGeometry;
  readonly cell: UnitCell;
  readonly indexing: Partial<IndexingOptions>;
  readonly rings: RingOptions;
  /** Profile radius used for prediction, nm⁻¹. */
  readonly profileRadiusInvNm: number;
  /** Minimum peaks to attempt indexing (CrystFEL --min-peaks). */
  readonly minPeaks: number;
  /** Panel name written in streams. */
  readonly panelName: string;
}

/** One found crystal of a shot (what a .sol line and a stream crystal need). */
export interface ShotCrystal {
  /** Basis matrix, row-major, columns a*, b*, c*, nm⁻¹, lab. */
  readonly A: Float64Array;
  /** Total detector shift for prediction = shot shift + refined shift, mm. */
  readonly shiftMm: readonly [number, number];
  /** Refined part only (written as predict_refine/det_shift and in .sol), mm. */
  readonly refinedShiftMm: readonly [number, number];
  readonly nMatched: number;
}

export interface ShotInput {
  /** Peaks, corner convention. */
  readonly fs: Float32Array;
  readonly ss: Float32Array;
  readonly intensity: Float32Array;
  /** Per-shot detector shift (geometry detector_shift_x/y), mm. */
  readonly shiftXMm: number;
  readonly shiftYMm: number;
}

let cached: { key: EngineConfig; ix: Indexer } | null = null;
function indexerFor(c: EngineConfig): Indexer {
  if (!cached || cached.key !== c) cached = { key: c, ix: createIndexer(c.cell, { profileRadiusInvNm: c.profileRadiusInvNm, ...c.indexing }) };
  return cached.ix;
}

/** Indexes one shot's peaks; [] if too few peaks or no lattice accepted. */
export function indexShot(c: EngineConfig, s: ShotInput): ShotCrystal[] {
  const n = s.fs.length;
  if (n < c.minPeaks) return [];
  const q = peaksToQ(c.panel, s.fs, s.ss, n, s.shiftXMm, s.shiftYMm);
  return indexerFor(c).index(q, n).map((l) => {
    // q + s corresponds to moving the detector by Δ = s·L/k
    const rx = invNmToShiftMm(c.panel, l.shiftInvNm[0]), ry = invNmToShiftMm(c.panel, l.shiftInvNm[1]);
    return { A: l.A, shiftMm: [s.shiftXMm + rx, s.shiftYMm + ry], refinedShiftMm: [rx, ry], nMatched: l.nMatched };
  });
}

/** Predicts and integrates one crystal on a frame → stream reflection table (corner convention). */
export function integrateCrystal(c: EngineConfig, cr: ShotCrystal, frame: Frame, mask?: Uint8Array): StreamReflections {
  const pr = predictReflections(cr.A, c.panel, { profileRadiusInvNm: c.profileRadiusInvNm, centering: c.cell.centering, shiftXMm: cr.shiftMm[0], shiftYMm: cr.shiftMm[1] });
  const res = integrateRings(frame, pr.fs, pr.ss, pr.count, c.rings, mask);
  const keep: number[] = [];
  for (let i = 0; i < pr.count; i++) if (res.ok[i]) keep.push(i);
  const pick = <T extends Float32Array | Int32Array>(ctor: new (n: number) => T, src: ArrayLike<number>): T => { const o = new ctor(keep.length); keep.forEach((i, j) => { o[j] = src[i]!; }); return o; };
  return {
    count: keep.length,
    h: pick(Int32Array, pr.h), k: pick(Int32Array, pr.k), l: pick(Int32Array, pr.l),
    intensity: pick(Float32Array, res.intensity), sigma: pick(Float32Array, res.sigma), peak: pick(Float32Array, res.peak), background: pick(Float32Array, res.background),
    fs: pick(Float32Array, pr.fs), ss: pick(Float32Array, pr.ss), panel: keep.map(() => c.panelName),
  };
}

const emptyReflections = (): StreamReflections => ({ count: 0, h: new Int32Array(0), k: new Int32Array(0), l: new Int32Array(0), intensity: new Float32Array(0), sigma: new Float32Array(0), peak: new Float32Array(0), background: new Float32Array(0), fs: new Float32Array(0), ss: new Float32Array(0), panel: [] });

/** Stream chunk of one shot (indexamajig's layout). `reflections[i]` belongs to `crystals[i]`. */
export function shotChunk(c: EngineConfig, filename: string, event: string, serial: number, s: ShotInput, crystals: readonly ShotCrystal[], reflections: readonly (StreamReflections | null)[], indexedBy = "serialed"): StreamChunk {
  const n = s.fs.length;
  const q = peaksToQ(c.panel, s.fs, s.ss, n, s.shiftXMm, s.shiftYMm);
  const invD = new Float32Array(n);
  let maxRes = 0;
  for (let i = 0; i < n; i++) { invD[i] = qLength(q, i); maxRes = Math.max(maxRes, invD[i]!); }
  const peaks: StreamPeaks = { fs: s.fs, ss: s.ss, invDNm: invD, intensity: s.intensity, panel: Array.from({ length: n }, () => c.panelName), count: n };
  const fields = standardChunkFields({ hit: n >= c.minPeaks, indexedBy: crystals.length > 0 ? indexedBy : "none", wavelengthAngstrom: c.panel.wavelengthA, cameraLengthM: c.panel.clenM, peakResolutionInvNm: maxRes });
  const out: StreamCrystal[] = crystals.map((cr, i) => {
    const refl = reflections[i] ?? emptyReflections();
    let resLim = 0;
    for (let j = 0; j < refl.count; j++) if (refl.intensity[j]! > 3 * refl.sigma[j]!) {
      const h = refl.h[j]!, k = refl.k[j]!, l = refl.l[j]!;
      resLim = Math.max(resLim, Math.hypot(cr.A[0]! * h + cr.A[1]! * k + cr.A[2]! * l, cr.A[3]! * h + cr.A[4]! * k + cr.A[5]! * l, cr.A[6]! * h + cr.A[7]! * k + cr.A[8]! * l));
    }
    return {
      basis: mat9ToBasis(cr.A), lattice: c.cell.lattice, centering: c.cell.centering, uniqueAxis: c.cell.uniqueAxis,
      cellParamsNmDeg: null, profileRadiusInvNm: c.profileRadiusInvNm, detShiftMm: cr.refinedShiftMm,
      resolutionLimitInvNm: resLim, extra: new Map(), reflections: refl,
    };
  });
  return { filename, event, serial, hit: n >= c.minPeaks, indexedBy: crystals.length > 0 ? indexedBy : "none", fields, peaks, crystals: out };
}
