/**
 * Minimal reader for the single-image, uncompressed TIFFs diffractem uses for the pixel mask and the
 * flat-field reference (8/16/32-bit unsigned/signed integer or 32/64-bit float, one sample per pixel,
 * strips, little or big endian). Anything else is a clear error naming the file.
 */
import { readFileSync } from "node:fs";

export interface TiffImage {
  readonly data: Float32Array;
  readonly shape: readonly [rows: number, cols: number];
}

export function readTiff(path: string): TiffImage {
  const buf = readFileSync(path);
  const fail = (why: string): never => { throw new Error(`${path}: ${why}`); };
  if (buf.length < 8) fail("not a TIFF file (too short)");
  const order = buf.toString("latin1", 0, 2);
  const le = order === "II" ? true : order === "MM" ? false : fail("not a TIFF file (bad byte-order mark)");
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const u16 = (o: number): number => { if (o + 2 > buf.length) fail("truncated TIFF"); return dv.getUint16(o, le); };
  const u32 = (o: number): number => { if (o + 4 > buf.length) fail("truncated TIFF"); return dv.getUint32(o, le); };
  if (u16(2) !== 42) fail("not a classic TIFF (magic ≠ 42; BigTIFF is not supported)");
  const ifd = u32(4);
  const nTags = u16(ifd);
  const tags = new Map<number, number[]>();
  const typeSize: Record<number, number> = { 1: 1, 3: 2, 4: 4, 16: 8 };
  for (let k = 0; k < nTags; k++) {
    const e = ifd + 2 + 12 * k;
    const tag = u16(e), type = u16(e + 2), count = u32(e + 4);
    const sz = typeSize[type];
    if (!sz) continue;
    const at = sz * count <= 4 ? e + 8 : u32(e + 8);
    const vals: number[] = [];
    for (let i = 0; i < count; i++) vals.push(sz === 1 ? buf[at + i]! : sz === 2 ? u16(at + 2 * i) : u32(at + 4 * i));
    tags.set(tag, vals);
  }
  const one = (t: number, dflt?: number): number => tags.get(t)?.[0] ?? dflt ?? fail(`TIFF tag ${t} missing`);
  const W = one(256), H = one(257), bits = one(258, 1), comp = one(259, 1), spp = one(277, 1), fmt = one(339, 1);
  if (comp !== 1) fail(`compressed TIFF (compression ${comp}) is not supported; save it uncompressed`);
  if (spp !== 1) fail(`${spp} samples per pixel; a single-channel image is needed`);
  const offs = tags.get(273) ?? fail("no strip offsets");
  const counts = tags.get(279) ?? fail("no strip byte counts");
  const bps = bits / 8;
  const raw = Buffer.alloc(W * H * bps);
  let pos = 0;
  offs.forEach((o, i) => {
    const c = Math.min(counts[i] ?? 0, raw.length - pos);
    if (o + c > buf.length) fail("truncated TIFF (strip beyond end of file)");
    buf.copy(raw, pos, o, o + c);
    pos += c;
  });
  if (pos < raw.length) fail(`TIFF has ${pos} bytes of pixel data, ${W}×${H}×${bps} expected`);
  const rv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const data = new Float32Array(W * H);
  for (let i = 0; i < W * H; i++) {
    const o = i * bps;
    let v: number;
    if (fmt === 3) v = bits === 32 ? rv.getFloat32(o, le) : bits === 64 ? rv.getFloat64(o, le) : fail(`${bits}-bit float TIFF`);
    else if (bits === 8) v = fmt === 2 ? rv.getInt8(o) : rv.getUint8(o);
    else if (bits === 16) v = fmt === 2 ? rv.getInt16(o, le) : rv.getUint16(o, le);
    else if (bits === 32) v = fmt === 2 ? rv.getInt32(o, le) : rv.getUint32(o, le);
    else if (bits === 1) v = fail("1-bit TIFF is not supported; save the mask as 8-bit");
    else v = fail(`${bits}-bit TIFF is not supported`);
    data[i] = v;
  }
  return { data, shape: [H, W] };
}
