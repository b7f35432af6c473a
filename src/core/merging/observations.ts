/**
 * Columnar observations for merging: one entry per integrated reflection of one crystal. No
 * per-observation objects; all columns have length `count`.
 */

export interface Observations {
  readonly count: number;
  /** Crystal index (0-based, stream order) of each observation. */
  readonly crystal: Int32Array;
  /** Miller indices as integrated (not yet mapped to the asymmetric unit). */
  readonly h: Int32Array;
  readonly k: Int32Array;
  readonly l: Int32Array;
  /** Integrated intensity, detector counts. */
  readonly intensity: Float64Array;
  /** σ(I), same units. */
  readonly sigma: Float64Array;
  /** 1/d from the crystal's own cell, nm⁻¹. */
  readonly invDNm: Float64Array;
  /** Excitation error (distance of the reciprocal-lattice point from the Ewald sphere), nm⁻¹; NaN if unknown. */
  readonly excitationErrorInvNm: Float64Array;
}

/** Per-crystal inputs, arrays of length `count` (crystal index order). */
export interface CrystalInputs {
  readonly count: number;
  /** Profile radius from the stream, nm⁻¹ (NaN if unknown). */
  readonly profileRadiusInvNm: Float64Array;
  /** diffraction_resolution_limit from the stream, nm⁻¹ (NaN if unknown). */
  readonly resolutionLimitInvNm: Float64Array;
  /** Human-readable label, e.g. "sim_ed.h5 //7 #1". */
  readonly labels: readonly string[];
}

/** A merged reflection list (asymmetric unit), columnar. */
export interface ReflectionList {
  readonly count: number;
  readonly h: Int32Array;
  readonly k: Int32Array;
  readonly l: Int32Array;
  readonly intensity: Float64Array;
  readonly sigma: Float64Array;
  readonly nmeas: Int32Array;
}

/** Packs (h, k, l), each in [-511, 511], into one non-negative integer < 2³⁰. */
export function packHkl(h: number, k: number, l: number): number {
  return (h + 512) * 1048576 + (k + 512) * 1024 + (l + 512);
}

export function unpackHkl(key: number, out: Int32Array): void {
  out[0] = Math.floor(key / 1048576) - 512;
  out[1] = (Math.floor(key / 1024) & 1023) - 512;
  out[2] = (key & 1023) - 512;
}

/**
 * Assigns dense ids to packed keys with an open-addressing hash table (no Map, no objects).
 * Returns the id of every input key and the distinct keys in order of first appearance.
 */
export function denseIds(keys: Int32Array): { ids: Int32Array; unique: Int32Array } {
  const n = keys.length;
  let cap = 1024;
  while (cap < n * 2) cap *= 2;
  const mask = cap - 1;
  const table = new Int32Array(cap).fill(-1);
  const ids = new Int32Array(n);
  const unique = new Int32Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const key = keys[i]!;
    let slot = Math.imul(key, 0x9e3779b1) >>> 0 & mask;
    for (;;) {
      const t = table[slot]!;
      if (t === -1) {
        table[slot] = m;
        unique[m] = key;
        ids[i] = m++;
        break;
      }
      if (unique[t] === key) {
        ids[i] = t;
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
  return { ids, unique: unique.slice(0, m) };
}

/** Creates empty observation columns of a given length (to be filled by a reader). */
export function allocateObservations(count: number): Observations {
  return {
    count,
    crystal: new Int32Array(count),
    h: new Int32Array(count),
    k: new Int32Array(count),
    l: new Int32Array(count),
    intensity: new Float64Array(count),
    sigma: new Float64Array(count),
    invDNm: new Float64Array(count),
    excitationErrorInvNm: new Float64Array(count).fill(Number.NaN),
  };
}

/** Validates that all observation columns have length `count` and indices fit the packing range. */
export function assertObservations(obs: Observations): void {
  const n = obs.count;
  for (const [name, col] of Object.entries({ crystal: obs.crystal, h: obs.h, k: obs.k, l: obs.l, intensity: obs.intensity, sigma: obs.sigma, invDNm: obs.invDNm, excitationErrorInvNm: obs.excitationErrorInvNm })) {
    if (col.length !== n) throw new Error(`observations: column ${name} has length ${col.length}, expected ${n}`);
  }
  for (let i = 0; i < n; i++) {
    const h = obs.h[i]!, k = obs.k[i]!, l = obs.l[i]!;
    if (h < -511 || h > 511 || k < -511 || k > 511 || l < -511 || l > 511) throw new Error(`observations: index ${h} ${k} ${l} (row ${i}) outside ±511`);
  }
}
