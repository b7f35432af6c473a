/**
 * PRIVATE STAND-IN used only until helper "formats"' src/main/stream/stream-index.ts and
 * src/core/formats/stream-reader.ts land: indexes chunk byte offsets of a CrystFEL stream in
 * large blocks (bounded memory) and parses one chunk on demand, just enough for the viewer.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import type { CrystalInfo } from "../../core/api/host-api.ts";

export interface ChunkRef { offset: number; length: number; filename: string; event: string; complete: boolean }

export interface ParsedChunk {
  filename: string; event: string; indexedBy: string; hit: boolean | null;
  fields: Map<string, string>;
  peaks: { fs: Float32Array; ss: Float32Array; intensity: Float32Array };
  crystals: CrystalInfo[];
}

export interface StreamFile {
  path: string;
  header: string;
  geometryText: string | null;
  indexingMethods: string;
  chunks: ChunkRef[];
  readChunk(i: number): ParsedChunk;
  close(): void;
}

const BEGIN = Buffer.from("----- Begin chunk -----");
const END = Buffer.from("----- End chunk -----");

export function openStandinStream(path: string): StreamFile {
  const fd = openSync(path, "r");
  const size = fstatSync(fd).size;
  const block = Buffer.alloc(8 << 20);
  const starts: number[] = [];
  const ends: number[] = [];
  let pos = 0;
  let header = "";
  while (pos < size) {
    const n = readSync(fd, block, 0, block.length, pos);
    if (n <= 0) break;
    const view = block.subarray(0, n);
    for (const [pat, out] of [[BEGIN, starts], [END, ends]] as const) {
      let k = view.indexOf(pat);
      while (k >= 0) { if (out[out.length - 1] !== pos + k) out.push(pos + k); k = view.indexOf(pat, k + 1); }
    }
    if (pos === 0) header = view.subarray(0, starts[0] ?? Math.min(n, 1 << 20)).toString("utf8");
    if (n < block.length) break;
    pos += n - BEGIN.length; // overlap so a marker across the block edge is found
  }
  const chunks: ChunkRef[] = [];
  let e = 0;
  for (let i = 0; i < starts.length; i++) {
    const s = starts[i]!;
    const next = starts[i + 1] ?? size;
    while (e < ends.length && ends[e]! < s) e++;
    const end = ends[e];
    const complete = end !== undefined && end < next;
    const length = complete ? end + END.length - s : next - s;
    const headBuf = Buffer.alloc(Math.min(512, length));
    readSync(fd, headBuf, 0, headBuf.length, s);
    const head = headBuf.toString("utf8");
    chunks.push({ offset: s, length, complete, filename: /Image filename: (.*)/.exec(head)?.[1]?.trim() ?? "", event: /Event: (.*)/.exec(head)?.[1]?.trim() ?? "" });
  }
  const geometryText = /----- Begin geometry file -----\n([\s\S]*?)----- End geometry file -----/.exec(header)?.[1] ?? null;
  const indexingMethods = /Indexing methods selected: (.*)/.exec(header)?.[1]?.trim() ?? "";
  return {
    path, header, geometryText, indexingMethods, chunks,
    readChunk(i) {
      const c = chunks[i];
      if (!c) throw new Error(`${path}: no chunk ${i}`);
      const buf = Buffer.alloc(c.length);
      readSync(fd, buf, 0, c.length, c.offset);
      return parseChunk(buf.toString("utf8"), `${path}: chunk ${i} (byte ${c.offset})`, c.complete);
    },
    close() { closeSync(fd); },
  };
}

const nums = (s: string, what: string, n: number): number[] => {
  const v = s.trim().split(/\s+/).slice(0, n).map(Number);
  if (v.length < n || v.some((x) => !Number.isFinite(x))) throw new Error(`${what}: cannot read numbers from '${s.trim()}'`);
  return v;
};

export function parseChunk(text: string, what: string, complete: boolean): ParsedChunk {
  const lines = text.split("\n");
  const fields = new Map<string, string>();
  const pfs: number[] = [], pss: number[] = [], pI: number[] = [];
  const crystals: CrystalInfo[] = [];
  let mode: "head" | "peaks" | "crystal" | "refl" = "head";
  let cr: Record<string, string> = {};
  let rfs: number[] = [], rss: number[] = [], rI: number[] = [];
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li]!;
    const at = `${what}, line ${li + 1}`;
    if (mode === "peaks") {
      if (line.startsWith("End of peak list")) { mode = "head"; continue; }
      if (/^\s*fs\/px/.test(line)) continue;
      const v = nums(line, at, 4);
      pfs.push(v[0]! - 0.5); pss.push(v[1]! - 0.5); pI.push(v[3]!);
      continue;
    }
    if (mode === "refl") {
      if (line.startsWith("End of reflections")) { mode = "crystal"; continue; }
      if (/^\s*h\s+k\s+l/.test(line)) continue;
      const v = nums(line, at, 9);
      rI.push(v[3]!); rfs.push(v[7]! - 0.5); rss.push(v[8]! - 0.5);
      continue;
    }
    if (line.startsWith("Peaks from peak search")) { mode = "peaks"; continue; }
    if (line.startsWith("--- Begin crystal")) { mode = "crystal"; cr = {}; rfs = []; rss = []; rI = []; continue; }
    if (mode === "crystal") {
      if (line.startsWith("Reflections measured after indexing")) { mode = "refl"; continue; }
      if (line.startsWith("Cell parameters")) { cr["cell"] = line.slice(15); continue; }
      if (line.startsWith("--- End crystal")) {
        const vec = (k: string): [number, number, number] => { const v = nums((cr[k] ?? "").replace("nm^-1", ""), `${at}: ${k}`, 3); return [v[0]!, v[1]!, v[2]!]; };
        const cp = (cr["cell"] ?? "").replace(/nm,|deg/g, " ");
        const c = nums(cp, `${at}: Cell parameters`, 6);
        const res = /([\d.]+) nm\^-1/.exec(cr["diffraction_resolution_limit"] ?? "");
        const shift = /x = ([-\d.]+) y = ([-\d.]+)/.exec(cr["predict_refine/det_shift"] ?? "");
        crystals.push({
          astar: vec("astar"), bstar: vec("bstar"), cstar: vec("cstar"),
          cell: [c[0]! * 10, c[1]! * 10, c[2]! * 10, c[3]!, c[4]!, c[5]!],
          lattice: cr["lattice_type"] ?? "?", centering: cr["centering"] ?? "?", uniqueAxis: cr["unique_axis"] ?? "?",
          resolutionLimitAngstrom: res ? 10 / Number(res[1]) : null,
          profileRadiusInvNm: cr["profile_radius"] ? Number.parseFloat(cr["profile_radius"]) : null,
          detShiftMm: shift ? [Number(shift[1]), Number(shift[2])] : [0, 0],
          nReflections: rfs.length,
          predicted: { fs: Float32Array.from(rfs), ss: Float32Array.from(rss), intensity: Float32Array.from(rI) },
        });
        mode = "head";
        continue;
      }
      const m = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
      if (m) cr[m[1]!] = m[2]!;
      else if (/^predict_refine\/det_shift/.test(line)) cr["predict_refine/det_shift"] = line;
      continue;
    }
    const kv = /^([^=:]+?)\s*(?:=|:)\s*(.*)$/.exec(line);
    if (kv) fields.set(kv[1]!, kv[2]!);
  }
  if (mode !== "head" || !complete) throw new Error(`${what}: chunk is truncated (ends inside ${mode === "refl" ? "a reflection list" : mode === "peaks" ? "the peak list" : mode === "crystal" ? "a crystal block" : "the chunk"})`);
  const hit = fields.get("hit");
  return {
    filename: fields.get("Image filename") ?? "", event: fields.get("Event") ?? "", indexedBy: fields.get("indexed_by") ?? "",
    hit: hit === undefined ? null : hit.trim() === "1", fields,
    peaks: { fs: Float32Array.from(pfs), ss: Float32Array.from(pss), intensity: Float32Array.from(pI) }, crystals,
  };
}
