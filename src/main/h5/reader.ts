/**
 * Reads diffractem/NeXus (and plain CXI) files lazily with h5wasm (data-model.md §2-§5): tables,
 * feature table, sample/instrument metadata and stack descriptors on open; stack data one shot at a
 * time (`dset.slice`), never a whole 3-D stack. Errors name the file and the HDF5 path.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import type { Table } from "../../core/dataset/table.ts";
import type { FileContentForDataset, FileStackInfo, SampleInfo, SourceFile } from "../../core/dataset/dataset.ts";
import type { NumericArray } from "../../core/image/frame.ts";
import type { H5Dataset, H5File, H5Group } from "./h5wasm-init.ts";
import { getH5, h5Error, isH5Dataset, isH5Group, shortH5Message } from "./h5wasm-init.ts";
import { asNumericArray, npDtypeFromMeta } from "./dtype.ts";
import { readTableGroup } from "./table-io.ts";

/** One shot's entry of a stack, in its stored dtype. */
export interface StackRow {
  readonly data: NumericArray;
  /** Shape of the entry (stack shape without axis 0). */
  readonly shape: readonly number[];
  /** numpy dtype, e.g. "<u2". */
  readonly dtype: string;
}

/** An open file: what it contains (per subset) and lazy access to its stacks and map image. */
export interface NexusFileHandle {
  readonly path: string;
  /** One entry per subset (top-level group with a `data` group), usually just "entry". */
  readonly contents: readonly FileContentForDataset[];
  /** Row `row` of stack `label` of `subset`. */
  readStackRow(subset: string, label: string, row: number): StackRow;
  /** The STEM map image of `subset` ([rows, cols], float32), or undefined if the file has none. */
  readMapImage(subset: string): { data: Float32Array; shape: [rows: number, cols: number] } | undefined;
  close(): void;
}

/** Human-readable compression of a dataset from its HDF5 filter pipeline. */
export function describeFilters(filters: readonly { id: number; cd_values: number[] }[]): string {
  if (filters.length === 0) return "none";
  return filters.map((f) => {
    switch (f.id) {
      case 1: return "gzip";
      case 2: return "shuffle";
      case 32004: return "lz4";
      case 32008: return f.cd_values[4] === 2 ? "bitshuffle-lz4" : f.cd_values[4] === 3 ? "bitshuffle-zstd" : "bitshuffle";
      case 32001: return "blosc";
      case 32015: return "zstd";
      default: return `filter ${f.id}`;
    }
  }).join("+");
}

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Checks that `path` exists and carries the HDF5 signature (at 0 or a userblock offset 512·2^k). */
function checkHdf5Signature(path: string): void {
  if (!existsSync(path)) throw new Error(`${path}: file not found`);
  const st = statSync(path);
  if (st.isDirectory()) throw new Error(`${path}: is a directory, not an HDF5 file`);
  if (st.size < 8) throw new Error(`${path}: not an HDF5 file (${st.size} bytes)`);
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(8);
    for (let off = 0; off + 8 <= st.size; off = off === 0 ? 512 : off * 2) {
      readSync(fd, buf, 0, 8, off);
      if (HDF5_SIGNATURE.every((b, i) => buf[i] === b)) return;
      if (off > 1 << 24) break;
    }
  } finally {
    closeSync(fd);
  }
  throw new Error(`${path}: not an HDF5 file (no HDF5 signature)`);
}

function safeKeys(file: string, g: H5Group): string[] {
  try {
    return g.keys();
  } catch (e) {
    throw h5Error(file, g.path, "cannot list group members (corrupt file?)", e);
  }
}

function getChild(file: string, g: H5Group, name: string): ReturnType<H5Group["get"]> {
  if (!safeKeys(file, g).includes(name)) return null;
  try {
    const obj = g.get(name);
    if (obj && !isH5Dataset(obj) && !isH5Group(obj) && "target" in obj) {
      throw new Error(`broken soft link to ${(obj as { target: string }).target}`);
    }
    return obj;
  } catch (e) {
    const full = `${g.path === "/" ? "" : g.path}/${name}`;
    let target: string | undefined;
    try { target = g.get_link(full); } catch { /* not a soft link */ }
    if (typeof target === "string" && target.length > 0) throw new Error(`${file}:${full}: broken soft link to ${target}`, { cause: e });
    throw h5Error(file, full, "cannot open object", e);
  }
}

function scalarValue(ds: H5Dataset): number | string | undefined {
  const shape = ds.shape ?? [];
  if (shape.reduce((p, x) => p * x, 1) > 1) return undefined;
  const v: unknown = ds.value;
  const one = Array.isArray(v) ? v[0] : ArrayBuffer.isView(v) ? (v as unknown as ArrayLike<number | bigint>)[0] : v;
  if (typeof one === "string") return one.replace(/\0+$/, "");
  if (typeof one === "number") return one;
  if (typeof one === "bigint") return Number(one);
  if (typeof one === "boolean") return one ? 1 : 0;
  return undefined;
}

function readSample(file: string, entry: H5Group): SampleInfo | undefined {
  const s = getChild(file, entry, "sample");
  if (!isH5Group(s)) return undefined;
  const get = (k: string): number | string | undefined => { const d = getChild(file, s, k); return isH5Dataset(d) ? scalarValue(d) : undefined; };
  const name = get("name"), region = get("region_id"), run = get("run_id");
  if (name === undefined && region === undefined && run === undefined) return undefined;
  return { name: name === undefined ? "" : String(name), regionId: Number(region ?? 0), runId: Number(run ?? 0) };
}

function readInstrument(file: string, g: H5Group | null, prefix: string, out: Map<string, number | string>): void {
  if (!g || out.size >= 1000) return;
  let keys: string[];
  try { keys = g.keys(); } catch { return; }
  for (const k of keys) {
    if (prefix === "detector/" && k === "data") continue;
    let obj;
    try { obj = g.get(k); } catch { continue; }
    if (isH5Group(obj)) readInstrument(file, obj, `${prefix}${k}/`, out);
    else if (isH5Dataset(obj)) {
      try {
        const v = scalarValue(obj);
        if (v !== undefined) out.set(`${prefix}${k}`, v);
      } catch { /* non-scalar or unsupported type: not metadata we keep */ }
    }
  }
}

function mapImageDataset(file: string, entry: H5Group): H5Dataset | undefined {
  const map = getChild(file, entry, "map");
  const img = isH5Group(map) ? getChild(file, map, "image") : null;
  if (isH5Dataset(img) && img.shape?.length === 2) return img;
  const im = getChild(file, entry, "instrument_map");
  const stem = isH5Group(im) ? getChild(file, im, "STEM_Image") : null;
  const d = isH5Group(stem) ? getChild(file, stem, "data") : null;
  return isH5Dataset(d) && d.shape?.length === 2 ? d : undefined;
}

function stringAttr(obj: H5Group, name: string): string | undefined {
  try {
    const a = obj.attrs[name];
    const v = a?.value;
    if (typeof v === "string") return v;
    if (Array.isArray(v) && typeof v[0] === "string") return v[0];
  } catch { /* unreadable attribute: treated as absent */ }
  return undefined;
}

interface SubsetState {
  content: FileContentForDataset;
  stackPaths: Map<string, string>;
}

function readSubset(path: string, f: H5File, subset: string): SubsetState | undefined {
  const entry = getChild(path, f, subset);
  if (!isH5Group(entry)) return undefined;
  const data = getChild(path, entry, "data");
  let shotsGroup = getChild(path, entry, "shots");
  if (!isH5Group(shotsGroup) && isH5Group(data)) {
    const legacy = getChild(path, data, "shots");
    shotsGroup = isH5Group(legacy) ? legacy : null;
  }
  if (!isH5Group(data)) {
    if (isH5Group(shotsGroup)) throw new Error(`${path}: missing group /${subset}/data (the stacks of the shot table /${subset}/shots)`);
    return undefined;
  }
  const shots: Table | undefined = isH5Group(shotsGroup) ? readTableGroup(shotsGroup, path) : undefined;
  if (shots && shots.columns.size === 0) throw new Error(`${path}:/${subset}/shots: shot table has no 1-D columns`);

  // stacks: every numeric dataset with ≥1 dimension
  const candidates: { label: string; ds: H5Dataset; shape: number[]; dtype: string }[] = [];
  for (const k of safeKeys(path, data)) {
    const obj = getChild(path, data, k);
    if (!isH5Dataset(obj)) continue;
    let shape: number[] | null, dtype: string | undefined;
    try {
      shape = obj.shape;
      dtype = npDtypeFromMeta(obj.metadata);
    } catch (e) {
      throw h5Error(path, `/${subset}/data/${k}`, "cannot read dataset header", e);
    }
    if (!shape || shape.length === 0 || dtype === undefined) continue;
    candidates.push({ label: k, ds: obj, shape, dtype });
  }
  const signal = stringAttr(data, "signal");
  let nShots: number;
  if (shots) nShots = shots.length;
  else {
    const ref = candidates.find((c) => c.label === signal) ?? candidates.find((c) => c.shape.length === 3) ?? candidates[0];
    if (!ref) throw new Error(`${path}:/${subset}/data: no shot table (/${subset}/shots) and no stacks`);
    nShots = ref.shape[0]!;
  }
  const stacks: FileStackInfo[] = [];
  const stackPaths = new Map<string, string>();
  for (const c of candidates) {
    if (c.shape[0] !== nShots) {
      throw new Error(`${path}:/${subset}/data/${c.label}: axis 0 has ${c.shape[0]} entries but the file has ${nShots} shots${shots ? ` (rows of /${subset}/shots)` : ""}`);
    }
    let compression = "unknown";
    try { compression = describeFilters(c.ds.filters); } catch { /* keep unknown */ }
    stacks.push({ label: c.label, shotShape: c.shape.slice(1), dtype: c.dtype, compression });
    stackPaths.set(c.label, `/${subset}/data/${c.label}`);
  }

  const mapGroup = getChild(path, entry, "map");
  const featGroup = isH5Group(mapGroup) ? getChild(path, mapGroup, "features") : null;
  const features = isH5Group(featGroup) ? readTableGroup(featGroup, path) : undefined;
  const sample = readSample(path, entry);
  const instrument = new Map<string, number | string>();
  const inst = getChild(path, entry, "instrument");
  readInstrument(path, isH5Group(inst) ? inst : null, "", instrument);
  const img = mapImageDataset(path, entry);
  const file: SourceFile = {
    path, subset, nShots, instrument,
    ...(sample ? { sample } : {}),
    ...(img ? { mapImageShape: [img.shape![0]!, img.shape![1]!] as [number, number] } : {}),
  };
  return { content: { file, shots, features, stacks, diffStackLabel: signal }, stackPaths };
}

/**
 * Opens `path` (a diffractem/NeXus or CXI HDF5 file) lazily. Throws a clear Error naming the file
 * (and HDF5 path) for a missing, non-HDF5, truncated or inconsistent file.
 */
export async function openNexusFile(path: string): Promise<NexusFileHandle> {
  checkHdf5Signature(path);
  const h5 = await getH5();
  let f: H5File;
  try {
    f = new h5.File(path, "r");
  } catch (e) {
    throw new Error(`${path}: cannot open HDF5 file, truncated or corrupt (HDF5: ${shortH5Message(e)})`, { cause: e });
  }
  const subsets = new Map<string, SubsetState>();
  try {
    let keys: string[];
    try { keys = f.keys(); } catch (e) { throw h5Error(path, "/", "cannot list groups (corrupt file?)", e); }
    for (const k of keys) {
      const s = readSubset(path, f, k);
      if (s) subsets.set(k, s);
    }
    if (subsets.size === 0) throw new Error(`${path}: missing group /entry/data (not a diffractem/NeXus file; top-level groups: ${keys.join(", ") || "none"})`);
  } catch (e) {
    try { f.close(); } catch { /* ignore */ }
    throw e;
  }
  const dsCache = new Map<string, H5Dataset>();
  const dataset = (h5path: string): H5Dataset => {
    let d = dsCache.get(h5path);
    if (!d) {
      const obj = f.get(h5path);
      if (!isH5Dataset(obj)) throw new Error(`${path}:${h5path}: not a dataset`);
      d = obj;
      dsCache.set(h5path, d);
    }
    return d;
  };
  let closed = false;
  return {
    path,
    contents: [...subsets.values()].map((s) => s.content),
    readStackRow(subset, label, row) {
      if (closed) throw new Error(`${path}: file is closed`);
      const s = subsets.get(subset);
      const h5path = s?.stackPaths.get(label);
      const info = s?.content.stacks.find((x) => x.label === label);
      if (!s || !h5path || !info) throw new Error(`${path}: no stack '${label}' in subset '${subset}'`);
      if (!Number.isInteger(row) || row < 0 || row >= s.content.file.nShots) throw new Error(`${path}:${h5path}: shot ${row} out of range 0..${s.content.file.nShots - 1}`);
      let v: unknown;
      try {
        const d = dataset(h5path);
        v = d.slice([[row, row + 1], ...info.shotShape.map(() => [] as [])]);
      } catch (e) {
        throw h5Error(path, h5path, `cannot read shot ${row}`, e);
      }
      return { data: asNumericArray(v, `${path}:${h5path}`), shape: info.shotShape, dtype: info.dtype };
    },
    readMapImage(subset) {
      const entry = f.get(`/${subset}`);
      if (!isH5Group(entry)) return undefined;
      const d = mapImageDataset(path, entry);
      if (!d) return undefined;
      try {
        const v = asNumericArray(d.value, `${path}:${d.path}`);
        return { data: v instanceof Float32Array ? v : Float32Array.from(v), shape: [d.shape![0]!, d.shape![1]!] };
      } catch (e) {
        throw h5Error(path, d.path, "cannot read map image", e);
      }
    },
    close() {
      if (closed) return;
      closed = true;
      dsCache.clear();
      try { f.close(); } catch { /* already closed */ }
    },
  };
}
