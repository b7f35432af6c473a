/**
 * Indexing-ambiguity resolution (ambigator-like, Brehm & Diederichs 2014): when the lattice symmetry
 * (apparent point group, e.g. 4/mmm) exceeds the true point group (e.g. 4), each crystal may be
 * indexed in either of two settings related by a reindexing operator. Crystals are assigned to
 * settings so that the sum of correlations between crystals in a consistent setting is maximal.
 */
import type { PointGroup } from "../symmetry/point-groups.ts";
import { asymmetricIndex } from "../symmetry/point-groups.ts";
import { packHkl, type Observations } from "./observations.ts";

/** An integer 3×3 operator on indices, row-major, applied as h' = h·W (as point-group operators). */
export type ReindexOp = readonly number[];

/**
 * The reindexing operator relating the apparent (lattice) group to the actual point group: the first
 * operator of `apparent` that is not in `actual` (and, for a centrosymmetric apparent group with a
 * non-centrosymmetric actual group, not just the inversion times an actual operator, since Friedel
 * mates are equal). Throws if there is none (no ambiguity).
 */
export function ambiguityOperator(actual: PointGroup, apparent: PointGroup): number[] {
  const key = (w: ArrayLike<number>): string => Array.from(w).join(",");
  const inActual = new Set<string>();
  for (let i = 0; i < actual.count; i++) {
    const w = actual.ops.subarray(i * 9, i * 9 + 9);
    inActual.add(key(w));
    inActual.add(key(Array.from(w, (v) => -v))); // Friedel: −W is equivalent for intensities
  }
  for (let i = 0; i < apparent.count; i++) {
    const w = Array.from(apparent.ops.subarray(i * 9, i * 9 + 9));
    if (!inActual.has(key(w))) return w;
  }
  throw new Error(`no indexing ambiguity: every operator of ${apparent.name} is in ${actual.name} (up to Friedel)`);
}

export interface AmbiguityOptions {
  readonly actual: PointGroup;
  readonly operator: ReindexOp;
  /** Correlate each crystal with this many others (default: all). */
  readonly nCorr?: number;
  readonly iterations?: number;
  /** Resolution range of reflections used, nm⁻¹. */
  readonly lowInvNm?: number;
  readonly highInvNm?: number;
  /** Minimum common reflections for a correlation to count (default 3). */
  readonly minCommon?: number;
  readonly seed?: number;
}

export interface AmbiguityResult {
  /** 1 = crystal reindexed with the operator. */
  readonly reindexed: Uint8Array;
  /** Mean correlation with the others in the chosen setting and in the other one, per crystal. */
  readonly ccChosen: Float64Array;
  readonly ccOther: Float64Array;
}

interface Sparse {
  keys: Int32Array;
  values: Float64Array;
}

function sparseOf(obs: Observations, rows: readonly number[], pg: PointGroup, op: ReindexOp | null): Sparse {
  const t = new Int32Array(3);
  const m = new Map<number, [number, number]>();
  for (const i of rows) {
    let h = obs.h[i]!, k = obs.k[i]!, l = obs.l[i]!;
    if (op !== null) {
      const nh = h * op[0]! + k * op[3]! + l * op[6]!, nk = h * op[1]! + k * op[4]! + l * op[7]!, nl = h * op[2]! + k * op[5]! + l * op[8]!;
      h = nh; k = nk; l = nl;
    }
    asymmetricIndex(pg, h, k, l, t);
    const key = packHkl(t[0]!, t[1]!, t[2]!);
    const e = m.get(key) ?? [0, 0];
    e[0] += obs.intensity[i]!;
    e[1]++;
    m.set(key, e);
  }
  const keys = Int32Array.from([...m.keys()].sort((a, b) => a - b));
  return { keys, values: Float64Array.from(keys, (k) => m.get(k)![0] / m.get(k)![1]) };
}

function cc(a: Sparse, b: Sparse, minCommon: number): number {
  let i = 0, j = 0, n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  while (i < a.keys.length && j < b.keys.length) {
    const ka = a.keys[i]!, kb = b.keys[j]!;
    if (ka < kb) i++;
    else if (kb < ka) j++;
    else {
      const x = a.values[i++]!, y = b.values[j++]!;
      n++; sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y;
    }
  }
  if (n < minCommon) return Number.NaN;
  const v = (sxx - (sx * sx) / n) * (syy - (sy * sy) / n);
  return v > 0 ? (sxy - (sx * sy) / n) / Math.sqrt(v) : Number.NaN;
}

/** Assigns each crystal a setting; see module doc. Pure; randomness (partner choice) from `seed`. */
export function resolveAmbiguity(obs: Observations, nCrystals: number, opts: AmbiguityOptions): AmbiguityResult {
  const rows: number[][] = Array.from({ length: nCrystals }, () => []);
  const lo = opts.lowInvNm ?? 0, hi = opts.highInvNm ?? Number.POSITIVE_INFINITY;
  for (let i = 0; i < obs.count; i++) {
    const d = obs.invDNm[i]!;
    if (d >= lo && d <= hi) rows[obs.crystal[i]!]!.push(i);
  }
  const same = rows.map((r) => sparseOf(obs, r, opts.actual, null));
  const flip = rows.map((r) => sparseOf(obs, r, opts.actual, opts.operator));
  const minCommon = opts.minCommon ?? 3;
  // partners: all, or nCorr pseudo-random others
  let seed = (opts.seed ?? 1) >>> 0;
  const rand = (): number => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
  const nCorr = Math.min(opts.nCorr ?? nCrystals - 1, nCrystals - 1);
  const partners: number[][] = [];
  for (let i = 0; i < nCrystals; i++) {
    if (nCorr >= nCrystals - 1) partners.push([...Array(nCrystals).keys()].filter((j) => j !== i));
    else {
      const set = new Set<number>();
      while (set.size < nCorr) {
        const j = Math.floor(rand() * nCrystals);
        if (j !== i) set.add(j);
      }
      partners.push([...set]);
    }
  }
  // ccS[i][p] = CC(i as indexed, partner as indexed); ccF = CC(i reindexed, partner as indexed)
  const ccS = partners.map((ps, i) => ps.map((j) => cc(same[i]!, same[j]!, minCommon)));
  const ccF = partners.map((ps, i) => ps.map((j) => cc(flip[i]!, same[j]!, minCommon)));
  const a = new Uint8Array(nCrystals);
  const ccChosen = new Float64Array(nCrystals), ccOther = new Float64Array(nCrystals);
  const iterations = opts.iterations ?? 6;
  for (let it = 0; it < iterations; it++) {
    let changed = 0;
    for (let i = 0; i < nCrystals; i++) {
      let fKeep = 0, fFlip = 0, n = 0;
      partners[i]!.forEach((j, p) => {
        const s = ccS[i]![p]!, f = ccF[i]![p]!;
        if (!Number.isFinite(s) || !Number.isFinite(f)) return;
        // correlation of i's setting 0 with j's current setting (reindexing both sides preserves CC)
        if (a[j] === 0) { fKeep += s; fFlip += f; } else { fKeep += f; fFlip += s; }
        n++;
      });
      const want = fFlip > fKeep ? 1 : 0;
      if (want !== a[i]) { a[i] = want; changed++; }
      ccChosen[i] = n > 0 ? Math.max(fKeep, fFlip) / n : Number.NaN;
      ccOther[i] = n > 0 ? Math.min(fKeep, fFlip) / n : Number.NaN;
    }
    if (changed === 0 && it > 0) break;
  }
  return { reindexed: a, ccChosen, ccOther };
}

/** Applies the assignment: reindexes the observations of flagged crystals (new arrays). */
export function applyReindexing(obs: Observations, reindexed: Uint8Array, op: ReindexOp): Observations {
  const h = Int32Array.from(obs.h), k = Int32Array.from(obs.k), l = Int32Array.from(obs.l);
  for (let i = 0; i < obs.count; i++) {
    if (reindexed[obs.crystal[i]!] !== 1) continue;
    const a = obs.h[i]!, b = obs.k[i]!, c = obs.l[i]!;
    h[i] = a * op[0]! + b * op[3]! + c * op[6]!;
    k[i] = a * op[1]! + b * op[4]! + c * op[7]!;
    l[i] = a * op[2]! + b * op[5]! + c * op[8]!;
  }
  return { ...obs, h, k, l };
}
