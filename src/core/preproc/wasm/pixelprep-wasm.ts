/**
 * Saturation correction + flat-field and the analysis image on the WebAssembly kernels (wasm/pixelprep.ts,
 * compiled and embedded by scripts/build-wasm.mjs): the same float64 operations in the same order as the JS
 * references (saturateAndFlatfield in correct-image.ts, prepareAnalysisImage in analyze-pattern.ts), so the
 * outputs are bit-identical. One instance per thread
 * (module state: each worker has its own), memory grown once to fit the frame and reused.
 */
import { pixelprepWasmBase64 } from "./pixelprep-wasm-bytes.ts";

interface Kernel {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  saturate(src: number, ref: number, out: number, n: number, s: number, c3: number, c4: number, hasRef: number): void;
  prepare(src: number, ref: number, out: number, n: number, hasRef: number): void;
  gapsFix(src: number, ref: number, out: number, idx: number, m: number, s: number, c3: number, c4: number, hasRef: number): void;
}

let instance: PixelprepWasm | null | undefined;

export class PixelprepWasm {
  private cap = -1;
  private src = 0; private ref = 0; private out = 0; private idx = 0;
  private f32 = new Float32Array(0);
  private i32 = new Int32Array(0);

  private constructor(private readonly k: Kernel) {}

  /** This thread's instance, or null where WebAssembly (with SIMD) is not available. */
  static shared(): PixelprepWasm | null {
    if (instance === undefined) {
      try {
        const s = atob(pixelprepWasmBase64);
        const bytes = new Uint8Array(s.length);
        for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
        instance = new PixelprepWasm(new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as unknown as Kernel);
      } catch {
        instance = null;
      }
    }
    return instance;
  }

  /** Buffers for n pixels (the listed gap pixels are at most n). */
  private ensure(n: number): void {
    if (this.cap >= n) return;
    const c = n;
    let p = (this.k.heapBase() + 15) & ~15;
    const take = (bytes: number): number => { const o = p; p = (p + bytes + 15) & ~15; return o; };
    this.src = take(4 * c); this.ref = take(4 * c); this.out = take(4 * c); this.idx = take(4 * c);
    const mem = this.k.memory;
    const need = Math.ceil(p / 65536) - mem.buffer.byteLength / 65536;
    if (need > 0) mem.grow(need);
    this.f32 = new Float32Array(mem.buffer); this.i32 = new Int32Array(mem.buffer);
    this.cap = c;
  }

  /**
   * New float32 image: saturation-corrected (s = τ/T, sg for the listed gap pixels) and divided by the
   * reference if given. Lengths are the caller's checks.
   */
  saturateAndFlatfield(src: Float32Array, s: number, sg: number, gapIdx: Int32Array, reference: Float32Array | null): Float32Array {
    const n = src.length, m = gapIdx.length;
    if (m > n) throw new Error("saturation correction: more gap pixels than pixels");
    this.ensure(n);
    const { f32, i32 } = this;
    f32.set(src, this.src >> 2);
    if (reference) f32.set(reference, this.ref >> 2);
    const hasRef = reference ? 1 : 0;
    this.k.saturate(this.src, this.ref, this.out, n, s, 8 / 3, 125 / 24, hasRef);
    if (m > 0) {
      i32.set(gapIdx, this.idx >> 2);
      this.k.gapsFix(this.src, this.ref, this.out, this.idx, m, sg, 8 / 3, 125 / 24, hasRef);
    }
    return f32.slice(this.out >> 2, (this.out >> 2) + n);
  }

  /**
   * The analysis image into `out` (same length as src): −1 where src is not finite, else divided by the
   * reference (if given) where ≥ 0; as the JS prepare loops of analyzePattern, bit-identical.
   */
  prepare(src: Float32Array, reference: Float32Array | null, out: Float32Array): void {
    const n = src.length;
    if (out.length !== n || (reference && reference.length !== n)) throw new Error("analysis prepare: sizes differ");
    this.ensure(n);
    const f32 = this.f32;
    f32.set(src, this.src >> 2);
    if (reference) f32.set(reference, this.ref >> 2);
    this.k.prepare(this.src, this.ref, this.src, n, reference ? 1 : 0);
    out.set(f32.subarray(this.src >> 2, (this.src >> 2) + n));
  }
}
