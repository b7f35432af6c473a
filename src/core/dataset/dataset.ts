/**
 * The Dataset model (data-model.md §3, §4, §7): shot table + feature table + per-file metadata +
 * lazily-read stack descriptors. Pure: stacks are only described here (which source file rows make
 * up each shot); src/main/dataset/open-dataset.ts reads the pixels.
 */
import type { Column, Table } from "./table.ts";
import { makeTable } from "./table.ts";
import { concatTables, constantColumn, intColumn, stringColumn, boolColumn, takeRows } from "./table-ops.ts";

/** Key columns always present in a Dataset's shot table. */
export const KEY_COLUMNS = ["file", "Event", "subset", "shot_in_subset", "sample", "region", "run", "crystal_id", "frame", "selected"] as const;

/** Sample metadata of one file (/%/sample). */
export interface SampleInfo {
  readonly name: string;
  readonly regionId: number;
  readonly runId: number;
}

/** One HDF5 file / subset the data of a dataset physically lives in. */
export interface SourceFile {
  /** Path as given by the user (backslashes replaced by "/"). */
  readonly path: string;
  /** Top-level group, normally "entry". */
  readonly subset: string;
  /** Number of shots (axis 0 of every stack) in this file/subset. */
  readonly nShots: number;
  readonly sample?: SampleInfo;
  /** Scalar metadata below /%/instrument, keyed by path relative to it. */
  readonly instrument: ReadonlyMap<string, number | string>;
  /** Shape [rows, cols] of the STEM map image, if the file has one. */
  readonly mapImageShape?: readonly [rows: number, cols: number];
}

/** How the source rows of one output shot are combined when read. */
export type ReduceHow = "sum" | "mean" | "first" | "last";

/**
 * Where the rows of one stack come from, CSR style: output shot i is the reduction (`how`) of the
 * source entries start[i] .. start[i+1]-1, each being row `row[k]` of file `file[k]` (an index into
 * Dataset.files). A freshly opened stack has exactly one source entry per shot.
 */
export interface ShotSources {
  /** length nShots + 1, start[0] = 0, non-decreasing. */
  readonly start: Int32Array;
  readonly file: Int32Array;
  readonly row: Int32Array;
}

/** A lazily read stack (axis 0 = shot). */
export interface StackDescriptor {
  readonly label: string;
  /** Shape of one shot's entry: [ss, fs] for image stacks, [maxPeaks] for peak arrays, [] for scalars. */
  readonly shotShape: readonly number[];
  /** numpy dtype of the stored data, e.g. "<u2", "<f4". */
  readonly dtype: string;
  /** Compression of the stored data (first file): "lz4" | "bitshuffle-lz4" | "gzip" | "none" | "filter <id>". */
  readonly compression: string;
  readonly sources: ShotSources;
  readonly how: ReduceHow;
}

export interface Dataset {
  /** One row per shot; key columns (KEY_COLUMNS) always present. */
  readonly shots: Table;
  /** One row per crystal on the map images (may be empty). */
  readonly features: Table;
  readonly files: readonly SourceFile[];
  readonly stacks: ReadonlyMap<string, StackDescriptor>;
  /** Label of the diffraction image stack (the `signal` of /%/data), if any. */
  readonly diffStackLabel: string | undefined;
}

/** Stack as found in one file (before concatenation). */
export interface FileStackInfo {
  readonly label: string;
  readonly shotShape: readonly number[];
  readonly dtype: string;
  readonly compression: string;
}

/** Identity sources for `n` shots of file `fileIndex`. */
export function identitySources(n: number, fileIndex: number): ShotSources {
  return {
    start: Int32Array.from({ length: n + 1 }, (_, i) => i),
    file: new Int32Array(n).fill(fileIndex),
    row: Int32Array.from({ length: n }, (_, i) => i),
  };
}

/**
 * Makes the key columns of one file's shot table present and consistent (data-model.md §3.1):
 * `file`/`subset` overwritten with the actual values; `shot` renamed to `shot_in_subset`; missing
 * `shot_in_subset` = 0..N-1; missing `Event` = `subset//k`; missing `selected` = true; missing `frame`
 * = 0; missing `crystal_id` = shot_in_subset (each shot its own crystal); missing sample/region/run from
 * the file's sample metadata ("" / 0 / 0 without it).
 */
export function ensureKeyColumns(shots: Table | undefined, nShots: number, file: SourceFile): Table {
  const cols = new Map<string, Column>(shots?.columns ?? []);
  const n = shots ? shots.length : nShots;
  if (cols.has("shot") && !cols.has("shot_in_subset")) {
    const c = cols.get("shot")!;
    cols.delete("shot");
    cols.set("shot_in_subset", c);
  }
  cols.set("file", constantColumn(file.path, n, "string"));
  cols.set("subset", constantColumn(file.subset, n, "string"));
  if (!cols.has("shot_in_subset")) cols.set("shot_in_subset", intColumn(Array.from({ length: n }, (_, i) => i)));
  const sis = cols.get("shot_in_subset")!;
  if (sis.type === "string" || sis.type === "bool") throw new Error(`${file.path}: column shot_in_subset must be numeric`);
  if (!cols.has("Event")) cols.set("Event", stringColumn(Array.from(sis.data, (k) => `${file.subset}//${k}`)));
  if (!cols.has("sample")) cols.set("sample", constantColumn(file.sample?.name ?? "", n, "string"));
  if (!cols.has("region")) cols.set("region", constantColumn(file.sample?.regionId ?? 0, n, "int"));
  if (!cols.has("run")) cols.set("run", constantColumn(file.sample?.runId ?? 0, n, "int"));
  if (!cols.has("crystal_id")) cols.set("crystal_id", intColumn(sis.data));
  if (!cols.has("frame")) cols.set("frame", constantColumn(0, n, "int"));
  if (!cols.has("selected")) cols.set("selected", boolColumn(new Uint8Array(n).fill(1)));
  const sel = cols.get("selected")!;
  if (sel.type !== "bool") cols.set("selected", boolColumn(Array.from(sel.data as ArrayLike<unknown>, (v) => Boolean(v) && v !== "False" && v !== "false")));
  return makeTable(cols, `${file.path}: shot table`);
}

/** Adds sample/region/run to one file's feature table when absent (data-model.md §4). */
export function ensureFeatureColumns(features: Table | undefined, file: SourceFile): Table {
  if (!features || features.columns.size === 0) return { length: 0, columns: new Map() };
  const cols = new Map<string, Column>(features.columns);
  cols.delete("file");
  cols.delete("subset");
  const n = features.length;
  if (!cols.has("sample")) cols.set("sample", constantColumn(file.sample?.name ?? "", n, "string"));
  if (!cols.has("region")) cols.set("region", constantColumn(file.sample?.regionId ?? 0, n, "int"));
  if (!cols.has("run")) cols.set("run", constantColumn(file.sample?.runId ?? 0, n, "int"));
  return makeTable(cols, `${file.path}: feature table`);
}

/** Content read from one file (the reader's output, before key-column synthesis). */
export interface FileContentForDataset {
  readonly file: SourceFile;
  readonly shots: Table | undefined;
  readonly features: Table | undefined;
  readonly stacks: readonly FileStackInfo[];
  readonly diffStackLabel: string | undefined;
}

function featureKey(t: Table, i: number, unique: boolean): string {
  const parts = unique ? ["sample", "region", "crystal_id"] : ["sample", "region", "run", "crystal_id"];
  return parts.map((p) => { const c = t.columns.get(p); return c ? String(c.data[i]) : ""; }).join("\u0000");
}

/** Drops duplicate feature rows (same sample, region, crystal_id), keeping the first. */
export function dedupFeatures(features: Table): Table {
  if (!features.columns.has("crystal_id")) return features;
  const seen = new Set<string>();
  const keep: number[] = [];
  for (let i = 0; i < features.length; i++) {
    const k = featureKey(features, i, true);
    if (!seen.has(k)) { seen.add(k); keep.push(i); }
  }
  if (keep.length === features.length) return features;
  return takeRows(features, keep);
}

/**
 * Builds one Dataset from the content of many files (in order). Stacks present in every file with the
 * same per-shot shape are kept; others are dropped (listed in `droppedStacks`). The diffraction stack is
 * the first file's signal (falling back to "raw_counts" when present).
 */
export function datasetFromFiles(contents: readonly FileContentForDataset[]): { dataset: Dataset; droppedStacks: string[] } {
  if (contents.length === 0) throw new Error("no files to open");
  const seen = new Set<string>();
  for (const c of contents) {
    const key = `${c.file.path}\u0000${c.file.subset}`;
    if (seen.has(key)) throw new Error(`file ${c.file.path} (subset ${c.file.subset}) given twice; file names must be unique`);
    seen.add(key);
  }
  const shots = concatTables(contents.map((c) => ensureKeyColumns(c.shots, c.file.nShots, c.file)));
  const features = dedupFeatures(concatTables(contents.map((c) => ensureFeatureColumns(c.features, c.file))));
  const stacks = new Map<string, StackDescriptor>();
  const dropped: string[] = [];
  const first = contents[0]!;
  const total = contents.reduce((s, c) => s + c.file.nShots, 0);
  for (const st of first.stacks) {
    const per = contents.map((c) => c.stacks.find((s) => s.label === st.label));
    if (per.some((p) => !p || p.shotShape.join(",") !== st.shotShape.join(","))) { dropped.push(st.label); continue; }
    const start = new Int32Array(total + 1), file = new Int32Array(total), row = new Int32Array(total);
    let o = 0;
    contents.forEach((c, fi) => { for (let r = 0; r < c.file.nShots; r++) { file[o] = fi; row[o] = r; o++; start[o] = o; } });
    stacks.set(st.label, { label: st.label, shotShape: [...st.shotShape], dtype: st.dtype, compression: st.compression, sources: { start, file, row }, how: "first" });
  }
  for (const c of contents.slice(1)) for (const s of c.stacks) if (!stacks.has(s.label) && !dropped.includes(s.label)) dropped.push(s.label);
  let diff = first.diffStackLabel;
  if (diff === undefined || !stacks.has(diff)) diff = stacks.has("raw_counts") ? "raw_counts" : [...stacks.values()].find((s) => s.shotShape.length === 2)?.label;
  return { dataset: { shots, features, files: contents.map((c) => c.file), stacks, diffStackLabel: diff }, droppedStacks: dropped };
}

/** Number of shots. */
export function shotCount(ds: Dataset): number {
  return ds.shots.length;
}
