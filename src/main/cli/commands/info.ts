/** `serialed info`: what a dataset holds (files, shots, crystals, frames, stacks, columns). */
import type { Dataset } from "../../../core/dataset/dataset.ts";
import { cellKey } from "../../../core/dataset/table-ops.ts";
import { evaluateQuery } from "../../../core/dataset/query.ts";
import { parseArgs, getString } from "../args.ts";

export const summary = "Describe datasets: files, shots, crystals, frames, stacks (shape, dtype, compression), columns";
export const usage = `Usage: serialed info PATH... [--query Q] [--json]

PATH is an HDF5 file (.h5/.nxs, diffractem/NeXus or CXI layout), a .lst list file (optionally
with events, which set 'selected') or a glob pattern such as 'proc/*.h5' (quote it). Several paths
are opened as one dataset.

Options:
  --query Q   also count the shots matching a selection query, e.g. 'frame >= 0 and selected'
  --json      print a machine-readable summary instead of text
`;

/** Summary of a dataset (the JSON printed by --json). */
export interface DatasetInfo {
  files: { path: string; subset: string; shots: number; sample?: string; region?: number; run?: number; mapImage?: readonly number[] }[];
  shots: number;
  selected: number;
  matching?: number;
  crystals: number;
  auxiliaryShots: number;
  /** Shots per frame number, ascending frame. */
  frames: { frame: number; shots: number }[];
  /** How many crystals have n shots (frame >= 0), ascending n. */
  shotsPerCrystal: { shots: number; crystals: number }[];
  diffStackLabel: string | null;
  stacks: { label: string; shape: number[]; dtype: string; compression: string; how: string }[];
  droppedStacks: string[];
  columns: { name: string; type: string }[];
  features: { rows: number; columns: string[] };
}

function histogram(values: number[]): { shots: number; crystals: number }[] {
  const h = new Map<number, number>();
  for (const v of values) h.set(v, (h.get(v) ?? 0) + 1);
  return [...h.entries()].sort((a, b) => a[0] - b[0]).map(([shots, crystals]) => ({ shots, crystals }));
}

/** Builds the info summary of a dataset (pure apart from the dataset itself). */
export function datasetInfo(ds: Dataset, droppedStacks: readonly string[] = [], query?: string): DatasetInfo {
  const s = ds.shots;
  const sel = s.columns.get("selected");
  const selected = sel && sel.type === "bool" ? sel.data.reduce((a, v) => a + v, 0) : s.length;
  const keys = ["sample", "region", "run", "crystal_id"].map((k) => s.columns.get(k)!);
  const cid = s.columns.get("crystal_id")!, frame = s.columns.get("frame")!;
  const crystals = new Map<string, number>();
  let aux = 0;
  const frames = new Map<number, number>();
  for (let i = 0; i < s.length; i++) {
    const f = Number(frame.data[i]);
    frames.set(f, (frames.get(f) ?? 0) + 1);
    if (Number(cid.data[i]) < 0 || f < 0) { aux++; continue; }
    const key = keys.map((c) => cellKey(c, i)).join("\u0000");
    crystals.set(key, (crystals.get(key) ?? 0) + 1);
  }
  const info: DatasetInfo = {
    files: ds.files.map((f) => ({
      path: f.path, subset: f.subset, shots: f.nShots,
      ...(f.sample ? { sample: f.sample.name, region: f.sample.regionId, run: f.sample.runId } : {}),
      ...(f.mapImageShape ? { mapImage: [...f.mapImageShape] } : {}),
    })),
    shots: s.length,
    selected,
    crystals: crystals.size,
    auxiliaryShots: aux,
    frames: [...frames.entries()].sort((a, b) => a[0] - b[0]).map(([frame, shots]) => ({ frame, shots })),
    shotsPerCrystal: histogram([...crystals.values()]),
    diffStackLabel: ds.diffStackLabel ?? null,
    stacks: [...ds.stacks.values()].map((st) => ({ label: st.label, shape: [s.length, ...st.shotShape], dtype: st.dtype, compression: st.compression, how: st.how })),
    droppedStacks: [...droppedStacks],
    columns: [...s.columns].map(([name, c]) => ({ name, type: c.type })),
    features: { rows: ds.features.length, columns: [...ds.features.columns.keys()] },
  };
  if (query !== undefined) info.matching = evaluateQuery(s, query).reduce((a, v) => a + v, 0);
  return info;
}

/** Text rendering of the info summary. */
export function formatInfo(info: DatasetInfo): string {
  const out: string[] = [];
  const nf = info.files.length;
  out.push(`Files: ${nf}`);
  const shown = nf > 20 ? [...info.files.slice(0, 10), undefined, ...info.files.slice(-5)] : info.files;
  for (const f of shown) {
    if (!f) { out.push(`  ... ${nf - 15} more`); continue; }
    const meta = f.sample !== undefined ? `  sample ${f.sample || "-"} region ${f.region} run ${f.run}` : "";
    out.push(`  ${f.path}  [${f.subset}]  ${f.shots} shots${meta}${f.mapImage ? `  map ${f.mapImage.join("x")}` : ""}`);
  }
  out.push(`Shots: ${info.shots} (selected ${info.selected}${info.matching !== undefined ? `, matching query ${info.matching}` : ""}; auxiliary/frame -1: ${info.auxiliaryShots})`);
  out.push(`Crystals: ${info.crystals}${info.shotsPerCrystal.length ? ` (shots per crystal: ${info.shotsPerCrystal.map((h) => `${h.shots} × ${h.crystals}`).join(", ")})` : ""}`);
  out.push(`Frames: ${info.frames.map((f) => `${f.frame}: ${f.shots}`).join(", ") || "-"}`);
  out.push(`Stacks: ${info.stacks.length}${info.diffStackLabel ? ` (diffraction: ${info.diffStackLabel})` : ""}`);
  const w = Math.max(5, ...info.stacks.map((s) => s.label.length));
  for (const s of info.stacks) {
    out.push(`  ${s.label.padEnd(w)}  (${s.shape.join(", ")})${" ".repeat(Math.max(1, 22 - s.shape.join(", ").length))}${s.dtype.padEnd(4)}  ${s.compression}${s.how !== "first" ? `  [${s.how} of source shots]` : ""}`);
  }
  if (info.droppedStacks.length > 0) out.push(`  not in every file (not opened): ${info.droppedStacks.join(", ")}`);
  out.push(`Shot-table columns (${info.columns.length}): ${info.columns.map((c) => `${c.name}:${c.type}`).join(", ")}`);
  out.push(`Features: ${info.features.rows} rows${info.features.columns.length ? ` (${info.features.columns.join(", ")})` : ""}`);
  return out.join("\n");
}

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, { json: { value: false }, query: { value: true } });
  if (p.positional.length === 0) {
    console.error(usage);
    return 2;
  }
  // imported here so that `--help` does not pay for compiling h5wasm (seconds on a busy machine)
  const { openDataset } = await import("../../dataset/open-dataset.ts");
  const od = await openDataset(p.positional);
  try {
    const info = datasetInfo(od.dataset, od.droppedStacks, getString(p, "query"));
    console.log(p.flags.has("json") ? JSON.stringify(info, null, 2) : formatInfo(info));
  } finally {
    od.close();
  }
  return 0;
}
