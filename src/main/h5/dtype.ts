/**
 * numpy-style dtype strings ("<u2", "<f4", "<i8", ...) ↔ h5wasm dtype strings ("<H", "<f", "<q")
 * and the typed arrays that hold them.
 */
import type { NumericArray } from "../../core/image/frame.ts";

const NP_TO_H5: Record<string, string> = {
  u1: "<B", u2: "<H", u4: "<I", u8: "<Q",
  i1: "<b", i2: "<h", i4: "<i", i8: "<q",
  f4: "<f", f8: "<d",
};

/** Normalises "uint16", "<u2", "|u1", "u2" to "<u2" etc. Throws for unsupported dtypes. */
export function normaliseDtype(dtype: string): string {
  const names: Record<string, string> = {
    uint8: "u1", uint16: "u2", uint32: "u4", uint64: "u8",
    int8: "i1", int16: "i2", int32: "i4", int64: "i8",
    float32: "f4", float64: "f8",
  };
  const core = names[dtype] ?? dtype.replace(/^[<|=]/, "");
  if (!(core in NP_TO_H5)) throw new Error(`unsupported dtype '${dtype}' (use <u1,<u2,<u4,<i1,<i2,<i4,<i8,<f4,<f8)`);
  return `<${core}`;
}

/** h5wasm dtype string for a numpy dtype. */
export function h5DtypeOf(npDtype: string): string {
  return NP_TO_H5[normaliseDtype(npDtype).slice(1)]!;
}

/** numpy dtype from h5wasm dataset metadata (class INTEGER=0, FLOAT=1). */
export function npDtypeFromMeta(meta: { type: number; size: number; signed: boolean; littleEndian: boolean }): string | undefined {
  const e = meta.littleEndian ? "<" : ">";
  if (meta.type === 0) return `${e}${meta.signed ? "i" : "u"}${meta.size}`;
  if (meta.type === 1 && (meta.size === 4 || meta.size === 8)) return `${e}f${meta.size}`;
  return undefined;
}

/** Typed array matching a numpy dtype (int64/uint64 use BigInt arrays for writing). */
export function toTypedArrayFor(npDtype: string, data: ArrayLike<number>): NumericArray | BigInt64Array | BigUint64Array {
  switch (normaliseDtype(npDtype)) {
    case "<u1": return data instanceof Uint8Array ? data : Uint8Array.from(data);
    case "<u2": return data instanceof Uint16Array ? data : Uint16Array.from(data);
    case "<u4": return data instanceof Uint32Array ? data : Uint32Array.from(data);
    case "<i1": return data instanceof Int8Array ? data : Int8Array.from(data);
    case "<i2": return data instanceof Int16Array ? data : Int16Array.from(data);
    case "<i4": return data instanceof Int32Array ? data : Int32Array.from(data);
    case "<f4": return data instanceof Float32Array ? data : Float32Array.from(data);
    case "<f8": return data instanceof Float64Array ? data : Float64Array.from(data);
    case "<i8": { const out = new BigInt64Array(data.length); for (let i = 0; i < data.length; i++) out[i] = BigInt(Math.round(data[i]!)); return out; }
    case "<u8": { const out = new BigUint64Array(data.length); for (let i = 0; i < data.length; i++) out[i] = BigInt(Math.round(data[i]!)); return out; }
    default: throw new Error(`unsupported dtype '${npDtype}'`);
  }
}

/** Allocates an empty typed array for a numpy dtype (BigInt arrays for 64-bit integers). */
export function allocFor(npDtype: string, n: number): NumericArray | BigInt64Array | BigUint64Array {
  return toTypedArrayFor(npDtype, new Float64Array(n));
}

/** Converts whatever h5wasm returned for numeric data into a NumericArray (64-bit ints → Float64Array). */
export function asNumericArray(v: unknown, what: string): NumericArray {
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) {
    const out = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = Number(v[i]!);
    return out;
  }
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return v as NumericArray;
  if (typeof v === "number") return Float64Array.of(v);
  if (typeof v === "bigint") return Float64Array.of(Number(v));
  if (typeof v === "boolean") return Uint8Array.of(v ? 1 : 0);
  throw new Error(`${what}: expected numeric data`);
}
