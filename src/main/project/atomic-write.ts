/** Crash-safe file writes: write `<path>.tmp-<pid>-<n>` in the same folder, fsync, rename over. */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";

let counter = 0;

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}-${counter++}`;
  try {
    const fd = openSync(tmp, "w");
    try {
      const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new Error(`cannot write ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}
