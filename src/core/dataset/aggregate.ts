/**
 * Group-wise aggregation of shots (data-model.md §7.3), typically summing movie frames of one crystal:
 * `aggregate(ds, { query: "frame >= 1 and frame <= 4" })`. Produces a new dataset with one shot per
 * group; its stack descriptors list the source shots of every group so the host can compute the
 * aggregated frames lazily (StackDescriptor.how).
 */
import type { Column, Table } from "./table.ts";
import { makeTable } from "./table.ts";
import type { Dataset, ReduceHow, ShotSources, StackDescriptor } from "./dataset.ts";
import { evaluateQuery } from "./query.ts";
import { cellKey, intColumn, maskToIndices, takeColumn } from "./table-ops.ts";
import { changeFilenames, featuresOfShots, resetIds } from "./selection.ts";

export interface AggregateOptions {
  /** Grouping columns; default sample, region, run, crystal_id. */
  readonly by?: readonly string[];
  /** Reduction for all stacks, or per stack label (stacks not listed use "first"). Default "sum". */
  readonly how?: ReduceHow | Readonly<Record<string, ReduceHow>>;
  /** Only rows matching this query take part (e.g. "frame >= 1 and frame <= 4"). */
  readonly query?: string;
  /** Default "_agg.h5". */
  readonly fileSuffix?: string;
}

/** Longest common subsequence of two strings (used to name groups spanning several files). */
export function longestCommonSubsequence(a: string, b: string): string {
  if (a === b) return a;
  const m = a.length, n = b.length;
  const dp = Array.from({ length: m + 1 }, () => new Int32Array(n + 1));
  for (let i = m - 1; i >= 0; i--) for (let j = n - 1; j >= 0; j--) {
    dp[i]![j] = a[i] === b[j] ? dp[i + 1]![j + 1]! + 1 : Math.max(dp[i + 1]![j]!, dp[i]![j + 1]!);
  }
  let s = "", i = 0, j = 0;
  while (i < m && j < n) {
    if (a[i] === b[j]) { s += a[i]; i++; j++; } else if (dp[i + 1]![j]! >= dp[i]![j + 1]!) i++; else j++;
  }
  return s;
}

/** Groups of row indices by the `by` columns, in order of first appearance. */
export function groupRows(t: Table, by: readonly string[], rows: ArrayLike<number>): number[][] {
  const cols = by.map((k) => {
    const c = t.columns.get(k);
    if (!c) throw new Error(`aggregate: unknown grouping column '${k}'`);
    return c;
  });
  const index = new Map<string, number>();
  const groups: number[][] = [];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const key = cols.map((c) => cellKey(c, r)).join("\u0000");
    let g = index.get(key);
    if (g === undefined) { g = groups.length; index.set(key, g); groups.push([]); }
    groups[g]!.push(r);
  }
  return groups;
}

function isConstant(c: Column, groups: readonly number[][]): boolean {
  for (const g of groups) {
    const k0 = cellKey(c, g[0]!);
    for (let i = 1; i < g.length; i++) if (cellKey(c, g[i]!) !== k0) return false;
  }
  return true;
}

function aggregateShots(shots: Table, groups: readonly number[][]): Table {
  const first = groups.map((g) => g[0]!);
  const out: [string, Column][] = [];
  for (const [name, c] of shots.columns) {
    if (name === "agg_len") continue;
    if (isConstant(c, groups) || name === "shot_in_subset" || name === "Event" || name === "frame") {
      out.push([name, takeColumn(c, first)]);
    } else if (name === "selected" && c.type === "bool") {
      out.push([name, { type: "bool", data: Uint8Array.from(groups, (g) => (g.some((r) => c.data[r] === 1) ? 1 : 0)) }]);
    } else if ((name === "file" || name === "subset") && c.type === "string") {
      out.push([name, { type: "string", data: groups.map((g) => g.map((r) => c.data[r]!).reduce(longestCommonSubsequence)) }]);
    } else if (["sample", "region", "run", "crystal_id"].includes(name)) {
      out.push([name, takeColumn(c, first)]); // key columns stay present (value of the first shot)
    }
  }
  out.push(["agg_len", intColumn(groups.map((g) => g.length))]);
  return makeTable(out, "aggregated shot table");
}

function stackHow(how: AggregateOptions["how"], label: string): ReduceHow {
  if (how === undefined) return "sum";
  if (typeof how === "string") return how;
  return how[label] ?? "first";
}

function aggregateSources(s: StackDescriptor, groups: readonly number[][], how: ReduceHow): { sources: ShotSources; how: ReduceHow } {
  const src = s.sources;
  const count = (r: number): number => src.start[r + 1]! - src.start[r]!;
  const single = groups.every((g) => g.every((r) => count(r) === 1));
  let pick: (g: readonly number[]) => readonly number[];
  let outHow: ReduceHow;
  if (how === "first" || how === "last") {
    pick = how === "first" ? (g) => [g[0]!] : (g) => [g[g.length - 1]!];
    outHow = s.how;
  } else if (single || (s.how === "sum" && how === "sum")) {
    pick = (g) => g;
    outHow = how;
  } else {
    throw new Error(`aggregate: stack '${s.label}' is already aggregated with '${s.how}'; aggregating it again with '${how}' is not supported`);
  }
  const starts = new Int32Array(groups.length + 1);
  const file: number[] = [], row: number[] = [];
  groups.forEach((g, gi) => {
    for (const r of pick(g)) for (let k = src.start[r]!; k < src.start[r + 1]!; k++) { file.push(src.file[k]!); row.push(src.row[k]!); }
    starts[gi + 1] = file.length;
  });
  return { sources: { start: starts, file: Int32Array.from(file), row: Int32Array.from(row) }, how: outHow };
}

/**
 * Aggregates shots by crystal (data-model.md §7.3). Columns identical within every group are kept
 * (first value); others are dropped, except shot_in_subset/Event/frame (first shot's value), `selected`
 * (true if any shot was) and the key columns; `agg_len` = group size. File names get `_agg.h5` (old
 * ones kept in file_raw), ids are reset (old Event in Event_raw), features reduced to those present.
 */
export function aggregate(ds: Dataset, opts: AggregateOptions = {}): Dataset {
  const by = opts.by ?? ["sample", "region", "run", "crystal_id"];
  const rows = opts.query === undefined ? Int32Array.from({ length: ds.shots.length }, (_, i) => i) : maskToIndices(evaluateQuery(ds.shots, opts.query));
  const groups = groupRows(ds.shots, by, rows);
  let shots = aggregateShots(ds.shots, groups);
  const stacks = new Map<string, StackDescriptor>();
  for (const [label, s] of ds.stacks) {
    const { sources, how } = aggregateSources(s, groups, stackHow(opts.how, label));
    stacks.set(label, { ...s, sources, how });
  }
  shots = resetIds(changeFilenames(shots, { fileSuffix: opts.fileSuffix ?? "_agg.h5" }));
  return { ...ds, shots, stacks, features: featuresOfShots(ds.features, shots) };
}
