/**
 * Reads what the indexer and integrator need from a diffractem/CrystFEL-style HDF5 file: CXI peak
 * arrays (`nPeaks`, `peakXPosRaw`, `peakYPosRaw`, `peakTotalIntensity` in the geometry's
 * `peak_list` group, pixel-centre convention), per-shot detector shifts or centres from the shot
 * table (`/entry/shots`), and single frames of the image stack (read one at a time).
 * Event names follow indexamajig: `<subset>//<k>` where `<subset>` is what `%` matched in the
 * geometry's paths (e.g. `entry//3`), or `//<k>` when the paths have no `%`.
 */
import { getH5, h5Error, type H5File } from "../h5/h5wasm-init.ts";
import type { Frame } from "../../core/image/frame.ts";

/** CXI peaks of all shots of one file, padded arrays as stored (row = shot). */
export interface CxiPeaks {
  readonly nShots: number;
  readonly nPeaks: Int32Array;
  /** Row width of the padded arrays. */
  readonly width: number;
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly intensity: Float32Array;
}

export interface CxiFile {
  readonly path: string;
  /** Subset name matched by `%` ("entry"), or "" when the layout has no placeholder. */
  readonly subset: string;
  readonly peaks: CxiPeaks;
  /** Event string of shot k. */
  event(k: number): string;
  /** A shot-table column (numeric), or null if absent. */
  shotColumn(name: string): Float64Array | null;
  /** Frame k of the image dataset (float copy), shape [ss, fs]. */
  readFrame(k: number): Frame;
  close(): void;
}

function resolvePath(p: string, subset: string): string {
  return p.replace(/%/g, subset);
}

/**
 * Opens `path`. `peakList` / `dataPath` are the geometry's `peak_list` and `data` (may contain `%`,
 * resolved to the first top-level group holding the peak arrays, normally `entry`).
 */
export async function openCxiFile(path: string, peakList = "/%/data", dataPath = "/%/data/data"): Promise<CxiFile> {
  const h5 = await getH5();
  let f: H5File;
  try {
    f = new h5.File(path, "r");
  } catch (e) {
    throw h5Error(path, undefined, "cannot open HDF5 file", e);
  }
  try {
    let subset = "";
    if (peakList.includes("%")) {
      const keys = f.keys();
      const found = keys.find((k) => f.get(resolvePath(peakList, k) + "/nPeaks") !== null);
      if (found === undefined) throw new Error(`${path}: no CXI peak group matching ${peakList} (top-level groups: ${keys.join(", ") || "none"})`);
      subset = found;
    }
    const group = resolvePath(peakList, subset);
    const read = (name: string): ArrayLike<number> & { length: number } => {
      const d = f.get(`${group}/${name}`);
      if (!d || !("value" in d)) throw new Error(`${path}: missing dataset ${group}/${name}`);
      try {
        return (d as unknown as { value: ArrayLike<number> & { length: number } }).value;
      } catch (e) {
        throw h5Error(path, `${group}/${name}`, "cannot read", e);
      }
    };
    const nPeaks = Int32Array.from(read("nPeaks"));
    const nShots = nPeaks.length;
    const xs = Float32Array.from(read("peakXPosRaw"));
    const ys = Float32Array.from(read("peakYPosRaw"));
    const is = Float32Array.from(read("peakTotalIntensity"));
    const width = nShots > 0 ? xs.length / nShots : 0;
    if (!Number.isInteger(width) || ys.length !== xs.length || is.length !== xs.length) throw new Error(`${path}: CXI peak arrays in ${group} have inconsistent shapes (${nShots} shots, ${xs.length}/${ys.length}/${is.length} values)`);
    for (let k = 0; k < nShots; k++) if (nPeaks[k]! < 0 || nPeaks[k]! > width) throw new Error(`${path}: ${group}/nPeaks[${k}] = ${nPeaks[k]} outside 0..${width}`);
    const peaks: CxiPeaks = { nShots, nPeaks, width, x: xs, y: ys, intensity: is };
    const dpath = resolvePath(dataPath, subset);
    const shotsPath = subset ? `/${subset}/shots` : "/entry/shots";
    return {
      path, subset, peaks,
      event: (k) => `${subset}//${k}`,
      shotColumn(name) {
        const d = f.get(`${shotsPath}/${name}`);
        if (!d || !("value" in d)) return null;
        const v = (d as unknown as { value: ArrayLike<number | bigint> }).value;
        if (typeof v !== "object" || v === null || typeof (v as { length?: unknown }).length !== "number") return null;
        // int64 columns (region, run, crystal_id, frame) come back as BigInt64Array
        return Float64Array.from(v as ArrayLike<number | bigint>, (x) => Number(x));
      },
      readFrame(k) {
        const d = f.get(dpath);
        if (!d || !("shape" in d)) throw new Error(`${path}: missing image dataset ${dpath}`);
        const ds = d as unknown as { shape: number[]; slice(r: number[][]): ArrayLike<number> };
        const shape = ds.shape;
        if (shape.length !== 3 || k < 0 || k >= shape[0]!) throw new Error(`${path}:${dpath}: cannot read frame ${k} of shape [${shape.join(", ")}]`);
        let data: ArrayLike<number>;
        try {
          data = ds.slice([[k, k + 1], [], []]);
        } catch (e) {
          throw h5Error(path, dpath, `cannot read frame ${k}`, e);
        }
        return { pixels: data instanceof Float32Array ? data : Float32Array.from(data), shape: [shape[1]!, shape[2]!] };
      },
      close: () => f.close(),
    };
  } catch (e) {
    f.close();
    throw e;
  }
}
