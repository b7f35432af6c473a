/**
 * Peak and reflection tables of a stream chunk. Rows go through a char-code fast path (plain
 * decimals); anything else (nan, inf, exponents, malformed rows) takes a slow path that parses
 * the tokens or throws an error naming the line.
 */
import type { StreamPeaks, StreamReflections } from "./stream-types.ts";
import { splitFields, type ChunkCursor } from "./chunk-cursor.ts";

class F32 {
  data: Float32Array;
  n = 0;
  constructor(cap: number) { this.data = new Float32Array(cap); }
  push(v: number): void {
    if (this.n === this.data.length) { const d = new Float32Array(this.data.length * 2); d.set(this.data); this.data = d; }
    this.data[this.n++] = v;
  }
  done(): Float32Array { return this.data.slice(0, this.n); }
}
class I32 {
  data: Int32Array;
  n = 0;
  constructor(cap: number) { this.data = new Int32Array(cap); }
  push(v: number): void {
    if (this.n === this.data.length) { const d = new Int32Array(this.data.length * 2); d.set(this.data); this.data = d; }
    this.data[this.n++] = v;
  }
  done(): Int32Array { return this.data.slice(0, this.n); }
}

const nums = new Float64Array(9);

/** Reads the rows after `Peaks from peak search` up to `End of peak list`. */
export function readPeakTable(cur: ChunkCursor): StreamPeaks {
  const start = cur.lineNo;
  const head = cur.next();
  if (head !== null && !head.includes("fs/px")) throw cur.fail(`expected the peak table header ('fs/px ss/px ...'), got '${head}'`);
  // Old streams (CrystFEL < 0.6.3) have no panel column; their panel name is "".
  const hasPanel = head === null || /panel/i.test(head);
  const fs = new F32(256), ss = new F32(256), invd = new F32(256), inten = new F32(256);
  const panel: string[] = [];
  const { text } = cur;
  while (cur.nextSpan()) {
    if (text.startsWith("End of peak list", cur.spanStart)) {
      return { fs: fs.done(), ss: ss.done(), invDNm: invd.done(), intensity: inten.done(), panel, count: panel.length };
    }
    const at = fastNumbers(text, cur.spanStart, cur.spanEnd, 4, nums);
    const name = at >= 0 ? restToken(text, at, cur.spanEnd, hasPanel) : null;
    if (name !== null) {
      fs.push(nums[0]!); ss.push(nums[1]!); invd.push(nums[2]!); inten.push(nums[3]!); panel.push(name);
      continue;
    }
    const line = text.slice(cur.spanStart, cur.spanEnd);
    const f = cur.tok;
    const n = splitFields(line, f);
    if (n === 0) continue;
    const want = hasPanel ? 5 : 4;
    if (n < want) throw cur.fail(`peak line has ${n} fields, expected ${want} (fs ss 1/d intensity${hasPanel ? " panel" : ""}): '${line}'`);
    fs.push(cur.num(f[0], "peak fs")); ss.push(cur.num(f[1], "peak ss")); invd.push(cur.num(f[2], "peak 1/d")); inten.push(cur.num(f[3], "peak intensity"));
    panel.push(hasPanel ? f[4]! : "");
  }
  throw cur.fail(`peak table started at line ${start} has no 'End of peak list' (chunk truncated)`);
}

/** Reads the rows after `Reflections measured after indexing` up to `End of reflections`. */
export function readReflectionTable(cur: ChunkCursor): StreamReflections {
  const start = cur.lineNo;
  const head = cur.next();
  if (head !== null && !/^\s*h\s+k\s+l/.test(head)) throw cur.fail(`expected the reflection table header ('h k l I sigma(I) ...'), got '${head}'`);
  const hasPanel = head === null || /panel/i.test(head);
  const h = new I32(1024), k = new I32(1024), l = new I32(1024);
  const I = new F32(1024), sig = new F32(1024), pk = new F32(1024), bg = new F32(1024), fs = new F32(1024), ss = new F32(1024);
  const panel: string[] = [];
  const { text } = cur;
  while (cur.nextSpan()) {
    if (text.startsWith("End of reflections", cur.spanStart)) {
      return { h: h.done(), k: k.done(), l: l.done(), intensity: I.done(), sigma: sig.done(), peak: pk.done(), background: bg.done(), fs: fs.done(), ss: ss.done(), panel, count: panel.length };
    }
    const at = fastNumbers(text, cur.spanStart, cur.spanEnd, 9, nums);
    const name = at >= 0 && Number.isInteger(nums[0]) && Number.isInteger(nums[1]) && Number.isInteger(nums[2]) ? restToken(text, at, cur.spanEnd, hasPanel) : null;
    if (name !== null) {
      h.push(nums[0]!); k.push(nums[1]!); l.push(nums[2]!);
      I.push(nums[3]!); sig.push(nums[4]!); pk.push(nums[5]!); bg.push(nums[6]!); fs.push(nums[7]!); ss.push(nums[8]!);
      panel.push(name);
      continue;
    }
    const line = text.slice(cur.spanStart, cur.spanEnd);
    const f = cur.tok;
    const n = splitFields(line, f);
    if (n === 0) continue;
    const want = hasPanel ? 10 : 9;
    if (n < want) throw cur.fail(`reflection line has ${n} fields, expected ${want} (h k l I sigma peak background fs ss${hasPanel ? " panel" : ""}): '${line}'`);
    const hv = Number(f[0]), kv = Number(f[1]), lv = Number(f[2]);
    if (!Number.isInteger(hv) || !Number.isInteger(kv) || !Number.isInteger(lv)) throw cur.fail(`reflection indices are not integers: '${line}'`);
    h.push(hv); k.push(kv); l.push(lv);
    I.push(cur.num(f[3], "I")); sig.push(cur.num(f[4], "sigma(I)")); pk.push(cur.num(f[5], "peak")); bg.push(cur.num(f[6], "background"));
    fs.push(cur.num(f[7], "fs")); ss.push(cur.num(f[8], "ss"));
    panel.push(hasPanel ? f[9]! : "");
  }
  throw cur.fail(`reflection table started at line ${start} has no 'End of reflections' (chunk truncated)`);
}

/** An empty reflection table (crystal written without reflections). */
export function emptyReflections(): StreamReflections {
  return { h: new Int32Array(0), k: new Int32Array(0), l: new Int32Array(0), intensity: new Float32Array(0), sigma: new Float32Array(0), peak: new Float32Array(0), background: new Float32Array(0), fs: new Float32Array(0), ss: new Float32Array(0), panel: [], count: 0 };
}

/**
 * Parses `count` plain decimal numbers (`-12`, `3.50`) from text[start, end) into `out`; returns
 * the position after the last one, or -1 when a field is missing or not plain decimal.
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
    // Exact integer mantissa / power of ten: one correctly rounded division, as Number() gives.
    const v = mant / scale;
    out[k] = neg ? -v : v;
  }
  return i;
}

/**
 * The single token in text[start, end) (panel name), or null if there is none or more than one.
 * With `want` false the rest must be blank and "" is returned.
 */
function restToken(text: string, start: number, end: number, want: boolean): string | null {
  let i = start;
  while (i < end && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  let j = end;
  while (j > i && (text.charCodeAt(j - 1) === 32 || text.charCodeAt(j - 1) === 9)) j--;
  if (!want) return j <= i ? "" : null;
  if (j <= i) return null;
  for (let q = i; q < j; q++) { const c = text.charCodeAt(q); if (c === 32 || c === 9) return null; }
  return text.slice(i, j);
}
