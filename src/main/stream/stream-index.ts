/**
 * Incremental index of a CrystFEL stream on disk: scan once for chunk byte ranges (fast, no
 * parsing), then parse chunks on demand with pread, or iterate over all chunks sequentially with
 * bounded memory. Broken chunks give an Error naming the file, chunk number, byte offset and
 * line, and never stop the others from being read.
 */
import { open, type FileHandle } from "node:fs/promises";
import { BEGIN_CHUNK, parseStreamChunk, parseStreamHeader, type ParsedStreamHeader } from "../../core/formats/stream-reader.ts";
import type { ChunkLocation, StreamChunk } from "../../core/formats/stream-types.ts";
import { chunkTextInView, scanChunkBlocks, type ScanOptions } from "./chunk-scanner.ts";

export type { ScanOptions } from "./chunk-scanner.ts";

const MAX_HEADER_BYTES = 64 * 1024 * 1024;

async function readRange(fh: FileHandle, offset: number, length: number): Promise<Buffer> {
  const b = Buffer.allocUnsafe(length);
  let n = 0;
  while (n < length) {
    const r = await fh.read(b, n, length - n, offset + n);
    if (r.bytesRead === 0) break;
    n += r.bytesRead;
  }
  return n === length ? b : b.subarray(0, n);
}

/** Reads and parses the header (bytes before the first chunk). */
async function readHeader(fh: FileHandle, path: string, size: number): Promise<{ header: ParsedStreamHeader; headerBytes: number }> {
  const step = 64 * 1024;
  let len = Math.min(step, size);
  for (;;) {
    const b = await readRange(fh, 0, len);
    const at = b.indexOf(BEGIN_CHUNK);
    if (at >= 0 || len >= size || len >= MAX_HEADER_BYTES) {
      // No chunk yet: stop at the last complete line (a partly written Begin marker may follow).
      const headerBytes = at >= 0 ? at : b.lastIndexOf(10) + 1;
      return { header: parseStreamHeader(b.toString("utf8", 0, headerBytes), path), headerBytes };
    }
    len = Math.min(size, len * 4);
  }
}

/** Counts newlines in [from, to) of the file (to turn byte offsets into line numbers on error). */
class LineCounter {
  private upTo = 0;
  private lines = 0;
  constructor(private readonly fh: FileHandle) {}
  private queue: Promise<unknown> = Promise.resolve();
  /** 1-based line number of the line starting at byte `offset` (calls are serialised). */
  lineAt(offset: number): Promise<number> {
    const next = this.queue.then(() => this.count(offset));
    this.queue = next.catch(() => undefined);
    return next;
  }
  private async count(offset: number): Promise<number> {
    if (offset < this.upTo) { this.upTo = 0; this.lines = 0; }
    const block = 4 * 1024 * 1024;
    while (this.upTo < offset) {
      const len = Math.min(block, offset - this.upTo);
      const b = await readRange(this.fh, this.upTo, len);
      for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) this.lines++;
      this.upTo += b.length;
      if (b.length < len) break;
    }
    return this.lines + 1;
  }
}

/** One chunk read by the sequential iterator: the parsed chunk, or the error for a broken one. */
export type ChunkResult =
  | { readonly index: number; readonly location: ChunkLocation; readonly chunk: StreamChunk; readonly error: null }
  | { readonly index: number; readonly location: ChunkLocation; readonly chunk: null; readonly error: Error };

/** An open, indexed stream file. `chunks` are in file order (not event order). */
export class StreamFile {
  private readonly byKey = new Map<string, number[]>();
  private readonly lineCounter: LineCounter;
  private readonly locs: ChunkLocation[];
  private sizeBytes: number;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    readonly header: ParsedStreamHeader,
    /** Offset of the first chunk. */
    readonly headerBytes: number,
    size: number,
  ) {
    this.lineCounter = new LineCounter(fh);
    this.locs = [];
    this.sizeBytes = size;
  }

  /** Opens and indexes a stream (header parsed once, chunk byte ranges found by one scan). */
  static async open(path: string, opts: ScanOptions = {}): Promise<StreamFile> {
    const fh = await open(path, "r");
    try {
      const size = (await fh.stat()).size;
      if (size === 0) throw new Error(`${path}: empty file, not a CrystFEL stream`);
      const { header, headerBytes } = await readHeader(fh, path, size);
      const sf = new StreamFile(path, fh, header, headerBytes, size);
      await sf.scanFrom(headerBytes, size, opts);
      return sf;
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  /** Chunk byte ranges in file order. */
  get chunks(): readonly ChunkLocation[] {
    return this.locs;
  }

  /** Size of the file when last scanned, bytes. */
  get size(): number {
    return this.sizeBytes;
  }

  private async scanFrom(from: number, size: number, opts: ScanOptions): Promise<void> {
    for await (const batch of scanChunkBlocks(this.fh, from, size, opts)) {
      for (const { location } of batch) {
        const key = `${location.filename}\u0000${location.event}`;
        const list = this.byKey.get(key);
        if (list) list.push(this.locs.length);
        else this.byKey.set(key, [this.locs.length]);
        this.locs.push(location);
      }
    }
    this.sizeBytes = size;
  }

  /**
   * Picks up data appended since the last scan (a stream still being written): the trailing
   * incomplete chunk, if any, is rescanned. Returns the number of chunks added or completed.
   */
  async refresh(opts: ScanOptions = {}): Promise<number> {
    const size = (await this.fh.stat()).size;
    const before = this.locs.length;
    let from = this.headerBytes;
    const last = this.locs[this.locs.length - 1];
    if (last) {
      if (last.complete) from = last.offset + last.length;
      else {
        from = last.offset;
        this.locs.pop();
        const key = `${last.filename}\u0000${last.event}`;
        const list = this.byKey.get(key);
        list?.pop();
        if (list && list.length === 0) this.byKey.delete(key);
      }
    }
    const kept = this.locs.length;
    if (size > from) await this.scanFrom(from, size, opts);
    else this.sizeBytes = size;
    if (this.locs.length === kept && last && !last.complete) {
      // Nothing new: put the incomplete chunk back.
      this.locs.push(last);
      const key = `${last.filename}\u0000${last.event}`;
      this.byKey.set(key, [...(this.byKey.get(key) ?? []), kept]);
    }
    return this.locs.length - before + (last && !last.complete && this.locs.length > kept ? 1 : 0);
  }

  /** Indices (file order) of the chunks of one image/event; several if it was written twice. */
  findChunks(filename: string, event: string): readonly number[] {
    return this.byKey.get(`${filename}\u0000${event}`) ?? [];
  }

  /** Raw text of chunk `index`. */
  async readChunkText(index: number): Promise<string> {
    const loc = this.location(index);
    return (await readRange(this.fh, loc.offset, loc.length)).toString("utf8");
  }

  /** Parses chunk `index` (file order). Throws an Error naming file, chunk, byte offset and line. */
  async readChunk(index: number): Promise<StreamChunk> {
    const loc = this.location(index);
    const text = await this.readChunkText(index);
    try {
      return parseStreamChunk(text, { source: this.path, context: `chunk ${index + 1} at byte ${loc.offset}` });
    } catch {
      // Re-parse with the absolute line number (counted only when something is wrong).
      const firstLine = await this.lineCounter.lineAt(loc.offset);
      return parseStreamChunk(text, { source: this.path, firstLine, context: `chunk ${index + 1} at byte ${loc.offset}` });
    }
  }

  private location(index: number): ChunkLocation {
    const loc = this.locs[index];
    if (!loc) throw new Error(`${this.path}: no chunk ${index + 1} (the stream has ${this.locs.length})`);
    return loc;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

/** Opens and indexes a stream; shorthand for StreamFile.open. */
export function openStream(path: string, opts: ScanOptions = {}): Promise<StreamFile> {
  return StreamFile.open(path, opts);
}

/**
 * Raw chunk texts in file order, read in one sequential pass (e.g. to parse in a worker pool).
 * Memory: one block buffer plus the chunks of one block.
 */
export async function* readStreamChunkTexts(path: string, opts: ScanOptions = {}): AsyncGenerator<{ index: number; location: ChunkLocation; text: string }> {
  const fh = await open(path, "r");
  try {
    const size = (await fh.stat()).size;
    const { headerBytes } = await readHeader(fh, path, size);
    let index = 0;
    for await (const batch of scanChunkBlocks(fh, headerBytes, size, opts)) {
      // Decode everything in view first: the block buffer is reused by the next read.
      const texts = batch.map(chunkTextInView);
      for (let i = 0; i < batch.length; i++) {
        const location = batch[i]!.location;
        const text = texts[i] ?? (await readRange(fh, location.offset, location.length)).toString("utf8");
        yield { index: index++, location, text };
      }
    }
  } finally {
    await fh.close();
  }
}

/**
 * Parses every chunk in file order, one sequential pass. Broken chunks are yielded with their
 * error (file, chunk number, byte offset, line) and the iteration goes on.
 */
export async function* readStreamChunks(path: string, opts: ScanOptions = {}): AsyncGenerator<ChunkResult> {
  let counter: LineCounter | null = null;
  let fh: FileHandle | null = null;
  try {
    for await (const { index, location, text } of readStreamChunkTexts(path, opts)) {
      const context = `chunk ${index + 1} at byte ${location.offset}`;
      try {
        yield { index, location, chunk: parseStreamChunk(text, { source: path, context }), error: null };
      } catch {
        fh ??= await open(path, "r");
        counter ??= new LineCounter(fh);
        const firstLine = await counter.lineAt(location.offset);
        try {
          parseStreamChunk(text, { source: path, firstLine, context });
          yield { index, location, chunk: null, error: new Error(`${path}: ${context}: inconsistent parse`) };
        } catch (e) {
          yield { index, location, chunk: null, error: e as Error };
        }
      }
    }
  } finally {
    await fh?.close();
  }
}
