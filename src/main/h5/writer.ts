/**
 * Writes one diffractem/NeXus file (layout: data-model.md §2, §2.3, §8) with h5wasm.
 * Stacks are chunked one shot per chunk and compressed (LZ4 32004 by default); big stacks are written
 * shot by shot (memory bounded by one shot). The file is written to `<path>.tmp-<pid>` and renamed
 * when complete, so readers never see a half-written file.
 */
import { renameSync, rmSync } from "node:fs";
import type { Compression, NexusFileContent, StackToWrite } from "./nexus-types.ts";
import type { H5Group } from "./h5wasm-init.ts";
import { getH5, isH5Group, shortH5Message } from "./h5wasm-init.ts";
import { h5DtypeOf, normaliseDtype, toTypedArrayFor } from "./dtype.ts";
import { writeTableGroup } from "./table-io.ts";

export interface WriteOptions {
  /** Called after each shot of the per-shot-written stacks: (done, total). */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Stacks created with their full shape (chunked one shot per chunk, gzip) but with no data
   * written: HDF5 stores nothing for unwritten chunks and reads them as the fill value 0, so the
   * file stays small (dummy image stack of a virtual file, data-model.md §7.7). May be the `signal`.
   */
  readonly placeholderStacks?: ReadonlyMap<string, { readonly shape: readonly number[]; readonly dtype: string }>;
  /** Value of the `recommended_zchunks` attribute of /%/data (default 1; diffractem virtual files use -1). */
  readonly recommendedZchunks?: number;
}

/** Stacks with at most this many elements in total are gathered and written in one call. */
const SMALL_STACK_ELEMENTS = 4_000_000;

function writtenPerShot(st: StackToWrite): boolean {
  return product(st.shape) > SMALL_STACK_ELEMENTS;
}

function compressionArgs(c: Compression): { compression?: number | "gzip"; compression_opts?: number[] } {
  switch (c) {
    case "lz4": return { compression: 32004, compression_opts: [0] };
    case "bitshuffle-lz4": return { compression: 32008, compression_opts: [0, 2] };
    case "gzip": return { compression: "gzip", compression_opts: [4] };
    case "none": return {};
  }
}

function product(a: readonly number[]): number {
  return a.reduce((p, x) => p * x, 1);
}

async function writeStack(group: H5Group, label: string, st: StackToWrite, nShots: number, progress: () => void): Promise<void> {
  const shape = [...st.shape];
  if (shape.length < 1 || shape[0] !== nShots) {
    throw new Error(`stack '${label}': shape [${shape.join(", ")}] does not start with the number of shots (${nShots})`);
  }
  const npDtype = normaliseDtype(st.dtype);
  const rest = shape.slice(1);
  const per = product(rest);
  const comp = compressionArgs(st.compression ?? "lz4");
  const chunks = [1, ...rest.map((x) => Math.max(1, x))];
  const maxshape = [null, ...rest];
  const dtype = h5DtypeOf(npDtype);
  const shotData = async (i: number): Promise<ArrayLike<number>> => {
    const d = await st.getShot(i);
    if (d.length !== per) throw new Error(`stack '${label}': shot ${i} has ${d.length} values, expected ${per} (shape [${rest.join(", ")}])`);
    return d;
  };
  if (!writtenPerShot(st) || nShots === 0) {
    const all = new Float64Array(nShots * per);
    for (let i = 0; i < nShots; i++) all.set(await shotData(i), i * per);
    group.create_dataset({ name: label, data: toTypedArrayFor(npDtype, all), shape, dtype, maxshape, chunks, ...comp });
    return;
  }
  const empty = toTypedArrayFor(npDtype, []);
  const ds = group.create_dataset({ name: label, data: empty, shape: [0, ...rest], dtype, maxshape, chunks, ...comp });
  ds.resize(shape);
  const sel: [number, number][] = rest.map(() => [0, 0]);
  for (let i = 0; i < nShots; i++) {
    const d = toTypedArrayFor(npDtype, await shotData(i));
    const ranges = [[i, i + 1], ...sel.map((_, k) => [0, rest[k]!])] as [number, number][];
    ds.write_slice(ranges, d);
    progress();
  }
}

function writeScalar(g: H5Group, name: string, v: number | string): void {
  if (typeof v === "string") g.create_dataset({ name, data: v, dtype: `S${Math.max(1, new TextEncoder().encode(v).length)}` });
  else if (Number.isInteger(v)) g.create_dataset({ name, data: BigInt64Array.of(BigInt(v)), shape: [] });
  else g.create_dataset({ name, data: Float64Array.of(v), shape: [] });
}

function requireGroup(root: H5Group, parts: readonly string[]): H5Group {
  let g = root;
  for (const p of parts) {
    const existing = g.keys().includes(p) ? g.get(p) : null;
    if (isH5Group(existing)) g = existing;
    else if (existing) throw new Error(`'${g.path}/${p}' exists and is not a group`);
    else g = g.create_group(p);
  }
  return g;
}

async function writeContent(root: H5Group, content: NexusFileContent, opts: WriteOptions): Promise<void> {
  const onProgress = opts.onProgress;
  const n = content.shots.length;
  if (!/^[A-Za-z0-9_]+$/.test(content.subset)) throw new Error(`invalid subset name '${content.subset}'`);
  const entry = root.create_group(content.subset);
  entry.create_attribute("NX_class", "NXentry");

  // stacks
  const data = entry.create_group("data");
  data.create_attribute("NX_class", "NXdata");
  if (content.signal !== undefined) {
    if (!content.stacks.has(content.signal) && !opts.placeholderStacks?.has(content.signal)) throw new Error(`signal '${content.signal}' is not one of the stacks`);
    data.create_attribute("signal", content.signal);
  }
  data.create_attribute("recommended_zchunks", Int32Array.of(opts.recommendedZchunks ?? 1));
  const bigTotal = [...content.stacks.values()].filter(writtenPerShot).length * n;
  let done = 0;
  const tick = (): void => {
    done++;
    onProgress?.(done, bigTotal);
  };
  for (const [label, st] of content.stacks) {
    if (label.includes("/")) throw new Error(`stack label '${label}' must not contain '/'`);
    await writeStack(data, label, st, n, tick);
  }
  for (const [label, ph] of opts.placeholderStacks ?? []) {
    if (label.includes("/") || content.stacks.has(label)) throw new Error(`placeholder stack label '${label}' is invalid or used twice`);
    if (ph.shape.length < 1 || ph.shape[0] !== n) throw new Error(`placeholder stack '${label}': shape [${ph.shape.join(", ")}] does not start with the number of shots (${n})`);
    const npDtype = normaliseDtype(ph.dtype);
    const rest = ph.shape.slice(1);
    // h5wasm cannot create a virtual dataset (no sources) nor set a fill value: create it empty and
    // extend it without writing, so no chunk is ever allocated.
    const ds = data.create_dataset({ name: label, data: toTypedArrayFor(npDtype, []), shape: [0, ...rest], dtype: h5DtypeOf(npDtype), maxshape: [null, ...rest], chunks: [1, ...rest.map((x) => Math.max(1, x))], ...compressionArgs("gzip") });
    ds.resize([...ph.shape]);
  }
  if (!content.stacks.has("index")) {
    data.create_dataset({ name: "index", data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)), shape: [n], maxshape: [null], chunks: [Math.max(1, n)] });
  }

  writeTableGroup(entry, "shots", content.shots);

  // map: image + features
  if (content.mapImage || content.features) {
    const map = entry.create_group("map");
    map.create_attribute("NX_class", "NXdata");
    if (content.mapImage) {
      const { data: img, shape } = content.mapImage;
      if (img.length !== shape[0] * shape[1]) throw new Error(`map image: ${img.length} values do not match shape [${shape.join(", ")}]`);
      const im = entry.create_group("instrument_map");
      im.create_attribute("NX_class", "NXinstrument");
      const stem = im.create_group("STEM_Image");
      const ds = stem.create_dataset({ name: "data", data: img, shape: [...shape], chunks: [...shape], compression: "gzip", compression_opts: [4] });
      if (content.mapImage.pixelSizeUm !== undefined) ds.create_attribute("pixel_size_um", Float64Array.of(content.mapImage.pixelSizeUm));
      map.create_attribute("signal", "image");
      map.create_soft_link(`/${content.subset}/instrument_map/STEM_Image/data`, "image");
    }
    if (content.features) writeTableGroup(map, "features", content.features);
  }

  if (content.sample) {
    const s = entry.create_group("sample");
    s.create_attribute("NX_class", "NXsample");
    writeScalar(s, "name", content.sample.name);
    writeScalar(s, "region_id", Math.round(content.sample.regionId));
    writeScalar(s, "run_id", Math.round(content.sample.runId));
  }

  if (content.instrument && content.instrument.size > 0) {
    const inst = entry.create_group("instrument");
    inst.create_attribute("NX_class", "NXinstrument");
    for (const [path, v] of content.instrument) {
      const parts = path.split("/").filter((p) => p.length > 0);
      const name = parts.pop();
      if (!name) throw new Error(`instrument metadata: empty path`);
      writeScalar(requireGroup(inst, parts), name, v);
    }
  }
}

/**
 * Writes `content` to `path` (temporary file + rename). Errors name the file; on failure the
 * temporary file is removed and any existing file at `path` is left untouched.
 */
export async function writeNexusFile(path: string, content: NexusFileContent, opts: WriteOptions = {}): Promise<void> {
  const h5 = await getH5();
  const tmp = `${path}.tmp-${process.pid}`;
  let f: InstanceType<typeof h5.File> | undefined;
  try {
    try {
      f = new h5.File(tmp, "w");
    } catch (e) {
      throw new Error(`cannot create ${tmp}: ${shortH5Message(e)}`, { cause: e });
    }
    await writeContent(f, content, opts);
    f.close();
    f = undefined;
    renameSync(tmp, path);
  } catch (e) {
    try { f?.close(); } catch { /* already failed */ }
    rmSync(tmp, { force: true });
    const msg = e instanceof Error && !/HDF5-DIAG|minor:/.test(e.message) ? e.message : shortH5Message(e);
    throw new Error(`writing ${path}: ${msg}`, { cause: e });
  }
}
