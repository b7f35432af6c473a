/**
 * Seeded pseudo-random numbers for the simulator (no global state, no clock).
 * xoshiro128** (Blackman & Vigna) seeded through splitmix32, so that any tuple of integers
 * (seed, stream, index) gives an independent, reproducible stream: `createRng(seed, 3, shotIndex)`.
 */

/** splitmix32-style integer mixer (bijective on uint32). */
export function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Hash of a tuple of integers → uint32 (order matters). */
export function hashInts(...values: readonly number[]): number {
  let h = 0x2545f491;
  for (const v of values) {
    // fold in the low and high 32 bits so that large (≤ 2^53) integers keep their identity
    const lo = v >>> 0;
    const hi = Math.floor(v / 4294967296) >>> 0;
    h = mix32(h ^ lo);
    h = mix32(h ^ hi ^ 0x68e31da4);
  }
  return h;
}

export interface Rng {
  /** Uniform in [0, 1) with 32 random bits. */
  uniform(): number;
  /** Raw uint32. */
  nextU32(): number;
  /** Standard normal (Box–Muller, cached second value). */
  normal(): number;
  /** Poisson-distributed integer with mean `lambda` ≥ 0. */
  poisson(lambda: number): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Fills `out` with uniforms in [0, 1) (same sequence as repeated uniform(), faster). */
  fillUniform(out: Float64Array): void;
}

/** Independent generator for the tuple (seed, ...stream ids). */
export function createRng(seed: number, ...stream: readonly number[]): Rng {
  let s0 = hashInts(seed, ...stream, 1);
  let s1 = hashInts(seed, ...stream, 2);
  let s2 = hashInts(seed, ...stream, 3);
  let s3 = hashInts(seed, ...stream, 4);
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  let spare = NaN;
  const nextU32 = (): number => {
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return r;
  };
  const uniform = (): number => nextU32() / 4294967296;
  const normal = (): number => {
    if (!Number.isNaN(spare)) { const v = spare; spare = NaN; return v; }
    let u = uniform();
    while (u <= 0) u = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    const th = 2 * Math.PI * uniform();
    spare = r * Math.sin(th);
    return r * Math.cos(th);
  };
  const poisson = (lambda: number): number => {
    if (!(lambda > 0)) return 0;
    if (lambda < 30) {
      // inversion by sequential search: one uniform per sample, O(lambda) multiplications
      let p = Math.exp(-lambda);
      let f = p;
      const u = uniform();
      let k = 0;
      while (u > f && k < 1000) { k++; p *= lambda / k; f += p; }
      return k;
    }
    return poissonPtrs(lambda, uniform);
  };
  const fillUniform = (out: Float64Array): void => {
    let a = s0, b = s1, c = s2, d = s3;
    for (let i = 0; i < out.length; i++) {
      const r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
      const t = b << 9;
      c ^= a; d ^= b; b ^= c; a ^= d;
      c ^= t;
      d = (d << 11) | (d >>> 21);
      out[i] = r / 4294967296;
    }
    s0 = a; s1 = b; s2 = c; s3 = d;
  };
  return { uniform, nextU32, normal, poisson, int: (n) => Math.floor(uniform() * n), fillUniform };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** log(k!) via Stirling series (exact table for small k). */
const LOG_FACT_TABLE = (() => {
  const t = new Float64Array(64);
  for (let k = 1; k < 64; k++) t[k] = t[k - 1]! + Math.log(k);
  return t;
})();
function logFactorial(k: number): number {
  if (k < 64) return LOG_FACT_TABLE[k]!;
  const x = k + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x * x * x);
}

/** Hörmann's PTRS transformed rejection sampler (exact Poisson, lambda ≥ 10). */
function poissonPtrs(lambda: number, uniform: () => number): number {
  const slam = Math.sqrt(lambda);
  const loglam = Math.log(lambda);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = uniform() - 0.5;
    const v = uniform();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - logFactorial(k)) return k;
  }
}
