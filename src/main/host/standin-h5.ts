/**
 * PRIVATE STAND-IN used only until helper "data"'s src/main/dataset/open-dataset.ts lands: reads
 * diffractem-layout files just enough for the viewer (shot table, one frame at a time, CXI peaks, map).
 */
import h5wasm from "h5wasm/node";
import { install_local_plugins } from "h5wasm-plugins";
import { makeTable, type Column, type Table } from "../../core/dataset/table.ts";
import type { NumericArray, RawFrame } from "../../core/image/frame.ts";
import type { ImageDataset } from "./image-dataset.ts";

type H5File = InstanceType<typeof h5wasm.File>;
type H5Dataset = InstanceType<typeof h5wasm.Dataset>;

let ready: Promise<void> | undefined;
async function init(): Promise<void> {
  ready ??= (async () => {
    const Module = await h5wasm.ready;
    Module.activate_throwing_error_handler();
    install_local_plugins(Module);
  })();
  return ready;
}

const short = (e: unknown): string => {
  const lines = String(e instanceof Error ? e.message : e).split("\n").filter((l) => l.length < 300);
  const minor = lines.map((l) => /minor:\s*(.*)/.exec(l)?.[1]).filter(Boolean);
  return (minor.length ? minor.join("; ") : lines[0] ?? "HDF5 error").slice(0, 300);
};

function dset(f: H5File, path: string): H5Dataset | null {
  try {
    const o = f.get(path);
    return o instanceof h5wasm.Dataset ? o : null;
  } catch {
    return null;
  }
}

interface FileInfo { path: string; file: H5File; stack: H5Dataset | null; nShots: number; offset: number; peaks: { n: H5Dataset; x: H5Dataset; y: H5Dataset; i: H5Dataset | null } | null }

function readTable(f: H5File, group: string, what: string): Table | null {
  let g: unknown;
  try { g = f.get(group); } catch { return null; }
  if (!(g instanceof h5wasm.Group)) return null;
  const cols: [string, Column][] = [];
  for (const k of g.keys()) {
    const d = g.get(k);
    if (!(d instanceof h5wasm.Dataset) || d.shape?.length !== 1) continue;
    const label = typeof d.attrs["label"]?.value === "string" ? (d.attrs["label"].value as string) : k;
    const v = d.value as unknown;
    const dt = String(d.dtype);
    if (Array.isArray(v) && (v.length === 0 || typeof v[0] === "string")) cols.push([label, { type: "string", data: (v as string[]).map(String) }]);
    else if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      const arr = v as unknown as ArrayLike<number | bigint>;
      const out = new Float64Array(arr.length);
      for (let i = 0; i < arr.length; i++) out[i] = Number(arr[i]);
      const isBool = dt.includes("b") || (d.metadata as { enum_type?: unknown }).enum_type !== undefined;
      cols.push([label, isBool ? { type: "bool", data: Uint8Array.from(out) } : { type: /f/.test(dt) ? "float" : "int", data: out }]);
    }
  }
  return makeTable(cols, what);
}

/** Opens diffractem/CXI HDF5 files as one dataset (stand-in reader). */
export async function openStandinH5(paths: readonly string[]): Promise<ImageDataset> {
  await init();
  const infos: FileInfo[] = [];
  const tables: Table[] = [];
  let features: Table | null = null;
  let offset = 0;
  let stackLabel: string | null = null;
  for (const path of paths) {
    let file: H5File;
    try { file = new h5wasm.File(path, "r"); } catch (e) { throw new Error(`${path}: cannot open as HDF5 (${short(e)})`, { cause: e }); }
    let data: unknown;
    try { data = file.get("/entry/data"); } catch { data = null; }
    if (!(data instanceof h5wasm.Group)) throw new Error(`${path}: no /entry/data group (not a diffractem/CXI file)`);
    const signal = typeof data.attrs["signal"]?.value === "string" ? (data.attrs["signal"].value as string) : null;
    const cands = [signal, "raw_counts", "corrected", "data"].filter((s): s is string => !!s);
    let stack: H5Dataset | null = null;
    for (const c of cands) { const d = dset(file, `/entry/data/${c}`); if (d?.shape?.length === 3) { stack = d; stackLabel ??= c; break; } }
    const shots = readTable(file, "/entry/shots", `${path}:/entry/shots`);
    const n = stack?.shape?.[0] ?? shots?.length ?? 0;
    if (shots && stack && shots.length !== n) throw new Error(`${path}: /entry/shots has ${shots.length} rows but the stack has ${n} shots`);
    const pn = dset(file, "/entry/data/nPeaks"), px = dset(file, "/entry/data/peakXPosRaw"), py = dset(file, "/entry/data/peakYPosRaw");
    infos.push({ path, file, stack, nShots: n, offset, peaks: pn && px && py ? { n: pn, x: px, y: py, i: dset(file, "/entry/data/peakTotalIntensity") } : null });
    offset += n;
    // Key columns synthesised as data-model.md §3.1 says when absent.
    const cols = new Map<string, Column>(shots?.columns ?? []);
    cols.set("file", { type: "string", data: new Array<string>(n).fill(path) });
    if (!cols.has("Event")) cols.set("Event", { type: "string", data: Array.from({ length: n }, (_, k) => `entry//${k}`) });
    if (!cols.has("shot_in_subset")) cols.set("shot_in_subset", { type: "int", data: Float64Array.from({ length: n }, (_, k) => k) });
    if (!cols.has("crystal_id")) cols.set("crystal_id", { type: "int", data: new Float64Array(n).fill(-1) });
    if (!cols.has("frame")) cols.set("frame", { type: "int", data: new Float64Array(n) });
    if (!cols.has("selected")) cols.set("selected", { type: "bool", data: new Uint8Array(n).fill(1) });
    if (pn && !cols.has("num_peaks")) { const v = pn.value as ArrayLike<number>; cols.set("num_peaks", { type: "int", data: Float64Array.from(v, Number) }); }
    tables.push(makeTable(cols, path));
    features ??= readTable(file, "/entry/map/features", `${path}:/entry/map/features`);
  }
  const names = [...new Set(tables.flatMap((t) => [...t.columns.keys()]))].filter((k) => tables.every((t) => t.columns.has(k)));
  const concat: [string, Column][] = names.map((k) => {
    const parts = tables.map((t) => t.columns.get(k)!);
    const type = parts[0]!.type;
    if (type === "string") return [k, { type, data: parts.flatMap((p) => [...(p.data as readonly string[])]) }];
    if (type === "bool") { const out = new Uint8Array(offset); let o = 0; for (const p of parts) { out.set(p.data as Uint8Array, o); o += p.data.length; } return [k, { type, data: out }]; }
    const out = new Float64Array(offset); let o = 0;
    for (const p of parts) { for (let i = 0; i < p.data.length; i++) out[o + i] = Number(p.data[i]); o += p.data.length; }
    return [k, { type: parts.every((p) => p.type === "int") ? "int" : "float", data: out }];
  });
  const shots = makeTable(concat, "shot table");
  const locate = (i: number): FileInfo => {
    const info = infos.find((f) => i >= f.offset && i < f.offset + f.nShots);
    if (!info) throw new Error(`shot ${i} out of range (dataset has ${offset} shots)`);
    return info;
  };
  const first = infos.find((f) => f.stack)?.stack;
  return {
    files: paths, shots, features, stackLabel,
    frameShape: first?.shape ? [first.shape[1]!, first.shape[2]!] : null,
    hasCxiPeaks: infos.some((f) => f.peaks),
    readFrame(i): RawFrame {
      const f = locate(i);
      if (!f.stack) throw new Error(`${f.path}: no image stack`);
      const k = i - f.offset;
      let data: NumericArray;
      try { data = f.stack.slice([[k, k + 1], [], []]) as NumericArray; } catch (e) { throw new Error(`${f.path}: cannot read frame ${k} (${short(e)})`, { cause: e }); }
      return { data, shape: [f.stack.shape![1]!, f.stack.shape![2]!], dtype: String(f.stack.dtype) };
    },
    readPeaks(i) {
      const f = locate(i);
      if (!f.peaks) return null;
      const k = i - f.offset;
      const n = Number((f.peaks.n.slice([[k, k + 1]]) as ArrayLike<number>)[0] ?? 0);
      const row = (d: H5Dataset): Float32Array => Float32Array.from(d.slice([[k, k + 1], [0, n]]) as ArrayLike<number>);
      return { fs: row(f.peaks.x), ss: row(f.peaks.y), intensity: f.peaks.i ? row(f.peaks.i) : new Float32Array(n) };
    },
    mapImage(fileIndex) {
      const f = infos[fileIndex];
      if (!f) return null;
      const d = dset(f.file, "/entry/map/image") ?? dset(f.file, "/entry/instrument_map/STEM_Image/data");
      if (!d?.shape || d.shape.length !== 2) return null;
      return { data: Float32Array.from(d.value as ArrayLike<number>), shape: [d.shape[0]!, d.shape[1]!], pixelSizeUm: null };
    },
    query() {
      throw Object.assign(new Error("query language not available yet"), { position: 0 });
    },
    close() { for (const f of infos) f.file.close(); },
  };
}
