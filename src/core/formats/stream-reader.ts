/**
 * CrystFEL stream reader (format 2.x), pure: works on strings. `parseStreamHeader` reads the part
 * before the first chunk; `parseStreamChunk` reads one `----- Begin chunk -----` … `----- End
 * chunk -----` block. Unknown lines are ignored; malformed content throws an Error naming the
 * source, the line number and the problem. Units as in stream-types.ts.
 */
import type { StreamChunk, StreamCrystal, StreamHeader, StreamPeaks } from "./stream-types.ts";
import { ChunkCursor } from "./chunk-cursor.ts";
import { readCrystal } from "./stream-crystal.ts";
import { readPeakTable } from "./stream-tables.ts";
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

/** Parses one chunk (from `----- Begin chunk -----` to `----- End chunk -----`). */
export function parseStreamChunk(text: string, info: ChunkSourceInfo = {}): StreamChunk {
  const first = info.firstLine ?? 1;
  const cur = new ChunkCursor(text, info.source ?? "stream", first, info.context);
  let serial: number | null = null;
  const fields = new Map<string, string>();
  let peaks: StreamPeaks | null = null;
  const crystals: StreamCrystal[] = [];
  let line = cur.next();
  if (line !== null && line.trim() === BEGIN_CHUNK) line = cur.next();
  for (; line !== null; line = cur.next()) {
    if (line === END_CHUNK || line.trim() === END_CHUNK) {
      if (cur.filename === null) throw cur.fail("chunk has no 'Image filename:' line", first);
      const hit = fields.get("hit");
      return {
        filename: cur.filename, event: cur.event, serial, hit: hit === undefined ? null : hit !== "0",
        indexedBy: fields.get("indexed_by") ?? "none", fields, peaks: peaks ?? emptyPeaks(), crystals,
      };
    }
    if (line.startsWith("Image filename:")) cur.filename = line.slice(15).trim();
    else if (line.startsWith("Event:")) cur.event = line.slice(6).trim();
    else if (line.startsWith("Image serial number:")) {
      const v = parseNumber(line.slice(20).trim());
      if (v === null || !Number.isInteger(v)) throw cur.fail(`bad image serial number '${line.slice(20).trim()}'`);
      serial = v;
    } else if (line.startsWith("Peaks from peak search")) peaks = readPeakTable(cur);
    else if (line.startsWith("--- Begin crystal")) crystals.push(readCrystal(cur));
    else if (line.startsWith("----- Begin chunk")) throw cur.fail("new chunk begins before '----- End chunk -----' of the previous one");
    else {
      const eq = line.indexOf(" = ");
      if (eq > 0) fields.set(line.slice(0, eq).trim(), line.slice(eq + 3).trim());
    }
  }
  throw cur.fail(`chunk is truncated: no '${END_CHUNK}'`);
}

function emptyPeaks(): StreamPeaks {
  return { fs: new Float32Array(0), ss: new Float32Array(0), invDNm: new Float32Array(0), intensity: new Float32Array(0), panel: [], count: 0 };
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
