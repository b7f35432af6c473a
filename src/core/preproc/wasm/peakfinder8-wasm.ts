/**
 * peakfinder8 on the WebAssembly kernel (wasm/peakfinder8.ts, compiled and embedded by
 * scripts/build-wasm.mjs). Same algorithm and floating-point operations as the JS reference
 * findPeaksPeakfinder8Js, so the peaks are identical (same order, bit-identical values).
 * One instance per worker: its linear memory is grown once to fit the frame, the radius map, the
 * grouped pixels and the tables, and reused for every frame (per frame only the result arrays are new).
 */
import type { Peakfinder8Options, PeakTable } from "../peakfinder8.ts";
import { peakfinder8WasmBase64 } from "./peakfinder8-wasm-bytes.ts";

interface Kernel {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  pack(data: number, mask: number, H: number, W: number, cx: number, cy: number, minR: number, maxR: number,
    bins: number, fill: number, end: number, nBins: number, packVal: number, rowLo: number, rowHi: number): number;
  repack(data: number, bins: number, W: number, H: number, rowLo: number, rowHi: number, fill: number, packVal: number): void;
  clip(packVal: number, start: number, end: number, nBins: number, minSnr: number, threshold: number, offset: number, hi: number, lo: number, converged: number): void;
  components(data: number, bins: number, inPeak: number, qIdx: number, qX: number, qY: number, H: number, W: number, cx: number, cy: number,
    rowLo: number, rowHi: number, offset: number, thrAbove: number, thrBelow: number, discOff: number, discDx: number, discDy: number, nDisc: number, ringW: number,
    minPix: number, maxPix: number, minSnr: number, maxPeaks: number,
    oFs: number, oSs: number, oInt: number, oNpix: number, oMax: number, oSig: number, oSnr: number): number;
}

const UNUSABLE = 65535;
let compiled: WebAssembly.Module | null | undefined;

/** The compiled kernel, or null where WebAssembly (with SIMD) is not available. */
function kernelModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      const s = atob(peakfinder8WasmBase64);
      const bytes = new Uint8Array(s.length);
      for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
      compiled = new WebAssembly.Module(bytes);
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** Capacities and byte offsets of the buffers in linear memory. */
interface Layout {
  n: number; H: number; nBins: number; pack: number; maxPeaks: number; disc: number;
  data: number; mask: number; bins: number; inPeak: number; qIdx: number; qX: number; qY: number;
  packVal: number; start: number; fill: number; end: number;
  offset: number; hi: number; lo: number; converged: number; rowLo: number; rowHi: number;
  thrAbove: number; thrBelow: number; discOff: number; discDx: number; discDy: number;
  out: number[];
}

export class Peakfinder8Wasm {
  private L: Layout | null = null;
  private f32 = new Float32Array(0);
  private f64 = new Float64Array(0);
  private i32 = new Int32Array(0);
  private u8 = new Uint8Array(0);
  /** Most usable pixels per bin seen so far (segment capacities of the grouping), as in the JS workspace. */
  private prevCount = new Int32Array(0);
  /** The mask region holds zeros (no mask given for the last frame). */
  private maskZero = false;

  private constructor(private readonly k: Kernel) {}

  /** A new instance (own memory), or null if WebAssembly is unavailable here. */
  static create(): Peakfinder8Wasm | null {
    const m = kernelModule();
    if (!m) return null;
    try {
      return new Peakfinder8Wasm(new WebAssembly.Instance(m, {}).exports as unknown as Kernel);
    } catch {
      return null;
    }
  }

  /** Lays the buffers out for at least these capacities, growing the memory if needed (rare: the first frame). */
  private ensure(n: number, H: number, nBins: number, pack: number, maxPeaks: number, disc: number): Layout {
    const c = this.L;
    if (c && c.n === n && c.H >= H && c.nBins >= nBins && c.pack >= pack && c.maxPeaks >= maxPeaks && c.disc >= disc) return c;
    const cap = {
      n, H: Math.max(H, c?.H ?? 0), nBins: Math.max(nBins, c?.nBins ?? 0), pack: Math.max(pack, c?.pack ?? 0),
      maxPeaks: Math.max(maxPeaks, c?.maxPeaks ?? 0), disc: Math.max(disc, c?.disc ?? 0),
    };
    let p = (this.k.heapBase() + 15) & ~15;
    const take = (bytes: number): number => { const o = p; p = (p + bytes + 15) & ~15; return o; };
    const L: Layout = {
      ...cap,
      data: take(4 * n), mask: take(n), bins: take(2 * n), inPeak: take(n), qIdx: take(4 * n), qX: take(4 * n), qY: take(4 * n),
      packVal: take(4 * cap.pack),
      start: take(4 * cap.nBins), fill: take(4 * cap.nBins), end: take(4 * cap.nBins),
      offset: take(8 * cap.nBins), hi: take(8 * cap.nBins), lo: take(8 * cap.nBins), converged: take(cap.nBins),
      rowLo: take(4 * cap.H), rowHi: take(4 * cap.H), thrAbove: take(8 * (UNUSABLE + 1)), thrBelow: take(8 * (UNUSABLE + 1)),
      discOff: take(4 * cap.disc), discDx: take(4 * cap.disc), discDy: take(4 * cap.disc),
      out: Array.from({ length: 7 }, () => take(4 * cap.maxPeaks)),
    };
    const mem = this.k.memory;
    const need = Math.ceil(p / 65536) - mem.buffer.byteLength / 65536;
    if (need > 0) mem.grow(need);
    const buf = mem.buffer;
    this.f32 = new Float32Array(buf); this.f64 = new Float64Array(buf); this.i32 = new Int32Array(buf); this.u8 = new Uint8Array(buf);
    this.maskZero = false;
    this.L = L;
    return L;
  }

  /**
   * peakfinder8 on one frame (arguments checked by findPeaksPeakfinder8). nBins: radius bins
   * (ceil of the largest centre–corner distance + 1). now: clock for per-phase timings.
   */
  find(data: Float32Array, mask: Uint8Array | null, H: number, W: number, cx: number, cy: number, nBins: number,
    opts: Peakfinder8Options, now?: () => number): PeakTable {
    const n = H * W;
    const timings: Record<string, number> = {};
    let t = now ? now() : 0;
    const lap = (name: string): void => { if (now) { const t1 = now(); timings[name] = t1 - t; t = t1; } };
    // Segments sized from the largest counts so far + 1/8 + 16, as in the JS reference. A bin that
    // outgrows its segment writes at most n entries past the segments' end: that slack is reserved.
    const prev = this.prevCount;
    let total = 0;
    for (let b = 0; b < nBins; b++) { const c = b < prev.length ? prev[b]! : 0; total += c + (c >> 3) + 16; }
    const ringW = 2 * opts.localBgRadius;
    const maxPeaks = opts.maxPeaks;
    const L = this.ensure(n, H, Math.max(nBins, Math.ceil(Math.hypot(W, H)) + 2), total + n, maxPeaks, Math.max(1, 4 * ringW * ringW));
    const { f32, f64, i32, u8 } = this;
    const st = L.start >> 2, fi = L.fill >> 2, en = L.end >> 2;
    total = 0;
    for (let b = 0; b < nBins; b++) {
      const c = b < prev.length ? prev[b]! : 0;
      i32[st + b] = total; i32[fi + b] = total;
      total += c + (c >> 3) + 16;
      i32[en + b] = total;
    }
    f32.set(data, L.data >> 2);
    if (mask) { u8.set(mask, L.mask); this.maskZero = false; } else if (!this.maskZero) { u8.fill(0, L.mask, L.mask + n); this.maskZero = true; }
    const k = this.k;
    const fits = k.pack(L.data, L.mask, H, W, cx, cy, opts.minResPx, opts.maxResPx, L.bins, L.fill, L.end, nBins, L.packVal, L.rowLo, L.rowHi);
    const cap = new Int32Array(Math.max(nBins, prev.length));
    for (let b = 0; b < cap.length; b++) cap[b] = Math.max(b < prev.length ? prev[b]! : 0, b < nBins ? i32[fi + b]! - i32[st + b]! : 0);
    this.prevCount = cap;
    if (fits === 0) {
      let s = 0;
      for (let b = 0; b < nBins; b++) { const c = i32[fi + b]! - i32[st + b]!; i32[st + b] = s; i32[fi + b] = s; s += c; }
      k.repack(L.data, L.bins, W, H, L.rowLo, L.rowHi, L.fill, L.packVal);
    }
    lap("radius_map");
    k.clip(L.packVal, L.start, L.fill, nBins, opts.minSnr, opts.threshold, L.offset, L.hi, L.lo, L.converged);
    const hi = L.hi >> 3, ta = L.thrAbove >> 3, tb = L.thrBelow >> 3;
    for (let b = 0; b < nBins; b++) { const v = f64[hi + b]!; f64[ta + b] = v; f64[tb + b] = v; }
    f64[ta + UNUSABLE] = Infinity; f64[tb + UNUSABLE] = -Infinity;
    lap("clipping");
    // Local-background disc, row-major over dy, dx ∈ [−ringW, ringW) with dx² + dy² ≤ ringW².
    let nDisc = 0;
    const dO = L.discOff >> 2, dX = L.discDx >> 2, dY = L.discDy >> 2;
    for (let dy = -ringW; dy < ringW; dy++) {
      for (let dx = -ringW; dx < ringW; dx++) {
        if (dx * dx + dy * dy <= ringW * ringW) { i32[dO + nDisc] = dy * W + dx; i32[dX + nDisc] = dx; i32[dY + nDisc] = dy; nDisc++; }
      }
    }
    const o = L.out;
    const count = k.components(L.data, L.bins, L.inPeak, L.qIdx, L.qX, L.qY, H, W, cx, cy, L.rowLo, L.rowHi, L.offset, L.thrAbove, L.thrBelow,
      L.discOff, L.discDx, L.discDy, nDisc, ringW, opts.minPixCount, opts.maxPixCount, opts.minSnr, maxPeaks,
      o[0]!, o[1]!, o[2]!, o[3]!, o[4]!, o[5]!, o[6]!);
    const col = (j: number): Float32Array => { const a = new Float32Array(maxPeaks); a.set(f32.subarray(o[j]! >> 2, (o[j]! >> 2) + count)); return a; };
    const npix = new Int32Array(maxPeaks);
    npix.set(i32.subarray(o[3]! >> 2, (o[3]! >> 2) + count));
    const table: PeakTable = { count, fs: col(0), ss: col(1), intensity: col(2), npix, maxIntensity: col(4), localSigma: col(5), snr: col(6) };
    lap("components");
    return now ? { ...table, timingsMs: timings } : table;
  }
}
