/** Reading the end of (possibly large, growing) log files without loading them whole. */
import { closeSync, existsSync, fstatSync, openSync, readSync } from "node:fs";

/** Last `maxBytes` of a file as text (empty if missing). */
export function readTail(path: string, maxBytes = 64 * 1024): string {
  if (!existsSync(path)) return "";
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    readSync(fd, buf, 0, buf.length, start);
    return buf.toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/** The last `n` non-empty lines of a file. */
export function tailLines(path: string, n = 20): string {
  const lines = readTail(path, 32 * 1024).split(/\r?\n|\r/).filter((l) => l.trim() !== "");
  return lines.slice(-n).join("\n");
}
