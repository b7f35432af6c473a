/**
 * diffractem's `write_virtual_file` (data-model.md §7.7): all selected shots of pre-processed files in
 * one file for indexing without image data. Subset `entry`, shot_in_subset 0..N-1, Event `entry//k`;
 * the original file/Event in `_file`/`_Event` (+ `file_raw`/`Event_raw` when the table has none);
 * CXI peaks shifted so that each pattern's centre sits at the centre of a virtual square detector
 * (`x' = x - center_x + size/2 - 0.5` for x ≠ 0, else 0); a dummy int8 image stack (N, size, size)
 * with no stored data; `recommended_zchunks = -1`. Writes `<prefix>.h5` and `<prefix>.lst`.
 */
import { renameSync, writeFileSync } from "node:fs";
import { makeTable, type Column, type Table } from "../../core/dataset/table.ts";
import { getH5, isH5Group } from "../h5/h5wasm-init.ts";
import { readTableGroup } from "../h5/table-io.ts";
import { writeNexusFile } from "../h5/writer.ts";
import type { StackToWrite } from "../h5/nexus-types.ts";
import { openCxiFile } from "../indexing/cxi-input.ts";

export interface VirtualFileOptions {
  /** Side of the virtual square detector, pixels (default 1024). */
  readonly virtualSizePx?: number;
  /** Per-shot detector shifts (mm) keyed by {@link shotKey}(file, `<subset>//<row>`); stored as det_shift_x_mm/det_shift_y_mm. */
  readonly shiftsMm?: ReadonlyMap<string, { readonly xMm: number; readonly yMm: number }>;
  /** CXI peak group (may contain `%`), default "/%/data". */
  readonly peakList?: string;
}

export interface VirtualFileResult {
  readonly h5Path: string;
  readonly lstPath: string;
  readonly nShots: number;
}

/** Key of a shot in {@link VirtualFileOptions.shiftsMm}. */
export function shotKey(file: string, event: string): string {
  return `${file}\u0000${event}`;
}

function sliceColumn(c: Column, rows: readonly number[]): Column {
  switch (c.type) {
    case "string": return { type: "string", data: rows.map((r) => c.data[r]!) };
    case "bool": return { type: "bool", data: Uint8Array.from(rows, (r) => c.data[r]!) };
    default: return { type: c.type, data: Float64Array.from(rows, (r) => c.data[r]!) };
  }
}

function concatColumns(parts: readonly Column[]): Column {
  const t = parts[0]!.type;
  if (t === "string") return { type: "string", data: parts.flatMap((p) => [...(p.data as readonly string[])]) };
  const n = parts.reduce((s, p) => s + p.data.length, 0);
  const out = t === "bool" ? new Uint8Array(n) : new Float64Array(n);
  let o = 0;
  for (const p of parts) { out.set(p.data as ArrayLike<number>, o); o += p.data.length; }
  return t === "bool" ? { type: "bool", data: out as Uint8Array } : { type: t, data: out as Float64Array };
}

async function readShotTable(path: string, subset: string): Promise<Table | undefined> {
  const h5 = await getH5();
  const f = new h5.File(path, "r");
  try {
    const g = f.get(`/${subset}/shots`);
    return isH5Group(g) ? readTableGroup(g, path) : undefined;
  } finally { f.close(); }
}

/** Writes `<prefix>.h5` + `<prefix>.lst` from the pre-processed `files` (temporary file + rename). */
export async function writeVirtualFile(prefix: string, files: readonly string[], o: VirtualFileOptions = {}): Promise<VirtualFileResult> {
  const size = o.virtualSizePx ?? 1024;
  if (!Number.isInteger(size) || size < 2) throw new Error(`virtual file: virtual size ${size} must be an integer ≥ 2`);
  const h5Path = `${prefix}.h5`, lstPath = `${prefix}.lst`;
  const tables: Table[] = [];
  const np: number[] = [];
  const origFile: string[] = [], origEvent: string[] = [], peakEvent: string[] = [];
  let width = 0;
  const perShot: { x: Float32Array; y: Float32Array; i: Float32Array }[] = [];
  for (const path of files) {
    const f = await openCxiFile(path, o.peakList ?? "/%/data", "/%/data/corrected");
    let table: Table | undefined;
    try {
      table = await readShotTable(path, f.subset || "entry");
      if (!table) throw new Error(`${path}: no shot table /${f.subset || "entry"}/shots`);
      if (table.length !== f.peaks.nShots) throw new Error(`${path}: shot table has ${table.length} rows but the peak arrays ${f.peaks.nShots} shots`);
      const cx = table.columns.get("center_x"), cy = table.columns.get("center_y");
      if (!cx || !cy || cx.type === "string" || cy.type === "string") throw new Error(`${path}: the shot table has no numeric center_x/center_y (run serialed preprocess first)`);
      const sel = table.columns.get("selected");
      const ev = table.columns.get("Event");
      width = Math.max(width, f.peaks.width);
      const rows: number[] = [];
      for (let k = 0; k < table.length; k++) {
        if (sel && sel.type !== "string" && !sel.data[k]) continue;
        const ox = cx.data[k]!, oy = cy.data[k]!;
        if (!Number.isFinite(ox) || !Number.isFinite(oy)) continue;
        rows.push(k);
        const n = f.peaks.nPeaks[k]!, off = k * f.peaks.width;
        const x = new Float32Array(n), y = new Float32Array(n), inten = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          const px = f.peaks.x[off + i]!, py = f.peaks.y[off + i]!;
          x[i] = px !== 0 ? px - ox + size / 2 - 0.5 : 0;
          y[i] = py !== 0 ? py - oy + size / 2 - 0.5 : 0;
          inten[i] = f.peaks.intensity[off + i]!;
        }
        perShot.push({ x, y, i: inten });
        np.push(n);
        origFile.push(path);
        origEvent.push(ev && ev.type === "string" ? ev.data[k]! : f.event(k));
        peakEvent.push(f.event(k));
      }
      tables.push(makeTable([...table.columns].map(([name, c]) => [name, sliceColumn(c, rows)] as [string, Column]), `${path} shots`));
    } finally { f.close(); }
  }
  const n = np.length;
  if (n === 0) throw new Error(`virtual file: no selected shots with a centre in ${files.join(", ")}`);
  width = Math.max(width, 1);
  // columns present in every file with the same type
  const names = [...tables[0]!.columns.keys()].filter((name) => tables.every((t) => t.columns.get(name)?.type === tables[0]!.columns.get(name)!.type));
  const reserved = new Set(["file", "Event", "subset", "shot_in_subset", "_file", "_Event", "det_shift_x_mm", "det_shift_y_mm", "selected"]);
  const cols: [string, Column][] = names.filter((c) => !reserved.has(c)).map((c) => [c, concatColumns(tables.map((t) => t.columns.get(c)!))]);
  const has = (c: string): boolean => names.includes(c);
  cols.push(["file", { type: "string", data: Array.from({ length: n }, () => h5Path) }]);
  cols.push(["Event", { type: "string", data: Array.from({ length: n }, (_, k) => `entry//${k}`) }]);
  cols.push(["subset", { type: "string", data: Array.from({ length: n }, () => "entry") }]);
  cols.push(["shot_in_subset", { type: "int", data: Float64Array.from({ length: n }, (_, k) => k) }]);
  cols.push(["selected", { type: "bool", data: new Uint8Array(n).fill(1) }]);
  cols.push(["_file", { type: "string", data: origFile }]);
  cols.push(["_Event", { type: "string", data: origEvent }]);
  if (!has("file_raw")) cols.push(["file_raw", { type: "string", data: origFile }]);
  if (!has("Event_raw")) cols.push(["Event_raw", { type: "string", data: origEvent }]);
  if (o.shiftsMm) {
    const sx = new Float64Array(n), sy = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const s = o.shiftsMm.get(shotKey(origFile[k]!, peakEvent[k]!));
      sx[k] = s ? s.xMm : NaN; sy[k] = s ? s.yMm : NaN;
    }
    cols.push(["det_shift_x_mm", { type: "float", data: sx }], ["det_shift_y_mm", { type: "float", data: sy }]);
  }
  const shots = makeTable(cols, "virtual shot table");
  const peakStack = (get: (s: { x: Float32Array; y: Float32Array; i: Float32Array }) => Float32Array) => ({
    shape: [n, width], dtype: "<f4", compression: "gzip" as const,
    getShot: (k: number) => { const out = new Float32Array(width); out.set(get(perShot[k]!)); return out; },
  });
  await writeNexusFile(h5Path, {
    subset: "entry", shots, signal: "zero_image",
    stacks: new Map<string, StackToWrite>([
      ["nPeaks", { shape: [n], dtype: "<i4", compression: "gzip" as const, getShot: (k: number) => Int32Array.of(np[k]!) }],
      ["peakXPosRaw", peakStack((s) => s.x)],
      ["peakYPosRaw", peakStack((s) => s.y)],
      ["peakTotalIntensity", peakStack((s) => s.i)],
    ]),
  }, { placeholderStacks: new Map([["zero_image", { shape: [n, size, size], dtype: "<i1" }]]), recommendedZchunks: -1 });
  const tmp = `${lstPath}.tmp-${process.pid}`;
  writeFileSync(tmp, `${h5Path}\n`);
  renameSync(tmp, lstPath);
  return { h5Path, lstPath, nShots: n };
}
