// Per-pixel float passes in AssemblyScript (compiled by scripts/build-wasm.mjs into
// src/core/preproc/wasm/pixelprep-wasm-bytes.ts): the saturation correction + flat-field of
// correctImage (saturateAndFlatfield in src/core/preproc/correct-image.ts) and the analysis image of
// analyzePattern (prepareAnalysisImage in src/core/preproc/analyze-pattern.ts). Same float64 operations in
// the same order as the JS (f64x2 lanes: IEEE add/mul/div, no fused ops), float32 stores, so the
// results are bit-identical. Buffers live in linear memory at offsets chosen by the JS wrapper
// (src/core/preproc/wasm/pixelprep-wasm.ts); nothing is allocated here.

export function heapBase(): usize {
  return __heap_base;
}

/**
 * out[i] = v < 0 ? v : f32(v·(1 + x(1 + x(1.5 + x(c3 + x·c4))))) [/ ref[i], rounded to f32 again]
 * with v = src[i], x = s·v, for every pixel (gap pixels are redone by gapsFix with their own s).
 * hasRef: divide by the flat-field reference. c3 = 8/3 and c4 = 125/24 come from JS (same constants).
 */
export function saturate(src: usize, ref: usize, out: usize, n: i32, s: f64, c3: f64, c4: f64, hasRef: i32): void {
  const S = f64x2.splat(s), C3 = f64x2.splat(c3), C4 = f64x2.splat(c4);
  const one = f64x2.splat(1.0), c15 = f64x2.splat(1.5), z32 = f32x4.splat(0);
  const n2 = n & ~1;
  let i = 0;
  if (hasRef !== 0) {
    for (; i < n2; i += 2) {
      const o = <usize>i << 2;
      const v32 = v128.load64_zero(src + o);
      const v = f64x2.promote_low_f32x4(v32);
      const x = f64x2.mul(S, v);
      const p = f64x2.add(one, f64x2.mul(x, f64x2.add(one, f64x2.mul(x, f64x2.add(c15, f64x2.mul(x, f64x2.add(C3, f64x2.mul(x, C4))))))));
      const c = f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(f64x2.mul(v, p)));
      const r = f64x2.promote_low_f32x4(v128.load64_zero(ref + o));
      const q = f32x4.demote_f64x2_zero(f64x2.div(c, r));
      v128.store64_lane(out + o, v128.bitselect(v32, q, f32x4.lt(v32, z32)), 0);
    }
  } else {
    for (; i < n2; i += 2) {
      const o = <usize>i << 2;
      const v32 = v128.load64_zero(src + o);
      const v = f64x2.promote_low_f32x4(v32);
      const x = f64x2.mul(S, v);
      const p = f64x2.add(one, f64x2.mul(x, f64x2.add(one, f64x2.mul(x, f64x2.add(c15, f64x2.mul(x, f64x2.add(C3, f64x2.mul(x, C4))))))));
      const q = f32x4.demote_f64x2_zero(f64x2.mul(v, p));
      v128.store64_lane(out + o, v128.bitselect(v32, q, f32x4.lt(v32, z32)), 0);
    }
  }
  for (; i < n; i++) one1(src, ref, out, i, s, c3, c4, hasRef);
}

/** The same for the listed pixels idx[0..m) (gap pixels) with their own s. */
export function gapsFix(src: usize, ref: usize, out: usize, idx: usize, m: i32, s: f64, c3: f64, c4: f64, hasRef: i32): void {
  for (let k = 0; k < m; k++) one1(src, ref, out, load<i32>(idx + (<usize>k << 2)), s, c3, c4, hasRef);
}

// @ts-ignore: decorator
@inline function one1(src: usize, ref: usize, out: usize, i: i32, s: f64, c3: f64, c4: f64, hasRef: i32): void {
  const o = <usize>i << 2;
  const v = <f64>load<f32>(src + o);
  const x = s * v;
  const c = <f32>(v * (1.0 + x * (1.0 + x * (1.5 + x * (c3 + x * c4)))));
  let r: f32 = c;
  if (hasRef !== 0) r = <f32>(<f64>c / <f64>load<f32>(ref + o));
  store<f32>(out + o, v < 0 ? <f32>v : r);
}

/**
 * Analysis image (analyzePattern with a workspace): out[i] = −1 if src[i] is not finite (v − v ≠ 0), else
 * v / ref[i] if hasRef and v ≥ 0 (float64 division rounded to f32), else v. In place if out = src.
 */
export function prepare(src: usize, ref: usize, out: usize, n: i32, hasRef: i32): void {
  const m1 = f32x4.splat(-1), z32 = f32x4.splat(0);
  const n4 = n & ~3;
  let i = 0;
  if (hasRef !== 0) {
    for (; i < n4; i += 4) {
      const o = <usize>i << 2;
      const v = v128.load(src + o), r = v128.load(ref + o);
      const lo = f32x4.demote_f64x2_zero(f64x2.div(f64x2.promote_low_f32x4(v), f64x2.promote_low_f32x4(r)));
      const vh = i32x4.shuffle(v, v, 2, 3, 0, 1), rh = i32x4.shuffle(r, r, 2, 3, 0, 1);
      const hi = f32x4.demote_f64x2_zero(f64x2.div(f64x2.promote_low_f32x4(vh), f64x2.promote_low_f32x4(rh)));
      const q = i32x4.shuffle(lo, hi, 0, 1, 4, 5);
      const d = v128.bitselect(q, v, f32x4.ge(v, z32));
      v128.store(out + o, v128.bitselect(d, m1, f32x4.eq(f32x4.sub(v, v), z32)));
    }
  } else {
    for (; i < n4; i += 4) {
      const o = <usize>i << 2;
      const v = v128.load(src + o);
      v128.store(out + o, v128.bitselect(v, m1, f32x4.eq(f32x4.sub(v, v), z32)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const v = <f64>load<f32>(src + o);
    let a: f64 = v;
    if (!(v - v == 0)) a = -1.0;
    else if (hasRef !== 0 && v >= 0) a = v / <f64>load<f32>(ref + o);
    store<f32>(out + o, <f32>a);
  }
}
