/** `serialed preprocess`: diffractem quick_proc — aggregate, analyse, correct, write processed files + .lst. */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { getNumber, getString, parseArgs } from "../args.ts";
import { progressBar } from "../progress.ts";
import type { PreProcOpts } from "../../../core/options/preproc-opts.ts";
import { defaultPreProcOpts, overridePreProcOpt, parsePreProcOpts } from "../../../core/options/preproc-opts.ts";
import { normalizeReference } from "../../../core/preproc/flatfield.ts";
import { createWorkerPool } from "../../../workers/pool.ts";
import type { WorkerPool } from "../../../workers/pool.ts";
import { runPreprocess } from "../../preproc/run-preprocess.ts";
import type { PreprocessResult } from "../../preproc/run-preprocess.ts";
import { readMaskOrReference } from "../../preproc/image-file.ts";
import { openDataset } from "../../dataset/open-dataset.ts";

export const summary = "Pre-process raw files: aggregate, centre, find peaks, correct (diffractem quick_proc)";
export const usage = `Usage: serialed preprocess --opts opts.yaml --out DIR [options] INPUT…
       serialed preprocess --opts opts.yaml --out DIR --watch DIR [options]

Reads raw diffraction files (HDF5 .h5/.nxs, .lst lists, globs), aggregates the dose-fraction frames
of every crystal over agg_query (or selects select_query when aggregate is false), and for every
pattern runs, in a pool of worker threads: thresholded centre of mass, Lorentz fit of the direct
beam, peakfinder8, Friedel-pair centre refinement, virtual ADF, detector shift; patterns with at
least min_peaks peaks are corrected (saturation, flat-field, radial background, dead pixels).
One processed file per input is written to DIR (<name><agg_file_suffix>, e.g. run_agg.h5) with the
corrected stack (signal), the CXI peak arrays (nPeaks, peakXPosRaw, peakYPosRaw, peakTotalIntensity)
and the shot table with com_x/y, lor_pk/x/y/hwhm, center_x/y, center_refine_score, adf1/2,
num_peaks, det_shift_x_mm/y_mm, agg_len; and DIR/processed.lst lists the processed files.

Ctrl-C stops cleanly: files are written to a temporary name and renamed when complete, so no
half-written output remains. Running the same command again skips files that are already done.
A frame that cannot be read or processed is reported with its shot and Event, written as invalid
(NaN / -1) and deselected; the run goes on.

Options:
  --opts FILE         diffractem pre-processing options (YAML or JSON; unknown keys are reported)
  --out DIR           output folder (created)
  --set KEY=VALUE     override one option (repeatable), e.g. --set min_peaks=15,
                      --set peak_search_params.min-snr=4
  --list FILE         list file of processed outputs (default DIR/processed.lst)
  --mask FILE         dead-pixel mask: TIFF (non-zero = dead) or HDF5 FILE.h5[:/path] (default /pxmask,
                      non-zero = dead; else CrystFEL /mask, non-zero = good); default: the 'pxmask'
                      option, if that file exists
  --reference FILE    flat-field gain: TIFF or FILE.h5[:/path] (default: the 'reference' option, if it exists)
  --workers N         worker threads (default: number of cores)
  --overwrite         re-process files whose output exists
  --keep-raw          also write the aggregated raw stack
  --watch DIR         on-line mode: process every new .h5/.nxs file in DIR once it is completely
                      written (readable and size unchanged between polls), append to the list file;
                      runs until Ctrl-C
  --include-existing  with --watch: also process files already present at start
  --poll-ms N         with --watch: polling interval (default 5000)
`;

function resolveNear(p: string, base: string | undefined): string {
  if (isAbsolute(p) || !base) return p;
  const local = resolve(p);
  return existsSync(local) ? local : join(base, p);
}

async function loadImage(kind: "mask" | "reference", explicit: string | undefined, fromOpts: string | null, base: string | undefined, log: (s: string) => void): Promise<Float32Array | null> {
  const spec = explicit ?? (fromOpts ? resolveNear(fromOpts, base) : undefined);
  if (!spec) return null;
  const file = spec.replace(/:\/[^:]*$/, "");
  const what = kind === "mask" ? "pixel mask" : "flat-field reference";
  if (!existsSync(file)) {
    if (explicit) throw new Error(`${what} file ${file} does not exist`);
    log(`note: ${what} file '${fromOpts}' (from the options) not found; running without it`);
    return null;
  }
  return (await readMaskOrReference(spec, kind)).data;
}

function printSummary(r: PreprocessResult, outDir: string): void {
  const done = r.files.filter((f) => f.status === "done").length;
  const skipped = r.files.filter((f) => f.status === "skipped").length;
  const failed = r.files.filter((f) => f.status === "failed");
  console.log(`${done} file(s) processed, ${skipped} already done (skipped), ${failed.length} failed; ${r.failedShots.length} shot(s) failed; output in ${outDir}`);
  for (const f of failed) console.log(`  failed: ${f.error}`);
  for (const s of r.failedShots.slice(0, 20)) console.log(`  shot failed: ${s.file} shot ${s.shot} (${s.event}): ${s.error}`);
  if (r.failedShots.length > 20) console.log(`  … and ${r.failedShots.length - 20} more`);
}

async function isComplete(path: string): Promise<boolean> {
  try {
    const od = await openDataset([path]);
    od.close();
    return true;
  } catch {
    return false;
  }
}

/** Candidate input files in a watched folder; outputs (…_agg.h5 / …_proc.h5) are never inputs, so the folder may also be the output folder. */
function listWatchFolder(watchDir: string, opts: PreProcOpts): string[] {
  const isOutput = (f: string): boolean => f.endsWith(opts.agg_file_suffix) || f.endsWith("_proc.h5");
  return readdirSync(watchDir).filter((f) => /\.(h5|nxs|hdf5)$/i.test(f) && !isOutput(f)).sort().map((f) => join(watchDir, f));
}

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, {
    opts: { value: true }, out: { value: true }, set: { value: true, multiple: true }, list: { value: true },
    mask: { value: true }, reference: { value: true }, workers: { value: true }, overwrite: { value: false },
    "keep-raw": { value: false }, watch: { value: true }, "include-existing": { value: false }, "poll-ms": { value: true },
  });
  const outDir = getString(p, "out");
  if (!outDir) throw new Error("--out DIR is required");
  const watchDir = getString(p, "watch");
  if (!watchDir && p.positional.length === 0) throw new Error("no INPUT files given (or use --watch DIR)");
  const optsPath = getString(p, "opts");
  let opts: PreProcOpts = defaultPreProcOpts;
  if (optsPath) {
    if (!existsSync(optsPath)) throw new Error(`options file ${optsPath} does not exist`);
    const parsed = parsePreProcOpts(readFileSync(optsPath, "utf8"), optsPath);
    for (const w of parsed.warnings) console.error(`warning: ${w}`);
    opts = parsed.opts;
  }
  for (const kv of p.options.get("set") ?? []) {
    const eq = kv.indexOf("=");
    if (eq <= 0) throw new Error(`--set expects KEY=VALUE, got '${kv}'`);
    opts = overridePreProcOpt(opts, kv.slice(0, eq), kv.slice(eq + 1));
  }
  const log = (s: string): void => { process.stderr.write(`\n${s}\n`); };
  const base = optsPath ? dirname(resolve(optsPath)) : undefined;
  // Files already in the watch folder when the command starts are skipped (unless --include-existing).
  // The snapshot is taken here, before the slow start-up (masks, worker pool), so that files arriving
  // during start-up count as new.
  let watchSeen: Set<string> | undefined;
  if (watchDir) {
    if (!existsSync(watchDir) || !statSync(watchDir).isDirectory()) throw new Error(`--watch: ${watchDir} is not a folder`);
    watchSeen = new Set(p.flags.has("include-existing") ? [] : listWatchFolder(watchDir, opts));
  }
  const deadF = await loadImage("mask", getString(p, "mask"), opts.pxmask, base, log);
  const refF = await loadImage("reference", getString(p, "reference"), opts.reference, base, log);
  const deadMask = deadF ? Uint8Array.from(deadF) : null;
  const reference = refF ? normalizeReference(refF) : null;
  const nWorkers = getNumber(p, "workers", availableParallelism(), { integer: true, min: 1 });
  const listFile = getString(p, "list") ?? join(outDir, "processed.lst");

  const ac = new AbortController();
  let interrupts = 0;
  const onSig = (): void => {
    interrupts++;
    if (interrupts > 1) { process.stderr.write("\nforced exit\n"); process.exit(130); }
    process.stderr.write("\ninterrupted: finishing the frames in flight, no partial files are kept (Ctrl-C again to force)\n");
    ac.abort();
  };
  process.on("SIGINT", onSig);
  process.on("SIGTERM", onSig);
  const pool: WorkerPool = createWorkerPool(nWorkers);
  const common = { outDir, opts, pool, deadMask, reference, listFile, overwrite: p.flags.has("overwrite"), keepRaw: p.flags.has("keep-raw"), signal: ac.signal, log };
  try {
    if (!watchDir) {
      let bar: ReturnType<typeof progressBar> | undefined;
      const r = await runPreprocess({
        ...common, inputs: p.positional,
        onProgress: (q) => { bar ??= progressBar("preprocess", q.total, "patterns"); bar.update(q.done); },
      });
      bar?.finish(r.cancelled ? "cancelled" : undefined);
      printSummary(r, outDir);
      if (r.cancelled) return 130;
      return r.files.some((f) => f.status === "failed") ? 1 : 0;
    }
    // On-line mode (quick_proc --wait-for-files).
    const pollMs = getNumber(p, "poll-ms", 5000, { integer: true, min: 10 });
    const list = (): string[] => listWatchFolder(watchDir, opts);
    const seen = watchSeen!;
    const lastSize = new Map<string, number>();
    console.error(`watching ${watchDir} for new files (${seen.size} existing file(s) ${p.flags.has("include-existing") ? "included" : "skipped"}); Ctrl-C to stop`);
    while (!ac.signal.aborted) {
      const ready: string[] = [];
      for (const f of list()) {
        if (seen.has(f)) continue;
        let size: number;
        try { size = statSync(f).size; } catch { continue; }
        const prev = lastSize.get(f);
        lastSize.set(f, size);
        if (prev !== size) continue; // still growing (or first sight): check again next poll
        if (await isComplete(f)) ready.push(f);
      }
      if (ready.length > 0) {
        for (const f of ready) seen.add(f);
        const r = await runPreprocess({ ...common, inputs: ready, appendList: true, onProgress: (q) => process.stderr.write(`\r${q.file}: ${q.done}/${q.total} patterns\x1b[K`) });
        process.stderr.write("\n");
        printSummary(r, outDir);
        if (r.cancelled) break;
        continue;
      }
      await new Promise<void>((res) => {
        const t = setTimeout(res, pollMs);
        ac.signal.addEventListener("abort", () => { clearTimeout(t); res(); }, { once: true });
      });
    }
    return ac.signal.aborted ? 130 : 0;
  } finally {
    process.off("SIGINT", onSig);
    process.off("SIGTERM", onSig);
    await pool.close();
  }
}
