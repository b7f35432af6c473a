/**
 * Tables as NeXus collections (data-model.md §2.3): an HDF5 group (NX_class="NXcollection") with one
 * resizable 1-D dataset per column, attribute `label` = column name, dataset name = label with "/"→"_"
 * and "."→" ". Strings: fixed-length UTF-8 bytes; ints: int64; floats: float64; bools: int8 carrying
 * attribute `serialed_type="bool"` (h5wasm cannot create HDF5 enum types; h5py's enum-bool is read too).
 */
import type { Column, Table } from "../../core/dataset/table.ts";
import { makeTable } from "../../core/dataset/table.ts";
import type { H5Dataset, H5Group } from "./h5wasm-init.ts";
import { h5Error, isH5Dataset } from "./h5wasm-init.ts";

/** Dataset name used for a column label. */
export function columnDatasetName(label: string): string {
  return label.replace(/\//g, "_").replace(/\./g, " ");
}

function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}

const CHUNK_ROWS = 8192;

/** Writes `table` as a new NXcollection group `name` under `parent`. */
export function writeTableGroup(parent: H5Group, name: string, table: Table): void {
  const g = parent.create_group(name);
  g.create_attribute("NX_class", "NXcollection");
  const n = table.length;
  const chunks = [Math.max(1, Math.min(n, CHUNK_ROWS))];
  for (const [label, col] of table.columns) {
    const dname = columnDatasetName(label);
    let ds: H5Dataset;
    switch (col.type) {
      case "string": {
        let len = 1;
        for (const s of col.data) len = Math.max(len, utf8Length(s));
        ds = g.create_dataset({ name: dname, data: [...col.data], shape: [n], dtype: `S${len}`, maxshape: [null], chunks });
        break;
      }
      case "int": {
        const a = new BigInt64Array(n);
        for (let i = 0; i < n; i++) {
          const v = col.data[i]!;
          if (!Number.isFinite(v)) throw new Error(`column '${label}': non-finite value ${v} in an integer column (row ${i})`);
          a[i] = BigInt(Math.round(v));
        }
        ds = g.create_dataset({ name: dname, data: a, shape: [n], maxshape: [null], chunks });
        break;
      }
      case "float":
        ds = g.create_dataset({ name: dname, data: col.data, shape: [n], maxshape: [null], chunks });
        break;
      case "bool":
        ds = g.create_dataset({ name: dname, data: Int8Array.from(col.data, (v) => (v ? 1 : 0)), shape: [n], maxshape: [null], chunks });
        ds.create_attribute("serialed_type", "bool");
        break;
    }
    ds.create_attribute("label", label);
  }
}

function attrString(obj: { attrs: Record<string, { value: unknown }> }, name: string): string | undefined {
  try {
    const a = obj.attrs[name];
    if (!a) return undefined;
    const v = a.value;
    if (typeof v === "string") return v;
    if (Array.isArray(v) && typeof v[0] === "string") return v[0];
    return undefined;
  } catch {
    return undefined;
  }
}

/** Reads one 1-D column dataset into a Column; undefined for non-1-D or unsupported types. */
export function readColumn(ds: H5Dataset, file: string): Column | undefined {
  const shape = ds.shape;
  if (!shape || shape.length !== 1) return undefined;
  const meta = ds.metadata;
  const v = ds.value;
  // HDF5 classes: INTEGER=0, FLOAT=1, STRING=3, ENUM=8
  if (meta.type === 3) {
    const arr = Array.isArray(v) ? v : [v];
    return { type: "string", data: arr.map((s) => (typeof s === "string" ? s.replace(/\0+$/, "") : String(s))) };
  }
  if (meta.type === 8) {
    const members = meta.enum_type?.members ?? {};
    if (Object.keys(members).length === 2 && members["FALSE"] === 0 && members["TRUE"] === 1) {
      return { type: "bool", data: Uint8Array.from(v as ArrayLike<number>, (x) => (x ? 1 : 0)) };
    }
    return { type: "int", data: Float64Array.from(v as ArrayLike<number>) };
  }
  if (meta.type === 0) {
    if (attrString(ds, "serialed_type") === "bool") {
      return { type: "bool", data: Uint8Array.from(v as ArrayLike<number>, (x) => (x ? 1 : 0)) };
    }
    if (v instanceof BigInt64Array || v instanceof BigUint64Array) {
      const out = new Float64Array(v.length);
      for (let i = 0; i < v.length; i++) out[i] = Number(v[i]!);
      return { type: "int", data: out };
    }
    if (ArrayBuffer.isView(v)) return { type: "int", data: Float64Array.from(v as unknown as ArrayLike<number>) };
    throw h5Error(file, ds.path, "cannot read integer column");
  }
  if (meta.type === 1) {
    return { type: "float", data: Float64Array.from(v as ArrayLike<number>) };
  }
  return undefined;
}

/** Reads an NXcollection table group. Column lengths must agree (error names file and path). */
export function readTableGroup(g: H5Group, file: string): Table {
  const cols: [string, Column][] = [];
  let keys: string[];
  try {
    keys = g.keys();
  } catch (e) {
    throw h5Error(file, g.path, "cannot list table columns (corrupt file?)", e);
  }
  for (const key of keys) {
    let obj;
    try {
      obj = g.get(key);
    } catch (e) {
      throw h5Error(file, `${g.path}/${key}`, "cannot open table column", e);
    }
    if (!isH5Dataset(obj)) continue;
    const ds: H5Dataset = obj;
    let col: Column | undefined;
    try {
      col = readColumn(ds, file);
    } catch (e) {
      if (e instanceof Error && e.message.startsWith(file)) throw e;
      throw h5Error(file, ds.path, "cannot read table column", e);
    }
    if (!col) continue;
    cols.push([attrString(ds, "label") ?? key, col]);
  }
  try {
    return makeTable(cols, `${file}:${g.path}`);
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)} (inconsistent column lengths)`, { cause: e });
  }
}
