/**
 * Shot-table columns of the open dataset (big arrays, outside the store) and the derived row
 * order of the table / navigation (query mask ∧ hits-only, sorted).
 */
import type { ShotColumn } from "../../core/api/host-api.ts";

export interface ShotData { readonly nShots: number; readonly columns: Record<string, ShotColumn> }

let current: ShotData = { nShots: 0, columns: {} };
export const getShotData = (): ShotData => current;
export const setShotData = (d: ShotData): void => { current = d; };

export function cellValue(d: ShotData, name: string, i: number): number | string | boolean | undefined {
  const c = d.columns[name];
  if (!c) return undefined;
  if (c.type === "bool") return c.data[i] === 1;
  return c.data[i];
}

export function numberAt(d: ShotData, name: string, i: number): number {
  const c = d.columns[name];
  if (!c || c.type === "string") return NaN;
  return Number(c.data[i]);
}

/** Minimum number of found peaks for a shot to count as a hit when no `hit` column exists. */
export const HIT_MIN_PEAKS = 10;

/** Hit flag: a `hit` column, else indexed crystals from a stream, else ≥ HIT_MIN_PEAKS found peaks, else a crystal shot. */
export function isHit(d: ShotData, i: number): boolean {
  if (d.columns["hit"]) return Boolean(cellValue(d, "hit", i));
  if (d.columns["num_crystals"]) return numberAt(d, "num_crystals", i) > 0;
  if (d.columns["num_peaks"]) return numberAt(d, "num_peaks", i) >= HIT_MIN_PEAKS;
  return numberAt(d, "crystal_id", i) >= 0 && !(numberAt(d, "frame", i) < 0);
}

let memo: { key: unknown[]; rows: Int32Array } | null = null;

/** Shot indices shown in the table, in display order. */
export function visibleRows(d: ShotData, mask: Uint8Array | null, hitsOnly: boolean, sort: { column: string; desc: boolean } | null): Int32Array {
  const key = [d, mask, hitsOnly, sort?.column, sort?.desc];
  if (memo && memo.key.every((k, i) => k === key[i])) return memo.rows;
  const out: number[] = [];
  for (let i = 0; i < d.nShots; i++) {
    if (mask && !mask[i]) continue;
    if (hitsOnly && !isHit(d, i)) continue;
    out.push(i);
  }
  if (sort && d.columns[sort.column]) {
    const c = d.columns[sort.column]!;
    const sign = sort.desc ? -1 : 1;
    if (c.type === "string") out.sort((a, b) => sign * (c.data[a]! < c.data[b]! ? -1 : c.data[a]! > c.data[b]! ? 1 : a - b));
    else out.sort((a, b) => { const x = Number(c.data[a]), y = Number(c.data[b]); return sign * ((x !== x ? Infinity : x) - (y !== y ? Infinity : y)) || a - b; });
  }
  const rows = Int32Array.from(out);
  memo = { key, rows };
  return rows;
}

/** Shots of the same crystal (sample, region, run, crystal_id) as shot i, ordered by frame. */
export function crystalShots(d: ShotData, i: number): number[] {
  const id = numberAt(d, "crystal_id", i);
  if (!(id >= 0)) return [i];
  const same = (k: string, j: number): boolean => cellValue(d, k, j) === cellValue(d, k, i);
  const out: number[] = [];
  for (let j = 0; j < d.nShots; j++) if (numberAt(d, "crystal_id", j) === id && same("sample", j) && same("region", j) && same("run", j) && same("file", j)) out.push(j);
  return out.sort((a, b) => numberAt(d, "frame", a) - numberAt(d, "frame", b));
}
