/**
 * The host side of the contract: one service object implementing HostApi, served unchanged by the
 * web host (src/main/web) and the Electron bridge (src/main/electron). File access is limited to
 * the paths the user opened (CLI arguments, dialog choices) and the files those reference.
 */
import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import type { ColumnKind, DatasetSummary, EventName, HostApi, HostEvents, ShotColumn } from "../../core/api/host-api.ts";
import { loadDataset, type LoadedDataset } from "./dataset-loader.ts";
import { expandGlob, readListFile } from "./path-expand.ts";
import { createExecutionMethods } from "./execution-service.ts";
import { createPipelineService } from "./pipeline-service.ts";
import { createTuningService } from "./tuning-service.ts";

export interface HostServiceOptions {
  readonly mode: "web" | "electron";
  readonly version?: string;
  /** Electron: shows an open dialog and returns the chosen paths (null = cancelled). */
  readonly pickPaths?: () => Promise<string[] | null>;
}

export type EventListener = <E extends EventName>(event: E, payload: HostEvents[E]) => void;

export interface HostService extends HostApi {
  /** Marks paths as opened by the user (CLI/dialog): only these (and what they reference) can be opened. */
  allow(paths: readonly string[]): void;
  onEvent(listener: EventListener): () => void;
  /** Wizard: opens a project host-side (demo command / CLI), e.g. the path createDemoProject returns. */
  openProject(path: string): void;
  dispose(): void;
}

const real = (p: string): string => { try { return realpathSync(p); } catch { return resolve(p); } };

export function createHostService(opts: HostServiceOptions): HostService {
  const datasets = new Map<string, { loaded: LoadedDataset; summary: DatasetSummary }>();
  const allowed = new Set<string>();
  const listeners = new Set<EventListener>();
  let next = 1;

  const emit: EventListener = (event, payload) => { for (const l of listeners) l(event, payload); };
  const get = (id: string): LoadedDataset => {
    const d = datasets.get(id);
    if (!d) throw new Error(`unknown dataset '${id}'`);
    return d.loaded;
  };
  const checkShot = (d: LoadedDataset, i: number): void => {
    if (i >= d.shots.length) throw new Error(`shot ${i} out of range (dataset has ${d.shots.length} shots)`);
  };
  const allowPath = (p: string): void => {
    allowed.add(real(p));
    // What an opened .lst names counts as opened too.
    if (p.toLowerCase().endsWith(".lst")) { try { for (const f of readListFile(p)) allowed.add(real(f)); } catch { /* reported on open */ } }
  };

  const open = async (paths: readonly string[]): Promise<DatasetSummary> => {
    for (const p of paths) {
      for (const f of expandGlob(p)) {
        if (!allowed.has(real(f))) throw new Error(`${f}: not opened by the user (browser mode can only read the files given on the command line)`);
      }
    }
    const loaded = await loadDataset(paths);
    for (const f of loaded.files) allowed.add(real(f)); // files referenced by a .lst/.stream
    const id = `ds${next++}`;
    const summary = summarise(id, loaded);
    datasets.set(id, { loaded, summary });
    return summary;
  };

  // wizard (helper "wizard"): project, step options and jobs; new projects take the first dataset's files
  const pipeline = createPipelineService({ emit: (e, p) => emit(e, p), sessionFiles: () => [...datasets.values()][0]?.summary.files ?? [] });

  // live tuning: frame and mask caches, analysis in its own worker thread
  const tuning = createTuningService((datasetId, shotIndex) => service.readFrame({ datasetId, shotIndex }));

  const service: HostService = {
    ...pipeline.methods,
    ...createExecutionMethods({ pipelineState: () => pipeline.methods.pipelineState({}) }),
    ...tuning.methods,
    openProject(path) { pipeline.openProject(path); },
    allow(paths) { for (const p of paths) for (const f of expandGlob(p)) allowPath(f); },
    onEvent(l) { listeners.add(l); return () => listeners.delete(l); },
    dispose() { pipeline.dispose(); void tuning.dispose(); for (const d of datasets.values()) { d.loaded.images?.close(); void d.loaded.stream?.close(); } datasets.clear(); },

    async getSession() {
      return { mode: opts.mode, version: opts.version ?? "0.1.0", datasets: [...datasets.values()].map((d) => d.summary) };
    },
    openDataset({ paths }) { return open(paths); },
    async pickAndOpen() {
      if (!opts.pickPaths) throw new Error("file dialogs are only available in the desktop app; pass paths to `serialed serve`");
      const p = await opts.pickPaths();
      if (!p || p.length === 0) return null;
      service.allow(p);
      const s = await open(p);
      emit("datasetOpened", { summary: s });
      return s;
    },
    async closeDataset({ datasetId }) {
      const d = get(datasetId);
      d.images?.close(); await d.stream?.close();
      datasets.delete(datasetId);
    },
    async getShots({ datasetId, columns }) {
      const d = get(datasetId);
      const out: Record<string, ShotColumn> = {};
      for (const name of columns ?? [...d.shots.columns.keys()]) {
        const c = d.shots.columns.get(name);
        if (!c) throw new Error(`dataset ${datasetId} has no column '${name}'`);
        out[name] = c.type === "string" ? { type: "string", data: c.data } : c.type === "bool" ? { type: "bool", data: c.data } : { type: c.type, data: c.data };
      }
      return { nShots: d.shots.length, columns: out };
    },
    async query({ datasetId, expr }) {
      const d = get(datasetId);
      if (!d.images) return { ok: false, message: "queries need image files with a shot table", position: 0 };
      try {
        const mask = d.images.query(expr);
        let count = 0;
        for (let i = 0; i < mask.length; i++) count += mask[i]! ? 1 : 0;
        return { ok: true, mask, count };
      } catch (e) {
        const pos = (e as { position?: unknown }).position;
        return { ok: false, message: e instanceof Error ? e.message : String(e), position: typeof pos === "number" && pos >= 0 ? Math.floor(pos) : 0 };
      }
    },
    async readFrame({ datasetId, shotIndex }) {
      const d = get(datasetId);
      checkShot(d, shotIndex);
      if (!d.images?.stackLabel) throw new Error(`dataset ${datasetId} has no image data`);
      const raw = d.images.readFrame(shotIndex);
      const ok = raw.data instanceof Float32Array || raw.data instanceof Uint16Array || raw.data instanceof Int32Array || raw.data instanceof Uint32Array || raw.data instanceof Int16Array || raw.data instanceof Uint8Array || raw.data instanceof Float64Array;
      return { shotIndex, shape: [raw.shape[0], raw.shape[1]], dtype: raw.dtype, pixels: ok ? (raw.data as Float32Array) : Float32Array.from(raw.data) };
    },
    async getPeaks({ datasetId, shotIndex }) {
      const d = get(datasetId);
      checkShot(d, shotIndex);
      const cxi = d.images?.readPeaks(shotIndex);
      if (cxi) return { shotIndex, source: "cxi", count: cxi.fs.length, ...cxi };
      const ci = d.chunkOfShot[shotIndex] ?? -1;
      if (d.stream && ci >= 0) {
        try {
          const c = await d.stream.readChunk(ci);
          return { shotIndex, source: "stream", count: c.peaks.fs.length, ...c.peaks };
        } catch { /* malformed chunk: reported by getStreamChunk */ }
      }
      return { shotIndex, source: "none", count: 0, fs: new Float32Array(0), ss: new Float32Array(0), intensity: new Float32Array(0) };
    },
    async getStreamChunk({ datasetId, shotIndex }) {
      const d = get(datasetId);
      checkShot(d, shotIndex);
      const ci = d.chunkOfShot[shotIndex] ?? -1;
      if (!d.stream || ci < 0) return null;
      const ref = d.stream.chunks[ci]!;
      try {
        const c = await d.stream.readChunk(ci);
        return { shotIndex, chunkIndex: ci, filename: c.filename, event: c.event, indexedBy: c.indexedBy, hit: c.hit, nPeaks: c.peaks.fs.length, crystals: c.crystals, error: null };
      } catch (e) {
        return { shotIndex, chunkIndex: ci, filename: ref.filename, event: ref.event, indexedBy: "", hit: null, nPeaks: 0, crystals: [], error: e instanceof Error ? e.message : String(e) };
      }
    },
    async getMapImage({ datasetId, fileIndex }) {
      const d = get(datasetId);
      const m = d.images?.mapImage(fileIndex);
      if (!m) return null;
      const f = d.images!.features;
      const ids: number[] = [], xs: number[] = [], ys: number[] = [];
      const cid = f?.columns.get("crystal_id"), cx = f?.columns.get("crystal_x"), cy = f?.columns.get("crystal_y");
      if (f && cid && cx && cy && cid.type !== "string" && cx.type !== "string" && cy.type !== "string") {
        for (let i = 0; i < f.length; i++) { ids.push(Number(cid.data[i])); xs.push(Number(cx.data[i])); ys.push(Number(cy.data[i])); }
      }
      return { fileIndex, shape: [m.shape[0], m.shape[1]], data: m.data, pixelSizeUm: m.pixelSizeUm, crystals: { id: Float64Array.from(ids), x: Float64Array.from(xs), y: Float64Array.from(ys) } };
    },
  };
  return service;
}

function summarise(id: string, d: LoadedDataset): DatasetSummary {
  const cid = d.shots.columns.get("crystal_id");
  const crystals = new Set<number>();
  if (cid && cid.type !== "string" && cid.type !== "bool") for (let i = 0; i < cid.data.length; i++) if (cid.data[i]! >= 0) crystals.add(cid.data[i]!);
  const map = d.images ? d.images.mapImage(0) : null;
  return {
    datasetId: id,
    label: d.label,
    files: d.images?.files ?? [],
    nShots: d.shots.length,
    columns: [...d.shots.columns].map(([name, c]) => ({ name, type: c.type as ColumnKind })),
    frameShape: d.images?.frameShape ? [d.images.frameShape[0], d.images.frameShape[1]] : null,
    stackLabel: d.images?.stackLabel ?? null,
    hasCxiPeaks: d.images?.hasCxiPeaks ?? false,
    map: map ? { shape: [map.shape[0], map.shape[1]], pixelSizeUm: map.pixelSizeUm } : null,
    nCrystals: crystals.size,
    geometry: d.geometry,
    stream: d.streamSummary,
  };
}
