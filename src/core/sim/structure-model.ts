/**
 * True intensities of the simulated crystals: a pseudo-atomic model in P4₃2₁2 (a compact "molecule" of
 * identical light atoms in the asymmetric unit, expanded by the 8 operators), electron scattering factor of
 * carbon (Peng et al. 1996, 5 Gaussians) and an isotropic B factor. I(hkl) = |F(hkl)|², which obeys 422
 * symmetry, Friedel's law and the P4₃2₁2 absences by construction (not imposed).
 */
import type { UnitCell } from "../geometry/cell.ts";
import { invResolutionFn } from "../geometry/cell.ts";
import { createRng } from "./rng.ts";
import { applySymOp, asu422, orbit422, P43212_OPS } from "./space-group-p43212.ts";

export interface StructureModelOptions {
  readonly cell: UnitCell;
  /** Atoms in the asymmetric unit (the cell holds 8×). */
  readonly nAtoms: number;
  /** Radius of the compact molecule, Å. */
  readonly moleculeRadiusAngstrom: number;
  /** Isotropic B factor, Å² (amplitudes × exp(−B s²/4), s = 1/d in Å⁻¹). */
  readonly bFactorA2: number;
  /** Resolution limit of the model, Å. */
  readonly dMinAngstrom: number;
  readonly seed: number;
  /** Mean intensity of reflections with 3 Å ≤ d ≤ 10 Å after scaling (arbitrary units). Default 1000. */
  readonly meanLowResIntensity?: number;
}

/** Unique reflections in the CrystFEL 422 asymmetric unit (see asu422), columnar. */
export interface UniqueReflections {
  readonly count: number;
  readonly h: Int32Array;
  readonly k: Int32Array;
  readonly l: Int32Array;
  /** True intensity (arbitrary units, the same scale as IntensityModel.intensity). */
  readonly intensity: Float64Array;
  /** 1/d, nm⁻¹ (nominal cell). */
  readonly invDNm: Float64Array;
}

export interface IntensityModel {
  readonly hMax: number;
  readonly kMax: number;
  readonly lMax: number;
  readonly dMinAngstrom: number;
  /** I(h,k,l) for any indices; 0 outside the resolution limit and for 000. */
  intensity(h: number, k: number, l: number): number;
  readonly unique: UniqueReflections;
  /** Fractional coordinates of all atoms in the cell (8 × nAtoms), [x0,y0,z0, x1,...]. */
  readonly atomsFrac: Float64Array;
}

// Peng, Ren, Dudarev & Whelan (1996) electron scattering factor of C, f(s) = Σ a exp(−b s²), s = sinθ/λ (Å⁻¹)
const PENG_C_A = [0.0489, 0.2091, 0.7537, 1.142, 0.3555];
const PENG_C_B = [0.114, 1.0825, 5.4281, 17.8811, 51.1341];

function carbonFormFactor(sinThetaOverLambda: number): number {
  const s2 = sinThetaOverLambda * sinThetaOverLambda;
  let f = 0;
  for (let i = 0; i < 5; i++) f += PENG_C_A[i]! * Math.exp(-PENG_C_B[i]! * s2);
  return f;
}

/** Builds the atom model and computes all intensities to dMin. */
export function createIntensityModel(o: StructureModelOptions): IntensityModel {
  const { cell } = o;
  if (cell.lattice !== "tetragonal" || cell.alphaDeg !== 90 || cell.betaDeg !== 90 || cell.gammaDeg !== 90) {
    throw new Error("createIntensityModel: P4₃2₁2 needs a tetragonal cell with 90° angles");
  }
  const rng = createRng(o.seed, 0x5f3759df);
  // compact molecule: atoms uniform in a sphere around a random point of the asymmetric unit brick
  const cx = rng.uniform() * 0.5, cy = rng.uniform() * 0.5, cz = rng.uniform() * 0.5;
  const atoms: number[] = [];
  for (let i = 0; i < o.nAtoms; i++) {
    let x: number, y: number, z: number;
    do { x = 2 * rng.uniform() - 1; y = 2 * rng.uniform() - 1; z = 2 * rng.uniform() - 1; } while (x * x + y * y + z * z > 1);
    const r = o.moleculeRadiusAngstrom;
    atoms.push(cx + (x * r) / cell.aA, cy + (y * r) / cell.bA, cz + (z * r) / cell.cA);
  }
  const nAll = o.nAtoms * P43212_OPS.length;
  const frac = new Float64Array(nAll * 3);
  let n = 0;
  for (const op of P43212_OPS) {
    for (let i = 0; i < o.nAtoms; i++) {
      const p = applySymOp(op, atoms[3 * i]!, atoms[3 * i + 1]!, atoms[3 * i + 2]!);
      frac[n++] = p[0]; frac[n++] = p[1]; frac[n++] = p[2];
    }
  }
  const hMax = Math.floor(cell.aA / o.dMinAngstrom), kMax = Math.floor(cell.bA / o.dMinAngstrom), lMax = Math.floor(cell.cA / o.dMinAngstrom);
  // phasor tables exp(2πi·h·x) for h = 0..hMax, per atom
  const table = (max: number, axis: number): [Float64Array, Float64Array] => {
    const c = new Float64Array((max + 1) * nAll), s = new Float64Array((max + 1) * nAll);
    for (let j = 0; j < nAll; j++) {
      const t = 2 * Math.PI * frac[3 * j + axis]!;
      for (let m = 0; m <= max; m++) { c[m * nAll + j] = Math.cos(m * t); s[m * nAll + j] = Math.sin(m * t); }
    }
    return [c, s];
  };
  const [hc, hs] = table(hMax, 0), [kc, ks] = table(kMax, 1), [lc, ls] = table(lMax, 2);
  const invD = invResolutionFn(cell); // nm⁻¹
  const invDMax = 10 / o.dMinAngstrom;
  const uh: number[] = [], uk: number[] = [], ul: number[] = [], ui: number[] = [], ud: number[] = [];
  const pc = new Float64Array(nAll), ps = new Float64Array(nAll);
  const isAsu = (h: number, k: number, l: number): boolean => {
    const a = asu422(h, k, l);
    return a[0] === h && a[1] === k && a[2] === l;
  };
  // every ASU member has h, k, l ≥ 0 (see asu422). Only k ≤ h is computed: (k,h,l) is the Bijvoet mate of
  // (h,k,l) (Friedel + the 2-fold (k,h,−l)), and |F| is equal for mates of a real density.
  for (let h = 0; h <= hMax; h++) {
    for (let k = 0; k <= Math.min(h, kMax); k++) {
      let havePair = false;
      for (let l = 0; l <= lMax; l++) {
        if ((h === 0 && k === 0 && l === 0) || !isAsu(h, k, l)) continue;
        const d = invD(h, k, l);
        if (d > invDMax) break;
        if (!havePair) {
          for (let j = 0; j < nAll; j++) {
            const a = hc[h * nAll + j]!, b = hs[h * nAll + j]!, c = kc[k * nAll + j]!, e = ks[k * nAll + j]!;
            pc[j] = a * c - b * e; ps[j] = a * e + b * c;
          }
          havePair = true;
        }
        let re = 0, im = 0;
        const base = l * nAll;
        for (let j = 0; j < nAll; j++) {
          const c = lc[base + j]!, e = ls[base + j]!;
          re += pc[j]! * c - ps[j]! * e;
          im += pc[j]! * e + ps[j]! * c;
        }
        const stol = d / 20; // sinθ/λ (Å⁻¹) = (1/d in Å⁻¹)/2 = (1/d in nm⁻¹)/20
        const f = carbonFormFactor(stol) * Math.exp(-o.bFactorA2 * stol * stol);
        const I = f * f * (re * re + im * im);
        uh.push(h); uk.push(k); ul.push(l); ui.push(I); ud.push(d);
        if (k !== h && k <= hMax && h <= kMax && isAsu(k, h, l)) { uh.push(k); uk.push(h); ul.push(l); ui.push(I); ud.push(invD(k, h, l)); }
      }
    }
  }
  const keep = uh.map((_, i) => i).sort((a, b) => uh[a]! - uh[b]! || uk[a]! - uk[b]! || ul[a]! - ul[b]!);
  // scale: mean I over 3–10 Å = meanLowResIntensity
  let sum = 0, cnt = 0;
  for (const i of keep) if (ud[i]! >= 1 && ud[i]! <= 10 / 3) { sum += ui[i]!; cnt++; }
  const scale = cnt > 0 && sum > 0 ? ((o.meanLowResIntensity ?? 1000) * cnt) / sum : 1;
  const count = keep.length;
  const unique: UniqueReflections = {
    count,
    h: Int32Array.from(keep, (i) => uh[i]!), k: Int32Array.from(keep, (i) => uk[i]!), l: Int32Array.from(keep, (i) => ul[i]!),
    intensity: Float64Array.from(keep, (i) => ui[i]! * scale), invDNm: Float64Array.from(keep, (i) => ud[i]!),
  };
  // full lookup grid over all indices: every 422 equivalent and Friedel mate
  const nh = 2 * hMax + 1, nk = 2 * kMax + 1, nl = 2 * lMax + 1;
  const grid = new Float32Array(nh * nk * nl);
  for (let i = 0; i < count; i++) {
    const I = unique.intensity[i]!;
    for (const [a, b, c] of orbit422(unique.h[i]!, unique.k[i]!, unique.l[i]!)) {
      if (Math.abs(a) > hMax || Math.abs(b) > kMax || Math.abs(c) > lMax) continue;
      grid[((a + hMax) * nk + (b + kMax)) * nl + (c + lMax)] = I;
      grid[((-a + hMax) * nk + (-b + kMax)) * nl + (-c + lMax)] = I;
    }
  }
  return {
    hMax, kMax, lMax, dMinAngstrom: o.dMinAngstrom, unique, atomsFrac: frac,
    intensity(h, k, l) {
      if (h < -hMax || h > hMax || k < -kMax || k > kMax || l < -lMax || l > lMax) return 0;
      return grid[((h + hMax) * nk + (k + kMax)) * nl + (l + lMax)]!;
    },
  };
}
