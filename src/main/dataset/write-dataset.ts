/**
 * Stores a dataset (typically derived with getSelection/aggregate) as diffractem/NeXus files, one per
 * distinct (`file`, `subset`) of its shot table (data-model.md §7.6: store_tables + store_stacks).
 * Stack data are read lazily from the source files (reduced for aggregated shots) one shot at a time.
 */
import { mkdirSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import type { Dataset } from "../../core/dataset/dataset.ts";
import { cellKey, takeRows } from "../../core/dataset/table-ops.ts";
import type { Table } from "../../core/dataset/table.ts";
import type { Compression, NexusFileContent, StackToWrite } from "../h5/nexus-types.ts";
import { writeNexusFile } from "../h5/writer.ts";
import type { OpenDataset } from "./open-dataset.ts";

export interface WriteDatasetOptions {
  /** Stacks to store (default: all). */
  readonly stacks?: readonly string[];
  /** Compression of image (≥2-D per shot) stacks; default "lz4". Small stacks use gzip as diffractem. */
  readonly compression?: Compression;
  /** Folder that relative `file` names are resolved against (default: the cwd). */
  readonly baseDir?: string;
  /** Progress over all shots of all files. */
  readonly onProgress?: (done: number, total: number) => void;
}

function featuresFor(features: Table, shots: Table): Table | undefined {
  const keys = ["sample", "region", "crystal_id"].filter((k) => features.columns.has(k) && shots.columns.has(k));
  if (features.length === 0 || !keys.includes("crystal_id")) return undefined;
  const want = new Set<string>();
  const sc = keys.map((k) => shots.columns.get(k)!), fc = keys.map((k) => features.columns.get(k)!);
  for (let i = 0; i < shots.length; i++) want.add(sc.map((c) => cellKey(c, i)).join("\u0000"));
  const keep: number[] = [];
  for (let i = 0; i < features.length; i++) if (want.has(fc.map((c) => cellKey(c, i)).join("\u0000"))) keep.push(i);
  return takeRows(features, keep);
}

/**
 * Writes `ds` (derived from `od`) to the files named in its `file` column. Requires shot_in_subset to
 * be 0..n-1 per file (true after getSelection/aggregate with reset ids). Returns the paths written.
 */
export async function writeDataset(od: OpenDataset, ds: Dataset, opts: WriteDatasetOptions = {}): Promise<string[]> {
  const file = ds.shots.columns.get("file"), subset = ds.shots.columns.get("subset"), sis = ds.shots.columns.get("shot_in_subset");
  if (!file || !subset || !sis) throw new Error("writeDataset: shot table needs file, subset and shot_in_subset");
  const groups = new Map<string, number[]>();
  for (let i = 0; i < ds.shots.length; i++) {
    const key = `${cellKey(file, i)}\u0000${cellKey(subset, i)}`;
    let g = groups.get(key);
    if (!g) { g = []; groups.set(key, g); }
    g.push(i);
  }
  const labels = opts.stacks ?? [...ds.stacks.keys()].filter((l) => l !== "index");
  for (const l of labels) if (!ds.stacks.has(l)) throw new Error(`writeDataset: no stack '${l}'`);
  const written: string[] = [];
  const total = ds.shots.length;
  let done = 0;
  const names = new Set<string>();
  for (const [key, rows] of groups) {
    const [fname, sub] = key.split("\u0000") as [string, string];
    if (names.has(fname)) throw new Error(`writeDataset: ${fname} would hold several subsets; only one subset per file is supported`);
    names.add(fname);
    rows.forEach((r, k) => {
      if (sis.data[r] !== k) throw new Error(`writeDataset: ${fname}: shot_in_subset is not 0..${rows.length - 1} in order (reset ids first)`);
    });
    const shots = takeRows(ds.shots, rows);
    const stacks = new Map<string, StackToWrite>();
    for (const l of labels) {
      const st = ds.stacks.get(l)!;
      const first = od.readStackRow(l, rows[0]!, ds);
      const image = st.shotShape.length >= 2;
      stacks.set(l, {
        shape: [rows.length, ...st.shotShape],
        dtype: first.dtype,
        compression: image ? opts.compression ?? "lz4" : "gzip",
        getShot: (i) => {
          const row = i === 0 ? first : od.readStackRow(l, rows[i]!, ds);
          if (image && l === (ds.diffStackLabel ?? labels[0])) opts.onProgress?.(++done, total);
          return row.data;
        },
      });
    }
    const srcIdx = ds.stacks.size > 0 ? [...ds.stacks.values()][0]!.sources.file[[...ds.stacks.values()][0]!.sources.start[rows[0]!]!] : undefined;
    const src = srcIdx !== undefined ? ds.files[srcIdx] : ds.files[0];
    const sampleCol = shots.columns.get("sample"), regionCol = shots.columns.get("region"), runCol = shots.columns.get("run");
    const feats = featuresFor(ds.features, shots);
    const map = srcIdx !== undefined ? od.mapImage(srcIdx) : undefined;
    const content: NexusFileContent = {
      subset: sub,
      shots,
      stacks,
      ...(ds.diffStackLabel !== undefined && stacks.has(ds.diffStackLabel) ? { signal: ds.diffStackLabel } : {}),
      ...(feats ? { features: feats } : {}),
      ...(map ? { mapImage: map } : {}),
      ...(sampleCol && regionCol && runCol ? { sample: { name: cellKey(sampleCol, 0), regionId: Number(regionCol.data[0]), runId: Number(runCol.data[0]) } } : {}),
      ...(src && src.instrument.size > 0 ? { instrument: src.instrument } : {}),
    };
    const out = isAbsolute(fname) || !opts.baseDir ? fname : join(opts.baseDir, fname);
    mkdirSync(dirname(out) || ".", { recursive: true });
    await writeNexusFile(out, content);
    written.push(out);
  }
  return written;
}
