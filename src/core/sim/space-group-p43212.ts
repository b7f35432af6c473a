/**
 * Space group P4₃2₁2 (No. 96, lysozyme) and its point group 422, as used by the simulator.
 * Operators as listed by the International Tables / gemmi (`gemmi sg P43212`).
 */

/** A symmetry operator x' = R·x + t on fractional coordinates (R row-major 3x3, t fractions). */
export interface SymOp {
  readonly r: readonly [number, number, number, number, number, number, number, number, number];
  readonly t: readonly [number, number, number];
}

/** The 8 operators of P4₃2₁2. */
export const P43212_OPS: readonly SymOp[] = [
  { r: [1, 0, 0, 0, 1, 0, 0, 0, 1], t: [0, 0, 0] }, //        x, y, z
  { r: [0, -1, 0, 1, 0, 0, 0, 0, 1], t: [0.5, 0.5, 0.75] }, // -y+1/2, x+1/2, z+3/4
  { r: [-1, 0, 0, 0, -1, 0, 0, 0, 1], t: [0, 0, 0.5] }, //    -x, -y, z+1/2
  { r: [0, 1, 0, -1, 0, 0, 0, 0, 1], t: [0.5, 0.5, 0.25] }, // y+1/2, -x+1/2, z+1/4
  { r: [1, 0, 0, 0, -1, 0, 0, 0, -1], t: [0.5, 0.5, 0.25] }, // x+1/2, -y+1/2, -z+1/4
  { r: [0, -1, 0, -1, 0, 0, 0, 0, -1], t: [0, 0, 0.5] }, //   -y, -x, -z+1/2
  { r: [-1, 0, 0, 0, 1, 0, 0, 0, -1], t: [0.5, 0.5, 0.75] }, // -x+1/2, y+1/2, -z+3/4
  { r: [0, 1, 0, 1, 0, 0, 0, 0, -1], t: [0, 0, 0] }, //        y, x, -z
];

/** Apply an operator to fractional coordinates, wrapped into [0, 1). */
export function applySymOp(op: SymOp, x: number, y: number, z: number): [number, number, number] {
  const r = op.r;
  const w = (v: number): number => v - Math.floor(v);
  return [w(r[0] * x + r[1] * y + r[2] * z + op.t[0]), w(r[3] * x + r[4] * y + r[5] * z + op.t[1]), w(r[6] * x + r[7] * y + r[8] * z + op.t[2])];
}

/** The 8 equivalents of (h,k,l) under point group 422 (Friedel mates are NOT included, as in CrystFEL `-y 422`). */
export function orbit422(h: number, k: number, l: number): [number, number, number][] {
  return [[h, k, l], [-h, -k, l], [-k, h, l], [k, -h, l], [-h, k, -l], [h, -k, -l], [k, h, -l], [-k, -h, -l]];
}

/**
 * Representative of (h,k,l) in the asymmetric unit of 422 used by CrystFEL (checked against the
 * fixture lyso_ed_unity.hkl): l ≥ 0, k ≥ 0, h > 0 (or h = k = 0), and h ≥ k when l = 0.
 */
export function asu422(h: number, k: number, l: number): [number, number, number] {
  for (const m of orbit422(h, k, l)) {
    const [a, b, c] = m;
    if (c < 0 || b < 0) continue;
    if (a <= 0 && !(a === 0 && b === 0)) continue;
    if (c === 0 && a < b) continue;
    return m;
  }
  return [0, 0, 0]; // only (0,0,0) reaches here
}

/** Is hkl systematically absent in P4₃2₁2 (00l with l ≠ 4n; h00 / 0k0 with h, k odd)? */
export function isAbsentP43212(h: number, k: number, l: number): boolean {
  if (h === 0 && k === 0) return l % 4 !== 0;
  if (k === 0 && l === 0) return h % 2 !== 0;
  if (h === 0 && l === 0) return k % 2 !== 0;
  return false;
}
