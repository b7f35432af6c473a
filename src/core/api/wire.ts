/**
 * Message encoding for the web transport. A message without typed arrays is sent as JSON text;
 * one with typed arrays is sent as ONE binary message so pixels never become JSON number lists:
 *
 *   bytes 0..3 magic "SED1" · 4..7 header length H (u32 LE) · header JSON (UTF-8) · zero padding to 8 ·
 *   each typed array's bytes, each padded to 8.
 *
 * Header JSON = `{"bytes": [byteLength per buffer], "m": message}`, where every typed array in the
 * message is replaced by `{"$typed": ctorName, "i": bufferIndex}`.
 */
const MAGIC = 0x31444553; // "SED1" little-endian

type TypedCtor = { new (buf: ArrayBuffer, offset: number, length: number): ArrayBufferView; BYTES_PER_ELEMENT: number };
const ctors: Record<string, TypedCtor> = {
  Float32Array, Float64Array, Int8Array, Int16Array, Int32Array, Uint8Array, Uint16Array, Uint32Array,
};

const isTyped = (v: unknown): v is ArrayBufferView => ArrayBuffer.isView(v) && !(v instanceof DataView);
const pad8 = (n: number): number => Math.ceil(n / 8) * 8;

/** Encodes a message: a JSON string when it has no typed arrays, else bytes (one binary message). */
export function encodeMessage(msg: unknown): string | Uint8Array {
  const buffers: ArrayBufferView[] = [];
  const body = JSON.stringify(msg, (_k: string, v: unknown) => {
    if (isTyped(v)) {
      const name = v.constructor.name;
      if (!(name in ctors)) throw new Error(`wire: cannot send ${name}`);
      buffers.push(v);
      return { $typed: name, i: buffers.length - 1 };
    }
    return v;
  });
  if (buffers.length === 0) return body;
  const headerBytes = new TextEncoder().encode(`{"bytes":${JSON.stringify(buffers.map((b) => b.byteLength))},"m":${body}}`);
  let total = pad8(8 + headerBytes.length);
  for (const b of buffers) total += pad8(b.byteLength);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, headerBytes.length, true);
  out.set(headerBytes, 8);
  let off = pad8(8 + headerBytes.length);
  for (const b of buffers) {
    out.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), off);
    off += pad8(b.byteLength);
  }
  return out;
}

/** Decodes what encodeMessage produced. Typed arrays are views into one aligned buffer. Throws on malformed input. */
export function decodeMessage(data: string | ArrayBuffer | Uint8Array): unknown {
  if (typeof data === "string") {
    try {
      return JSON.parse(data);
    } catch {
      throw new Error("wire: text message is not valid JSON");
    }
  }
  const raw = data instanceof Uint8Array ? data : new Uint8Array(data);
  // Views need element alignment (8 for Float64Array): copy if the message is not 8-aligned.
  const bytes = raw.byteOffset % 8 === 0 ? raw : raw.slice();
  if (bytes.byteLength < 8) throw new Error("wire: binary message shorter than its header");
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== MAGIC) throw new Error("wire: binary message has a bad magic number");
  const hLen = dv.getUint32(4, true);
  if (8 + hLen > bytes.byteLength) throw new Error("wire: binary header length exceeds the message size");
  let header: { bytes?: unknown; m?: unknown };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + hLen))) as typeof header;
  } catch {
    throw new Error("wire: binary header is not valid JSON");
  }
  const lengths = header.bytes;
  if (!Array.isArray(lengths)) throw new Error("wire: binary header lacks buffer lengths");
  const offsets: number[] = [];
  let off = pad8(8 + hLen);
  for (const n of lengths) {
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0) throw new Error("wire: bad buffer length in header");
    offsets.push(off);
    off += pad8(n);
  }
  if (off > bytes.byteLength) throw new Error(`wire: binary message truncated (${bytes.byteLength} of ${off} bytes)`);
  const revive = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(revive);
    if (v !== null && typeof v === "object") {
      const o = v as Record<string, unknown>;
      if (typeof o["$typed"] === "string") {
        const ctor = ctors[o["$typed"]];
        const i = o["i"];
        const start = typeof i === "number" ? offsets[i] : undefined;
        const len = typeof i === "number" ? (lengths[i] as number | undefined) : undefined;
        if (!ctor || start === undefined || len === undefined || len % ctor.BYTES_PER_ELEMENT !== 0) throw new Error("wire: bad typed array reference");
        return new ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset + start, len / ctor.BYTES_PER_ELEMENT);
      }
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(o)) out[k] = revive(x);
      return out;
    }
    return v;
  };
  return revive(header.m);
}
