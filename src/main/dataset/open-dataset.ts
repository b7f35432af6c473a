/**
 * Opens files, list files and glob patterns as one lazily read Dataset (data-model.md §7.1).
 * Frames are read one at a time from their source file; aggregated shots (see
 * src/core/dataset/aggregate.ts) are reduced on read. Every path opened is remembered so the host can
 * restrict file access to what the user opened (`wasOpened`).
 */
import { resolve } from "node:path";
import type { Dataset, StackDescriptor } from "../../core/dataset/dataset.ts";
import { datasetFromFiles } from "../../core/dataset/dataset.ts";
import { selectionFromList } from "../../core/dataset/list-file.ts";
import { boolColumn, withColumn } from "../../core/dataset/table-ops.ts";
import type { NumericArray, RawFrame } from "../../core/image/frame.ts";
import type { NexusFileHandle, StackRow } from "../h5/reader.ts";
import { openNexusFile } from "../h5/reader.ts";
import { expandFileSpecs } from "./file-specs.ts";

/** CXI peak list of one shot (pixel-centre convention, data-model.md §5). */
export interface ShotPeaks {
  readonly count: number;
  /** fast-scan (x) positions, pixels, length count. */
  readonly fsPx: Float32Array;
  /** slow-scan (y) positions, pixels, length count. */
  readonly ssPx: Float32Array;
  /** integrated intensities (zeros when the file has no peakTotalIntensity). */
  readonly intensity: Float32Array;
}

export interface OpenDataset {
  /** The dataset as opened (all files concatenated, list-file events applied to `selected`). */
  readonly dataset: Dataset;
  /** Label of the diffraction stack (signal of /entry/data, else raw_counts, else the first 3-D stack). */
  readonly diffStackLabel: string | undefined;
  /** Stacks found in some files but not all (not opened). */
  readonly droppedStacks: readonly string[];
  /**
   * One frame of an image stack, shot index in `from.shots` (default: `dataset`; pass a dataset derived
   * with getSelection/aggregate from this one). Aggregated shots: sum → int32 for integer data,
   * float32 otherwise; mean → float32; first/last → stored dtype.
   */
  readFrame(stackLabel: string, shotIndex: number, from?: Dataset): RawFrame;
  /** One shot's entry of any stack (peak arrays, scalars), reduced like readFrame. */
  readStackRow(stackLabel: string, shotIndex: number, from?: Dataset): StackRow;
  /** CXI peaks of a shot if nPeaks/peakXPosRaw/peakYPosRaw exist, else undefined. */
  readPeaks(shotIndex: number, from?: Dataset): ShotPeaks | undefined;
  /** Map image of source file `fileIndex` (index into dataset.files), or undefined. */
  mapImage(fileIndex: number): { data: Float32Array; shape: [rows: number, cols: number] } | undefined;
  close(): void;
}

const opened = new Set<string>();

/** Absolute paths of every file opened through openDataset in this process. */
export function openedPaths(): ReadonlySet<string> {
  return opened;
}

/** True if `path` (any form) was opened through openDataset. */
export function wasOpened(path: string): boolean {
  return opened.has(resolve(path));
}

function isIntegerDtype(dtype: string): boolean {
  return /[iu]\d$/.test(dtype);
}

function reduceRows(rows: StackRow[], how: StackDescriptor["how"], what: string): StackRow {
  const first = rows[0];
  if (!first) throw new Error(`${what}: no source shots`);
  if (rows.length === 1 && how !== "mean" && how !== "sum") return first;
  if (how === "first") return first;
  if (how === "last") return rows[rows.length - 1]!;
  const n = first.data.length;
  const acc = new Float64Array(n);
  for (const r of rows) {
    if (r.data.length !== n) throw new Error(`${what}: source shots differ in size`);
    const d = r.data;
    for (let i = 0; i < n; i++) acc[i]! += d[i]!;
  }
  if (how === "mean") {
    const inv = 1 / rows.length;
    return { data: Float32Array.from(acc, (v) => v * inv), shape: first.shape, dtype: "<f4" };
  }
  if (isIntegerDtype(first.dtype)) {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.max(-2147483648, Math.min(2147483647, acc[i]!));
    return { data: out, shape: first.shape, dtype: "<i4" };
  }
  return { data: Float32Array.from(acc), shape: first.shape, dtype: "<f4" };
}

/**
 * Opens `specs` (files, `.lst` files, glob patterns) as one dataset. Files are opened lazily (headers
 * and tables only). Throws an Error naming the file and HDF5 path for bad input; files already opened
 * are closed again in that case.
 */
export async function openDataset(specs: readonly string[]): Promise<OpenDataset> {
  const { files, events, hasEvents } = expandFileSpecs(specs);
  const handles: NexusFileHandle[] = [];
  try {
    for (const f of files) {
      handles.push(await openNexusFile(f));
      opened.add(resolve(f));
    }
  } catch (e) {
    for (const h of handles) h.close();
    throw e;
  }
  const contents = handles.flatMap((h) => h.contents);
  const handleOfFile = contents.map((c) => handles.find((h) => h.path === c.file.path)!);
  let built;
  try {
    built = datasetFromFiles(contents);
  } catch (e) {
    for (const h of handles) h.close();
    throw e;
  }
  let dataset = built.dataset;
  if (hasEvents) {
    const listed = new Set(events.map((e) => e.file));
    const mask = selectionFromList(dataset.shots, [...events, ...files.filter((f) => !listed.has(f)).map((file) => ({ file }))], (f) => f);
    dataset = { ...dataset, shots: withColumn(dataset.shots, "selected", boolColumn(mask)) };
  }
  const base = dataset;

  const rowOf = (label: string, shotIndex: number, from: Dataset): StackRow => {
    const st = from.stacks.get(label);
    if (!st) throw new Error(`no stack '${label}' (stacks: ${[...from.stacks.keys()].join(", ") || "none"})`);
    if (from.files !== base.files) throw new Error("dataset was not derived from this open dataset (different files)");
    if (!Number.isInteger(shotIndex) || shotIndex < 0 || shotIndex >= from.shots.length) {
      throw new Error(`shot index ${shotIndex} out of range 0..${from.shots.length - 1}`);
    }
    const src = st.sources;
    const rows: StackRow[] = [];
    for (let k = src.start[shotIndex]!; k < src.start[shotIndex + 1]!; k++) {
      const fi = src.file[k]!;
      const sf = base.files[fi]!;
      rows.push(handleOfFile[fi]!.readStackRow(sf.subset, label, src.row[k]!));
    }
    return reduceRows(rows, st.how, `stack '${label}' shot ${shotIndex}`);
  };

  let closed = false;
  const guard = (): void => { if (closed) throw new Error("dataset is closed"); };
  return {
    dataset,
    diffStackLabel: dataset.diffStackLabel,
    droppedStacks: built.droppedStacks,
    readFrame(label, shotIndex, from = base) {
      guard();
      const st = from.stacks.get(label);
      if (st && st.shotShape.length !== 2) throw new Error(`stack '${label}' is not an image stack (shape per shot [${st.shotShape.join(", ")}])`);
      const r = rowOf(label, shotIndex, from);
      return { data: r.data, shape: [r.shape[0]!, r.shape[1]!], dtype: r.dtype };
    },
    readStackRow(label, shotIndex, from = base) {
      guard();
      return rowOf(label, shotIndex, from);
    },
    readPeaks(shotIndex, from = base) {
      guard();
      if (!["nPeaks", "peakXPosRaw", "peakYPosRaw"].every((k) => from.stacks.has(k))) return undefined;
      const one = (l: string): StackRow => { const s = from.stacks.get(l)!; return rowOf(l, shotIndex, { ...from, stacks: new Map([[l, { ...s, how: "first" as const }]]) }); };
      const nArr: NumericArray = one("nPeaks").data;
      const x = one("peakXPosRaw").data, y = one("peakYPosRaw").data;
      const count = Math.max(0, Math.min(Math.round(nArr[0] ?? 0), x.length));
      const inten = from.stacks.has("peakTotalIntensity") ? one("peakTotalIntensity").data : new Float32Array(x.length);
      return { count, fsPx: Float32Array.from(x.subarray(0, count)), ssPx: Float32Array.from(y.subarray(0, count)), intensity: Float32Array.from(inten.subarray(0, count)) };
    },
    mapImage(fileIndex) {
      guard();
      const sf = base.files[fileIndex];
      if (!sf) throw new Error(`file index ${fileIndex} out of range 0..${base.files.length - 1}`);
      return handleOfFile[fileIndex]!.readMapImage(sf.subset);
    },
    close() {
      if (closed) return;
      closed = true;
      for (const h of handles) h.close();
    },
  };
}
