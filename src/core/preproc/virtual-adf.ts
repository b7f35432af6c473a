/** Virtual annular dark-field detectors (diffractem `apply_virtual_detector`), ../shared/spec/preprocessing.md §8. */
import type { Frame } from "../image/frame.ts";

/**
 * Mean of valid pixels with rInner ≤ r < rOuter (px) around (cx, cy), pixel-centre convention. Valid =
 * finite, ≥ 0 (−1 marks dead pixels) and not in `badMask`. NaN if no pixel qualifies.
 */
export function virtualAdf(frame: Frame, cx: number, cy: number, rInnerPx: number, rOuterPx: number, badMask: Uint8Array | null = null): number {
  const [H, W] = frame.shape;
  const px = frame.pixels;
  const ri2 = rInnerPx * rInnerPx, ro2 = rOuterPx * rOuterPx;
  const y0 = Math.max(0, Math.floor(cy - rOuterPx)), y1 = Math.min(H - 1, Math.ceil(cy + rOuterPx));
  const x0 = Math.max(0, Math.floor(cx - rOuterPx)), x1 = Math.min(W - 1, Math.ceil(cx + rOuterPx));
  let s = 0, n = 0;
  for (let y = y0; y <= y1; y++) {
    const dy2 = (y - cy) ** 2;
    for (let x = x0; x <= x1; x++) {
      const r2 = (x - cx) ** 2 + dy2;
      if (r2 < ri2 || r2 >= ro2) continue;
      const i = y * W + x;
      const v = px[i]!;
      if (!(v >= 0) || v === Infinity || (badMask !== null && badMask[i] !== 0)) continue;
      s += v; n++;
    }
  }
  return n > 0 ? s / n : NaN;
}
