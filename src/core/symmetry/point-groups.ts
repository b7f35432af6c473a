/**
 * The 32 crystallographic point groups under CrystFEL's names, as integer operators on Miller
 * indices, and CrystFEL's asymmetric-unit convention (symmetry.c get_asymm).
 *
 * Precisely, get_asymm prefers equivalents without negative indices ("don't lose no-negs status") and
 * among those of equal status takes the lexicographically largest (h, k, l).
 *
 * Operators come from the rotation parts of a symmorphic space group of each point group
 * (space-group-table.ts, generated from gemmi). Indices transform as row vectors: h' = h·W.
 */
import { SPACE_GROUP_TABLE } from "./space-group-table.ts";
import { closeRotations, parseSymOp } from "./symop.ts";

/** A point group: `count` operators, flat row-major 3×3 integer matrices W (h' = h·W). */
export interface PointGroup {
  /** CrystFEL name, e.g. "422", "321_H", "2_uab", "-3m_R". */
  readonly name: string;
  readonly ops: Int32Array;
  readonly count: number;
  /** true if the group contains the inversion (Friedel mates merged). */
  readonly centrosymmetric: boolean;
}

/** Representative symmorphic space group (xhm of the table) per CrystFEL point-group name. */
const REPRESENTATIVE: Readonly<Record<string, string>> = {
  "1": "P 1", "-1": "P -1", "2": "P 1 2 1", "m": "P 1 m 1", "2/m": "P 1 2/m 1", "222": "P 2 2 2", "mm2": "P m m 2",
  "mmm": "P m m m", "4": "P 4", "-4": "P -4", "4/m": "P 4/m", "422": "P 4 2 2", "4mm": "P 4 m m", "-42m": "P -4 2 m",
  "-4m2": "P -4 m 2", "4/mmm": "P 4/m m m", "3_H": "P 3", "-3_H": "P -3", "312_H": "P 3 1 2", "321_H": "P 3 2 1",
  "3m1_H": "P 3 m 1", "31m_H": "P 3 1 m", "-31m_H": "P -3 1 m", "-3m1_H": "P -3 m 1", "6": "P 6", "-6": "P -6",
  "6/m": "P 6/m", "622": "P 6 2 2", "6mm": "P 6 m m", "-6m2": "P -6 m 2", "-62m": "P -6 2 m", "6/mmm": "P 6/m m m",
  "23": "P 2 3", "m-3": "P m -3", "432": "P 4 3 2", "-43m": "P -4 3 m", "m-3m": "P m -3 m", "3_R": "R 3:R",
  "-3_R": "R -3:R", "32_R": "R 3 2:R", "3m_R": "R 3 m:R", "-3m_R": "R -3 m:R",
};

/** Short names CrystFEL also accepts (hexagonal axes by default). */
const ALIASES: Readonly<Record<string, string>> = {
  "3": "3_H", "-3": "-3_H", "32": "321_H", "321": "321_H", "312": "312_H", "3m": "3m1_H", "3m1": "3m1_H",
  "31m": "31m_H", "-3m": "-3m1_H", "-3m1": "-3m1_H", "-31m": "-31m_H", "2_uab": "2", "m_uab": "m", "2/m_uab": "2/m",
};

/** Default unique axis of groups that have one (monoclinic: b; uniaxial and mm2: c). */
const MONOCLINIC = new Set(["2", "m", "2/m"]);

/** All CrystFEL point-group names accepted by {@link pointGroup} (without _ua variants). */
export const POINT_GROUP_NAMES: readonly string[] = Object.keys(REPRESENTATIVE);

const cache = new Map<string, PointGroup>();

function rotationsOf(xhm: string): number[][] {
  const entry = SPACE_GROUP_TABLE.find((e) => e.xhm === xhm);
  if (entry === undefined) throw new Error(`internal: space group ${xhm} missing from table`);
  return closeRotations(entry.ops.map((o) => parseSymOp(o).rot));
}

/** Permutation sending unique axis `from` to `to` (0 = a, 1 = b, 2 = c), as a 3×3 matrix P[new][old]. */
function axisPermutation(from: number, to: number): number[] {
  const shift = (((to - from) % 3) + 3) % 3;
  const p = new Array<number>(9).fill(0);
  for (let old = 0; old < 3; old++) p[((old + shift) % 3) * 3 + old] = 1;
  return p;
}

function conjugate(w: readonly number[], p: readonly number[]): number[] {
  const out = new Array<number>(9).fill(0);
  // W' = P W Pᵀ
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) s += p[i * 3 + a]! * w[a * 3 + b]! * p[j * 3 + b]!;
      out[i * 3 + j] = s;
    }
  }
  return out;
}

/**
 * Looks up a point group by CrystFEL name ("422", "4/mmm", "321_H", "-3m_R", "2_uac", "4_uaa", …).
 * Throws an Error naming the symbol when it is unknown.
 */
export function pointGroup(name: string): PointGroup {
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  let base = ALIASES[name] ?? name;
  let axis = -1;
  const ua = /^(.*)_ua([abc])$/.exec(base);
  if (ua !== null) {
    base = ALIASES[ua[1]!] ?? ua[1]!;
    axis = "abc".indexOf(ua[2]!);
  }
  const rep = REPRESENTATIVE[base];
  if (rep === undefined) throw new Error(`unknown point group "${name}" (expected one of ${POINT_GROUP_NAMES.join(", ")}, optionally with _uaa/_uab/_uac)`);
  let rots = rotationsOf(rep);
  if (axis >= 0) {
    const defaultAxis = MONOCLINIC.has(base) ? 1 : 2;
    const p = axisPermutation(defaultAxis, axis);
    rots = rots.map((w) => conjugate(w, p));
  }
  const ops = new Int32Array(rots.length * 9);
  rots.forEach((w, i) => ops.set(w, i * 9));
  const centrosymmetric = rots.some((w) => w.join(",") === "-1,0,0,0,-1,0,0,0,-1");
  const pg: PointGroup = { name, ops, count: rots.length, centrosymmetric };
  cache.set(name, pg);
  return pg;
}

/** Point group with the inversion added (Laue group), e.g. 422 → 4/mmm; used to merge Friedel pairs. */
export function laueGroupOf(pg: PointGroup): PointGroup {
  if (pg.centrosymmetric) return pg;
  const rots: number[][] = [];
  for (let i = 0; i < pg.count; i++) rots.push(Array.from(pg.ops.subarray(i * 9, i * 9 + 9)));
  const all = closeRotations([...rots, [-1, 0, 0, 0, -1, 0, 0, 0, -1]]);
  const ops = new Int32Array(all.length * 9);
  all.forEach((w, i) => ops.set(w, i * 9));
  return { name: `laue(${pg.name})`, ops, count: all.length, centrosymmetric: true };
}

/**
 * Asymmetric-unit representative of (h, k, l) as CrystFEL chooses it: an equivalent without negative
 * indices if there is one, and among those the lexicographically largest. Writes into `out` [h, k, l].
 */
export function asymmetricIndex(pg: PointGroup, h: number, k: number, l: number, out: Int32Array): void {
  const o = pg.ops;
  let bh = h, bk = k, bl = l;
  let bNeg = h < 0 || k < 0 || l < 0;
  for (let p = 0; p < pg.count; p++) {
    const b = p * 9;
    const nh = h * o[b]! + k * o[b + 3]! + l * o[b + 6]!;
    const nk = h * o[b + 1]! + k * o[b + 4]! + l * o[b + 7]!;
    const nl = h * o[b + 2]! + k * o[b + 5]! + l * o[b + 8]!;
    const neg = nh < 0 || nk < 0 || nl < 0;
    if (neg && !bNeg) continue;
    if ((bNeg && !neg) || nh > bh || (nh === bh && (nk > bk || (nk === bk && nl > bl)))) {
      bh = nh; bk = nk; bl = nl; bNeg = neg;
    }
  }
  out[0] = bh; out[1] = bk; out[2] = bl;
}

/** Maps columns of indices to their asymmetric-unit representatives (outputs may alias inputs). */
export function mapToAsymmetricUnit(pg: PointGroup, h: Int32Array, k: Int32Array, l: Int32Array, outH: Int32Array, outK: Int32Array, outL: Int32Array): void {
  const n = h.length;
  if (k.length !== n || l.length !== n || outH.length < n || outK.length < n || outL.length < n) throw new Error("mapToAsymmetricUnit: column lengths differ");
  const t = new Int32Array(3);
  for (let i = 0; i < n; i++) {
    asymmetricIndex(pg, h[i]!, k[i]!, l[i]!, t);
    outH[i] = t[0]!; outK[i] = t[1]!; outL[i] = t[2]!;
  }
}

/** All distinct symmetry equivalents of (h, k, l) (flat [h0,k0,l0,h1,…]). */
export function equivalents(pg: PointGroup, h: number, k: number, l: number): number[] {
  const seen = new Set<string>();
  const out: number[] = [];
  const o = pg.ops;
  for (let p = 0; p < pg.count; p++) {
    const b = p * 9;
    const e = [h * o[b]! + k * o[b + 3]! + l * o[b + 6]!, h * o[b + 1]! + k * o[b + 4]! + l * o[b + 7]!, h * o[b + 2]! + k * o[b + 5]! + l * o[b + 8]!];
    const key = e.join(",");
    if (!seen.has(key)) {
      seen.add(key);
      out.push(...e);
    }
  }
  return out;
}

/** Rotation-set equality, used to name the point group of a space group in CrystFEL terms. */
export function samePointGroup(a: PointGroup, b: PointGroup): boolean {
  if (a.count !== b.count) return false;
  const set = new Set<string>();
  for (let i = 0; i < a.count; i++) set.add(Array.from(a.ops.subarray(i * 9, i * 9 + 9)).join(","));
  for (let i = 0; i < b.count; i++) if (!set.has(Array.from(b.ops.subarray(i * 9, i * 9 + 9)).join(","))) return false;
  return true;
}
