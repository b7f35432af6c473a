/**
 * Columnar tables (shot table, feature table). Numeric columns are typed arrays; integers are
 * stored in Float64Array (exact to 2^53) and tagged "int" so they are written back as int64.
 */
export type Column =
  | { readonly type: "float"; readonly data: Float64Array }
  | { readonly type: "int"; readonly data: Float64Array }
  | { readonly type: "bool"; readonly data: Uint8Array }
  | { readonly type: "string"; readonly data: readonly string[] };

export type ColumnType = Column["type"];

/** A table: named columns of equal length, in insertion order. */
export interface Table {
  readonly length: number;
  readonly columns: ReadonlyMap<string, Column>;
}

/** Scalar value of one cell. */
export type CellValue = number | boolean | string;

export function columnLength(c: Column): number {
  return c.data.length;
}

/** Builds a table and checks that every column has the same length (clear error otherwise). */
export function makeTable(columns: Iterable<[string, Column]>, what = "table"): Table {
  const map = new Map<string, Column>();
  let length = -1;
  for (const [name, col] of columns) {
    const n = columnLength(col);
    if (length < 0) length = n;
    else if (n !== length) {
      throw new Error(`${what}: column '${name}' has ${n} rows, expected ${length}`);
    }
    map.set(name, col);
  }
  return { length: Math.max(length, 0), columns: map };
}

export function getCell(t: Table, name: string, row: number): CellValue | undefined {
  const c = t.columns.get(name);
  if (!c) return undefined;
  if (c.type === "bool") return c.data[row] === 1;
  return c.data[row];
}
