/**
 * Assembling the outputs of array tasks, in task order, into one file (temp + rename):
 * "stream" = CrystFEL streams: the header (up to the first `----- Begin chunk -----`) of the first
 * part that has one, then the chunks of every part; "lines" = text files (e.g. .lst) concatenated
 * with a newline guaranteed between parts; "concat" = raw bytes. Bounded memory (block copies).
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, renameSync, rmSync, writeSync } from "node:fs";

const BEGIN = Buffer.from("----- Begin chunk -----");
const BLOCK = 4 * 1024 * 1024;

function copyRange(src: number, dst: number, start: number, end: number, buf: Buffer): void {
  let pos = start;
  while (pos < end) {
    const n = readSync(src, buf, 0, Math.min(buf.length, end - pos), pos);
    if (n <= 0) break;
    let off = 0;
    while (off < n) off += writeSync(dst, buf, off, n - off);
    pos += n;
  }
}

/** Byte offset of the first chunk marker at a line start, or -1. */
function firstChunkOffset(fd: number, size: number, buf: Buffer): number {
  let pos = 0;
  while (pos < size) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, size - pos), pos);
    if (n <= 0) break;
    let i = buf.subarray(0, n).indexOf(BEGIN);
    while (i >= 0 && !(pos + i === 0 || buf[i - 1] === 0x0a)) i = buf.subarray(0, n).indexOf(BEGIN, i + 1);
    if (i >= 0) return pos + i;
    if (pos + n >= size) break;
    pos += n - BEGIN.length; // overlap (incl. the byte before) so a marker across blocks is found
  }
  return -1;
}

export function collectParts(parts: readonly string[], output: string, kind: "stream" | "lines" | "concat"): { bytes: number; parts: number } {
  for (const p of parts) if (!existsSync(p)) throw new Error(`missing part ${p} (its task did not write an output)`);
  const tmp = `${output}.tmp-${process.pid}`;
  const out = openSync(tmp, "w");
  const buf = Buffer.alloc(BLOCK);
  let headerWritten = false;
  try {
    for (const p of parts) {
      const fd = openSync(p, "r");
      try {
        const size = fstatSync(fd).size;
        if (kind === "stream") {
          const off = firstChunkOffset(fd, size, buf);
          if (!headerWritten) {
            copyRange(fd, out, 0, off < 0 ? size : off, buf);
            headerWritten = true;
          }
          if (off >= 0) copyRange(fd, out, off, size, buf);
        } else {
          copyRange(fd, out, 0, size, buf);
          if (kind === "lines" && size > 0) {
            const last = Buffer.alloc(1);
            readSync(fd, last, 0, 1, size - 1);
            if (last[0] !== 0x0a) writeSync(out, "\n");
          }
        }
      } finally {
        closeSync(fd);
      }
    }
    const bytes = fstatSync(out).size;
    closeSync(out);
    renameSync(tmp, output);
    return { bytes, parts: parts.length };
  } catch (e) {
    try { closeSync(out); } catch { /* already closed */ }
    rmSync(tmp, { force: true });
    throw e;
  }
}
