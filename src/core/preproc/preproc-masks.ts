/** All masks of a pre-processing run, built once from the pixel mask and the options. 1 = bad pixel. */
import type { PreProcOpts } from "../options/preproc-opts.ts";
import { buildPixelMask, lambdaGapMask } from "./dead-pixels.ts";
import type { CorrectionMasks } from "./correct-image.ts";

export interface PreprocMasks extends CorrectionMasks {
  /** Mask for pattern analysis: dead ∪ gaps (if mask_gaps) ∪ edges. */
  readonly analysis: Uint8Array;
  readonly combined: Uint8Array;
}

/** `deadMask`: the pixel-mask file content (non-zero = dead), or null. */
export function buildPreprocMasks(shape: readonly [ss: number, fs: number], deadMask: Uint8Array | null, opts: PreProcOpts): PreprocMasks {
  const [H, W] = shape;
  const n = H * W;
  const dead = new Uint8Array(n);
  if (deadMask) {
    if (deadMask.length !== n) throw new Error(`pixel mask has ${deadMask.length} pixels, frames have ${H}×${W}`);
    for (let i = 0; i < n; i++) dead[i] = deadMask[i] !== 0 ? 1 : 0;
  }
  const edges = buildPixelMask(shape, { deadMask: null, maskGaps: false, edgeMaskX: opts.edge_mask_x, edgeMaskY: opts.edge_mask_y });
  const analysis = buildPixelMask(shape, { deadMask: dead, maskGaps: opts.mask_gaps, edgeMaskX: opts.edge_mask_x, edgeMaskY: opts.edge_mask_y });
  const gaps = lambdaGapMask(shape);
  const combined = new Uint8Array(n);
  for (let i = 0; i < n; i++) combined[i] = dead[i]! | gaps[i]! | edges[i]!;
  return { dead, gaps, edges, analysis, combined };
}
