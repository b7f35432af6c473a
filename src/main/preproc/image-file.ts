/**
 * Reads the pixel mask / flat-field reference images: uncompressed TIFF (diffractem's Ref12_*.tif) or
 * HDF5 (`file.h5` or `file.h5:/path`). For masks in HDF5 without a path, `/pxmask` (non-zero = dead,
 * diffractem) is used, else `/mask` (CrystFEL convention, non-zero = usable, inverted here).
 */
import { getH5, isH5Dataset, shortH5Message } from "../h5/h5wasm-init.ts";
import { readTiff } from "./tiff.ts";

export interface ImageFile {
  readonly data: Float32Array;
  readonly shape: readonly [rows: number, cols: number];
}

/** `kind` "mask" returns 1 = dead, 0 = good; "reference" returns the raw gain values. */
export async function readMaskOrReference(spec: string, kind: "mask" | "reference"): Promise<ImageFile> {
  const m = /^(.*\.(?:h5|hdf5|nxs|cxi))(?::(\/.*))?$/i.exec(spec);
  if (!m) {
    const t = readTiff(spec);
    return kind === "mask" ? { data: t.data.map((v) => (v !== 0 ? 1 : 0)), shape: t.shape } : t;
  }
  const path = m[1]!;
  const h5 = await getH5();
  let f: InstanceType<typeof h5.File> | undefined;
  try {
    f = new h5.File(path, "r");
    const keys = f.keys();
    const h5path = m[2] ?? (kind === "mask" ? (keys.includes("pxmask") ? "/pxmask" : keys.includes("mask") ? "/mask" : undefined) : keys.includes("reference") ? "/reference" : "/data");
    if (!h5path) throw new Error(`no /pxmask or /mask dataset (give FILE.h5:/path)`);
    const ds = f.get(h5path);
    if (!isH5Dataset(ds)) throw new Error(`${h5path} is not a dataset`);
    const shape = ds.shape ?? [];
    if (shape.length !== 2) throw new Error(`${h5path} has shape [${shape.join(", ")}], a 2-D image is needed`);
    const raw = ds.value as ArrayLike<number | bigint>;
    const data = Float32Array.from({ length: raw.length }, (_, i) => Number(raw[i]));
    if (kind === "mask" && m[2] === undefined && h5path === "/mask") for (let i = 0; i < data.length; i++) data[i] = data[i] !== 0 ? 0 : 1;
    else if (kind === "mask") for (let i = 0; i < data.length; i++) data[i] = data[i] !== 0 ? 1 : 0;
    return { data, shape: [shape[0]!, shape[1]!] };
  } catch (e) {
    const msg = e instanceof Error && !/HDF5-DIAG|minor:/.test(e.message) ? e.message : shortH5Message(e);
    throw new Error(`${spec}: ${msg}`, { cause: e });
  } finally {
    try { f?.close(); } catch { /* already closed */ }
  }
}
