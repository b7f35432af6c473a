/**
 * Turns the paths a user opened (.h5/.nxs, .lst, globs, .stream, .geom) into one viewer dataset:
 * image files (read lazily) and/or a stream whose chunks are linked to shots by (file name, event).
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import type { GeometryInfo, StreamSummary } from "../../core/api/host-api.ts";
import { makeTable, type Column, type Table } from "../../core/dataset/table.ts";
import { defaultGeometry, geometryFromGeom } from "./geometry-info.ts";
import type { ImageDataset } from "./image-dataset.ts";
import { assertReadableFile, expandGlob, readListFile } from "./path-expand.ts";
import { openImageDataset } from "./open-images.ts";
import { openViewerStream, type ViewerStream } from "./stream-source.ts";

export interface LoadedDataset {
  readonly label: string;
  readonly images: ImageDataset | null;
  readonly stream: ViewerStream | null;
  readonly streamSummary: StreamSummary | null;
  /** Shot table incl. stream-derived columns (indexed_by, num_crystals). */
  readonly shots: Table;
  /** Stream chunk index per shot, −1 = none. */
  readonly chunkOfShot: Int32Array;
  readonly geometry: GeometryInfo;
  /** Every file this dataset may read (opened + referenced). */
  readonly files: readonly string[];
}

/** Link key: file base name + event number (stream "//3" ↔ dataset "entry//3"). */
export function linkKey(file: string, event: string): string {
  const n = /(\d+)\s*$/.exec(event)?.[1] ?? event;
  return `${basename(file.replace(/\\/g, "/"))}|${n}`;
}

export async function loadDataset(paths: readonly string[]): Promise<LoadedDataset> {
  if (paths.length === 0) throw new Error("nothing to open");
  const h5: string[] = [];
  const streams: string[] = [];
  let geomPath: string | null = null;
  for (const p of paths.flatMap((x) => expandGlob(x))) {
    const low = p.toLowerCase();
    if (low.endsWith(".stream")) streams.push(p);
    else if (low.endsWith(".geom")) geomPath = p;
    else if (low.endsWith(".lst")) h5.push(...readListFile(p));
    else h5.push(p);
  }
  if (streams.length > 1) throw new Error("only one .stream can be opened per dataset");
  for (const f of [...h5, ...streams, ...(geomPath ? [geomPath] : [])]) assertReadableFile(f);
  const stream = streams[0] ? await openViewerStream(streams[0]) : null;
  // A stream alone: its chunks name their image files (relative to the stream's folder or absolute).
  if (stream && h5.length === 0) {
    const names = [...new Set(stream.chunks.map((c) => c.filename))];
    for (const n of names) {
      const cands = isAbsolute(n) ? [n] : [join(dirname(stream.path), n), resolve(n)];
      const hit = cands.find((c) => existsSync(c));
      if (hit && !h5.includes(hit)) h5.push(hit);
    }
  }
  const images = h5.length > 0 ? await openImageDataset(h5) : null;
  let geometry = defaultGeometry;
  if (geomPath) geometry = geometryFromGeom(readFileSync(geomPath, "utf8"), basename(geomPath));
  else if (stream?.geometryText) geometry = geometryFromGeom(stream.geometryText, `${basename(stream.path)} (geometry block)`);

  let shots: Table;
  let chunkOfShot: Int32Array;
  if (images) {
    shots = images.shots;
    chunkOfShot = new Int32Array(shots.length).fill(-1);
    if (stream) {
      const file = shots.columns.get("file"), ev = shots.columns.get("Event");
      const index = new Map<string, number>();
      if (file?.type === "string" && ev?.type === "string") for (let i = 0; i < shots.length; i++) index.set(linkKey(file.data[i]!, ev.data[i]!), i);
      stream.chunks.forEach((c, ci) => { const i = index.get(linkKey(c.filename, c.event)); if (i !== undefined) chunkOfShot[i] = ci; });
      shots = await withStreamColumns(shots, stream, chunkOfShot);
    }
  } else if (stream) {
    const n = stream.chunks.length;
    chunkOfShot = Int32Array.from({ length: n }, (_, i) => i);
    shots = await withStreamColumns(makeTable([
      ["file", { type: "string", data: stream.chunks.map((c) => c.filename) }],
      ["Event", { type: "string", data: stream.chunks.map((c) => c.event) }],
      ["crystal_id", { type: "int", data: new Float64Array(n).fill(-1) }],
      ["frame", { type: "int", data: new Float64Array(n) }],
    ], "stream shots"), stream, chunkOfShot);
  } else throw new Error("no image file or stream among the opened paths");

  let streamSummary: StreamSummary | null = null;
  if (stream) {
    const problems = stream.chunks.flatMap((c, i) => (c.complete ? [] : [`chunk ${i} (${c.filename} ${c.event}, byte ${c.offset}): truncated, no '----- End chunk -----'`]));
    const nc = shots.columns.get("num_crystals");
    let nIdx = 0, nCr = 0;
    if (nc && nc.type !== "string" && nc.type !== "bool") for (let i = 0; i < nc.data.length; i++) { const v = nc.data[i]!; if (v > 0) { nIdx++; nCr += v; } }
    streamSummary = { path: stream.path, nChunks: stream.chunks.length, nIndexedChunks: nIdx, nCrystals: nCr, indexingMethods: stream.indexingMethods, problems };
  }
  const label = streams[0] && h5.length ? `${basename(h5[0]!)}${h5.length > 1 ? ` +${h5.length - 1}` : ""} + ${basename(streams[0])}` : basename(paths[0]!);
  return { label, images, stream, streamSummary, shots, chunkOfShot, geometry, files: [...h5, ...streams, ...(geomPath ? [geomPath] : [])] };
}

/** Streams with more chunks than this get no per-shot stream columns at open (parsing all would take long). */
const MAX_CHUNKS_FOR_COLUMNS = 50_000;

/** Adds indexed_by, num_crystals, stream_peaks columns by parsing each linked chunk once. */
async function withStreamColumns(t: Table, stream: ViewerStream, chunkOfShot: Int32Array): Promise<Table> {
  if (stream.chunks.length > MAX_CHUNKS_FOR_COLUMNS) return t;
  const n = t.length;
  const idxBy = new Array<string>(n).fill("");
  const nCr = new Float64Array(n).fill(NaN);
  const nPk = new Float64Array(n).fill(NaN);
  for (let i = 0; i < n; i++) {
    const ci = chunkOfShot[i]!;
    if (ci < 0) continue;
    try {
      const c = await stream.readChunk(ci);
      idxBy[i] = c.indexedBy;
      nCr[i] = c.crystals.length;
      nPk[i] = c.peaks.fs.length;
    } catch {
      idxBy[i] = "(unreadable)";
    }
  }
  const cols = new Map<string, Column>(t.columns);
  cols.set("indexed_by", { type: "string", data: idxBy });
  cols.set("num_crystals", { type: "int", data: nCr });
  cols.set("stream_peaks", { type: "int", data: nPk });
  return makeTable(cols, "shot table");
}
