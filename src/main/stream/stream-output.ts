/**
 * Writing stream files: an appending writer (header once, then chunks as they are produced) that
 * writes to a temporary file in the same folder and renames it on close, and sub-streams (header
 * plus selected chunks copied byte for byte, like diffractem's make_substream / chop_stream).
 */
import { open, rename, rm, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { StreamChunk } from "../../core/formats/stream-types.ts";
import { formatStreamChunk, formatStreamHeader, type StreamHeaderInput } from "../../core/formats/stream-writer.ts";
import { StreamFile } from "./stream-index.ts";

function tempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
}

/** Appending stream writer; nothing appears at `path` until close() succeeds. */
export class StreamOutput {
  private closed = false;
  private chunksWritten = 0;

  private constructor(readonly path: string, private readonly tmp: string, private readonly fh: FileHandle) {}

  /** Creates the temporary file and writes the header. */
  static async create(path: string, header: StreamHeaderInput): Promise<StreamOutput> {
    const tmp = tempPath(path);
    const fh = await open(tmp, "wx");
    const out = new StreamOutput(path, tmp, fh);
    try {
      await fh.write(formatStreamHeader(header));
    } catch (e) {
      await out.abort();
      throw new Error(`${path}: cannot write stream header: ${(e as Error).message}`, { cause: e });
    }
    return out;
  }

  /** Appends one chunk (CrystFEL 2.3 text). */
  async append(chunk: StreamChunk): Promise<void> {
    await this.appendText(formatStreamChunk(chunk));
  }

  /** Appends chunk text already formatted (e.g. by a worker) or copied from another stream. */
  async appendText(chunkText: string): Promise<void> {
    if (this.closed) throw new Error(`${this.path}: stream already closed`);
    await this.fh.write(chunkText);
    this.chunksWritten++;
  }

  get count(): number {
    return this.chunksWritten;
  }

  /** Flushes, closes and renames the temporary file to `path`. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.sync();
    await this.fh.close();
    await rename(this.tmp, this.path);
  }

  /** Discards everything written (the target file is left untouched). */
  async abort(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      await this.fh.close().catch(() => undefined);
    }
    await rm(this.tmp, { force: true });
  }
}

/**
 * Writes a sub-stream of `source`: its header bytes, then the chunks whose index `keep` accepts,
 * copied verbatim. Returns the number of chunks written. Incomplete chunks are never copied.
 */
export async function writeSubstream(source: string, target: string, keep: (index: number, filename: string, event: string) => boolean): Promise<number> {
  const sf = await StreamFile.open(source);
  const tmp = tempPath(target);
  let out: FileHandle | null = null;
  try {
    out = await open(tmp, "wx");
    const headerText = await readBytes(sf, 0, sf.headerBytes);
    await out.write(headerText);
    let n = 0;
    for (let i = 0; i < sf.chunks.length; i++) {
      const loc = sf.chunks[i]!;
      if (!loc.complete || !keep(i, loc.filename, loc.event)) continue;
      await out.write(await sf.readChunkText(i));
      n++;
    }
    await out.sync();
    await out.close();
    out = null;
    await rename(tmp, target);
    return n;
  } catch (e) {
    await out?.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw e;
  } finally {
    await sf.close();
  }
}

async function readBytes(sf: StreamFile, offset: number, length: number): Promise<Buffer> {
  const fh = await open(sf.path, "r");
  try {
    const b = Buffer.alloc(length);
    await fh.read(b, 0, length, offset);
    return b;
  } finally {
    await fh.close();
  }
}
