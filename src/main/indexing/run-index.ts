/**
 * `serialed index` / `serialed integrate` engine: reads CXI peaks (and frames) of the input files,
 * runs the indexing pool, writes a CrystFEL stream (and .sol) incrementally to `<out>.partial`,
 * renamed to `<out>` when complete. Resume: complete chunks of an existing `<out>.partial` are kept
 * and their shots skipped. Cancellation (AbortSignal): no new shots are started, finished ones are
 * flushed, the partial file stays for `--resume`.
 */
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { basename } from "node:path";
import { parseGeom, type GeometryFile } from "../../core/formats/geom-file.ts";
import { parseCellFile } from "../../core/formats/cell-file.ts";
import { formatStreamChunk, formatStreamHeader } from "../../core/formats/stream-writer.ts";
import { parseStream } from "../../core/formats/stream-reader.ts";
import { formatSol, parseSol, solKey, type SolEntry } from "../../core/formats/sol-file.ts";
import type { StreamChunk } from "../../core/formats/stream-types.ts";
import type { IndexingOptions } from "../../core/indexing/indexing-options.ts";
import { panelFromGeom } from "../../core/indexing/panel-from-geom.ts";
import { shotChunk, type EngineConfig, type ShotCrystal, type ShotInput } from "../../core/indexing/process-shot.ts";
import { basisToMat9 } from "../../core/indexing/lattice.ts";
import type { RingOptions } from "../../core/integration/integrate-rings.ts";
import type { Frame } from "../../core/image/frame.ts";
import { openCxiFile, type CxiFile } from "./cxi-input.ts";
import { createIndexPool } from "./index-pool.ts";

export interface RunIndexOptions {
  readonly geomPath: string;
  readonly cellPath: string;
  readonly inputs: readonly string[];
  readonly outStream: string;
  readonly outSol?: string;
  /** Integrate with orientations from this .sol instead of indexing (`serialed integrate`). */
  readonly solPath?: string;
  /** Frames to sum per crystal when integrating from a .sol (inclusive range, shot-table `frame`). */
  readonly frames?: readonly [number, number];
  readonly threads: number;
  readonly profileRadiusInvNm: number;
  readonly minPeaks: number;
  readonly rings: RingOptions;
  readonly integrate: boolean;
  readonly resume: boolean;
  readonly indexing: Partial<IndexingOptions>;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number, indexed: number) => void;
  /** Command line recorded in the stream header. */
  readonly commandLine: string;
}

export interface RunIndexSummary {
  readonly shots: number;
  readonly skipped: number;
  readonly indexed: number;
  readonly crystals: number;
  readonly cancelled: boolean;
  readonly failures: readonly string[];
}

interface ShotRef { readonly file: CxiFile; readonly fileIdx: number; readonly shot: number; readonly filename: string; readonly event: string; readonly sources: readonly number[]; readonly crystals?: ShotCrystal[] }

function shiftColumn(f: CxiFile, g: GeometryFile, axis: "x" | "y"): Float64Array | null {
  const v = axis === "x" ? g.detectorShiftX : g.detectorShiftY;
  if (!v) return null;
  if (v.kind === "value") return Float64Array.from({ length: f.peaks.nShots }, () => v.value * (v.value !== 0 ? 1 : 0));
  const name = v.path.split("/").pop() ?? "";
  const col = f.shotColumn(name);
  if (!col) throw new Error(`${f.path}: geometry refers to shot column '${name}' (${v.path}) which the file does not have`);
  const toMm = v.unit === "m" ? 1e3 : 1;
  return col.map((x) => x * toMm);
}

function shotInput(f: CxiFile, k: number, sx: Float64Array | null, sy: Float64Array | null): ShotInput {
  const n = f.peaks.nPeaks[k]!, off = k * f.peaks.width;
  const fs = new Float32Array(n), ss = new Float32Array(n), it = new Float32Array(n);
  for (let i = 0; i < n; i++) { fs[i] = f.peaks.x[off + i]! + 0.5; ss[i] = f.peaks.y[off + i]! + 0.5; it[i] = f.peaks.intensity[off + i]!; }
  return { fs, ss, intensity: it, shiftXMm: sx?.[k] ?? 0, shiftYMm: sy?.[k] ?? 0 };
}

/** Complete chunks of a partial stream (for resume); rewrites the file without a torn tail. */
function recoverPartial(path: string): { done: Set<string>; chunks: StreamChunk[] } {
  const text = readFileSync(path, "utf8");
  const { chunks } = parseStream(text, path);
  const end = text.lastIndexOf("----- End chunk -----\n");
  const begin = text.indexOf("----- Begin chunk -----");
  const keep = end >= 0 ? text.slice(0, end + 22) : begin >= 0 ? text.slice(0, begin) : text;
  const fd = openSync(path, "w");
  writeSync(fd, keep);
  closeSync(fd);
  return { done: new Set(chunks.map((c) => solKey(c.filename, c.event))), chunks };
}

export async function runIndex(o: RunIndexOptions): Promise<RunIndexSummary> {
  const geomText = readFileSync(o.geomPath, "utf8");
  const geom = parseGeom(geomText, o.geomPath);
  const cellText = readFileSync(o.cellPath, "utf8");
  const cell = parseCellFile(cellText, o.cellPath);
  const panel = panelFromGeom(geom, o.geomPath);
  const config: EngineConfig = { panel, cell, indexing: o.indexing, rings: o.rings, profileRadiusInvNm: o.profileRadiusInvNm, minPeaks: o.minPeaks, panelName: geom.panels[0]!.name };
  const files: CxiFile[] = [];
  try {
    for (const p of o.inputs) files.push(await openCxiFile(p, geom.peakList ?? "/%/data", geom.data ?? "/%/data/data"));
    let refs: ShotRef[];
    if (o.solPath) {
      // the .sol's own files map its events to crystal ids: an INPUT with that exact path, else the
      // file itself if it exists (a different aggregation of the same raw data may share its base name)
      const extra = new Map<string, CxiFile | null>();
      if (o.frames || files.some((f) => f.shotColumn("crystal_id"))) {
        const names = new Set(parseSol(readFileSync(o.solPath, "utf8"), o.solPath).map((e) => e.filename));
        for (const name of names) {
          if (files.some((f) => f.path === name) || extra.has(name) || !existsSync(name)) continue;
          const sf = await openCxiFile(name, geom.peakList ?? "/%/data", geom.data ?? "/%/data/data");
          extra.set(name, sf);
          files.push(sf);
        }
      }
      refs = solShots(o, files, extra);
    } else refs = indexShots(files);
    const partial = `${o.outStream}.partial`;
    let done = new Set<string>();
    let solLines: SolEntry[] = [];
    if (o.resume && existsSync(partial)) {
      const rec = recoverPartial(partial);
      done = rec.done;
      solLines = rec.chunks.flatMap((c) => c.crystals.map((cr) => ({ filename: c.filename, event: c.event, basis: cr.basis, detShiftMm: cr.detShiftMm, lattice: cr.lattice, centering: cr.centering, uniqueAxis: cr.uniqueAxis })));
    } else {
      const fd = openSync(partial, "w");
      writeSync(fd, formatStreamHeader({ formatVersion: "2.3", preamble: ["Generated by serialed-studio", o.commandLine], geometryText: geomText, cellText, trailer: [`Indexing methods selected: ${o.solPath ? "file" : "serialed"}`] }));
      closeSync(fd);
    }
    const todo = refs.filter((r) => !done.has(solKey(r.filename, r.event)));
    const fd = openSync(partial, "a");
    const pool = createIndexPool(Math.max(1, o.threads), config);
    let finished = 0, indexed = 0, crystals = 0, cancelled = false;
    const failures: string[] = [];
    const results = new Map<number, StreamChunk>();
    let nextWrite = 0;
    const flush = (): void => {
      while (results.has(nextWrite)) {
        const ch = results.get(nextWrite)!;
        results.delete(nextWrite);
        writeSync(fd, formatStreamChunk(ch));
        for (const cr of ch.crystals) solLines.push({ filename: ch.filename, event: ch.event, basis: cr.basis, detShiftMm: cr.detShiftMm, lattice: cr.lattice, centering: cr.centering, uniqueAxis: cr.uniqueAxis });
        nextWrite++;
      }
    };
    const inflightMax = pool ? Math.max(2, 3 * o.threads) : 1;
    const inflight = new Set<Promise<void>>();
    try {
      for (let t = 0; t < todo.length; t++) {
        if (o.signal?.aborted) { cancelled = true; break; }
        const r = todo[t]!;
        const sx = shiftColumn(r.file, geom, "x"), sy = shiftColumn(r.file, geom, "y");
        const input = shotInput(r.file, r.shot, sx, sy);
        let frame: Frame | undefined;
        if (o.integrate) {
          try { frame = sumFrames(r.file, r.sources); } catch (e) { failures.push(`${r.filename} ${r.event}: ${(e as Error).message}`); }
        }
        const idx = t;
        // .sol det shifts are the refinement on top of the geometry's per-shot shift (as written by
        // index): add this shot's shift (mean over the summed frames) before predicting
        let crystalsIn = r.crystals;
        if (crystalsIn) {
          const mean = (c: Float64Array | null): number => (c ? r.sources.reduce((a, k) => a + c[k]!, 0) / r.sources.length : 0);
          const bx = mean(sx), by = mean(sy);
          crystalsIn = crystalsIn.map((c) => ({ ...c, shiftMm: [bx + c.refinedShiftMm[0], by + c.refinedShiftMm[1]] as const }));
        }
        const p = pool.run(input, frame, crystalsIn).then((res) => {
          const ch = shotChunk(config, r.filename, r.event, idx + 1, input, res.crystals, res.reflections, o.solPath ? "file" : "serialed");
          if (res.crystals.length > 0) indexed++;
          crystals += res.crystals.length;
          results.set(idx, ch);
        }, (e: Error) => {
          failures.push(`${r.filename} ${r.event}: ${e.message}`);
          results.set(idx, shotChunk(config, r.filename, r.event, idx + 1, input, [], [], "none"));
        }).finally(() => { finished++; o.onProgress?.(finished + done.size, refs.length, indexed); flush(); });
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
        if (inflight.size >= inflightMax) await Promise.race(inflight);
      }
      await Promise.all(inflight);
      flush();
    } finally {
      closeSync(fd);
      await pool.close();
    }
    if (!cancelled) {
      renameSync(partial, o.outStream);
      if (o.outSol) {
        const tmp = `${o.outSol}.tmp-${process.pid}`;
        const sfd = openSync(tmp, "w");
        writeSync(sfd, formatSol(solLines));
        closeSync(sfd);
        renameSync(tmp, o.outSol);
      }
    }
    return { shots: refs.length, skipped: done.size, indexed, crystals, cancelled, failures };
  } finally {
    for (const f of files) f.close();
  }
}

function indexShots(files: readonly CxiFile[]): ShotRef[] {
  const out: ShotRef[] = [];
  files.forEach((f, fi) => { for (let k = 0; k < f.peaks.nShots; k++) out.push({ file: f, fileIdx: fi, shot: k, filename: f.path, event: f.event(k), sources: [k] }); });
  return out;
}

/** Sum of the frames `sources` of a file (dose-fraction aggregation), float32. */
function sumFrames(f: CxiFile, sources: readonly number[]): Frame {
  const first = f.readFrame(sources[0]!);
  if (sources.length === 1) return first;
  const px = Float32Array.from(first.pixels);
  for (const k of sources.slice(1)) {
    const fr = f.readFrame(k);
    for (let i = 0; i < px.length; i++) px[i] = px[i]! + fr.pixels[i]!;
  }
  return { pixels: px, shape: first.shape };
}

/**
 * Shots to integrate with .sol orientations: exact (file, event) matches, or — when both files have
 * shot tables — every shot of the same crystal (region, run, crystal_id) whose `frame` lies in
 * `frames`, summed into one pattern per crystal (solutions broadcast by crystal id).
 */
function solShots(o: RunIndexOptions, allFiles: readonly CxiFile[], solOnly: ReadonlyMap<string, CxiFile | null>): ShotRef[] {
  const onlySol = new Set([...solOnly.values()]);
  const files = allFiles.filter((f) => !onlySol.has(f));
  const sol = parseSol(readFileSync(o.solPath!, "utf8"), o.solPath);
  const byKey = new Map<string, ShotCrystal[]>();
  const toCrystal = (e: SolEntry): ShotCrystal => ({ A: basisToMat9(e.basis), shiftMm: e.detShiftMm, refinedShiftMm: e.detShiftMm, nMatched: 0 });
  for (const e of sol) {
    const k = solKey(e.filename, e.event);
    byKey.set(k, [...(byKey.get(k) ?? []), toCrystal(e)]);
    const kb = solKey(basename(e.filename), e.event);
    if (kb !== k) byKey.set(kb, [...(byKey.get(kb) ?? []), toCrystal(e)]);
  }
  // crystal-id broadcast: id of each sol shot from its own file's shot table
  const byCrystal = new Map<string, ShotCrystal[]>();
  const crystalKey = (f: CxiFile, k: number): string | null => {
    const cols = ["region", "run", "crystal_id"].map((c) => f.shotColumn(c));
    if (cols.some((c) => c === null)) return null;
    return cols.map((c) => c![k]).join("/");
  };
  const solFiles = new Map<string, CxiFile | null>();
  const out: ShotRef[] = [];
  files.forEach((f, fi) => {
    const frameCol = f.shotColumn("frame");
    const groups = new Map<string, number[]>();
    for (let k = 0; k < f.peaks.nShots; k++) {
      const direct = byKey.get(solKey(f.path, f.event(k))) ?? byKey.get(solKey(basename(f.path), f.event(k)));
      if (direct && !o.frames) { out.push({ file: f, fileIdx: fi, shot: k, filename: f.path, event: f.event(k), sources: [k], crystals: direct }); continue; }
      const ck = crystalKey(f, k);
      if (ck === null) continue;
      if (o.frames && frameCol) { const fr = frameCol[k]!; if (fr < o.frames[0] || fr > o.frames[1]) continue; }
      groups.set(ck, [...(groups.get(ck) ?? []), k]);
    }
    if (groups.size === 0) return;
    if (byCrystal.size === 0) {
      for (const e of sol) {
        if (!solFiles.has(e.filename)) solFiles.set(e.filename, solOnly.get(e.filename) ?? files.find((x) => x.path === e.filename) ?? files.find((x) => basename(x.path) === basename(e.filename)) ?? null);
        const sf = solFiles.get(e.filename);
        const m = /\/\/(\d+)$/.exec(e.event);
        if (!sf || !m) continue;
        const ck = crystalKey(sf, Number(m[1]));
        if (ck !== null) byCrystal.set(ck, [...(byCrystal.get(ck) ?? []), toCrystal(e)]);
      }
    }
    for (const [ck, shots] of groups) {
      const cr = byCrystal.get(ck);
      if (!cr) continue;
      out.push({ file: f, fileIdx: fi, shot: shots[0]!, filename: f.path, event: f.event(shots[0]!), sources: shots, crystals: cr });
    }
  });
  return out;
}
