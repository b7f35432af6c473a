// peakfinder8 hot loops in AssemblyScript (compiled by scripts/build-wasm.mjs into
// src/core/preproc/wasm/peakfinder8-wasm-bytes.ts). A line-by-line port of the JS reference in
// src/core/preproc/peakfinder8.ts (indexAndPack, packByBin, clipStatistics, the seed scan and
// connectedPeaks), with the same floating-point operations in the same order, so the peaks are
// bit-identical. All buffers live in linear memory at offsets chosen by the JS wrapper
// (src/core/preproc/wasm/peakfinder8-wasm.ts); nothing is allocated here.

const UNUSABLE: i32 = 65535;
const FLT_MAX: f64 = 3.4028234663852886e38;
const FLT_MIN: f64 = 1.1754943508222875e-38;

export function heapBase(): usize {
  return __heap_base;
}

/** JS Math.round (halves towards +∞). */
// @ts-ignore: decorator
@inline function jsRound(x: f64): f64 {
  const r = Math.ceil(x);
  return r - 0.5 > x ? r - 1.0 : r;
}

/** rint(|(dx, dy)|) with (b−½)² ≤ r2 < (b+½)², as radiusBin in the JS reference. */
function radiusBin(dx: f64, dy: f64): i32 {
  const r2 = dx * dx + dy * dy;
  let b = <i32>jsRound(Math.sqrt(r2));
  while (b > 0 && r2 < (<f64>b - 0.5) * (<f64>b - 0.5)) b--;
  while (r2 >= (<f64>b + 0.5) * (<f64>b + 0.5)) b++;
  return b;
}

// @ts-ignore: decorator
@inline function fillU16(p: usize, from: i32, to: i32): void {
  for (let i = from; i < to; i++) store<u16>(p + (<usize>i << 1), <u16>UNUSABLE);
}

/**
 * Radius map fused with the grouping by bin (indexAndPack). Only the values are grouped (the seeds come
 * from a raster scan of the radius map in components, which needs no pixel indices). Returns 1 if
 * every bin fitted its segment.
 */
export function pack(
  data: usize, mask: usize, H: i32, W: i32, cx: f64, cy: f64, minR: f64, maxR: f64,
  bins: usize, fill: usize, end: usize, nBins: i32, packVal: usize, rowLo: usize, rowHi: usize,
): i32 {
  const minR2 = minR * minR, maxR2 = maxR * maxR;
  for (let y = 0; y < H; y++) {
    const dy = <f64>y - cy, dy2 = dy * dy;
    const row = y * W;
    store<i32>(rowLo + (<usize>y << 2), 0); store<i32>(rowHi + (<usize>y << 2), 0);
    if (!(dy2 <= maxR2)) { fillU16(bins, row, row + W); continue; }
    const hw = Math.sqrt(maxR2 - dy2);
    // Clamped as f64 first (maxR may be huge): the same integers as Math.max/Math.min in the reference.
    const xa = <i32>max<f64>(0, Math.floor(cx - hw) - 1), xb = <i32>min<f64>(<f64>W, Math.ceil(cx + hw) + 2);
    if (xa >= xb) { fillU16(bins, row, row + W); continue; }
    if (xa > 0) fillU16(bins, row, row + xa);
    if (xb < W) fillU16(bins, row + xb, row + W);
    store<i32>(rowLo + (<usize>y << 2), xa); store<i32>(rowHi + (<usize>y << 2), xb);
    const xm = min<i32>(xb, max<i32>(xa, <i32>Math.floor(cx) + 1));
    let b = radiusBin(<f64>xa - cx, dy);
    let loB: f64 = b > 0 ? (<f64>b - 0.5) * (<f64>b - 0.5) : -1.0;
    let f = load<i32>(fill + (<usize>b << 2));
    for (let x = xa; x < xm; x++) {
      const i = row + x;
      const dx = <f64>x - cx;
      const r2 = dx * dx + dy2;
      while (r2 < loB) {
        store<i32>(fill + (<usize>b << 2), f); b--; f = load<i32>(fill + (<usize>b << 2));
        loB = b > 0 ? (<f64>b - 0.5) * (<f64>b - 0.5) : -1.0;
      }
      const v = load<f32>(data + (<usize>i << 2));
      const vd = <f64>v;
      if (load<u8>(mask + <usize>i) == 0 && r2 <= maxR2 && r2 >= minR2 && vd - vd == 0) {
        store<u16>(bins + (<usize>i << 1), <u16>b);
        store<f32>(packVal + (<usize>f << 2), v); f++;
      } else store<u16>(bins + (<usize>i << 1), <u16>UNUSABLE);
    }
    store<i32>(fill + (<usize>b << 2), f);
    if (xm >= xb) continue;
    b = radiusBin(<f64>xm - cx, dy);
    let hiB: f64 = (<f64>b + 0.5) * (<f64>b + 0.5);
    f = load<i32>(fill + (<usize>b << 2));
    for (let x = xm; x < xb; x++) {
      const i = row + x;
      const dx = <f64>x - cx;
      const r2 = dx * dx + dy2;
      while (r2 >= hiB) {
        store<i32>(fill + (<usize>b << 2), f); b++; f = load<i32>(fill + (<usize>b << 2));
        hiB = (<f64>b + 0.5) * (<f64>b + 0.5);
      }
      const v = load<f32>(data + (<usize>i << 2));
      const vd = <f64>v;
      if (load<u8>(mask + <usize>i) == 0 && r2 <= maxR2 && r2 >= minR2 && vd - vd == 0) {
        store<u16>(bins + (<usize>i << 1), <u16>b);
        store<f32>(packVal + (<usize>f << 2), v); f++;
      } else store<u16>(bins + (<usize>i << 1), <u16>UNUSABLE);
    }
    store<i32>(fill + (<usize>b << 2), f);
  }
  for (let b = 0; b < nBins; b++) if (load<i32>(fill + (<usize>b << 2)) > load<i32>(end + (<usize>b << 2))) return 0;
  return 1;
}

/** Groups the usable pixels by bin from the radius map (packByBin). */
export function repack(data: usize, bins: usize, W: i32, H: i32, rowLo: usize, rowHi: usize, fill: usize, packVal: usize): void {
  for (let y = 0; y < H; y++) {
    const row = y * W;
    const e = row + load<i32>(rowHi + (<usize>y << 2));
    for (let i = row + load<i32>(rowLo + (<usize>y << 2)); i < e; i++) {
      const b = <i32>load<u16>(bins + (<usize>i << 1));
      if (b != UNUSABLE) {
        const fp = fill + (<usize>b << 2);
        const f = load<i32>(fp);
        store<f32>(packVal + (<usize>f << 2), load<f32>(data + (<usize>i << 2)));
        store<i32>(fp, f + 1);
      }
    }
  }
}

/**
 * Radial statistics with 5 sigma-clipping iterations (clipStatistics). The JS reference sums even and
 * odd positions of a bin in two accumulators; here they are the two f64 lanes of one v128, so the sums
 * are the same. Fills offset (mean) and hi (threshold); lo and converged are scratch.
 */
export function clip(packVal: usize, start: usize, end: usize, nBins: i32, minSnr: f64, threshold: f64, offset: usize, hi: usize, lo: usize, converged: usize): void {
  for (let b = 0; b < nBins; b++) {
    store<f64>(hi + (<usize>b << 3), 1e9); store<f64>(lo + (<usize>b << 3), -1e9); store<u8>(converged + <usize>b, 0);
  }
  const zero = f64x2.splat(0);
  for (let it = 0; it < 5; it++) {
    for (let b = 0; b < nBins; b++) {
      if (load<u8>(converged + <usize>b) == 1) continue;
      const l = load<f64>(lo + (<usize>b << 3)), h = load<f64>(hi + (<usize>b << 3));
      const L = f64x2.splat(l), Hh = f64x2.splat(h);
      let s = zero, s2 = zero, cnt = i64x2.splat(0);
      const e = load<i32>(end + (<usize>b << 2));
      let k = load<i32>(start + (<usize>b << 2));
      for (; k + 1 < e; k += 2) {
        const v = f64x2.promote_low_f32x4(v128.load64_zero(packVal + (<usize>k << 2)));
        const m = v128.and(f64x2.gt(v, L), f64x2.lt(v, Hh));
        const vm = v128.and(v, m);
        s = f64x2.add(s, vm);
        s2 = f64x2.add(s2, f64x2.mul(vm, vm));
        cnt = i64x2.sub(cnt, m);
      }
      let sa = f64x2.extract_lane(s, 0), sa2 = f64x2.extract_lane(s2, 0);
      const sb = f64x2.extract_lane(s, 1), sb2 = f64x2.extract_lane(s2, 1);
      let c = i64x2.extract_lane(cnt, 0) + i64x2.extract_lane(cnt, 1);
      if (k < e) {
        const v = <f64>load<f32>(packVal + (<usize>k << 2));
        if (v > l && v < h) { sa += v; sa2 += v * v; c++; }
      }
      const ss = sa + sb, ss2 = sa2 + sb2;
      let nh: f64, nl: f64;
      if (c == 0) { store<f64>(offset + (<usize>b << 3), 0); nh = FLT_MAX; nl = FLT_MIN; } else {
        const cd = <f64>c;
        const mean = ss / cd;
        const sd = Math.sqrt(max<f64>(ss2 / cd - mean * mean, 0));
        store<f64>(offset + (<usize>b << 3), mean);
        nh = max<f64>(mean + minSnr * sd, threshold);
        nl = mean - minSnr * sd;
      }
      if (nh == h && nl == l) store<u8>(converged + <usize>b, 1);
      store<f64>(hi + (<usize>b << 3), nh); store<f64>(lo + (<usize>b << 3), nl);
    }
  }
}

const NB_DX: StaticArray<i32> = [0, -1, 0, 1, -1, 1, -1, 0, 1];
const NB_DY: StaticArray<i32> = [0, -1, -1, -1, 0, 0, 1, 1, 1];

/**
 * Seeds in raster order (usable pixels above their bin's threshold, off the image border) and
 * connected components with local background and filters (connectedPeaks). thrAbove/thrBelow are
 * indexed by the bin (UNUSABLE: +∞/−∞), discOff/discDx/discDy the local-background disc. Writes up to
 * maxPeaks peaks to the out* arrays (f32, npix i32) and returns their count.
 */
export function components(
  data: usize, bins: usize, inPeak: usize, qIdx: usize, qX: usize, qY: usize, H: i32, W: i32, cX: f64, cY: f64,
  rowLo: usize, rowHi: usize, offset: usize, thrAbove: usize, thrBelow: usize,
  discOff: usize, discDx: usize, discDy: usize, nDisc: i32, ringW: i32,
  minPix: i32, maxPix: i32, minSnr: f64, maxPeaks: i32,
  oFs: usize, oSs: usize, oInt: usize, oNpix: usize, oMax: usize, oSig: usize, oSnr: usize,
): i32 {
  memory.fill(inPeak, 0, <usize>(H * W));
  let count = 0;
  const Wd = <f64>W, Hd = <f64>H;
  for (let y = 1; y < H - 1 && count < maxPeaks; y++) {
    const row = y * W;
    const xe = min<i32>(W - 1, load<i32>(rowHi + (<usize>y << 2)));
    for (let x = max<i32>(1, load<i32>(rowLo + (<usize>y << 2))); x < xe; x++) {
      const seed = row + x;
      const sv = <f64>load<f32>(data + (<usize>seed << 2));
      if (!(sv > load<f64>(thrAbove + (<usize>load<u16>(bins + (<usize>seed << 1)) << 3)))) continue;
      if (load<u8>(inPeak + <usize>seed) != 0) continue;
      let np = 0;
      let sI: f64 = 0, sX: f64 = 0, sY: f64 = 0;
      store<i32>(qIdx, seed); store<i32>(qX, x); store<i32>(qY, y);
      let head = 0, queued = 1;
      while (head < queued) {
        const p = load<i32>(qIdx + (<usize>head << 2)), px = load<i32>(qX + (<usize>head << 2)), py = load<i32>(qY + (<usize>head << 2));
        head++;
        for (let k = 0; k < 9; k++) {
          const qx = px + unchecked(NB_DX[k]), qy = py + unchecked(NB_DY[k]);
          if (qx < 0 || qx >= W || qy < 0 || qy >= H) continue;
          const q = qy * W + qx;
          const v = <f64>load<f32>(data + (<usize>q << 2));
          const b = <usize>load<u16>(bins + (<usize>q << 1));
          if (v > load<f64>(thrAbove + (b << 3)) && load<u8>(inPeak + <usize>q) == 0) {
            const i = v - load<f64>(offset + (b << 3));
            sI += i; sX += i * <f64>qx; sY += i * <f64>qy;
            store<u8>(inPeak + <usize>q, 1);
            if (q != seed) {
              store<i32>(qIdx + (<usize>queued << 2), q); store<i32>(qX + (<usize>queued << 2), qx); store<i32>(qY + (<usize>queued << 2), qy);
              queued++;
            }
            np++;
          }
        }
      }
      if (np < minPix || np > maxPix) continue;
      if (Math.abs(sI) < 1e-10) continue;
      const cx = jsRound(sX / Math.abs(sI)), cy = jsRound(sY / Math.abs(sI));
      let nb = 0;
      let bs: f64 = 0, bs2: f64 = 0, bgMax: f64 = 0;
      const rw = <f64>ringW;
      if (cy - rw >= 0 && cy + rw <= Hd && cx - rw >= 0 && cx + rw <= Wd) {
        const c0 = <i32>cy * W + <i32>cx;
        for (let k = 0; k < nDisc; k++) {
          const q = c0 + load<i32>(discOff + (<usize>k << 2));
          const v = <f64>load<f32>(data + (<usize>q << 2));
          if (v < load<f64>(thrBelow + (<usize>load<u16>(bins + (<usize>q << 1)) << 3)) && load<u8>(inPeak + <usize>q) == 0) {
            nb++; bs += v; bs2 += v * v;
            if (v > bgMax) bgMax = v;
          }
        }
      } else {
        for (let k = 0; k < nDisc; k++) {
          const yy = cy + <f64>load<i32>(discDy + (<usize>k << 2)), xx = cx + <f64>load<i32>(discDx + (<usize>k << 2));
          if (yy < 0 || yy >= Hd || xx < 0 || xx >= Wd) continue;
          const q = <i32>yy * W + <i32>xx;
          const v = <f64>load<f32>(data + (<usize>q << 2));
          if (v < load<f64>(thrBelow + (<usize>load<u16>(bins + (<usize>q << 1)) << 3)) && load<u8>(inPeak + <usize>q) == 0) {
            nb++; bs += v; bs2 += v * v;
            if (v > bgMax) bgMax = v;
          }
        }
      }
      let locOff: f64, locSig: f64;
      if (nb > 0) {
        const nbd = <f64>nb;
        locOff = bs / nbd;
        const var_ = bs2 / nbd - locOff * locOff;
        locSig = var_ >= 0 ? Math.sqrt(var_) : 0.01;
      } else {
        const yc = <i32>min<f64>(max<f64>(cy, 0), Hd - 1), xc = <i32>min<f64>(max<f64>(cx, 0), Wd - 1);
        locOff = load<f64>(offset + (<usize>radiusBin(<f64>xc - cX, <f64>yc - cY) << 3));
        locSig = 0.01;
      }
      let tot: f64 = 0, raw: f64 = 0, rX: f64 = 0, rY: f64 = 0, maxI: f64 = 0;
      for (let k = 0; k < queued; k++) {
        const v = <f64>load<f32>(data + (<usize>load<i32>(qIdx + (<usize>k << 2)) << 2));
        const i = v - locOff;
        tot += i; raw += v;
        rX += v * <f64>load<i32>(qX + (<usize>k << 2)); rY += v * <f64>load<i32>(qY + (<usize>k << 2));
        if (i > maxI) maxI = i;
      }
      if (Math.abs(raw) < 1e-10) continue;
      const fx = rX / Math.abs(raw), fy = rY / Math.abs(raw);
      const snr = Math.abs(locSig) > 1e-10 ? tot / locSig : 0;
      if (snr < minSnr) continue;
      if (maxI < bgMax - locOff) continue;
      if (fx < 0 || fx > Wd - 1 || fy < 0 || fy > Hd - 1) continue;
      for (let k = 0; k < queued; k++) store<u8>(inPeak + <usize>load<i32>(qIdx + (<usize>k << 2)), 2);
      const o = <usize>count << 2;
      store<f32>(oFs + o, <f32>fx); store<f32>(oSs + o, <f32>fy); store<f32>(oInt + o, <f32>tot); store<i32>(oNpix + o, np);
      store<f32>(oMax + o, <f32>maxI); store<f32>(oSig + o, <f32>locSig); store<f32>(oSnr + o, <f32>snr);
      count++;
      if (count >= maxPeaks) break;
    }
  }
  return count;
}
