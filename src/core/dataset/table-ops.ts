/**
 * Row and column operations on columnar tables (./table.ts): take rows, concatenate with column
 * union, replace a column, typed column constructors.
 */
import type { CellValue, Column, Table } from "./table.ts";
import { makeTable } from "./table.ts";

export const intColumn = (data: ArrayLike<number>): Column => ({ type: "int", data: Float64Array.from(data) });
export const floatColumn = (data: ArrayLike<number>): Column => ({ type: "float", data: Float64Array.from(data) });
export const boolColumn = (data: ArrayLike<number | boolean>): Column => ({ type: "bool", data: Uint8Array.from(data, (v) => (v ? 1 : 0)) });
export const stringColumn = (data: readonly string[]): Column => ({ type: "string", data: [...data] });

/** A column of `n` copies of one value, typed after the value ("int" for integral numbers). */
export function constantColumn(value: CellValue, n: number, type?: Column["type"]): Column {
  const t = type ?? (typeof value === "string" ? "string" : typeof value === "boolean" ? "bool" : Number.isInteger(value) ? "int" : "float");
  switch (t) {
    case "string": return { type: "string", data: Array.from({ length: n }, () => String(value)) };
    case "bool": return { type: "bool", data: new Uint8Array(n).fill(value ? 1 : 0) };
    case "int": return { type: "int", data: new Float64Array(n).fill(Number(value)) };
    case "float": return { type: "float", data: new Float64Array(n).fill(Number(value)) };
  }
}

/** Rows `idx` (in that order) of column `c`. */
export function takeColumn(c: Column, idx: ArrayLike<number>): Column {
  const n = idx.length;
  switch (c.type) {
    case "string": { const out: string[] = new Array<string>(n); for (let i = 0; i < n; i++) out[i] = c.data[idx[i]!]!; return { type: "string", data: out }; }
    case "bool": { const out = new Uint8Array(n); for (let i = 0; i < n; i++) out[i] = c.data[idx[i]!]!; return { type: "bool", data: out }; }
    case "int":
    case "float": { const out = new Float64Array(n); for (let i = 0; i < n; i++) out[i] = c.data[idx[i]!]!; return { type: c.type, data: out }; }
  }
}

/** Rows `idx` (in that order) of the table. */
export function takeRows(t: Table, idx: ArrayLike<number>): Table {
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i]!;
    if (!(r >= 0 && r < t.length)) throw new Error(`row index ${r} out of range 0..${t.length - 1}`);
  }
  return makeTable([...t.columns].map(([k, c]) => [k, takeColumn(c, idx)] as [string, Column]));
}

/** Indices of the non-zero entries of a mask. */
export function maskToIndices(mask: ArrayLike<number>): Int32Array {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) n++;
  const out = new Int32Array(n);
  let k = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) out[k++] = i;
  return out;
}

/** Table with column `name` replaced (keeping its position) or appended. */
export function withColumn(t: Table, name: string, col: Column): Table {
  const cols = new Map(t.columns);
  cols.set(name, col);
  return makeTable(cols);
}

/** Table without the named columns. */
export function withoutColumns(t: Table, names: readonly string[]): Table {
  const cols = new Map(t.columns);
  for (const n of names) cols.delete(n);
  if (cols.size === 0) return { length: t.length, columns: cols };
  return makeTable(cols);
}

function fillValue(type: Column["type"]): CellValue {
  return type === "string" ? "" : type === "bool" ? false : Number.NaN;
}

function commonType(types: Column["type"][]): Column["type"] {
  const s = new Set(types);
  if (s.size === 1) return types[0]!;
  if (s.has("string")) return "string";
  return "float";
}

function cellAsString(c: Column, i: number): string {
  if (c.type === "string") return c.data[i]!;
  if (c.type === "bool") return c.data[i] ? "True" : "False";
  return String(c.data[i]);
}

/**
 * Concatenates tables row-wise. Columns are the union (in first-seen order); a column missing from a
 * table is filled with NaN (numbers), false (bools) or "" (strings); an int column that needs NaN
 * fill becomes float; mixed string/number columns become strings.
 */
export function concatTables(tables: readonly Table[]): Table {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const t of tables) for (const k of t.columns.keys()) if (!seen.has(k)) { seen.add(k); names.push(k); }
  const total = tables.reduce((s, t) => s + t.length, 0);
  const out: [string, Column][] = [];
  for (const name of names) {
    const present = tables.map((t) => t.columns.get(name));
    let type = commonType(present.filter((c): c is Column => c !== undefined).map((c) => c.type));
    if (type === "int" && present.some((c, i) => c === undefined && tables[i]!.length > 0)) type = "float";
    if (type === "string") {
      const data: string[] = [];
      present.forEach((c, ti) => { const n = tables[ti]!.length; for (let i = 0; i < n; i++) data.push(c ? cellAsString(c, i) : ""); });
      out.push([name, { type, data }]);
    } else if (type === "bool") {
      const data = new Uint8Array(total);
      let o = 0;
      present.forEach((c, ti) => { const n = tables[ti]!.length; if (c) data.set(c.data as Uint8Array, o); o += n; });
      out.push([name, { type, data }]);
    } else {
      const data = new Float64Array(total);
      let o = 0;
      present.forEach((c, ti) => {
        const n = tables[ti]!.length;
        if (c) for (let i = 0; i < n; i++) data[o + i] = Number(c.data[i]);
        else data.fill(Number(fillValue(type)), o, o + n);
        o += n;
      });
      out.push([name, { type, data }]);
    }
  }
  if (out.length === 0) return { length: total, columns: new Map() };
  return makeTable(out);
}

/** String value of a cell for grouping keys (numbers via String(), bools 0/1). */
export function cellKey(c: Column, i: number): string {
  return c.type === "string" ? c.data[i]! : String(c.data[i]);
}
