/** Draws a frame (sqrt scaling, 99.5 % clip) with the tuning overlays: centre crosshair and peak circles. */
import type { FrameImage, TuneResult } from "../../core/api/host-api.ts";

export function drawTunePreview(c: HTMLCanvasElement, frame: FrameImage, r: TuneResult): void {
  const [H, W] = frame.shape;
  c.width = W; c.height = H;
  const ctx = c.getContext("2d");
  if (!ctx) return;
  const px = frame.pixels;
  const sample: number[] = [];
  for (let i = 0; i < px.length; i += 97) sample.push(Number(px[i]));
  sample.sort((a, b) => a - b);
  const hi = Math.max(1, sample[Math.floor(sample.length * 0.995)] ?? 1);
  const img = ctx.createImageData(W, H);
  const s = 255 / Math.sqrt(hi);
  for (let i = 0; i < W * H; i++) {
    const v = Math.min(255, Math.sqrt(Math.max(0, Number(px[i]))) * s);
    img.data[4 * i] = v; img.data[4 * i + 1] = v; img.data[4 * i + 2] = v; img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = "#ff5252";
  for (let k = 0; k < r.nPeaks; k++) { ctx.beginPath(); ctx.arc(r.fs[k]! + 0.5, r.ss[k]! + 0.5, 6, 0, 2 * Math.PI); ctx.stroke(); }
  const [cx, cy] = r.centre;
  ctx.strokeStyle = "#00e5ff";
  ctx.beginPath(); ctx.moveTo(cx + 0.5 - 20, cy + 0.5); ctx.lineTo(cx + 0.5 + 20, cy + 0.5); ctx.moveTo(cx + 0.5, cy + 0.5 - 20); ctx.lineTo(cx + 0.5, cy + 0.5 + 20); ctx.stroke();
}
