/**
 * The pattern view, no React: the frame is one pixi.js (WebGL) sprite whose RGBA texture is updated
 * in place; overlays (thousands of markers) are drawn on a 2D canvas layered on top with the same
 * transform, which redraws in a few ms where pixi Graphics re-tessellation took hundreds.
 * Wheel zoom, drag pan, double-click fit.
 * Detector pixel (fs, ss) in CXI convention (integer = pixel centre) sits at world (fs + 0.5, ss + 0.5).
 */
// CSP forbids eval: this module swaps pixi's generated shader-sync code for eval-free versions.
import "pixi.js/unsafe-eval";
import { Application, BufferImageSource, Container, Sprite, Texture } from "pixi.js";
import type { FrameImage } from "../../core/api/host-api.ts";
import { applyColormap, colormapLut, type ColormapName, type Scaling } from "./colormaps.ts";

export interface Display { readonly lo: number; readonly hi: number; readonly scaling: Scaling; readonly colormap: ColormapName }

export interface Overlays {
  readonly crosshair: readonly [fs: number, ss: number] | null;
  readonly peaks: { readonly fs: ArrayLike<number>; readonly ss: ArrayLike<number> } | null;
  readonly predicted: { readonly fs: ArrayLike<number>; readonly ss: ArrayLike<number> } | null;
  readonly rings: { readonly centre: readonly [number, number]; readonly list: readonly { dAngstrom: number; radiusPx: number }[] } | null;
  /** Projected real-space axes a, b, c from the centre, detector-pixel vectors. */
  readonly axes: { readonly centre: readonly [number, number]; readonly dirs: readonly (readonly [number, number])[] } | null;
}

/**
 * Live-tuning result drawn over the frame while the tuning panel is open: peaks found with the options
 * being edited (magenta diamonds) and the refined centre (magenta ×), with a legend, so that they read
 * apart from the stored peaks (red circles) and the stored centre (green crosshair).
 */
export interface TuningOverlay {
  readonly peaks: { readonly fs: ArrayLike<number>; readonly ss: ArrayLike<number> };
  readonly centre: readonly [fs: number, ss: number] | null;
  /** Legend text, e.g. "tuning: 42 peaks (min SNR 6)". */
  readonly label: string;
}

export const tuningColour = "#ff3cf0";

export const noOverlays: Overlays = { crosshair: null, peaks: null, predicted: null, rings: null, axes: null };

/** One GPU texture of the pool and the (frame, display) its pixels currently hold. */
interface TextureSlot {
  readonly rgba: Uint32Array;
  readonly source: BufferImageSource;
  readonly texture: Texture;
  frame: FrameImage | null;
  lo: number; hi: number; scaling: Scaling; colormap: ColormapName;
  lastUse: number;
  uploaded: boolean;
}

const axisColours = ["#ff4a4a", "#4ae04a", "#4a8cff"];

export class PatternCanvas {
  private readonly world = new Container();
  private readonly sprite = new Sprite();
  private readonly overlayCanvas: HTMLCanvasElement;
  private readonly pool: TextureSlot[] = [];
  private shownSlot: TextureSlot | null = null;
  private useClock = 0;
  private shape: readonly [number, number] | null = null;
  private overlays: Overlays = noOverlays;
  private tuning: TuningOverlay | null = null;
  private fitted = false;
  private scale = 1;
  private offset: [number, number] = [0, 0];
  private cursorCb: (fs: number, ss: number) => void = () => {};

  private constructor(private readonly app: Application, private readonly host: HTMLElement) {
    app.stage.addChild(this.world);
    this.world.addChild(this.sprite);
    this.overlayCanvas = document.createElement("canvas");
    this.overlayCanvas.className = "pattern-overlay";
    host.appendChild(this.overlayCanvas);
    this.installMouse();
  }

  static async create(host: HTMLElement): Promise<PatternCanvas> {
    const app = new Application();
    await app.init({ resizeTo: host, preference: "webgl", background: 0x101418, antialias: false, autoStart: false, sharedTicker: false });
    host.appendChild(app.canvas);
    app.canvas.style.display = "block";
    const pc = new PatternCanvas(app, host);
    new ResizeObserver(() => { app.resize(); pc.fit(); }).observe(host);
    return pc;
  }

  get rendererName(): string { return this.app.renderer.name; }

  onCursor(cb: (fs: number, ss: number) => void): void { this.cursorCb = cb; }

  /**
   * Colour-maps a frame into a pooled texture (uploaded now) so that a later show() of the same
   * frame and display only swaps textures. Call in idle time for frames about to be shown.
   */
  prepare(frame: FrameImage, d: Display): void {
    this.slotFor(frame, d, true);
  }

  /** Sets frame (from a prepared texture, else colour-mapped now on the CPU) and overlays, then renders once. */
  show(frame: FrameImage | null, d: Display, o: Overlays, shapeIfNoFrame: readonly [number, number]): void {
    this.overlays = o;
    if (!frame) {
      this.sprite.visible = false;
      if (!this.shape) { this.shape = shapeIfNoFrame; this.fitted = false; }
    } else {
      this.timing.colormapMs = 0; this.timing.uploadMs = 0;
      const slot = this.slotFor(frame, d, false);
      slot.lastUse = ++this.useClock;
      if (this.sprite.texture !== slot.texture) this.sprite.texture = slot.texture;
      this.shownSlot = slot;
      this.sprite.visible = true;
    }
    if (!this.fitted) this.fit(false);
    this.render();
  }

  /** Pool slot holding (frame, display), colour-mapping and uploading into the least recently used slot if needed. */
  private slotFor(frame: FrameImage, d: Display, prefetching: boolean): TextureSlot {
    const [ss, fs] = frame.shape;
    if (!this.shape || this.shape[0] !== ss || this.shape[1] !== fs) {
      for (const sl of this.pool) sl.texture.destroy(true);
      this.pool.length = 0;
      this.shownSlot = null;
      this.shape = [ss, fs];
      this.fitted = false;
    }
    const same = (sl: TextureSlot): boolean => sl.frame === frame && sl.lo === d.lo && sl.hi === d.hi && sl.scaling === d.scaling && sl.colormap === d.colormap;
    const hit = this.pool.find(same);
    if (hit) return hit;
    let slot: TextureSlot | undefined;
    if (this.pool.length < PatternCanvas.poolSize) {
      const rgba = new Uint32Array(ss * fs);
      const source = new BufferImageSource({ resource: new Uint8Array(rgba.buffer), width: fs, height: ss, format: "rgba8unorm", scaleMode: "nearest" });
      slot = { rgba, source, texture: new Texture({ source }), frame: null, lo: NaN, hi: NaN, scaling: d.scaling, colormap: d.colormap, lastUse: 0, uploaded: false };
      this.pool.push(slot);
    } else {
      // Least recently used slot that is not on screen (pool size ≥ 2).
      for (const sl of this.pool) if (sl !== this.shownSlot && (!slot || sl.lastUse < slot.lastUse)) slot = sl;
    }
    const sl = slot!;
    const t0 = performance.now();
    applyColormap(frame.pixels, sl.rgba, d.lo, d.hi, d.scaling, colormapLut(d.colormap));
    const t1 = performance.now();
    if (sl.uploaded) sl.source.update();
    else { this.app.renderer.texture.initSource(sl.source); sl.uploaded = true; }
    Object.assign(sl, { frame, lo: d.lo, hi: d.hi, scaling: d.scaling, colormap: d.colormap });
    sl.lastUse = prefetching ? this.useClock : ++this.useClock;
    if (!prefetching) { this.timing.colormapMs = t1 - t0; this.timing.uploadMs = performance.now() - t1; }
    return sl;
  }

  /** Textures kept on the GPU: the shown frame and the prefetched ones around it. */
  static readonly poolSize = 8;

  /** Sets (or clears) the live-tuning overlay and redraws the overlays only (the frame is unchanged). */
  setTuning(t: TuningOverlay | null): void {
    if (t === this.tuning) return;
    this.tuning = t;
    const t0 = performance.now();
    this.drawOverlays();
    this.timing.overlayMs = performance.now() - t0;
  }

  /** Fits the detector into the view. */
  fit(render = true): void {
    if (!this.shape) return;
    const [ss, fs] = this.shape;
    const w = this.host.clientWidth || 1, h = this.host.clientHeight || 1;
    const s = Math.min(w / fs, h / ss);
    this.setView(s, (w - fs * s) / 2, (h - ss * s) / 2);
    this.fitted = true;
    if (render) this.render();
  }

  /** Centres the view on a detector position (CXI px) at a zoom factor (screen px per detector px). */
  zoomTo(fs: number, ss: number, scale: number): void {
    const w = this.host.clientWidth, h = this.host.clientHeight;
    this.setView(scale, w / 2 - (fs + 0.5) * scale, h / 2 - (ss + 0.5) * scale);
    this.render();
  }

  /** Screen (canvas CSS px) position of a detector position (CXI convention). */
  toScreen(fs: number, ss: number): [number, number] {
    return [this.offset[0] + (fs + 0.5) * this.scale, this.offset[1] + (ss + 0.5) * this.scale];
  }

  toDetector(x: number, y: number): [number, number] {
    return [(x - this.offset[0]) / this.scale - 0.5, (y - this.offset[1]) / this.scale - 0.5];
  }

  /** What tests read back: overlay positions in detector pixels and the view transform. */
  scene(): { shape: readonly [number, number] | null; scale: number; offset: [number, number]; overlays: Overlays; tuning: TuningOverlay | null; canvasRect: DOMRect } {
    return { shape: this.shape, scale: this.scale, offset: [...this.offset], overlays: this.overlays, tuning: this.tuning, canvasRect: this.app.canvas.getBoundingClientRect() };
  }

  render(): void {
    const t0 = performance.now();
    this.app.render();
    const t1 = performance.now();
    this.drawOverlays();
    this.timing.glMs = t1 - t0;
    this.timing.overlayMs = performance.now() - t1;
  }

  /** Last timings (ms) of the drawing steps, for the benchmark. */
  readonly timing = { colormapMs: 0, uploadMs: 0, glMs: 0, overlayMs: 0 };

  private setView(scale: number, x: number, y: number): void {
    this.scale = scale;
    this.offset = [x, y];
    this.world.scale.set(scale);
    this.world.position.set(x, y);
  }

  private drawOverlays(): void {
    const c = this.overlayCanvas;
    const dpr = window.devicePixelRatio || 1;
    const w = this.host.clientWidth, h = this.host.clientHeight;
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) { c.width = Math.round(w * dpr); c.height = Math.round(h * dpr); }
    const g = c.getContext("2d")!;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    const o = this.overlays;
    const s = this.scale, [ox, oy] = this.offset;
    const X = (fs: number): number => ox + (fs + 0.5) * s;
    const Y = (ss: number): number => oy + (ss + 0.5) * s;
    g.font = "12px system-ui, sans-serif";
    if (o.rings) {
      const [cx, cy] = o.rings.centre;
      g.strokeStyle = "rgba(240,192,64,0.75)"; g.fillStyle = "#f0c040"; g.lineWidth = 1;
      g.beginPath();
      for (const r of o.rings.list) { g.moveTo(X(cx) + r.radiusPx * s, Y(cy)); g.arc(X(cx), Y(cy), r.radiusPx * s, 0, 2 * Math.PI); }
      g.stroke();
      for (const r of o.rings.list) g.fillText(`${r.dAngstrom} Å`, X(cx) + r.radiusPx * s * Math.SQRT1_2 + 3, Y(cy) - r.radiusPx * s * Math.SQRT1_2 - 3);
    }
    if (o.predicted) {
      const hs = Math.max(3, 3.5 * s);
      g.strokeStyle = "rgba(48,208,255,0.9)"; g.lineWidth = 1.2;
      g.beginPath();
      for (let i = 0; i < o.predicted.fs.length; i++) g.rect(X(o.predicted.fs[i]!) - hs, Y(o.predicted.ss[i]!) - hs, 2 * hs, 2 * hs);
      g.stroke();
    }
    if (o.peaks) {
      const r = Math.max(4, 5 * s);
      g.strokeStyle = "rgba(255,80,80,0.95)"; g.lineWidth = 1.5;
      g.beginPath();
      for (let i = 0; i < o.peaks.fs.length; i++) { const x = X(o.peaks.fs[i]!), y = Y(o.peaks.ss[i]!); g.moveTo(x + r, y); g.arc(x, y, r, 0, 2 * Math.PI); }
      g.stroke();
    }
    if (o.axes) {
      const [cx, cy] = o.axes.centre;
      g.lineWidth = 2.5; g.font = "bold 14px system-ui, sans-serif";
      o.axes.dirs.forEach((d, i) => {
        g.strokeStyle = g.fillStyle = axisColours[i] ?? "#fff";
        g.beginPath(); g.moveTo(X(cx), Y(cy)); g.lineTo(X(cx) + d[0] * s, Y(cy) + d[1] * s); g.stroke();
        g.fillText("abc"[i] ?? "", X(cx) + d[0] * s * 1.1 - 4, Y(cy) + d[1] * s * 1.1 + 5);
      });
    }
    if (o.crosshair) {
      const x = X(o.crosshair[0]), y = Y(o.crosshair[1]);
      const arm = 22, gap = 4;
      g.strokeStyle = "#40ff80"; g.lineWidth = 1.5;
      g.beginPath();
      g.moveTo(x - arm, y); g.lineTo(x - gap, y); g.moveTo(x + gap, y); g.lineTo(x + arm, y);
      g.moveTo(x, y - arm); g.lineTo(x, y - gap); g.moveTo(x, y + gap); g.lineTo(x, y + arm);
      g.stroke();
    }
    if (this.tuning) this.drawTuning(g, X, Y, s, w);
  }

  /** Tuning peaks (diamonds, outlined dark so they read on any colour map), centre (×), legend. */
  private drawTuning(g: CanvasRenderingContext2D, X: (fs: number) => number, Y: (ss: number) => number, s: number, w: number): void {
    const t = this.tuning!;
    const r = Math.max(6, 7 * s);
    const path = (): void => {
      g.beginPath();
      for (let i = 0; i < t.peaks.fs.length; i++) {
        const x = X(t.peaks.fs[i]!), y = Y(t.peaks.ss[i]!);
        g.moveTo(x, y - r); g.lineTo(x + r, y); g.lineTo(x, y + r); g.lineTo(x - r, y); g.closePath();
      }
      if (t.centre) {
        const x = X(t.centre[0]), y = Y(t.centre[1]), a = 14;
        g.moveTo(x - a, y - a); g.lineTo(x + a, y + a); g.moveTo(x + a, y - a); g.lineTo(x - a, y + a);
      }
    };
    path();
    g.strokeStyle = "rgba(0,0,0,0.65)"; g.lineWidth = 3.5; g.stroke();
    g.strokeStyle = tuningColour; g.lineWidth = 1.6; g.stroke();
    // legend, top right
    const stored = this.overlays.peaks ? this.overlays.peaks.fs.length : null;
    const lines: [string, string][] = [[tuningColour, `◇ ${t.label}`], [tuningColour, "× tuned centre"]];
    if (stored !== null) lines.push(["rgb(255,80,80)", `○ stored peaks (${stored})`]);
    g.font = "12px system-ui, sans-serif";
    const bw = Math.max(...lines.map(([, l]) => g.measureText(l).width)) + 14, bh = lines.length * 16 + 8;
    const x0 = w - bw - 8, y0 = 8;
    g.fillStyle = "rgba(10,12,16,0.78)"; g.fillRect(x0, y0, bw, bh);
    lines.forEach(([c, l], i) => { g.fillStyle = c; g.fillText(l, x0 + 7, y0 + 17 + 16 * i); });
  }

  private installMouse(): void {
    const c = this.overlayCanvas;
    let drag: { x: number; y: number; ox: number; oy: number } | null = null;
    c.addEventListener("wheel", (e) => {
      e.preventDefault();
      const r = c.getBoundingClientRect();
      const mx = e.clientX - r.left, my = e.clientY - r.top;
      const s0 = this.scale;
      const s1 = Math.min(64, Math.max(0.05, s0 * Math.exp(-e.deltaY * 0.0015)));
      this.setView(s1, mx - ((mx - this.offset[0]) * s1) / s0, my - ((my - this.offset[1]) * s1) / s0);
      this.render();
    }, { passive: false });
    c.addEventListener("pointerdown", (e) => { drag = { x: e.clientX, y: e.clientY, ox: this.offset[0], oy: this.offset[1] }; c.setPointerCapture(e.pointerId); });
    c.addEventListener("pointerup", (e) => { drag = null; c.releasePointerCapture(e.pointerId); });
    c.addEventListener("dblclick", () => this.fit());
    c.addEventListener("pointermove", (e) => {
      if (drag) {
        this.setView(this.scale, drag.ox + e.clientX - drag.x, drag.oy + e.clientY - drag.y);
        this.render();
      }
      const r = c.getBoundingClientRect();
      const [fs, ss] = this.toDetector(e.clientX - r.left, e.clientY - r.top);
      this.cursorCb(fs, ss);
    });
  }
}
