/**
 * Line access and number parsing shared by the CrystFEL text-format readers. Errors name the
 * file (or a caller-chosen label), the 1-based line number and the problem.
 */

/** Splits text into lines (LF or CRLF); a trailing newline does not create an extra empty line. */
export function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.endsWith("\r")) lines[i] = l.slice(0, -1);
  }
  return lines;
}

/** Error for line `lineNo` (1-based) of `source`. */
export function lineError(source: string, lineNo: number, problem: string): Error {
  return new Error(`${source}:${lineNo}: ${problem}`);
}

/** Whitespace-separated tokens of a line. */
export function tokens(line: string): string[] {
  const t = line.trim();
  return t === "" ? [] : t.split(/\s+/);
}

const SPECIAL: Record<string, number> = { nan: NaN, "-nan": NaN, "+nan": NaN, inf: Infinity, "+inf": Infinity, "-inf": -Infinity };

/** Parses a C-style floating-point token (also `nan`, `-nan`, `inf`); null when it is not a number. */
export function parseNumber(tok: string): number | null {
  if (tok === "") return null;
  const v = Number(tok);
  if (!Number.isNaN(v)) return v;
  const s = SPECIAL[tok.toLowerCase()];
  return s === undefined ? null : s;
}

/** Parses a float token or throws a line error naming the field. */
export function needNumber(tok: string | undefined, source: string, lineNo: number, what: string): number {
  const v = tok === undefined ? null : parseNumber(tok);
  if (v === null) throw lineError(source, lineNo, `${what}: expected a number, got ${tok === undefined ? "nothing" : `'${tok}'`}`);
  return v;
}

/** Parses an integer token or throws a line error naming the field. */
export function needInt(tok: string | undefined, source: string, lineNo: number, what: string): number {
  const v = tok === undefined ? NaN : Number(tok);
  if (tok === undefined || tok === "" || !Number.isInteger(v)) {
    throw lineError(source, lineNo, `${what}: expected an integer, got ${tok === undefined ? "nothing" : `'${tok}'`}`);
  }
  return v;
}

/** Splits `key = value` (first '='), trimming both sides; null when the line has no '='. */
export function keyValue(line: string): [key: string, value: string] | null {
  const eq = line.indexOf("=");
  if (eq < 0) return null;
  return [line.slice(0, eq).trim(), line.slice(eq + 1).trim()];
}
