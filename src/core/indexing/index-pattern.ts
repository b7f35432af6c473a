/**
 * Built-in indexer for electron still patterns with a known cell.
 *
 * An electron pattern is an almost flat section through reciprocal space, so the cell cannot be
 * found per pattern, but every observed peak q is still a reciprocal-lattice vector. Search: take
 * pairs of low-resolution peaks (seeds), look up lattice vectors of the same lengths (sorted table,
 * first vector only up to lattice symmetry) whose mutual angle matches, and turn each match into a
 * rotation (Horn superposition of the two directions) — the idea of TakeTwo, restricted to the
 * short vectors that an ED pattern shows densely. Candidates are pre-scored on the low-resolution
 * peaks with a loose tolerance; the best few are refined by least squares (Horn/Kabsch on all
 * assigned peaks, plus an in-plane centre shift) while the resolution limit grows and the tolerance
 * shrinks, which also fixes the tilt about in-plane axes that two seeds leave uncertain (the Ewald
 * curvature makes high-resolution peaks sensitive to it). Accepted lattices have their peaks
 * removed and the search repeats (multiple crystals per pattern).
 */
import type { ReciprocalBasis, UnitCell } from "../geometry/cell.ts";
import { resolveIndexingOptions, type IndexingOptions } from "./indexing-options.ts";
import { bestRotation, cellMat9, latticeRotations, latticeVectors, lowerBound, mat9ToBasis, misorientationDeg, type LatticeVectorTable } from "./lattice.ts";
import { gaussNewtonRefine, type GnState } from "./refine-gn.ts";
import { axisAngle9, inverse9, mul9, rotationFromCorrelation, transpose9, type Mat9 } from "./rotation.ts";

/** One lattice found in a pattern. */
export interface IndexedLattice {
  /** Basis matrix, row-major, columns a*, b*, c* in the lab frame (nm⁻¹): q = A·h. */
  readonly A: Mat9;
  readonly basis: ReciprocalBasis;
  /** Number of peaks assigned to this lattice. */
  readonly nMatched: number;
  /** nMatched / number of peaks that were still unassigned when this lattice was searched. */
  readonly fraction: number;
  /** Indices (into the input peaks) of the matched peaks. */
  readonly peakIndex: Int32Array;
  /** h, k, l of each matched peak (3 per entry). */
  readonly hkl: Int32Array;
  /** In-plane offset added to all q of the pattern (beam-centre correction), nm⁻¹ (x, y lab). */
  readonly shiftInvNm: readonly [x: number, y: number];
  /** RMS in-plane residual of matched peaks, nm⁻¹. */
  readonly rmsInPlaneInvNm: number;
  /** RMS of the out-of-plane residual (≈ excitation error) of matched peaks, nm⁻¹. */
  readonly rmsExcitationInvNm: number;
}

export interface Indexer {
  readonly options: IndexingOptions;
  /** Proper rotations of the lattice (hkl matrices), for comparing orientations. */
  readonly ops: readonly Int8Array[];
  /** Crystal-frame basis matrix of the cell. */
  readonly B: Mat9;
  /** Index one pattern: q = 3n scattering vectors (nm⁻¹, lab, e.g. from peaksToQ). Lattices sorted by matched peaks, most first. */
  index(q: Float64Array, n: number): IndexedLattice[];
  /** Refine a known orientation A0 (e.g. from a .sol file) against the peaks and assign hkl. */
  refineFrom(q: Float64Array, n: number, A0: ArrayLike<number>): IndexedLattice;
}

interface Work {
  readonly q: Float64Array;
  readonly len: Float64Array;
  /** Active peak indices sorted by |q|. */
  readonly act: Int32Array;
}

const STAGE_ANG = [0.03, 0.015, 0.007, 0.003, 0.0015, 0.0008];
const STAGE_QF = [2, 4, 8, Infinity, Infinity, Infinity];
const FRAC_TOL = 0.3;
/** Stop refining candidates once one explains this fraction of the peaks. */
const EARLY_ACCEPT = 0.97;
/** Tilts (deg) of the restarts that look for a better nearby minimum. */
const TILTS_DEG = [3, 6];

/** Pre-scoring uses at most this many of the lowest-resolution peaks. */
const PRESCORE_PEAKS = 40;

export function createIndexer(cell: UnitCell, options: Partial<IndexingOptions> = {}): Indexer {
  const opt = resolveIndexingOptions(options);
  const B = cellMat9(cell);
  const Binv = inverse9(B);
  const table = latticeVectors(B, cell.centering, opt.maxSeedInvNm * (1 + opt.lengthTolRel) + opt.lengthTolInvNm);
  const ops = latticeRotations(B);
  const isRep = orbitRepresentatives(table, ops);
  const ties = axisTies(cell);
  const tXY = opt.matchTolInvNm, tZ = opt.excitationTolFactor * opt.profileRadiusInvNm;

  /** Count/assign peaks of `idx` under A with tolerance growing by `ang`·|q|; fills `hOut` if given. */
  /** Soft score of the last assign(): Σ (1 − d²) over accepted peaks, d = normalised residual. */
  let lastSoft = 0;
  function assign(A: Mat9, Ainv: Mat9, w: Work, qMax: number, ang: number, shX: number, shY: number, matched: Int32Array | null, hOut: Int32Array | null): number {
    let n = 0;
    lastSoft = 0;
    const { q, len, act } = w;
    for (let t = 0; t < act.length; t++) {
      const i = act[t]!;
      const L = len[i]!;
      if (L > qMax) break;
      const x = q[3 * i]! + shX, y = q[3 * i + 1]! + shY, z = q[3 * i + 2]!;
      const fh = Ainv[0]! * x + Ainv[1]! * y + Ainv[2]! * z;
      const fk = Ainv[3]! * x + Ainv[4]! * y + Ainv[5]! * z;
      const fl = Ainv[6]! * x + Ainv[7]! * y + Ainv[8]! * z;
      const h = Math.round(fh), k = Math.round(fk), l = Math.round(fl);
      if (h === 0 && k === 0 && l === 0) continue;
      // never accept a peak half-way between lattice points, whatever the tolerance
      if (Math.abs(fh - h) > FRAC_TOL || Math.abs(fk - k) > FRAC_TOL || Math.abs(fl - l) > FRAC_TOL) continue;
      const rx = x - (A[0]! * h + A[1]! * k + A[2]! * l);
      const ry = y - (A[3]! * h + A[4]! * k + A[5]! * l);
      const rz = z - (A[6]! * h + A[7]! * k + A[8]! * l);
      const tx = tXY + L * ang, tz = tZ + L * ang;
      const dxy = (rx * rx + ry * ry) / (tx * tx);
      if (dxy + (rz * rz) / (tz * tz) > 1) continue;
      // excitation errors are genuine (uniform within the profile radius): score the in-plane fit only
      lastSoft += 1 - dxy;
      if (matched) matched[n] = i;
      if (hOut) { hOut[3 * n] = h; hOut[3 * n + 1] = k; hOut[3 * n + 2] = l; }
      n++;
    }
    return n;
  }

  interface Refined { A: Mat9; n: number; soft: number; shX: number; shY: number; matched: Int32Array; hkl: Int32Array; rmsXY: number; rmsZ: number }

  function refine(A0: Mat9, w: Work, qSeed: number, nStages = STAGE_ANG.length): Refined {
    let A = A0, Ainv = inverse9(A0);
    let shX = 0, shY = 0;
    const matched = new Int32Array(w.act.length), hkl = new Int32Array(3 * w.act.length);
    // A0 = R·B for candidates; for a given A0 (refineFrom) take its rotation part
    const st: GnState = { R: bestRotation(B, A0), shX: 0, shY: 0, D: Float64Array.of(1, 1, 1) };
    for (let s = 0; s < nStages; s++) {
      const n = assign(A, Ainv, w, qSeed * STAGE_QF[s]!, STAGE_ANG[s]!, shX, shY, matched, hkl);
      if (n < 4) break;
      gaussNewtonRefine(B, st, w.q, matched, hkl, n, {
        sigmaXY: tXY / 2, sigmaZ: opt.profileRadiusInvNm,
        refineShift: opt.refineShift && n >= 8, refineCell: opt.refineCell && s >= 2 && n >= 20,
        ties, sigmaD: 0.004, maxScaleChange: 0.015,
      }, 2);
      A = mul9(st.R, mul9(B, Float64Array.of(st.D[0]!, 0, 0, 0, st.D[1]!, 0, 0, 0, st.D[2]!)));
      Ainv = inverse9(A);
      shX = st.shX; shY = st.shY;
    }
    const n = nStages === STAGE_ANG.length ? assign(A, Ainv, w, Infinity, 0, shX, shY, matched, hkl) : assign(A, Ainv, w, qSeed * STAGE_QF[nStages - 1]!, STAGE_ANG[nStages - 1]!, shX, shY, matched, hkl);
    const soft = lastSoft;
    let sxy = 0, sz = 0;
    for (let m = 0; m < n; m++) {
      const i = matched[m]!, h = hkl[3 * m]!, k = hkl[3 * m + 1]!, l = hkl[3 * m + 2]!;
      const rx = w.q[3 * i]! + shX - (A[0]! * h + A[1]! * k + A[2]! * l);
      const ry = w.q[3 * i + 1]! + shY - (A[3]! * h + A[4]! * k + A[5]! * l);
      const rz = w.q[3 * i + 2]! - (A[6]! * h + A[7]! * k + A[8]! * l);
      sxy += rx * rx + ry * ry; sz += rz * rz;
    }
    return { A, n, soft, shX, shY, matched: matched.slice(0, n), hkl: hkl.slice(0, 3 * n), rmsXY: n ? Math.sqrt(sxy / n) : 0, rmsZ: n ? Math.sqrt(sz / n) : 0 };
  }

  function search(w: Work): Refined | null {
    const { q, len, act } = w;
    // seeds: lowest-resolution peaks, no two (anti)parallel (rows of a zone are collinear)
    const seeds: number[] = [];
    for (let t = 0; t < act.length && seeds.length < opt.seedPeaks; t++) {
      const i = act[t]!, L = len[i]!;
      if (L < opt.minSeedInvNm || L > opt.maxSeedInvNm) continue;
      const collinear = seeds.some((j) => Math.abs(q[3 * i]! * q[3 * j]! + q[3 * i + 1]! * q[3 * j + 1]! + q[3 * i + 2]! * q[3 * j + 2]!) > 0.985 * L * len[j]!);
      if (!collinear) seeds.push(i);
    }
    if (seeds.length < 2) return null;
    const qSeed = len[seeds[seeds.length - 1]!]!;
    const preMax = Math.max(qSeed * 2, len[act[Math.min(PRESCORE_PEAKS, act.length) - 1]!]!);
    const cands: { A: Mat9; score: number }[] = [];
    const S = new Float64Array(9);
    outer: for (let a = 0; a < seeds.length; a++) {
      for (let b = a + 1; b < seeds.length; b++) {
        const i = seeds[a]!, j = seeds[b]!;
        const li = len[i]!, lj = len[j]!;
        const qi = [q[3 * i]! / li, q[3 * i + 1]! / li, q[3 * i + 2]! / li] as const;
        const qj = [q[3 * j]! / lj, q[3 * j + 1]! / lj, q[3 * j + 2]! / lj] as const;
        const cosO = qi[0] * qj[0] + qi[1] * qj[1] + qi[2] * qj[2];
        const theta = Math.acos(Math.max(-1, Math.min(1, cosO)));
        if (theta < 0.26 || theta > Math.PI - 0.26) continue;
        const tol = (opt.angleTolDeg * Math.PI) / 180 + (2 * tXY) / Math.min(li, lj);
        const i0 = lowerBound(table.length, li - opt.lengthTolInvNm - opt.lengthTolRel * li);
        const i1 = lowerBound(table.length, li + opt.lengthTolInvNm + opt.lengthTolRel * li);
        const j0 = lowerBound(table.length, lj - opt.lengthTolInvNm - opt.lengthTolRel * lj);
        const j1 = lowerBound(table.length, lj + opt.lengthTolInvNm + opt.lengthTolRel * lj);
        for (let u = i0; u < i1; u++) {
          if (!isRep[u]) continue;
          const gu = table.length[u]!;
          const ux = table.vec[3 * u]! / gu, uy = table.vec[3 * u + 1]! / gu, uz = table.vec[3 * u + 2]! / gu;
          for (let v = j0; v < j1; v++) {
            const gv = table.length[v]!;
            const vx = table.vec[3 * v]! / gv, vy = table.vec[3 * v + 1]! / gv, vz = table.vec[3 * v + 2]! / gv;
            const ang = Math.acos(Math.max(-1, Math.min(1, ux * vx + uy * vy + uz * vz)));
            if (Math.abs(ang - theta) > tol) continue;
            S[0] = ux * qi[0] + vx * qj[0]; S[1] = ux * qi[1] + vx * qj[1]; S[2] = ux * qi[2] + vx * qj[2];
            S[3] = uy * qi[0] + vy * qj[0]; S[4] = uy * qi[1] + vy * qj[1]; S[5] = uy * qi[2] + vy * qj[2];
            S[6] = uz * qi[0] + vz * qj[0]; S[7] = uz * qi[1] + vz * qj[1]; S[8] = uz * qi[2] + vz * qj[2];
            const R = rotationFromCorrelation(S);
            const A = mul9(R, B);
            const score = assign(A, mul9(Binv, transpose9(R)), w, preMax, 0.03, 0, 0, null, null);
            cands.push({ A, score });
            if (cands.length >= opt.maxCandidates) break outer;
          }
        }
      }
    }
    if (cands.length === 0) return null;
    cands.sort((x, y) => y.score - x.score);
    const kept: Mat9[] = [];
    let best: Refined | null = null;
    for (const c of cands) {
      if (kept.length >= opt.refineCandidates) break;
      if (kept.some((k) => misorientationDeg(k, c.A, ops) < 1.5)) continue;
      kept.push(c.A);
      // A and its partner rotated by 180° about the beam predict the same zero-order Laue zone
      // (which is centrosymmetric); only higher-order-zone spots tell them apart, so refine both.
      for (const A0 of [c.A, flipAboutBeam(c.A)]) {
        const r = refine(A0, w, qSeed);
        // soft score: among orientations explaining the same peaks, prefer the best in-plane fit
        if (!best || r.soft > best.soft) best = r;
      }
      if (best && best.n >= opt.minMatched && best.n >= EARLY_ACCEPT * w.act.length) break;
    }
    if (!best || best.n < opt.minMatched) return best;
    // A flat pattern has nearby local minima: a tilt about an in-plane axis (a few degrees) that a
    // cell change or the excitation-error tolerance absorbs. Restart from tilted copies of the best.
    const base = best.A;
    for (const tiltDeg of TILTS_DEG) {
      for (let k = 0; k < 6; k++) {
        const phi = (k * Math.PI) / 3;
        const T = axisAngle9(Math.cos(phi), Math.sin(phi), 0, (tiltDeg * Math.PI) / 180);
        const r = refine(mul9(T, base), w, qSeed);
        if (r.soft > best.soft) best = r;
      }
    }
    return best;
  }

  function index(qIn: Float64Array, n: number): IndexedLattice[] {
    if (qIn.length < 3 * n) throw new Error(`indexing: q has ${qIn.length} values, expected ${3 * n}`);
    // a wrong beam centre shifts every peak; Friedel mates (q, −q) reveal it independently of the cell
    const s0 = opt.friedelCentre ? friedelOffset(qIn, n) : [0, 0];
    const q = Float64Array.from(qIn);
    for (let i = 0; i < n; i++) { q[3 * i] = q[3 * i]! + s0[0]!; q[3 * i + 1] = q[3 * i + 1]! + s0[1]!; }
    const len = new Float64Array(n);
    for (let i = 0; i < n; i++) len[i] = Math.hypot(q[3 * i]!, q[3 * i + 1]!, q[3 * i + 2]!);
    const used = new Uint8Array(n);
    const out: IndexedLattice[] = [];
    for (let lat = 0; lat < opt.maxLattices; lat++) {
      const actList: number[] = [];
      for (let i = 0; i < n; i++) if (!used[i] && Number.isFinite(len[i]!)) actList.push(i);
      if (actList.length < opt.minMatched) break;
      actList.sort((x, y) => len[x]! - len[y]!);
      const w: Work = { q, len, act: Int32Array.from(actList) };
      const r = search(w);
      if (!r) break;
      const fraction = r.n / actList.length;
      if (r.n < opt.minMatched || fraction < opt.minFraction) break;
      // the same crystal again (its spots beyond the excitation tolerance): not a new lattice
      if (out.some((o) => misorientationDeg(o.A, r.A, ops) < 2)) break;
      for (const i of r.matched) used[i] = 1;
      out.push({ A: r.A, basis: mat9ToBasis(r.A), nMatched: r.n, fraction, peakIndex: r.matched, hkl: r.hkl, shiftInvNm: [r.shX + s0[0]!, r.shY + s0[1]!], rmsInPlaneInvNm: r.rmsXY, rmsExcitationInvNm: r.rmsZ });
    }
    // strongest lattice first
    return out.sort((x, y) => y.nMatched - x.nMatched);
  }

  function refineFrom(q: Float64Array, n: number, A0: ArrayLike<number>): IndexedLattice {
    const len = new Float64Array(n);
    const act: number[] = [];
    for (let i = 0; i < n; i++) { len[i] = Math.hypot(q[3 * i]!, q[3 * i + 1]!, q[3 * i + 2]!); if (Number.isFinite(len[i]!)) act.push(i); }
    act.sort((x, y) => len[x]! - len[y]!);
    const w: Work = { q, len, act: Int32Array.from(act) };
    // the given orientation carries its own cell: fit the rotation to it, keep B's lengths only if A0 is this cell
    const r = refine(Float64Array.from(A0), w, Infinity);
    return { A: r.A, basis: mat9ToBasis(r.A), nMatched: r.n, fraction: act.length ? r.n / act.length : 0, peakIndex: r.matched, hkl: r.hkl, shiftInvNm: [r.shX, r.shY], rmsInPlaneInvNm: r.rmsXY, rmsExcitationInvNm: r.rmsZ };
  }

  return { options: opt, ops, B, index, refineFrom };
}

/** Which reciprocal axes share one length scale (lattice constraints): group index per axis. */
function axisTies(cell: UnitCell): readonly [number, number, number] {
  switch (cell.lattice) {
    case "cubic": case "rhombohedral": return [0, 0, 0];
    case "tetragonal": case "hexagonal":
      return cell.uniqueAxis === "a" ? [0, 1, 1] : cell.uniqueAxis === "b" ? [0, 1, 0] : [0, 0, 1];
    default: return [0, 1, 2];
  }
}

/**
 * In-plane offset s (nm⁻¹) that centres the pattern: Friedel mates satisfy q_i + q_j = −2s. Votes
 * the midpoints of all nearly opposite pairs of similar length into a 2-D histogram (±0.1 nm⁻¹,
 * ≈ ±7 px at 1.58 m) and returns −(mean of the midpoints near the mode), or 0 without a clear mode.
 */
export function friedelOffset(q: Float64Array, n: number): [number, number] {
  const W = 0.1, bin = 0.005, nb = Math.round((2 * W) / bin);
  const H = new Float64Array(nb * nb);
  const mx: number[] = [], my: number[] = [];
  for (let i = 0; i < n; i++) {
    const xi = q[3 * i]!, yi = q[3 * i + 1]!, li = Math.hypot(xi, yi);
    if (li < 0.15) continue;
    for (let j = i + 1; j < n; j++) {
      const sx = xi + q[3 * j]!, sy = yi + q[3 * j + 1]!;
      if (Math.abs(sx) >= 2 * W || Math.abs(sy) >= 2 * W) continue;
      const mxv = sx / 2, myv = sy / 2;
      const bx = Math.floor((mxv + W) / bin), by = Math.floor((myv + W) / bin);
      if (bx < 0 || by < 0 || bx >= nb || by >= nb) continue;
      H[by * nb + bx] = H[by * nb + bx]! + 1;
      mx.push(mxv); my.push(myv);
    }
  }
  if (mx.length < 10) return [0, 0];
  let best = -1, bv = 0, total = 0;
  for (let by = 1; by < nb - 1; by++) for (let bx = 1; bx < nb - 1; bx++) {
    let v = 0;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) v += H[(by + dy) * nb + bx + dx]!;
    total += H[by * nb + bx]!;
    if (v > bv) { bv = v; best = by * nb + bx; }
  }
  // a real Friedel mode holds many pairs, far above the uniform level of random pairs
  const uniform = (9 * total) / ((nb - 2) * (nb - 2));
  if (best < 0 || bv < 8 || bv < 4 * uniform) return [0, 0];
  const cx = -W + ((best % nb) + 0.5) * bin, cy = -W + (Math.floor(best / nb) + 0.5) * bin;
  let sx = 0, sy = 0, c = 0;
  for (let k = 0; k < mx.length; k++) if (Math.abs(mx[k]! - cx) < 1.5 * bin && Math.abs(my[k]! - cy) < 1.5 * bin) { sx += mx[k]!; sy += my[k]!; c++; }
  return c > 0 ? [-sx / c, -sy / c] : [0, 0];
}

/** Rz(180°)·A: the crystal turned by 180° about the beam (lab z). */
function flipAboutBeam(A: Mat9): Mat9 {
  return Float64Array.of(-A[0]!, -A[1]!, -A[2]!, -A[3]!, -A[4]!, -A[5]!, A[6]!, A[7]!, A[8]!);
}

/** Flag one lattice vector per orbit of the lattice rotations (lexicographically largest hkl). */
function orbitRepresentatives(t: LatticeVectorTable, ops: readonly Int8Array[]): Uint8Array {
  const rep = new Uint8Array(t.count);
  for (let i = 0; i < t.count; i++) {
    const h = t.hkl[3 * i]!, k = t.hkl[3 * i + 1]!, l = t.hkl[3 * i + 2]!;
    let isMax = true;
    for (const M of ops) {
      const h2 = M[0]! * h + M[1]! * k + M[2]! * l, k2 = M[3]! * h + M[4]! * k + M[5]! * l, l2 = M[6]! * h + M[7]! * k + M[8]! * l;
      if (h2 > h || (h2 === h && (k2 > k || (k2 === k && l2 > l)))) { isMax = false; break; }
    }
    rep[i] = isMax ? 1 : 0;
  }
  return rep;
}
