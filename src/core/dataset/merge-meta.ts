/**
 * diffractem's `merge_meta` (data-model.md §7.4): copies one scalar of each file's instrument metadata
 * into the shot table as a column named after the last path component, e.g.
 * `mergeMeta(ds, "detector/collection/shutter_time")` adds `shutter_time`.
 */
import type { Column } from "./table.ts";
import type { Dataset } from "./dataset.ts";
import { withColumn } from "./table-ops.ts";

/**
 * Adds column `name` (default: last component of `path`) with the value of `path` (relative to
 * /%/instrument, a leading "%/instrument/" is accepted) of each shot's source file. Shots are matched to
 * source files on `file_raw` (if present) else `file`, and `subset`. Missing values become NaN / "".
 */
export function mergeMeta(ds: Dataset, path: string, name?: string): Dataset {
  const key = path.replace(/^\/?%\/instrument\//, "").replace(/^\/+/, "");
  const col = name ?? key.split("/").pop()!;
  const fileCol = ds.shots.columns.get("file_raw") ?? ds.shots.columns.get("file");
  const subCol = ds.shots.columns.get("subset");
  if (!fileCol || fileCol.type !== "string" || !subCol || subCol.type !== "string") throw new Error("mergeMeta: shot table needs string file and subset columns");
  const byFile = new Map<string, number | string | undefined>();
  for (const f of ds.files) byFile.set(`${f.path}\u0000${f.subset}`, f.instrument.get(key));
  const vals = Array.from({ length: ds.shots.length }, (_, i) => byFile.get(`${fileCol.data[i]}\u0000${subCol.data[i]}`));
  if (vals.every((v) => v === undefined)) throw new Error(`mergeMeta: no file has instrument metadata '${key}'`);
  let c: Column;
  if (vals.some((v) => typeof v === "string")) c = { type: "string", data: vals.map((v) => (v === undefined ? "" : String(v))) };
  else {
    const data = Float64Array.from(vals, (v) => (v === undefined ? Number.NaN : Number(v)));
    c = { type: data.every((v) => Number.isInteger(v)) ? "int" : "float", data };
  }
  return { ...ds, shots: withColumn(ds.shots, col, c) };
}
