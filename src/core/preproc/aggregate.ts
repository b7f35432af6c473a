/**
 * Dose-fraction aggregation: sum of the frames of one crystal over a frame range; auxiliary frames
 * (frame −1) are never summed.
 */
import type { NumericArray } from "../image/frame.ts";

/** Adds one stored frame to the float accumulator (same length). Returns acc. */
export function accumulateFrame(acc: Float32Array, frame: NumericArray): Float32Array {
  if (frame.length !== acc.length) throw new Error(`aggregation: frame has ${frame.length} pixels, expected ${acc.length}`);
  for (let i = 0; i < acc.length; i++) acc[i]! += frame[i]!;
  return acc;
}

/** Sums frames into a new float32 frame. At least one frame is required. */
export function sumFrames(frames: readonly NumericArray[]): Float32Array {
  const first = frames[0];
  if (!first) throw new Error("aggregation: no frames to sum");
  const acc = new Float32Array(first.length);
  for (const f of frames) accumulateFrame(acc, f);
  return acc;
}

/** Identifies one crystal: frames of the same key are summed. */
export interface CrystalKey { readonly sample: string; readonly region: number; readonly run: number; readonly crystalId: number }

/**
 * Groups shots into aggregated patterns: shots with `selected[i]` and `frame[i] >= 0`, grouped by
 * (sample, region, run, crystal_id) in order of first appearance. Returns the source shot indices per group
 * (sorted by frame).
 */
export function groupShotsForAggregation(
  keys: readonly CrystalKey[], frame: ArrayLike<number>, selected: ArrayLike<number | boolean>,
): number[][] {
  const groups = new Map<string, number[]>();
  for (let i = 0; i < keys.length; i++) {
    if (!selected[i] || !(frame[i]! >= 0)) continue;
    const k = keys[i]!;
    const id = `${k.sample}\u0000${k.region}\u0000${k.run}\u0000${k.crystalId}`;
    const g = groups.get(id);
    if (g) g.push(i); else groups.set(id, [i]);
  }
  const out = [...groups.values()];
  for (const g of out) g.sort((a, b) => frame[a]! - frame[b]! || a - b);
  return out;
}
