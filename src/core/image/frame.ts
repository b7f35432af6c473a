/**
 * A detector frame: row-major pixels, shape [ss, fs] (slow scan = rows, fast scan = columns),
 * `pixels[ss * nFs + fs]`. fs/ss follow CrystFEL so that `.geom` and `.stream` map one-to-one.
 * Counts are detector units (ADU). Invalid pixels are NaN in float frames.
 */
export interface Frame {
  readonly pixels: Float32Array;
  readonly shape: readonly [ss: number, fs: number];
}

/** Any numeric typed array a detector stack can hold. */
export type NumericArray =
  | Float32Array | Float64Array
  | Int8Array | Int16Array | Int32Array
  | Uint8Array | Uint16Array | Uint32Array;

/** A frame in its stored dtype, as read from a file (before conversion to float). */
export interface RawFrame {
  readonly data: NumericArray;
  readonly shape: readonly [ss: number, fs: number];
  /** numpy-style dtype string, e.g. "<u2", "<f4", "<i4". */
  readonly dtype: string;
}

/** Throws a clear error unless `pixels.length === ss * fs`. */
export function assertFrameShape(frame: Frame, what = "frame"): void {
  const [ss, fs] = frame.shape;
  if (!Number.isInteger(ss) || !Number.isInteger(fs) || ss <= 0 || fs <= 0) {
    throw new Error(`${what}: invalid shape [${ss}, ${fs}]`);
  }
  if (frame.pixels.length !== ss * fs) {
    throw new Error(`${what}: ${frame.pixels.length} pixels do not match shape [${ss}, ${fs}]`);
  }
}

/** Converts a stored frame to float32 (a copy). */
export function toFloatFrame(raw: RawFrame): Frame {
  const pixels = raw.data instanceof Float32Array ? raw.data.slice() : Float32Array.from(raw.data);
  return { pixels, shape: raw.shape };
}
