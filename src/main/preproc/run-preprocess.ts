/**
 * `serialed preprocess` engine (quick_proc, ../shared/spec/preprocessing.md §15): per input file,
 * aggregate frames per crystal (agg_query) or select shots (select_query), analyse + correct every
 * pattern in the worker pool with a bounded window of frames in flight, and write one processed file
 * per input (temp + rename by the writer) plus a `.lst`. Finished outputs are skipped on a re-run.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import type { PreProcOpts } from "../../core/options/preproc-opts.ts";
import type { Dataset } from "../../core/dataset/dataset.ts";
import { aggregate } from "../../core/dataset/aggregate.ts";
import { getSelection } from "../../core/dataset/selection.ts";
import { constantColumn, stringColumn } from "../../core/dataset/table-ops.ts";
import type { Column, Table } from "../../core/dataset/table.ts";
import { makeTable } from "../../core/dataset/table.ts";
import type { Compression, NexusFileContent, StackToWrite } from "../h5/nexus-types.ts";
import { writeNexusFile } from "../h5/writer.ts";
import type { OpenDataset } from "../dataset/open-dataset.ts";
import { openDataset } from "../dataset/open-dataset.ts";
import { expandFileSpecs } from "../dataset/file-specs.ts";
import type { WorkerPool } from "../../workers/pool.ts";
import type { ProcessedShot } from "../../workers/kernels.ts";

export interface PreprocessProgress {
  /** Aggregated patterns finished (all files). */
  readonly done: number;
  readonly total: number;
  readonly file: string;
}

export interface ShotFailure {
  readonly file: string;
  readonly shot: number;
  readonly event: string;
  readonly error: string;
}

export interface FileResult {
  readonly input: string;
  readonly output: string;
  readonly shots: number;
  /** "done" = written now, "skipped" = output existed (resume), "failed" = file could not be processed. */
  readonly status: "done" | "skipped" | "failed";
  readonly error?: string;
}

export interface PreprocessJob {
  /** Input specs: files, .lst, globs. */
  readonly inputs: readonly string[];
  readonly outDir: string;
  readonly opts: PreProcOpts;
  readonly pool: WorkerPool;
  /** Pixel-mask content (non-zero = dead) and flat-field reference (mean 1), or null. */
  readonly deadMask?: Uint8Array | null;
  readonly reference?: Float32Array | null;
  /** List file of processed outputs (default <outDir>/processed.lst). */
  readonly listFile?: string;
  /** Append to the list file instead of rewriting it. */
  readonly appendList?: boolean;
  /** Re-process even when the output exists. */
  readonly overwrite?: boolean;
  /** Also write the aggregated raw stack (re-read; costs read time). */
  readonly keepRaw?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: PreprocessProgress) => void;
  readonly log?: (msg: string) => void;
}

export interface PreprocessResult {
  readonly files: FileResult[];
  readonly failedShots: ShotFailure[];
  readonly patterns: number;
  readonly cancelled: boolean;
}

/** Output path of an input file: <outDir>/<stem><agg_file_suffix> (or _proc.h5 when not aggregating). */
export function outputPathFor(input: string, outDir: string, opts: PreProcOpts): string {
  const b = basename(input);
  const dot = b.lastIndexOf(".");
  const stem = dot > 0 ? b.slice(0, dot) : b;
  return join(outDir, `${stem}${opts.aggregate ? opts.agg_file_suffix : "_proc.h5"}`);
}

function compressionOf(c: PreProcOpts["compression"]): Compression {
  if (c === 32004 || c === "lz4") return "lz4";
  if (c === 32008 || c === "bitshuffle-lz4") return "bitshuffle-lz4";
  if (c === "gzip") return "gzip";
  if (c === null || c === "none" || c === 0) return "none";
  throw new Error(`compression ${c} is not supported (use 32004, 32008, gzip or none)`);
}

/** The patterns to process of one opened file. */
function patternsOf(ds: Dataset, opts: PreProcOpts): Dataset {
  return opts.aggregate
    ? aggregate(ds, { query: `(${opts.agg_query}) and frame >= 0`, fileSuffix: opts.agg_file_suffix })
    : getSelection(ds, opts.select_query, { fileSuffix: "_proc.h5" });
}

const infoColumns = ["com_x", "com_y", "lor_pk", "lor_x", "lor_y", "lor_hwhm", "center_x", "center_y", "center_refine_score", "adf1", "adf2", "det_shift_x_mm", "det_shift_y_mm"] as const;

class Cancelled extends Error {
  constructor() { super("cancelled"); }
}

async function processFile(
  job: PreprocessJob, ctxId: string, input: string, output: string,
  onShot: () => void, failures: ShotFailure[],
): Promise<number> {
  const { opts, pool } = job;
  let od: OpenDataset | undefined;
  try {
    od = await openDataset([input]);
    const label = od.diffStackLabel;
    if (!label) throw new Error(`${input}: no diffraction image stack found`);
    const pat = patternsOf(od.dataset, opts);
    const n = pat.shots.length;
    const st = pat.stacks.get(label)!;
    const [H, W] = [st.shotShape[0]!, st.shotShape[1]!];
    if (H !== opts.ysize || W !== opts.xsize) job.log?.(`${input}: frames are ${W}×${H}, options say xsize ${opts.xsize}, ysize ${opts.ysize}; using the file's size`);
    const nPix = H * W;
    const maxPeaks = opts.max_peaks;
    // Per-shot results kept until the file is written (small: peaks + scalars).
    const cols = Object.fromEntries(infoColumns.map((c) => [c, new Float64Array(n).fill(NaN)])) as Record<(typeof infoColumns)[number], Float64Array>;
    const numPeaks = new Float64Array(n);
    const nPeaksArr = new Int32Array(n);
    const px = new Float32Array(n * maxPeaks), py = new Float32Array(n * maxPeaks), pi = new Float32Array(n * maxPeaks);
    const corrDtype = opts.float ? "<f4" : "<i2";
    const eventCol = pat.shots.columns.get("Event");
    const eventOf = (i: number): string => (eventCol?.type === "string" ? eventCol.data[i]! : String(i));

    const origSelCol = pat.shots.columns.get("selected");
    const origSel = origSelCol?.type === "bool" ? origSelCol.data : undefined;
    const selected = new Uint8Array(n);
    let written = 0;
    const ds = od;
    const inflight = new Map<number, Promise<ProcessedShot | Error>>();
    const window = Math.max(2, pool.size * 2);
    let launched = 0;
    const launch = (i: number): void => {
      let p: Promise<ProcessedShot | Error>;
      try {
        if (job.signal?.aborted) throw new Cancelled();
        const raw = ds.readFrame(label, i, pat);
        const f = new Float32Array(nPix);
        f.set(raw.data);
        p = pool.call("processShot", [ctxId, f], { transfer: [f.buffer], ...(job.signal ? { signal: job.signal } : {}) })
          .catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
      } catch (e) {
        p = Promise.resolve(e instanceof Error ? e : new Error(String(e)));
      }
      inflight.set(i, p);
    };
    const fill = (upTo: number): void => { while (launched < n && launched < upTo) launch(launched++); };

    const corrected: StackToWrite = {
      shape: [n, H, W], dtype: corrDtype, compression: compressionOf(opts.compression),
      getShot: async (i) => {
        fill(i + window);
        const r = await inflight.get(i)!;
        inflight.delete(i);
        fill(i + 1 + window);
        if (job.signal?.aborted) throw new Cancelled();
        onShot();
        written++;
        if (r instanceof Error) {
          failures.push({ file: input, shot: i, event: eventOf(i), error: r.message });
          job.log?.(`${input} shot ${i} (${eventOf(i)}): ${r.message} — written as invalid and deselected`);
          return corrDtype === "<f4" ? new Float32Array(nPix).fill(NaN) : new Int16Array(nPix).fill(-1);
        }
        selected[i] = origSel ? origSel[i]! : 1;
        const info = r.info;
        for (const c of infoColumns) cols[c][i] = info[c];
        numPeaks[i] = info.num_peaks;
        nPeaksArr[i] = info.peaks.nPeaks;
        px.set(info.peaks.peakXPosRaw.subarray(0, maxPeaks), i * maxPeaks);
        py.set(info.peaks.peakYPosRaw.subarray(0, maxPeaks), i * maxPeaks);
        pi.set(info.peaks.peakTotalIntensity.subarray(0, maxPeaks), i * maxPeaks);
        return r.corrected;
      },
    };
    const stacks = new Map<string, StackToWrite>([["corrected", corrected]]);
    if (job.keepRaw) {
      stacks.set(label, { shape: [n, H, W], dtype: "<i4", compression: compressionOf(opts.compression), getShot: (i) => Int32Array.from(ds.readFrame(label, i, pat).data) });
    }
    stacks.set("nPeaks", { shape: [n], dtype: "<i4", getShot: (i) => nPeaksArr.subarray(i, i + 1) });
    stacks.set("peakXPosRaw", { shape: [n, maxPeaks], dtype: "<f4", getShot: (i) => px.subarray(i * maxPeaks, (i + 1) * maxPeaks) });
    stacks.set("peakYPosRaw", { shape: [n, maxPeaks], dtype: "<f4", getShot: (i) => py.subarray(i * maxPeaks, (i + 1) * maxPeaks) });
    stacks.set("peakTotalIntensity", { shape: [n, maxPeaks], dtype: "<f4", getShot: (i) => pi.subarray(i * maxPeaks, (i + 1) * maxPeaks) });

    // Shot table: the pattern table, file names pointing at the output, plus the analysis columns
    // (arrays filled while the corrected stack is written; the writer writes the table afterwards).
    const outCols = new Map<string, Column>(pat.shots.columns);
    outCols.set("file", stringColumn(Array.from({ length: n }, () => output)));
    outCols.set("subset", stringColumn(Array.from({ length: n }, () => "entry")));
    if (!outCols.has("agg_len")) outCols.set("agg_len", constantColumn(1, n, "int"));
    for (const c of infoColumns) {
      const name = c === "det_shift_x_mm" ? opts.det_shift_x_path : c === "det_shift_y_mm" ? opts.det_shift_y_path : c;
      outCols.set(name, { type: "float", data: cols[c] });
    }
    outCols.set("num_peaks", { type: "int", data: numPeaks });
    outCols.set("selected", { type: "bool", data: selected });
    const shots: Table = makeTable(outCols, `${output} shot table`);
    const f0 = pat.files[0];
    const content: NexusFileContent = {
      subset: "entry", shots, features: pat.features, stacks, signal: "corrected",
      ...(f0?.sample ? { sample: f0.sample } : {}),
      ...(f0 && f0.instrument.size > 0 ? { instrument: f0.instrument } : {}),
      ...(() => { const m = f0?.mapImageShape ? ds.mapImage(0) : undefined; return m ? { mapImage: m } : {}; })(),
    };
    await writeNexusFile(output, content);
    if (written !== n) throw new Error(`${output}: only ${written} of ${n} shots were written`);
    return n;
  } finally {
    od?.close();
  }
}

/** Counts the patterns of every input (for the progress total) without reading frames. */
async function countPatterns(files: readonly string[], opts: PreProcOpts): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const f of files) {
    try {
      const od = await openDataset([f]);
      try { counts.set(f, patternsOf(od.dataset, opts).shots.length); } finally { od.close(); }
    } catch {
      counts.set(f, 0);
    }
  }
  return counts;
}

/** Writes the list file atomically (temp + rename). */
export function writeListFile(path: string, entries: readonly string[], append: boolean): void {
  const old = append && existsSync(path) ? readFileSync(path, "utf8").split("\n").filter((l) => l.trim().length > 0) : [];
  const all = [...old];
  for (const e of entries) if (!all.includes(e)) all.push(e);
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, all.length ? `${all.join("\n")}\n` : "");
  renameSync(tmp, path);
}

let ctxCounter = 0;

/** Runs pre-processing over all inputs. Files whose output exists are skipped (resume) unless overwrite. */
export async function runPreprocess(job: PreprocessJob): Promise<PreprocessResult> {
  const { opts, pool } = job;
  mkdirSync(job.outDir, { recursive: true });
  const files = expandFileSpecs(job.inputs).files;
  if (files.length === 0) throw new Error(`no input files match ${job.inputs.join(" ")}`);
  const counts = await countPatterns(files, opts);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const ctxShapes = new Map<string, string>();
  const results: FileResult[] = [];
  const failures: ShotFailure[] = [];
  let done = 0;
  let cancelled = false;
  const listEntries: string[] = [];
  try {
    for (const input of files) {
      const output = resolve(outputPathFor(input, job.outDir, opts));
      const n = counts.get(input) ?? 0;
      if (!job.overwrite && existsSync(output)) {
        results.push({ input, output, shots: n, status: "skipped" });
        listEntries.push(output);
        done += n;
        job.onProgress?.({ done, total, file: input });
        continue;
      }
      if (job.signal?.aborted) { cancelled = true; break; }
      try {
        // frame shape of this file → one worker context per shape
        const od = await openDataset([input]);
        const st = od.diffStackLabel ? od.dataset.stacks.get(od.diffStackLabel) : undefined;
        od.close();
        if (!st || st.shotShape.length !== 2) throw new Error(`${input}: no 2-D diffraction image stack`);
        const shape = [st.shotShape[0]!, st.shotShape[1]!] as const;
        const key = shape.join("x");
        let ctxId = ctxShapes.get(key);
        if (!ctxId) {
          ctxId = `preproc-${process.pid}-${++ctxCounter}`;
          const dm = job.deadMask && job.deadMask.length === shape[0] * shape[1] ? job.deadMask : null;
          const ref = job.reference && job.reference.length === shape[0] * shape[1] ? job.reference : null;
          if (job.deadMask && !dm) job.log?.(`pixel mask size does not match ${shape[1]}×${shape[0]} frames of ${input}: not used`);
          if (job.reference && !ref) job.log?.(`flat-field reference size does not match ${shape[1]}×${shape[0]} frames of ${input}: not used`);
          await pool.broadcast("configure", [ctxId, { shape, deadMask: dm, reference: ref, opts }]);
          ctxShapes.set(key, ctxId);
        }
        const shots = await processFile(job, ctxId, input, output, () => {
          done++;
          job.onProgress?.({ done, total, file: input });
        }, failures);
        results.push({ input, output, shots, status: "done" });
        listEntries.push(output);
      } catch (e) {
        if (job.signal?.aborted) { cancelled = true; break; }
        const raw = e instanceof Error ? e.message : String(e);
        const msg = raw.includes(input) ? raw : `${input}: ${raw}`;
        job.log?.(`${msg} — file skipped`);
        results.push({ input, output, shots: 0, status: "failed", error: msg });
      }
    }
  } finally {
    for (const id of ctxShapes.values()) {
      await pool.broadcast("release", [id]).catch(() => undefined);
      pool.forget((name, args) => (name === "configure" || name === "release") && args[0] === id);
    }
    writeListFile(job.listFile ?? join(job.outDir, "processed.lst"), listEntries, job.appendList ?? false);
  }
  return { files: results, failedShots: failures, patterns: done, cancelled };
}
