/**
 * Line cursor over one stream chunk's text, shared by the chunk parsers: hands out lines (or
 * line spans, to parse table rows without copying), tracks the line number, and builds errors
 * naming the source, line, chunk context and image/event.
 */
import type { Vec3 } from "../geometry/vec3.ts";
import { parseNumber } from "./text-lines.ts";

export class ChunkCursor {
  private pos = 0;
  private readonly len: number;
  /** 1-based line number (in the file) of the last line handed out. */
  lineNo: number;
  /** Last span handed out by nextSpan(): text[spanStart, spanEnd), CR stripped. */
  spanStart = 0;
  spanEnd = 0;
  /** Image and event once known, for error messages. */
  filename: string | null = null;
  event = "";
  /** Token scratch array for fields(). */
  readonly tok: string[] = [];

  constructor(readonly text: string, private readonly source: string, firstLine: number, private readonly context: string | undefined) {
    this.len = text.length;
    this.lineNo = firstLine - 1;
  }

  /** Next line without its newline (and CR), or null at the end. */
  next(): string | null {
    return this.nextSpan() ? this.text.slice(this.spanStart, this.spanEnd) : null;
  }

  /** Advances to the next line, exposing it as [spanStart, spanEnd); false at the end. */
  nextSpan(): boolean {
    const { text, pos } = this;
    if (pos >= this.len) return false;
    let e = text.indexOf("\n", pos);
    if (e < 0) e = this.len;
    this.spanStart = pos;
    this.spanEnd = e > pos && text.charCodeAt(e - 1) === 13 ? e - 1 : e;
    this.pos = e + 1;
    this.lineNo++;
    return true;
  }

  /** Error for the current line (or line `n`). */
  fail(problem: string, n = this.lineNo): Error {
    const ctx = [this.context, this.filename !== null ? `image ${this.filename} event ${this.event || "(none)"}` : null].filter((x) => x).join(", ");
    return new Error(`${ctx ? `${this.source}:${n} (${ctx})` : `${this.source}:${n}`}: ${problem}`);
  }

  /** Number token or an error naming `what`. */
  num(t: string | undefined, what: string): number {
    const v = t === undefined ? null : parseNumber(t);
    if (v === null) throw this.fail(`${what}: expected a number, got ${t === undefined ? "nothing" : `'${t}'`}`);
    return v;
  }

  /** "x y z [unit]" → vector, or an error naming `what`. */
  vec(value: string, what: string): Vec3 {
    const f = this.tok;
    const n = splitFields(value, f);
    if (n < 3) throw this.fail(`${what}: expected 3 components, got '${value}'`);
    return [this.num(f[0], what), this.num(f[1], what), this.num(f[2], what)];
  }
}

/** Fills `out` with the whitespace-separated tokens of `line`; returns their count. */
export function splitFields(line: string, out: string[]): number {
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
