/**
 * Unit cells and reciprocal bases. Lengths in Å, angles in degrees; reciprocal vectors and 1/d in nm⁻¹
 * (the units of CrystFEL streams, .sol files and shell tables).
 */
import { cross, dot, inverse, norm, scale, type Mat3, type Vec3 } from "./vec3.ts";

export type LatticeType = "triclinic" | "monoclinic" | "orthorhombic" | "tetragonal" | "rhombohedral" | "hexagonal" | "cubic";
export type Centering = "P" | "A" | "B" | "C" | "I" | "F" | "R" | "H";
export type UniqueAxis = "a" | "b" | "c" | "?";

export interface UnitCell {
  readonly aA: number;
  readonly bA: number;
  readonly cA: number;
  readonly alphaDeg: number;
  readonly betaDeg: number;
  readonly gammaDeg: number;
  readonly lattice: LatticeType;
  readonly centering: Centering;
  readonly uniqueAxis: UniqueAxis;
}

/** Reciprocal basis vectors a*, b*, c* in the lab frame, nm⁻¹ (as in a stream's astar/bstar/cstar). */
export interface ReciprocalBasis {
  readonly astar: Vec3;
  readonly bstar: Vec3;
  readonly cstar: Vec3;
}

const rad = (deg: number): number => (deg * Math.PI) / 180;

/** Real-space basis (rows a, b, c) in nm, standard setting: a along x, b in the xy plane. */
export function realBasisNm(cell: UnitCell): Mat3 {
  const a = cell.aA / 10, b = cell.bA / 10, c = cell.cA / 10;
  const ca = Math.cos(rad(cell.alphaDeg)), cb = Math.cos(rad(cell.betaDeg));
  const cg = Math.cos(rad(cell.gammaDeg)), sg = Math.sin(rad(cell.gammaDeg));
  const cx = c * cb;
  const cy = (c * (ca - cb * cg)) / sg;
  const cz = Math.sqrt(Math.max(c * c - cx * cx - cy * cy, 0));
  return [[a, 0, 0], [b * cg, b * sg, 0], [cx, cy, cz]];
}

/** Reciprocal basis of a real basis (rows a, b, c in nm) → rows a*, b*, c* in nm⁻¹. */
export function reciprocalOfReal(real: Mat3): ReciprocalBasis {
  const v = dot(real[0], cross(real[1], real[2]));
  return { astar: scale(cross(real[1], real[2]), 1 / v), bstar: scale(cross(real[2], real[0]), 1 / v), cstar: scale(cross(real[0], real[1]), 1 / v) };
}

/** Real basis (rows a, b, c in nm) of a reciprocal basis. */
export function realOfReciprocal(r: ReciprocalBasis): Mat3 {
  const rb: Mat3 = [r.astar, r.bstar, r.cstar];
  const v = dot(rb[0], cross(rb[1], rb[2]));
  return [scale(cross(rb[1], rb[2]), 1 / v), scale(cross(rb[2], rb[0]), 1 / v), scale(cross(rb[0], rb[1]), 1 / v)];
}

/** Reciprocal basis of a cell in the standard setting (no rotation). */
export function reciprocalBasis(cell: UnitCell): ReciprocalBasis {
  return reciprocalOfReal(realBasisNm(cell));
}

/** Cell lengths (Å) and angles (°) of a reciprocal basis; lattice/centering must be supplied. */
export function cellFromReciprocal(r: ReciprocalBasis, lattice: LatticeType, centering: Centering, uniqueAxis: UniqueAxis): UnitCell {
  const [a, b, c] = realOfReciprocal(r);
  const ang = (u: Vec3, w: Vec3): number => (Math.acos(dot(u, w) / (norm(u) * norm(w))) * 180) / Math.PI;
  return { aA: norm(a) * 10, bA: norm(b) * 10, cA: norm(c) * 10, alphaDeg: ang(b, c), betaDeg: ang(a, c), gammaDeg: ang(a, b), lattice, centering, uniqueAxis };
}

/** Scattering vector of hkl, nm⁻¹ (lab frame of the basis). */
export function scatteringVector(r: ReciprocalBasis, h: number, k: number, l: number): Vec3 {
  return [h * r.astar[0] + k * r.bstar[0] + l * r.cstar[0], h * r.astar[1] + k * r.bstar[1] + l * r.cstar[1], h * r.astar[2] + k * r.bstar[2] + l * r.cstar[2]];
}

/** 1/d of hkl in nm⁻¹ (= 10/d[Å]). Uses the metric tensor, so independent of orientation. */
export function invResolutionNm(cell: UnitCell, h: number, k: number, l: number): number {
  const r = reciprocalBasis(cell);
  return norm(scatteringVector(r, h, k, l));
}

/** Metric-tensor form for fast repeated 1/d evaluation: returns f(h,k,l) → 1/d in nm⁻¹. */
export function invResolutionFn(cell: UnitCell): (h: number, k: number, l: number) => number {
  const { astar: A, bstar: B, cstar: C } = reciprocalBasis(cell);
  const g11 = dot(A, A), g22 = dot(B, B), g33 = dot(C, C), g12 = dot(A, B), g13 = dot(A, C), g23 = dot(B, C);
  return (h, k, l) => Math.sqrt(h * h * g11 + k * k * g22 + l * l * g33 + 2 * (h * k * g12 + h * l * g13 + k * l * g23));
}

/** Is hkl allowed by the lattice centering (systematic absences from centering only)? */
export function centeringAllows(centering: Centering, h: number, k: number, l: number): boolean {
  switch (centering) {
    case "P": return true;
    case "A": return (k + l) % 2 === 0;
    case "B": return (h + l) % 2 === 0;
    case "C": return (h + k) % 2 === 0;
    case "I": return (h + k + l) % 2 === 0;
    case "F": { const e = (x: number): number => ((x % 2) + 2) % 2; return e(h) === e(k) && e(k) === e(l); }
    case "R": return (((-h + k + l) % 3) + 3) % 3 === 0;
    case "H": return (((h - k) % 3) + 3) % 3 === 0;
  }
}

/** Matrix whose rows are a*, b*, c*. */
export function basisMatrix(r: ReciprocalBasis): Mat3 {
  return [r.astar, r.bstar, r.cstar];
}
/** Fractional hkl (real numbers) of a scattering vector q (nm⁻¹) in the basis. */
export function fractionalHkl(r: ReciprocalBasis, q: Vec3): Vec3 {
  // q = h a* + k b* + l c*  →  [h k l] = q · M⁻¹ where M has rows a*, b*, c*
  const inv = inverse(basisMatrix(r));
  return [q[0] * inv[0][0] + q[1] * inv[1][0] + q[2] * inv[2][0], q[0] * inv[0][1] + q[1] * inv[1][1] + q[2] * inv[2][1], q[0] * inv[0][2] + q[1] * inv[1][2] + q[2] * inv[2][2]];
}
