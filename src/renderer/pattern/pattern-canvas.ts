/**
 * The pattern view drawn with pixi.js (WebGL), no React: one sprite for the frame (RGBA texture
 * updated in place), overlay graphics in detector coordinates, wheel zoom and drag pan.
 * Detector pixel (fs, ss) in CXI convention (integer = pixel centre) sits at world (fs + 0.5, ss + 0.5).
 */
import { Application, BufferImageSource, Container, Graphics, Sprite, Text, Texture } from "pixi.js";
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

export const noOverlays: Overlays = { crosshair: null, peaks: null, predicted: null, rings: null, axes: null };

const axisColours = [0xff4040, 0x40e040, 0x4080ff];

export class PatternCanvas {
  private readonly world = new Container();
  private readonly sprite = new Sprite();
  private readonly gfx = new Graphics();
  private readonly labels = new Container();
  private rgba: Uint32Array | null = null;
  private source: BufferImageSource | null = null;
  private shape: readonly [number, number] | null = null;
  private overlays: Overlays = noOverlays;
  private fitted = false;
  private cursorCb: (fs: number, ss: number) => void = () => {};

  private constructor(private readonly app: Application, private readonly host: HTMLElement) {
    app.stage.addChild(this.world);
    this.world.addChild(this.sprite, this.gfx, this.labels);
    this.installMouse();
  }

  static async create(host: HTMLElement): Promise<PatternCanvas> {
    const app = new Application();
    await app.init({ resizeTo: host, preference: "webgl", background: 0x101418, antialias: true, autoStart: false, sharedTicker: false });
    host.appendChild(app.canvas);
    app.canvas.style.display = "block";
    const pc = new PatternCanvas(app, host);
    new ResizeObserver(() => { app.resize(); if (!pc.fitted || pc.shape) pc.fit(); }).observe(host);
    return pc;
  }

  get rendererName(): string { return this.app.renderer.name; }

  onCursor(cb: (fs: number, ss: number) => void): void { this.cursorCb = cb; }

  /** Uploads a frame (colour-mapped on the CPU into a reused RGBA buffer) and renders. */
  setFrame(frame: FrameImage | null, d: Display): void {
    if (!frame) { this.sprite.visible = false; this.render(); return; }
    const [ss, fs] = frame.shape;
    if (!this.rgba || !this.shape || this.shape[0] !== ss || this.shape[1] !== fs) {
      this.rgba = new Uint32Array(ss * fs);
      this.source = new BufferImageSource({ resource: new Uint8Array(this.rgba.buffer), width: fs, height: ss, format: "rgba8unorm", scaleMode: "nearest" });
      this.sprite.texture = new Texture({ source: this.source });
      this.shape = [ss, fs];
      this.fitted = false;
    }
    applyColormap(frame.pixels, this.rgba, d.lo, d.hi, d.scaling, colormapLut(d.colormap));
    this.source!.update();
    this.sprite.visible = true;
    if (!this.fitted) this.fit();
    this.render();
  }

  /** Sets the detector extent when there is no image (stream alone), so overlays have a frame. */
  setExtent(shape: readonly [number, number]): void {
    if (!this.shape) { this.shape = shape; this.fit(); }
  }

  setOverlays(o: Overlays): void {
    this.overlays = o;
    this.drawOverlays();
    this.render();
  }

  /** Fits the detector into the view. */
  fit(): void {
    if (!this.shape) return;
    const [ss, fs] = this.shape;
    const w = this.host.clientWidth || 1, h = this.host.clientHeight || 1;
    const s = Math.min(w / fs, h / ss);
    this.world.scale.set(s);
    this.world.position.set((w - fs * s) / 2, (h - ss * s) / 2);
    this.fitted = true;
    this.drawOverlays();
    this.render();
  }

  /** Zooms so that a detector region (CXI px) fills the view. */
  zoomTo(fs: number, ss: number, scale: number): void {
    const w = this.host.clientWidth, h = this.host.clientHeight;
    this.world.scale.set(scale);
    this.world.position.set(w / 2 - (fs + 0.5) * scale, h / 2 - (ss + 0.5) * scale);
    this.drawOverlays();
    this.render();
  }

  /** Screen (canvas CSS px) position of a detector position (CXI convention). */
  toScreen(fs: number, ss: number): [number, number] {
    return [this.world.position.x + (fs + 0.5) * this.world.scale.x, this.world.position.y + (ss + 0.5) * this.world.scale.y];
  }

  toDetector(x: number, y: number): [number, number] {
    return [(x - this.world.position.x) / this.world.scale.x - 0.5, (y - this.world.position.y) / this.world.scale.y - 0.5];
  }

  /** What tests read back: overlay positions in detector pixels and the view transform. */
  scene(): { shape: readonly [number, number] | null; scale: number; offset: [number, number]; overlays: Overlays; canvasRect: DOMRect } {
    return { shape: this.shape, scale: this.world.scale.x, offset: [this.world.position.x, this.world.position.y], overlays: this.overlays, canvasRect: this.app.canvas.getBoundingClientRect() };
  }

  render(): void { this.app.render(); }

  private drawOverlays(): void {
    const g = this.gfx;
    const o = this.overlays;
    const s = this.world.scale.x || 1;
    const px = 1 / s; // one screen pixel in world units
    g.clear();
    for (const t of this.labels.removeChildren()) t.destroy();
    if (o.rings) {
      const [cx, cy] = o.rings.centre;
      for (const r of o.rings.list) {
        g.circle(cx + 0.5, cy + 0.5, r.radiusPx);
        const label = new Text({ text: `${r.dAngstrom} Å`, style: { fill: 0xf0c040, fontSize: 12, fontFamily: "sans-serif" } });
        label.scale.set(px);
        label.position.set(cx + 0.5 + r.radiusPx * Math.SQRT1_2 + 2 * px, cy + 0.5 - r.radiusPx * Math.SQRT1_2 - 14 * px);
        this.labels.addChild(label);
      }
      g.stroke({ width: 1 * px, color: 0xf0c040, alpha: 0.7 });
    }
    if (o.predicted) {
      const h = Math.max(3, 4 * px);
      for (let i = 0; i < o.predicted.fs.length; i++) g.rect(o.predicted.fs[i]! + 0.5 - h, o.predicted.ss[i]! + 0.5 - h, 2 * h, 2 * h);
      g.stroke({ width: 1.2 * px, color: 0x30d0ff, alpha: 0.9 });
    }
    if (o.peaks) {
      const r = Math.max(4, 6 * px);
      for (let i = 0; i < o.peaks.fs.length; i++) g.circle(o.peaks.fs[i]! + 0.5, o.peaks.ss[i]! + 0.5, r);
      g.stroke({ width: 1.5 * px, color: 0xff5050, alpha: 0.95 });
    }
    if (o.axes) {
      const [cx, cy] = o.axes.centre;
      o.axes.dirs.forEach((d, i) => {
        g.moveTo(cx + 0.5, cy + 0.5).lineTo(cx + 0.5 + d[0], cy + 0.5 + d[1]);
        g.stroke({ width: 2.5 * px, color: axisColours[i] ?? 0xffffff });
        const label = new Text({ text: "abc"[i] ?? "", style: { fill: axisColours[i] ?? 0xffffff, fontSize: 14, fontWeight: "bold", fontFamily: "sans-serif" } });
        label.scale.set(px);
        label.position.set(cx + 0.5 + d[0] * 1.08, cy + 0.5 + d[1] * 1.08 - 7 * px);
        this.labels.addChild(label);
      });
    }
    if (o.crosshair) {
      const [cx, cy] = o.crosshair;
      const arm = 25 * px, gap = 4 * px;
      g.moveTo(cx + 0.5 - arm, cy + 0.5).lineTo(cx + 0.5 - gap, cy + 0.5).moveTo(cx + 0.5 + gap, cy + 0.5).lineTo(cx + 0.5 + arm, cy + 0.5);
      g.moveTo(cx + 0.5, cy + 0.5 - arm).lineTo(cx + 0.5, cy + 0.5 - gap).moveTo(cx + 0.5, cy + 0.5 + gap).lineTo(cx + 0.5, cy + 0.5 + arm);
      g.stroke({ width: 1.5 * px, color: 0x40ff80 });
    }
  }

  private installMouse(): void {
    const c = this.app.canvas;
    let drag: { x: number; y: number; wx: number; wy: number } | null = null;
    c.addEventListener("wheel", (e) => {
      e.preventDefault();
      const r = c.getBoundingClientRect();
      const mx = e.clientX - r.left, my = e.clientY - r.top;
      const s0 = this.world.scale.x;
      const s1 = Math.min(64, Math.max(0.05, s0 * Math.exp(-e.deltaY * 0.0015)));
      this.world.position.set(mx - ((mx - this.world.position.x) * s1) / s0, my - ((my - this.world.position.y) * s1) / s0);
      this.world.scale.set(s1);
      this.drawOverlays();
      this.render();
    }, { passive: false });
    c.addEventListener("pointerdown", (e) => { drag = { x: e.clientX, y: e.clientY, wx: this.world.position.x, wy: this.world.position.y }; c.setPointerCapture(e.pointerId); });
    c.addEventListener("pointerup", (e) => { drag = null; c.releasePointerCapture(e.pointerId); });
    c.addEventListener("dblclick", () => this.fit());
    c.addEventListener("pointermove", (e) => {
      if (drag) {
        this.world.position.set(drag.wx + e.clientX - drag.x, drag.wy + e.clientY - drag.y);
        this.render();
      }
      const r = c.getBoundingClientRect();
      const [fs, ss] = this.toDetector(e.clientX - r.left, e.clientY - r.top);
      this.cursorCb(fs, ss);
    });
  }
}
