/**
 * Selections on a Dataset (data-model.md §7.2): `select` sets the `selected` column; `getSelection`
 * returns a new dataset with only the chosen shots (stacks sliced, features reduced, file names
 * suffixed with the old ones kept in `file_raw`, ids reset with the old Event kept in `Event_raw`).
 */
import type { Column, Table } from "./table.ts";
import type { Dataset, ShotSources, StackDescriptor } from "./dataset.ts";
import { evaluateQuery } from "./query.ts";
import { boolColumn, cellKey, intColumn, maskToIndices, stringColumn, takeRows, withColumn } from "./table-ops.ts";
import { mulberry32 } from "./prng.ts";

/** Mask of the shots matching `query`, or the current `selected` column when query is undefined. */
export function selectionMask(ds: Dataset, query?: string): Uint8Array {
  if (query === undefined) {
    const c = ds.shots.columns.get("selected");
    if (!c || c.type !== "bool") throw new Error("dataset has no boolean 'selected' column");
    return Uint8Array.from(c.data);
  }
  return evaluateQuery(ds.shots, query);
}

/** Sets the `selected` column from a query (data-model.md §7.2 `select`). */
export function select(ds: Dataset, query: string): Dataset {
  return { ...ds, shots: withColumn(ds.shots, "selected", boolColumn(evaluateQuery(ds.shots, query))) };
}

/** Source entries of shots `idx` (in that order). */
export function takeSources(src: ShotSources, idx: ArrayLike<number>): ShotSources {
  let total = 0;
  for (let i = 0; i < idx.length; i++) total += src.start[idx[i]! + 1]! - src.start[idx[i]!]!;
  const start = new Int32Array(idx.length + 1), file = new Int32Array(total), row = new Int32Array(total);
  let o = 0;
  for (let i = 0; i < idx.length; i++) {
    const s = idx[i]!;
    for (let k = src.start[s]!; k < src.start[s + 1]!; k++) { file[o] = src.file[k]!; row[o] = src.row[k]!; o++; }
    start[i + 1] = o;
  }
  return { start, file, row };
}

/** Shots `idx` of the dataset (tables and stacks consistent), nothing renamed. */
export function takeShots(ds: Dataset, idx: ArrayLike<number>): Dataset {
  const stacks = new Map<string, StackDescriptor>();
  for (const [k, s] of ds.stacks) stacks.set(k, { ...s, sources: takeSources(s.sources, idx) });
  const shots = takeRows(ds.shots, idx);
  return { ...ds, shots, stacks, features: featuresOfShots(ds.features, shots) };
}

/** Features referenced by the shots (matched on sample, region, crystal_id where present). */
export function featuresOfShots(features: Table, shots: Table): Table {
  const keys = ["sample", "region", "crystal_id"].filter((k) => features.columns.has(k) && shots.columns.has(k));
  if (features.length === 0 || !keys.includes("crystal_id")) return features;
  const fc = keys.map((k) => features.columns.get(k)!), sc = keys.map((k) => shots.columns.get(k)!);
  const want = new Set<string>();
  for (let i = 0; i < shots.length; i++) want.add(sc.map((c) => cellKey(c, i)).join("\u0000"));
  const keep: number[] = [];
  for (let i = 0; i < features.length; i++) if (want.has(fc.map((c) => cellKey(c, i)).join("\u0000"))) keep.push(i);
  return takeRows(features, keep);
}

export interface RenameOptions {
  /** Replaces the extension: `<folder>/<basename-without-ext><suffix>`. */
  readonly fileSuffix: string;
  readonly filePrefix?: string;
  /** Put files into this folder instead of their current one. */
  readonly newFolder?: string;
}

/** New file name as diffractem's change_filenames does. */
export function renamedFile(path: string, o: RenameOptions): string {
  const p = path.replace(/\\/g, "/");
  const slash = p.lastIndexOf("/");
  const folder = o.newFolder !== undefined ? o.newFolder.replace(/\/+$/, "") : slash >= 0 ? p.slice(0, slash) : "";
  const base = slash >= 0 ? p.slice(slash + 1) : p;
  const dot = base.lastIndexOf(".");
  const stem = dot > 0 ? base.slice(0, dot) : base;
  const name = `${o.filePrefix ?? ""}${stem}${o.fileSuffix}`;
  return folder ? `${folder}/${name}` : name;
}

/** Renames the `file` column, keeping the old names in `file_raw` if that column is not present yet. */
export function changeFilenames(shots: Table, o: RenameOptions): Table {
  const f = shots.columns.get("file");
  if (!f || f.type !== "string") throw new Error("shot table has no string 'file' column");
  let t = shots;
  if (!t.columns.has("file_raw")) t = withColumn(t, "file_raw", stringColumn(f.data));
  return withColumn(t, "file", stringColumn(f.data.map((p) => renamedFile(p, o))));
}

/**
 * Renumbers `shot_in_subset` 0..k-1 per (file, subset) in row order and regenerates `Event` as
 * `subset//k`, keeping the old Event in `Event_raw` if not present yet.
 */
export function resetIds(shots: Table): Table {
  const file = shots.columns.get("file"), subset = shots.columns.get("subset"), ev = shots.columns.get("Event");
  if (!file || !subset || !ev) throw new Error("shot table needs file, subset and Event columns");
  const count = new Map<string, number>();
  const sis = new Float64Array(shots.length);
  const events: string[] = new Array<string>(shots.length);
  for (let i = 0; i < shots.length; i++) {
    const s = cellKey(subset, i);
    const key = `${cellKey(file, i)}\u0000${s}`;
    const k = count.get(key) ?? 0;
    count.set(key, k + 1);
    sis[i] = k;
    events[i] = `${s}//${k}`;
  }
  let t = shots;
  if (!t.columns.has("Event_raw")) t = withColumn(t, "Event_raw", ev.type === "string" ? stringColumn(ev.data) : ev);
  t = withColumn(t, "shot_in_subset", intColumn(sis));
  return withColumn(t, "Event", stringColumn(events));
}

export interface GetSelectionOptions {
  /** Default "_sel.h5". */
  readonly fileSuffix?: string;
  readonly filePrefix?: string;
  readonly newFolder?: string;
  /** Renumber shot_in_subset / Event (default true). */
  readonly resetId?: boolean;
}

/**
 * New dataset with the shots where `query` (or, when undefined, the `selected` column) is true
 * (data-model.md §7.2). The input is not modified.
 */
export function getSelection(ds: Dataset, query?: string, opts: GetSelectionOptions = {}): Dataset {
  const idx = maskToIndices(selectionMask(ds, query));
  const sub = takeShots(ds, idx);
  let shots = changeFilenames(sub.shots, { fileSuffix: opts.fileSuffix ?? "_sel.h5", ...(opts.filePrefix !== undefined ? { filePrefix: opts.filePrefix } : {}), ...(opts.newFolder !== undefined ? { newFolder: opts.newFolder } : {}) });
  if (opts.resetId ?? true) shots = resetIds(shots);
  return { ...sub, shots };
}

/** Column helper for tests and callers: values of a column as plain JS values. */
export function columnValues(c: Column): (number | boolean | string)[] {
  if (c.type === "bool") return Array.from(c.data, (v) => v === 1);
  if (c.type === "string") return [...c.data];
  return Array.from(c.data);
}

/**
 * `n` shots chosen at random (deterministic from `seed`) among those matching `query` (default: all),
 * kept in their original order, then getSelection (data-model.md §7.2 get_random_subset).
 */
export function getRandomSubset(ds: Dataset, n: number, seed: number, query?: string, opts: GetSelectionOptions = {}): Dataset {
  const pool = Array.from(query === undefined ? Int32Array.from({ length: ds.shots.length }, (_, i) => i) : maskToIndices(evaluateQuery(ds.shots, query)));
  if (!Number.isInteger(n) || n < 0) throw new Error(`getRandomSubset: n must be a non-negative integer, got ${n}`);
  const rand = mulberry32(seed);
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  const mask = new Uint8Array(ds.shots.length);
  for (const i of pool.slice(0, Math.min(n, pool.length))) mask[i] = 1;
  return getSelection({ ...ds, shots: withColumn(ds.shots, "selected", boolColumn(mask)) }, undefined, { fileSuffix: "_rnd.h5", ...opts });
}
