/**
 * Selection queries on a table, like diffractem's `get_selection('num_peaks >= 15 and frame > 0')`
 * (pandas query syntax, subset). Hand-written tokenizer + recursive-descent parser; never eval.
 *
 * Grammar (lowest precedence first):
 *   or      := and (("or" | "|") and)*
 *   and     := not (("and" | "&") not)*
 *   not     := ("not" | "~" | "!") not | compare
 *   compare := sum ((== | != | < | <= | > | >=) sum | "in" list | "not in" list)*   (chains: a < b < c)
 *   sum     := prod (("+" | "-") prod)*
 *   prod    := unary (("*" | "/" | "%") unary)*
 *   unary   := "-" unary | atom
 *   atom    := number | 'string' | "string" | True | False | true | false | column | `column name`
 *            | "(" or ")" | list
 *   list    := "[" (or ("," or)*)? "]"        ("(a, b)" also accepted after "in")
 * Bare boolean columns (`selected`) are conditions. NaN compares false (`!=` true), as in pandas.
 * Errors are QueryError with the position and a caret line under the offending text.
 */
import type { Column, Table } from "./table.ts";

export class QueryError extends Error {
  /** 0-based character offset in the query. */
  readonly position: number;
  constructor(query: string, position: number, length: number, problem: string) {
    const caret = `${" ".repeat(position)}${"^".repeat(Math.max(1, length))}`;
    super(`query error at position ${position}: ${problem}\n  ${query}\n  ${caret}`);
    this.name = "QueryError";
    this.position = position;
  }
}

type TokKind = "num" | "str" | "ident" | "op" | "eof";
interface Token { kind: TokKind; text: string; value?: number | string; pos: number; len: number }

const OPS = ["==", "!=", "<=", ">=", "<", ">", "(", ")", "[", "]", ",", "+", "-", "*", "/", "%", "&", "|", "~", "!"];

function tokenize(q: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const ch = q[i]!;
    if (/\s/.test(ch)) { i++; continue; }
    const start = i;
    if (/[0-9]/.test(ch) || (ch === "." && /[0-9]/.test(q[i + 1] ?? ""))) {
      const m = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(q.slice(i));
      if (m) {
        i += m[0].length;
        if (/[A-Za-z_]/.test(q[i] ?? "")) throw new QueryError(q, start, i - start + 1, `invalid number '${q.slice(start, i + 1)}'`);
        out.push({ kind: "num", text: m[0], value: Number(m[0]), pos: start, len: m[0].length });
        continue;
      }
    }
    if (ch === "'" || ch === '"') {
      let s = "";
      i++;
      while (i < q.length && q[i] !== ch) {
        if (q[i] === "\\" && i + 1 < q.length) { s += q[i + 1]; i += 2; } else { s += q[i]; i++; }
      }
      if (i >= q.length) throw new QueryError(q, start, q.length - start, "unterminated string literal");
      i++;
      out.push({ kind: "str", text: q.slice(start, i), value: s, pos: start, len: i - start });
      continue;
    }
    if (ch === "`") {
      const end = q.indexOf("`", i + 1);
      if (end < 0) throw new QueryError(q, start, q.length - start, "unterminated `column name`");
      out.push({ kind: "ident", text: q.slice(start, end + 1), value: q.slice(i + 1, end), pos: start, len: end + 1 - start });
      i = end + 1;
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(q.slice(i))!;
      i += m[0].length;
      out.push({ kind: "ident", text: m[0], value: m[0], pos: start, len: m[0].length });
      continue;
    }
    const op = OPS.find((o) => q.startsWith(o, i));
    if (!op) throw new QueryError(q, i, 1, `unexpected character '${ch}'`);
    // a single "=" is a common mistake; "!" alone is a negation
    i += op.length;
    out.push({ kind: "op", text: op, pos: start, len: op.length });
  }
  out.push({ kind: "eof", text: "", pos: q.length, len: 1 });
  return out;
}

type VType = "num" | "bool" | "str" | "list";
type Val = number | boolean | string | Val[];
/** A compiled node: its static type and a per-row evaluator. */
interface Node { type: VType; pos: number; len: number; ev: (row: number) => Val; listTypes?: VType[] }

const KEYWORDS = new Set(["and", "or", "not", "in", "True", "False", "true", "false"]);

function levenshtein(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length]!;
}

class Parser {
  private k = 0;
  constructor(private readonly q: string, private readonly toks: Token[], private readonly table: Table) {}

  private peek(): Token { return this.toks[this.k]!; }
  private next(): Token { return this.toks[this.k++]!; }
  private isOp(t: Token, ...ops: string[]): boolean { return t.kind === "op" && ops.includes(t.text); }
  private isKw(t: Token, ...kws: string[]): boolean { return t.kind === "ident" && !t.text.startsWith("`") && kws.includes(t.text); }
  private fail(t: { pos: number; len: number }, msg: string): never { throw new QueryError(this.q, t.pos, t.len, msg); }

  parseAll(): Node {
    if (this.peek().kind === "eof") this.fail(this.peek(), "empty query");
    const n = this.or();
    const t = this.peek();
    if (t.kind !== "eof") {
      if (this.isOp(t, ")", "]")) this.fail(t, `unmatched '${t.text}'`);
      this.fail(t, `unexpected '${t.text}' (missing 'and'/'or' or an operator?)`);
    }
    return n;
  }

  private asBool(n: Node, what: string): (row: number) => boolean {
    if (n.type === "bool") return n.ev as (row: number) => boolean;
    return this.fail(n, `${what} needs a condition (true/false), got a ${n.type === "num" ? "number" : n.type === "str" ? "string" : "list"}`);
  }

  private or(): Node {
    let left = this.and();
    while (this.isKw(this.peek(), "or") || this.isOp(this.peek(), "|")) {
      const op = this.next();
      const right = this.and();
      const a = this.asBool(left, `'${op.text}'`), b = this.asBool(right, `'${op.text}'`);
      left = { type: "bool", pos: left.pos, len: right.pos + right.len - left.pos, ev: (r) => a(r) || b(r) };
    }
    return left;
  }

  private and(): Node {
    let left = this.not();
    while (this.isKw(this.peek(), "and") || this.isOp(this.peek(), "&")) {
      const op = this.next();
      const right = this.not();
      const a = this.asBool(left, `'${op.text}'`), b = this.asBool(right, `'${op.text}'`);
      left = { type: "bool", pos: left.pos, len: right.pos + right.len - left.pos, ev: (r) => a(r) && b(r) };
    }
    return left;
  }

  private not(): Node {
    const t = this.peek();
    if ((this.isKw(t, "not") && !this.isKw(this.toks[this.k + 1] ?? t, "in")) || this.isOp(t, "~", "!")) {
      this.next();
      const inner = this.not();
      const f = this.asBool(inner, `'${t.text}'`);
      return { type: "bool", pos: t.pos, len: inner.pos + inner.len - t.pos, ev: (r) => !f(r) };
    }
    return this.compare();
  }

  private compare(): Node {
    const first = this.sum();
    const parts: Node[] = [];
    let left = first;
    for (;;) {
      const t = this.peek();
      if (this.isOp(t, "==", "!=", "<", "<=", ">", ">=")) {
        this.next();
        const right = this.sum();
        parts.push(this.cmp(t, left, right));
        left = right;
      } else if (this.isKw(t, "in") || (this.isKw(t, "not") && this.isKw(this.toks[this.k + 1] ?? t, "in"))) {
        const negate = t.text === "not";
        this.next();
        if (negate) this.next();
        const list = this.list(true);
        parts.push(this.member(left, list, negate));
        left = list;
      } else break;
    }
    if (parts.length === 0) return first;
    const fs = parts.map((p) => p.ev as (r: number) => boolean);
    const last = parts[parts.length - 1]!;
    return { type: "bool", pos: first.pos, len: last.pos + last.len - first.pos, ev: fs.length === 1 ? fs[0]! : (r) => fs.every((f) => f(r)) };
  }

  private cmp(op: Token, a: Node, b: Node): Node {
    const span = { pos: a.pos, len: b.pos + b.len - a.pos };
    if (a.type === "list" || b.type === "list") this.fail(op, `cannot compare with a list; use 'in [...]'`);
    const numLike = (t: VType): boolean => t === "num" || t === "bool";
    if (a.type === "str" !== (b.type === "str")) {
      this.fail(span, `cannot compare a ${a.type === "str" ? "string" : "number"} with a ${b.type === "str" ? "string" : "number"}`);
    }
    const fa = a.ev, fb = b.ev;
    const num = numLike(a.type);
    const conv = (v: Val): number | string => (num ? Number(v) : (v as string));
    let f: (x: number | string, y: number | string) => boolean;
    switch (op.text) {
      case "==": f = (x, y) => x === y; break;
      case "!=": f = (x, y) => x !== y; break;
      case "<": f = (x, y) => x < y; break;
      case "<=": f = (x, y) => x <= y; break;
      case ">": f = (x, y) => x > y; break;
      default: f = (x, y) => x >= y; break;
    }
    return { type: "bool", ...span, ev: (r) => f(conv(fa(r)), conv(fb(r))) };
  }

  private member(a: Node, list: Node, negate: boolean): Node {
    if (a.type === "list") this.fail(a, "left side of 'in' must be a value, not a list");
    for (const t of list.listTypes ?? []) {
      if ((t === "str") !== (a.type === "str")) this.fail(list, `'in' list mixes ${a.type === "str" ? "a string column with numbers" : "numbers with strings"}`);
    }
    const fa = a.ev, fl = list.ev;
    const str = a.type === "str";
    return {
      type: "bool", pos: a.pos, len: list.pos + list.len - a.pos,
      ev: (r) => {
        const v = fa(r);
        const items = fl(r) as Val[];
        const hit = str ? items.includes(v) : items.some((x) => Number(x) === Number(v));
        return negate ? !hit : hit;
      },
    };
  }

  private list(afterIn: boolean): Node {
    const open = this.peek();
    const close = this.isOp(open, "[") ? "]" : afterIn && this.isOp(open, "(") ? ")" : undefined;
    if (!close) this.fail(open, `expected a list '[...]' after 'in'`);
    this.next();
    const items: Node[] = [];
    if (!this.isOp(this.peek(), close)) {
      for (;;) {
        items.push(this.or());
        if (this.isOp(this.peek(), ",")) { this.next(); if (this.isOp(this.peek(), close)) break; continue; }
        break;
      }
    }
    const end = this.peek();
    if (!this.isOp(end, close)) this.fail(end, `expected ',' or '${close}' in list`);
    this.next();
    for (const it of items) if (it.type === "list") this.fail(it, "nested lists are not supported");
    const evs = items.map((n) => n.ev);
    return { type: "list", pos: open.pos, len: end.pos + 1 - open.pos, listTypes: items.map((n) => n.type), ev: (r) => evs.map((f) => f(r)) };
  }

  private arith(op: Token, a: Node, b: Node): Node {
    for (const n of [a, b]) if (n.type === "str" || n.type === "list") this.fail(n, `'${op.text}' needs numbers, got a ${n.type === "str" ? "string" : "list"}`);
    const fa = a.ev, fb = b.ev;
    const span = { pos: a.pos, len: b.pos + b.len - a.pos };
    switch (op.text) {
      case "+": return { type: "num", ...span, ev: (r) => Number(fa(r)) + Number(fb(r)) };
      case "-": return { type: "num", ...span, ev: (r) => Number(fa(r)) - Number(fb(r)) };
      case "*": return { type: "num", ...span, ev: (r) => Number(fa(r)) * Number(fb(r)) };
      case "/": return { type: "num", ...span, ev: (r) => Number(fa(r)) / Number(fb(r)) };
      default: return { type: "num", ...span, ev: (r) => { const x = Number(fa(r)), y = Number(fb(r)); return x - y * Math.floor(x / y); } };
    }
  }

  private sum(): Node {
    let left = this.prod();
    while (this.isOp(this.peek(), "+", "-")) { const op = this.next(); left = this.arith(op, left, this.prod()); }
    return left;
  }

  private prod(): Node {
    let left = this.unary();
    while (this.isOp(this.peek(), "*", "/", "%")) { const op = this.next(); left = this.arith(op, left, this.unary()); }
    return left;
  }

  private unary(): Node {
    const t = this.peek();
    if (this.isOp(t, "-", "+")) {
      this.next();
      const inner = this.unary();
      if (inner.type !== "num" && inner.type !== "bool") this.fail(inner, `unary '${t.text}' needs a number`);
      const f = inner.ev;
      return { type: "num", pos: t.pos, len: inner.pos + inner.len - t.pos, ev: t.text === "-" ? (r) => -Number(f(r)) : (r) => Number(f(r)) };
    }
    return this.atom();
  }

  private column(t: Token): Node {
    const name = t.value as string;
    const c: Column | undefined = this.table.columns.get(name);
    if (!c) {
      const known = [...this.table.columns.keys()];
      const close = known.map((k) => [k, levenshtein(k.toLowerCase(), name.toLowerCase())] as const).filter(([, d]) => d <= Math.max(2, name.length / 3)).sort((x, y) => x[1] - y[1]).slice(0, 3).map(([k]) => k);
      const hint = close.length > 0 ? `; did you mean ${close.map((k) => `'${k}'`).join(" or ")}?` : "";
      const list = known.length > 40 ? `${known.slice(0, 40).join(", ")}, ...` : known.join(", ");
      this.fail(t, `unknown column '${name}'${hint} (columns: ${list})`);
    }
    const base = { pos: t.pos, len: t.len };
    switch (c.type) {
      case "bool": { const d = c.data; return { type: "bool", ...base, ev: (r) => d[r] === 1 }; }
      case "string": { const d = c.data; return { type: "str", ...base, ev: (r) => d[r]! }; }
      default: { const d = c.data; return { type: "num", ...base, ev: (r) => d[r]! }; }
    }
  }

  private atom(): Node {
    const t = this.next();
    const base = { pos: t.pos, len: t.len };
    switch (t.kind) {
      case "num": { const v = t.value as number; return { type: "num", ...base, ev: () => v }; }
      case "str": { const v = t.value as string; return { type: "str", ...base, ev: () => v }; }
      case "ident": {
        if (!t.text.startsWith("`")) {
          if (t.text === "True" || t.text === "true") return { type: "bool", ...base, ev: () => true };
          if (t.text === "False" || t.text === "false") return { type: "bool", ...base, ev: () => false };
          if (KEYWORDS.has(t.text)) this.fail(t, `unexpected keyword '${t.text}' (expected a value or column)`);
        }
        return this.column(t);
      }
      case "op": {
        if (t.text === "(") {
          const inner = this.or();
          const close = this.peek();
          if (!this.isOp(close, ")")) this.fail(close.kind === "eof" ? t : close, close.kind === "eof" ? "unclosed '('" : `expected ')' but found '${close.text}'`);
          this.next();
          return { ...inner, pos: t.pos, len: close.pos + 1 - t.pos };
        }
        if (t.text === "[") { this.k--; return this.list(false); }
        if (t.text === "=") this.fail(t, "use '==' for comparison");
        return this.fail(t, `unexpected '${t.text}' (expected a value or column)`);
      }
      case "eof":
        return this.fail(t, "unexpected end of query (expected a value or column)");
    }
  }
}

/** A parsed query bound to a table: evaluate per row. */
export interface CompiledQuery {
  readonly text: string;
  /** Evaluates the condition for one row. */
  test(row: number): boolean;
}

/** Parses `query` against the table's columns (unknown columns and type errors throw QueryError). */
export function compileQuery(table: Table, query: string): CompiledQuery {
  const q = query.replace(/[\r\n\t]/g, " ");
  const single = /(^|[^=!<>])=($|[^=])/.exec(q);
  if (single) {
    const pos = single.index + single[1]!.length;
    if (!inString(q, pos)) throw new QueryError(q, pos, 1, "use '==' for comparison ('=' is not an operator)");
  }
  const node = new Parser(q, tokenize(q), table).parseAll();
  if (node.type !== "bool") {
    throw new QueryError(q, node.pos, node.len, `the query must be a condition (true/false per row), but this is a ${node.type === "num" ? "number" : node.type === "str" ? "string" : "list"}`);
  }
  const ev = node.ev as (row: number) => boolean;
  return { text: query, test: ev };
}

function inString(q: string, pos: number): boolean {
  let quote: string | undefined;
  for (let i = 0; i < pos; i++) {
    const c = q[i]!;
    if (quote) { if (c === "\\") i++; else if (c === quote) quote = undefined; }
    else if (c === "'" || c === '"' || c === "`") quote = c;
  }
  return quote !== undefined;
}

/** Evaluates a query over every row: 1 where true, 0 where false. */
export function evaluateQuery(table: Table, query: string): Uint8Array {
  const cq = compileQuery(table, query);
  const out = new Uint8Array(table.length);
  for (let r = 0; r < table.length; r++) out[r] = cq.test(r) ? 1 : 0;
  return out;
}
