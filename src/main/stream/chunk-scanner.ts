/**
 * Byte-level scan of a CrystFEL stream for chunk boundaries: large sequential reads into one
 * reused Buffer, Buffer.indexOf for the `… chunk -----` markers, and the `Image filename:` /
 * `Event:` lines read just after each `----- Begin chunk -----`. No text decoding of chunk bodies.
 */
import type { FileHandle } from "node:fs/promises";
import type { ChunkLocation } from "../../core/formats/stream-types.ts";

const PAT = Buffer.from(" chunk -----");
const BEGIN_PREFIX = Buffer.from("----- Begin");
const END_PREFIX = Buffer.from("----- End");
/** Bytes after a Begin marker that must be in the buffer to read the filename and event lines. */
const HEAD_WINDOW = 8192;
const NL = 10;

export const DEFAULT_BLOCK_BYTES = 8 * 1024 * 1024;

/** A found chunk; `view`/`viewBase` give access to its bytes while the block buffer is valid. */
export interface ScannedChunk {
  readonly location: ChunkLocation;
  /** The current block's bytes and the file offset of view[0]; the chunk is in view iff offset ≥ viewBase. */
  readonly view: Buffer;
  readonly viewBase: number;
}

export interface ScanOptions {
  readonly blockBytes?: number;
  /** Called after each block with the bytes scanned so far (absolute offset) and the total. */
  readonly onProgress?: (doneBytes: number, totalBytes: number) => void;
  readonly signal?: AbortSignal;
}

function startsWithAt(view: Buffer, at: number, prefix: Buffer): boolean {
  if (at < 0 || at + prefix.length > view.length) return false;
  for (let j = 0; j < prefix.length; j++) if (view[at + j] !== prefix[j]) return false;
  return true;
}

function readHeadLines(view: Buffer, from: number): { filename: string; event: string } {
  let filename = "";
  let event = "";
  let p = from;
  for (let n = 0; n < 6 && p < view.length; n++) {
    let e = view.indexOf(NL, p);
    if (e < 0) e = view.length;
    let lineEnd = e;
    if (lineEnd > p && view[lineEnd - 1] === 13) lineEnd--;
    const line = view.toString("utf8", p, lineEnd);
    if (line.startsWith("Image filename:")) filename = line.slice(15).trim();
    else if (line.startsWith("Event:")) { event = line.slice(6).trim(); break; }
    else if (n > 0 && line.startsWith("Image serial number")) break;
    p = e + 1;
  }
  return { filename, event };
}

/**
 * Scans bytes [from, size) of an open stream and yields, after each block read, the chunks that
 * were found in it, in file order. The views in a batch stay valid until the next iteration. A
 * chunk without `----- End chunk -----` (cut file, or followed directly by another Begin) has
 * complete = false. `from` must be at a line start outside any chunk.
 */
export async function* scanChunkBlocks(fh: FileHandle, from: number, size: number, opts: ScanOptions = {}): AsyncGenerator<ScannedChunk[]> {
  const blockBytes = Math.max(opts.blockBytes ?? DEFAULT_BLOCK_BYTES, 2 * HEAD_WINDOW);
  const buf = Buffer.allocUnsafe(blockBytes);
  let readPos = from;
  let inChunk = false;
  let chunkStart = 0;
  let filename = "";
  let event = "";
  let batch: ScannedChunk[] = [];
  let view = buf.subarray(0, 0);
  let base = from;
  const emit = (end: number, complete: boolean): void => {
    batch.push({ location: { offset: chunkStart, length: end - chunkStart, filename, event, complete }, view, viewBase: base });
  };
  while (readPos < size) {
    if (opts.signal?.aborted) throw new Error("stream indexing cancelled");
    const want = Math.min(blockBytes, size - readPos);
    let n = 0;
    while (n < want) {
      const r = await fh.read(buf, n, want - n, readPos + n);
      if (r.bytesRead === 0) break;
      n += r.bytesRead;
    }
    if (n === 0) break;
    base = readPos;
    view = buf.subarray(0, n);
    const isLast = base + n >= size;
    let p = 0;
    let resume: number;
    for (;;) {
      const i = view.indexOf(PAT, p);
      if (i < 0) { resume = isLast ? n : Math.max(p, n - PAT.length - BEGIN_PREFIX.length); break; }
      const after = i + PAT.length;
      if (startsWithAt(view, i - BEGIN_PREFIX.length, BEGIN_PREFIX)) {
        const markerStart = i - BEGIN_PREFIX.length;
        if (!isLast && after + HEAD_WINDOW > n && markerStart > 0) { resume = markerStart; break; }
        if (inChunk) emit(base + markerStart, false);
        inChunk = true;
        chunkStart = base + markerStart;
        ({ filename, event } = readHeadLines(view, view[after] === 13 ? after + 2 : after + 1));
        p = after;
      } else if (startsWithAt(view, i - END_PREFIX.length, END_PREFIX)) {
        const markerStart = i - END_PREFIX.length;
        if (!isLast && after + 2 > n) { resume = markerStart; break; }
        let end = after;
        if (view[end] === 13) end++;
        if (view[end] === NL) end++;
        if (inChunk) emit(base + end, true);
        inChunk = false;
        p = end;
      } else {
        p = i + 1;
      }
    }
    readPos = base + Math.max(resume, 1);
    if (isLast && inChunk) { emit(size, false); inChunk = false; }
    opts.onProgress?.(Math.min(readPos, size), size);
    if (batch.length > 0) {
      const out = batch;
      batch = [];
      yield out;
    }
  }
  if (inChunk) {
    emit(size, false);
    yield batch;
  }
}

/** Text of a scanned chunk if its bytes are in the current view, else null (read it with pread). */
export function chunkTextInView(c: ScannedChunk): string | null {
  const start = c.location.offset - c.viewBase;
  if (start < 0) return null;
  return c.view.toString("utf8", start, start + c.location.length);
}
