/** Flat-field (gain) correction, ../shared/spec/preprocessing.md §1: out = img / reference. */

/** Returns the reference scaled to mean 1 over its finite, positive pixels (a copy). */
export function normalizeReference(reference: Float32Array): Float32Array {
  let s = 0, n = 0;
  for (let i = 0; i < reference.length; i++) {
    const v = reference[i]!;
    if (v > 0 && Number.isFinite(v)) { s += v; n++; }
  }
  if (n === 0) throw new Error("flat-field reference has no positive pixels");
  const f = n / s;
  const out = new Float32Array(reference.length);
  for (let i = 0; i < reference.length; i++) out[i] = reference[i]! * f;
  return out;
}

/** Divides by the gain reference (in place unless `out` is given). Pixels < 0 (invalid −1) stay as they are. */
export function applyFlatfield(pixels: Float32Array, reference: Float32Array, out: Float32Array = pixels): Float32Array {
  if (reference.length !== pixels.length) throw new Error(`flat-field: reference has ${reference.length} pixels, frame has ${pixels.length}`);
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i]!;
    out[i] = v < 0 ? v : v / reference[i]!;
  }
  return out;
}
