/**
 * CrystFEL stream reader (format 2.x), pure: works on strings. `parseStreamHeader` reads the part
 * before the first chunk; `parseStreamChunk` reads one `----- Begin chunk -----` … `----- End
 * chunk -----` block. Unknown lines are ignored; malformed content throws an Error naming the
 * source, the line number and the problem. Units as in stream-types.ts.
 */
import type { Centering, LatticeType, ReciprocalBasis, UniqueAxis } from "../geometry/cell.ts";
import type { Vec3 } from "../geometry/vec3.ts";
import type { StreamChunk, StreamCrystal, StreamHeader, StreamPeaks, StreamReflections } from "./stream-types.ts";
import { lineError, parseNumber, splitLines } from "./text-lines.ts";

/** Header plus the lines that follow the geometry/cell blocks (e.g. `Indexing methods selected: file`). */
export interface ParsedStreamHeader extends StreamHeader {
  readonly trailer: readonly string[];
}

export const BEGIN_CHUNK = "----- Begin chunk -----";
export const END_CHUNK = "----- End chunk -----";
const BEGIN_GEOM = "----- Begin geometry file -----";
const END_GEOM = "----- End geometry file -----";
const BEGIN_CELL = "----- Begin unit cell -----";
const END_CELL = "----- End unit cell -----";

/** Parses the stream header (text before the first `----- Begin chunk -----`). */
export function parseStreamHeader(text: string, source = "stream"): ParsedStreamHeader {
  const cut = text.indexOf(BEGIN_CHUNK);
  const lines = splitLines(cut >= 0 ? text.slice(0, cut) : text);
  const first = lines[0] ?? "";
  const m = /^CrystFEL stream format (\d+\.\d+)\s*$/.exec(first);
  if (!m) throw lineError(source, 1, `not a CrystFEL stream (first line '${first.slice(0, 60)}')`);
  const preamble: string[] = [];
  const trailer: string[] = [];
  let geometryText: string | null = null;
  let cellText: string | null = null;
  let i = 1;
  const block = (end: string, what: string): string => {
    const startLine = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== end; i++) body.push(lines[i]!);
    if (i >= lines.length) throw lineError(source, startLine + 1, `${what} block has no '${end}' line`);
    return body.length === 0 ? "" : body.join("\n") + "\n";
  };
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === BEGIN_GEOM) geometryText = block(END_GEOM, "geometry");
    else if (line === BEGIN_CELL) cellText = block(END_CELL, "unit cell");
    else if (geometryText === null && cellText === null) preamble.push(line);
    else trailer.push(line);
  }
  return { formatVersion: m[1]!, preamble, geometryText, cellText, trailer };
}

/** Where a chunk's text came from, for error messages. */
export interface ChunkSourceInfo {
  /** File name (or label) used in errors. */
  readonly source?: string;
  /** 1-based line number in the file of the chunk text's first line. */
  readonly firstLine?: number;
  /** Extra context appended to the location, e.g. "chunk 3 at byte 360183". */
  readonly context?: string;
}

/** Fills `out` with the whitespace-separated tokens of `line`; returns their count. */
function fields(line: string, out: string[]): number {
  let n = 0;
  const len = line.length;
  let i = 0;
  while (i < len) {
    let c = line.charCodeAt(i);
    while (c === 32 || c === 9 || c === 13) { i++; if (i >= len) return n; c = line.charCodeAt(i); }
    const s = i;
    while (i < len) { c = line.charCodeAt(i); if (c === 32 || c === 9 || c === 13) break; i++; }
    out[n++] = line.slice(s, i);
  }
  return n;
}

class Growable {
  data: Float32Array;
  n = 0;
  constructor(cap: number) { this.data = new Float32Array(cap); }
  push(v: number): void {
    if (this.n === this.data.length) { const d = new Float32Array(this.data.length * 2); d.set(this.data); this.data = d; }
    this.data[this.n++] = v;
  }
  done(): Float32Array { return this.data.slice(0, this.n); }
}
class GrowableI {
  data: Int32Array;
  n = 0;
  constructor(cap: number) { this.data = new Int32Array(cap); }
  push(v: number): void {
    if (this.n === this.data.length) { const d = new Int32Array(this.data.length * 2); d.set(this.data); this.data = d; }
    this.data[this.n++] = v;
  }
  done(): Int32Array { return this.data.slice(0, this.n); }
}

interface CrystalBuilder {
  astar: Vec3 | null; bstar: Vec3 | null; cstar: Vec3 | null;
  lattice: LatticeType; centering: Centering; uniqueAxis: UniqueAxis;
  cellParams: [number, number, number, number, number, number] | null;
  profileRadius: number | null; detShift: [number, number]; resLimit: number | null;
  extra: Map<string, string>;
  refl: StreamReflections | null;
  startLine: number;
}

const LATTICES = new Set(["triclinic", "monoclinic", "orthorhombic", "tetragonal", "rhombohedral", "hexagonal", "cubic"]);
const CENTERINGS = new Set(["P", "A", "B", "C", "I", "F", "R", "H"]);

/** Parses one chunk (from `----- Begin chunk -----` to `----- End chunk -----`). */
export function parseStreamChunk(text: string, info: ChunkSourceInfo = {}): StreamChunk {
  const source = info.source ?? "stream";
  const first = info.firstLine ?? 1;
  let filename: string | null = null;
  let event = "";
  const where = (n: number): string => {
    const ctx = [info.context, filename !== null ? `image ${filename} event ${event || "(none)"}` : null].filter((x) => x).join(", ");
    return ctx ? `${source}:${n} (${ctx})` : `${source}:${n}`;
  };
  const fail = (n: number, problem: string): Error => new Error(`${where(n)}: ${problem}`);
  const f: string[] = [];
  let serial: number | null = null;
  const fieldMap = new Map<string, string>();
  let peaks: StreamPeaks = { fs: new Float32Array(0), ss: new Float32Array(0), invDNm: new Float32Array(0), intensity: new Float32Array(0), panel: [], count: 0 };
  const crystals: StreamCrystal[] = [];
  let cr: CrystalBuilder | null = null;
  let ended = false;
  let pos = 0;
  let lineNo = first - 1;
  const len = text.length;
  const nextLine = (): string | null => {
    if (pos >= len) return null;
    let e = text.indexOf("\n", pos);
    if (e < 0) e = len;
    const line = text.slice(pos, e > pos && text.charCodeAt(e - 1) === 13 ? e - 1 : e);
    pos = e + 1;
    lineNo++;
    return line;
  };
  let spanStart = 0;
  let spanEnd = 0;
  const nums = new Float64Array(9);
  let line = nextLine();
  if (line !== null && line.trim() === BEGIN_CHUNK) line = nextLine();
  for (; line !== null; line = nextLine()) {
    if (line === END_CHUNK || line.trim() === END_CHUNK) { ended = true; break; }
    if (cr === null) {
      if (line.startsWith("Image filename:")) { filename = line.slice(15).trim(); continue; }
      if (line.startsWith("Event:")) { event = line.slice(6).trim(); continue; }
      if (line.startsWith("Image serial number:")) {
        const v = parseNumber(line.slice(20).trim());
        if (v === null || !Number.isInteger(v)) throw fail(lineNo, `bad image serial number '${line.slice(20).trim()}'`);
        serial = v;
        continue;
      }
      if (line.startsWith("Peaks from peak search")) { peaks = readPeaks(); continue; }
      if (line.startsWith("--- Begin crystal")) {
        cr = { astar: null, bstar: null, cstar: null, lattice: "triclinic", centering: "P", uniqueAxis: "?", cellParams: null, profileRadius: null, detShift: [0, 0], resLimit: null, extra: new Map(), refl: null, startLine: lineNo };
        continue;
      }
      if (line.startsWith("----- Begin chunk")) throw fail(lineNo, "new chunk begins before '----- End chunk -----' of the previous one");
      const eq = line.indexOf(" = ");
      if (eq > 0) fieldMap.set(line.slice(0, eq).trim(), line.slice(eq + 3).trim());
      continue;
    }
    // Inside a crystal block.
    if (line.startsWith("--- End crystal")) { crystals.push(finishCrystal(cr)); cr = null; continue; }
    if (line.startsWith("Reflections measured after indexing")) { cr.refl = readReflections(); continue; }
    if (line.startsWith("Cell parameters")) {
      const n = fields(line, f);
      // Cell parameters a b c nm, al be ga deg
      const v = [f[2], f[3], f[4], f[6], f[7], f[8]].map((t) => (t === undefined ? null : parseNumber(t.replace(/,$/, ""))));
      if (n < 9 || v.some((x) => x === null)) throw fail(lineNo, `malformed 'Cell parameters' line '${line}'`);
      cr.cellParams = v as [number, number, number, number, number, number];
      continue;
    }
    const eq = line.indexOf(" = ");
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 3).trim();
    switch (key) {
      case "astar": cr.astar = vec(value, key); break;
      case "bstar": cr.bstar = vec(value, key); break;
      case "cstar": cr.cstar = vec(value, key); break;
      case "lattice_type":
        if (!LATTICES.has(value)) throw fail(lineNo, `unknown lattice_type '${value}'`);
        cr.lattice = value as LatticeType; break;
      case "centering":
        if (!CENTERINGS.has(value)) throw fail(lineNo, `unknown centering '${value}'`);
        cr.centering = value as Centering; break;
      case "unique_axis":
        if (!["a", "b", "c", "?", "*"].includes(value)) throw fail(lineNo, `unknown unique_axis '${value}'`);
        cr.uniqueAxis = (value === "*" ? "?" : value) as UniqueAxis; break;
      case "profile_radius": cr.profileRadius = num(value.split(/\s+/)[0], key); break;
      case "diffraction_resolution_limit": cr.resLimit = num(value.split(/\s+/)[0], key); break;
      default:
        if (key === "predict_refine/det_shift x") {
          // "predict_refine/det_shift x = 0.000 y = 0.000 mm"
          const mm = /^(\S+)\s+y\s*=\s*(\S+)/.exec(value);
          if (!mm) throw fail(lineNo, `malformed det_shift line '${line}'`);
          cr.detShift = [num(mm[1], "det_shift x"), num(mm[2], "det_shift y")];
        } else cr.extra.set(key, value);
    }
  }
  if (!ended) {
    if (cr !== null) throw fail(lineNo, `chunk is truncated inside a crystal block (started at line ${cr.startLine}): no '--- End crystal' / '${END_CHUNK}'`);
    throw fail(lineNo, `chunk is truncated: no '${END_CHUNK}'`);
  }
  if (cr !== null) throw fail(lineNo, `crystal block started at line ${cr.startLine} has no '--- End crystal'`);
  if (filename === null) throw fail(first, "chunk has no 'Image filename:' line");
  const hitStr = fieldMap.get("hit");
  return {
    filename, event, serial,
    hit: hitStr === undefined ? null : hitStr !== "0",
    indexedBy: fieldMap.get("indexed_by") ?? "none",
    fields: fieldMap, peaks, crystals,
  };

  function num(t: string | undefined, what: string): number {
    const v = t === undefined ? null : parseNumber(t);
    if (v === null) throw fail(lineNo, `${what}: expected a number, got ${t === undefined ? "nothing" : `'${t}'`}`);
    return v;
  }
  function vec(value: string, what: string): Vec3 {
    const n = fields(value, f);
    if (n < 3) throw fail(lineNo, `${what}: expected 3 components, got '${value}'`);
    return [num(f[0], what), num(f[1], what), num(f[2], what)];
  }
  function finishCrystal(c: CrystalBuilder): StreamCrystal {
    if (!c.astar || !c.bstar || !c.cstar) throw fail(lineNo, `crystal block started at line ${c.startLine} lacks astar/bstar/cstar`);
    const basis: ReciprocalBasis = { astar: c.astar, bstar: c.bstar, cstar: c.cstar };
    const empty: StreamReflections = { h: new Int32Array(0), k: new Int32Array(0), l: new Int32Array(0), intensity: new Float32Array(0), sigma: new Float32Array(0), peak: new Float32Array(0), background: new Float32Array(0), fs: new Float32Array(0), ss: new Float32Array(0), panel: [], count: 0 };
    return {
      basis, lattice: c.lattice, centering: c.centering, uniqueAxis: c.uniqueAxis, cellParamsNmDeg: c.cellParams,
      profileRadiusInvNm: c.profileRadius, detShiftMm: c.detShift, resolutionLimitInvNm: c.resLimit, extra: c.extra,
      reflections: c.refl ?? empty,
    };
  }
  /** Next line as [start, end) positions in `text` (CR stripped), or false at the end. */
  function nextSpan(): boolean {
    if (pos >= len) return false;
    let e = text.indexOf("\n", pos);
    if (e < 0) e = len;
    spanStart = pos;
    spanEnd = e > pos && text.charCodeAt(e - 1) === 13 ? e - 1 : e;
    pos = e + 1;
    lineNo++;
    return true;
  }
  function readPeaks(): StreamPeaks {
    const start = lineNo;
    const l = nextLine();
    if (l !== null && !l.includes("fs/px")) throw fail(lineNo, `expected the peak table header ('fs/px ss/px ...'), got '${l}'`);
    const fs = new Growable(256), ss = new Growable(256), invd = new Growable(256), inten = new Growable(256);
    const panel: string[] = [];
    while (nextSpan()) {
      if (text.startsWith("End of peak list", spanStart)) {
        return { fs: fs.done(), ss: ss.done(), invDNm: invd.done(), intensity: inten.done(), panel, count: panel.length };
      }
      const at = fastNumbers(text, spanStart, spanEnd, 4, nums);
      if (at >= 0) {
        const name = restToken(text, at, spanEnd);
        if (name !== null) {
          fs.push(nums[0]!); ss.push(nums[1]!); invd.push(nums[2]!); inten.push(nums[3]!); panel.push(name);
          continue;
        }
      }
      // Slow path: blank lines, nan/inf/exponents, or a malformed line (precise error).
      const line = text.slice(spanStart, spanEnd);
      const n = fields(line, f);
      if (n === 0) continue;
      if (n < 5) throw fail(lineNo, `peak line has ${n} fields, expected 5 (fs ss 1/d intensity panel): '${line}'`);
      fs.push(num(f[0], "peak fs")); ss.push(num(f[1], "peak ss")); invd.push(num(f[2], "peak 1/d")); inten.push(num(f[3], "peak intensity"));
      panel.push(f[4]!);
    }
    throw fail(lineNo, `peak table started at line ${start} has no 'End of peak list' (chunk truncated)`);
  }
  function readReflections(): StreamReflections {
    const start = lineNo;
    const l = nextLine();
    if (l !== null && !/^\s*h\s+k\s+l/.test(l)) throw fail(lineNo, `expected the reflection table header ('h k l I sigma(I) ...'), got '${l}'`);
    const h = new GrowableI(1024), k = new GrowableI(1024), ll = new GrowableI(1024);
    const I = new Growable(1024), sig = new Growable(1024), pk = new Growable(1024), bg = new Growable(1024), fs = new Growable(1024), ss = new Growable(1024);
    const panel: string[] = [];
    while (nextSpan()) {
      if (text.startsWith("End of reflections", spanStart)) {
        return { h: h.done(), k: k.done(), l: ll.done(), intensity: I.done(), sigma: sig.done(), peak: pk.done(), background: bg.done(), fs: fs.done(), ss: ss.done(), panel, count: panel.length };
      }
      const at = fastNumbers(text, spanStart, spanEnd, 9, nums);
      if (at >= 0 && Number.isInteger(nums[0]) && Number.isInteger(nums[1]) && Number.isInteger(nums[2])) {
        const name = restToken(text, at, spanEnd);
        if (name !== null) {
          h.push(nums[0]!); k.push(nums[1]!); ll.push(nums[2]!);
          I.push(nums[3]!); sig.push(nums[4]!); pk.push(nums[5]!); bg.push(nums[6]!); fs.push(nums[7]!); ss.push(nums[8]!);
          panel.push(name);
          continue;
        }
      }
      const line = text.slice(spanStart, spanEnd);
      const n = fields(line, f);
      if (n === 0) continue;
      if (n < 10) throw fail(lineNo, `reflection line has ${n} fields, expected 10 (h k l I sigma peak background fs ss panel): '${line}'`);
      const hv = Number(f[0]), kv = Number(f[1]), lv = Number(f[2]);
      if (!Number.isInteger(hv) || !Number.isInteger(kv) || !Number.isInteger(lv)) throw fail(lineNo, `reflection indices are not integers: '${line}'`);
      h.push(hv); k.push(kv); ll.push(lv);
      I.push(num(f[3], "I")); sig.push(num(f[4], "sigma(I)")); pk.push(num(f[5], "peak")); bg.push(num(f[6], "background"));
      fs.push(num(f[7], "fs")); ss.push(num(f[8], "ss"));
      panel.push(f[9]!);
    }
    throw fail(lineNo, `reflection table started at line ${start} has no 'End of reflections' (chunk truncated)`);
  }
}

/**
 * Fast path for table rows: parses `count` plain decimal numbers (`-12`, `3.50`) from
 * text[start, end) into `out`; returns the position after the last one, or -1 when a field is
 * missing or not plain decimal (the caller then takes the slow, error-reporting path).
 */
function fastNumbers(text: string, start: number, end: number, count: number, out: Float64Array): number {
  let i = start;
  for (let k = 0; k < count; k++) {
    let c = 32;
    while (i < end && ((c = text.charCodeAt(i)) === 32 || c === 9)) i++;
    if (i >= end) return -1;
    let neg = false;
    if (c === 45) { neg = true; i++; } else if (c === 43) i++;
    let mant = 0, digits = 0, scale = 1;
    while (i < end && (c = text.charCodeAt(i)) >= 48 && c <= 57) { mant = mant * 10 + (c - 48); digits++; i++; }
    if (i < end && c === 46) {
      i++;
      while (i < end && (c = text.charCodeAt(i)) >= 48 && c <= 57) { mant = mant * 10 + (c - 48); scale *= 10; digits++; i++; }
    }
    if (digits === 0 || digits > 15) return -1;
    if (i < end && (c = text.charCodeAt(i)) !== 32 && c !== 9) return -1;
    // Exact integer mantissa / power of ten: one correctly rounded division, same as Number().
    const v = mant / scale;
    out[k] = neg ? -v : v;
  }
  return i;
}

/** The single token in text[start, end) (panel name), or null if there is none or more than one. */
function restToken(text: string, start: number, end: number): string | null {
  let i = start;
  while (i < end && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  let j = end;
  while (j > i && (text.charCodeAt(j - 1) === 32 || text.charCodeAt(j - 1) === 9)) j--;
  if (j <= i) return null;
  for (let q = i; q < j; q++) { const c = text.charCodeAt(q); if (c === 32 || c === 9) return null; }
  return text.slice(i, j);
}

/** A chunk that failed to parse: where it is and why. */
export interface ChunkError {
  /** 0-based chunk number in file order. */
  readonly index: number;
  readonly error: Error;
}

/** Parses a whole (small) stream held in memory: header, all chunks, and the errors of broken chunks. */
export function parseStream(text: string, source = "stream"): { header: ParsedStreamHeader; chunks: StreamChunk[]; errors: ChunkError[] } {
  const header = parseStreamHeader(text, source);
  const chunks: StreamChunk[] = [];
  const errors: ChunkError[] = [];
  let pos = text.indexOf(BEGIN_CHUNK);
  let lineNo = pos < 0 ? 0 : countLines(text, 0, pos) + 1;
  let index = 0;
  let bytePos = pos < 0 ? 0 : utf8Length(text, 0, pos);
  while (pos >= 0) {
    let endPos = text.indexOf(END_CHUNK, pos);
    const nextBegin = text.indexOf(BEGIN_CHUNK, pos + BEGIN_CHUNK.length);
    if (endPos < 0 || (nextBegin >= 0 && nextBegin < endPos)) endPos = nextBegin < 0 ? text.length : nextBegin;
    else endPos += END_CHUNK.length;
    const chunkText = text.slice(pos, endPos);
    try {
      chunks.push(parseStreamChunk(chunkText, { source, firstLine: lineNo, context: `chunk ${index + 1} at byte ${bytePos}` }));
    } catch (e) {
      errors.push({ index, error: e as Error });
    }
    index++;
    const next = text.indexOf(BEGIN_CHUNK, endPos);
    if (next >= 0) {
      lineNo += countLines(text, pos, next);
      bytePos += utf8Length(text, pos, next);
    }
    pos = next;
  }
  return { header, chunks, errors };
}

function countLines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf("\n", from); i >= 0 && i < to; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

/** UTF-8 byte length of text[from, to). */
function utf8Length(text: string, from: number, to: number): number {
  let n = to - from;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) n += c >= 0xd800 && c <= 0xdfff ? 1 : c >= 0x800 ? 2 : 1; // a surrogate pair is 4 bytes
  }
  return n;
}
