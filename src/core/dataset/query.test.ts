import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { evaluateQuery, QueryError } from "./query.ts";
import { makeTable } from "./table.ts";

const t = makeTable([
  ["num_peaks", { type: "int", data: Float64Array.of(3, 15, 20, 0, 40, 15) }],
  ["frame", { type: "int", data: Float64Array.of(-1, 0, 1, 2, 3, 4) }],
  ["center_x", { type: "float", data: Float64Array.of(770.5, Number.NaN, 780, 781.25, 790, 100) }],
  ["sample", { type: "string", data: ["lyso", "lyso", "prot K", "lyso", "x'y", "prot K"] }],
  ["selected", { type: "bool", data: Uint8Array.of(1, 1, 0, 1, 0, 1) }],
  ["adf 1", { type: "float", data: Float64Array.of(1, 2, 3, 4, 5, 6) }],
]);

const q = (s: string): number[] => Array.from(evaluateQuery(t, s));

function expectQueryError(s: string, position: number, re: RegExp): void {
  assert.throws(() => evaluateQuery(t, s), (e: unknown) => {
    assert.ok(e instanceof QueryError, `QueryError for ${s}`);
    assert.equal(e.position, position, `position for ${s}: ${e.message}`);
    assert.match(e.message, re);
    const lines = e.message.split("\n");
    assert.equal(lines[1], `  ${s}`);
    assert.equal(lines[2]!.indexOf("^"), position + 2, "caret under the offending character");
    return true;
  });
}

describe("evaluateQuery", () => {
  it("evaluates comparisons joined by and/or like diffractem's get_selection", () => {
    assert.deepEqual(q("num_peaks >= 15 and frame > 0"), [0, 0, 1, 0, 1, 1]);
    assert.deepEqual(q("num_peaks < 5 or frame == 3"), [1, 0, 0, 1, 1, 0]);
    assert.deepEqual(q("num_peaks != 15"), [1, 0, 1, 1, 1, 0]);
    assert.deepEqual(q("frame <= 0"), [1, 1, 0, 0, 0, 0]);
  });

  it("supports not, ~, &, | and parentheses with and binding tighter than or", () => {
    assert.deepEqual(q("frame == -1 or frame == 1 and num_peaks > 100"), [1, 0, 0, 0, 0, 0]);
    assert.deepEqual(q("(frame == -1 or frame == 1) and num_peaks > 10"), [0, 0, 1, 0, 0, 0]);
    assert.deepEqual(q("not frame > 0"), [1, 1, 0, 0, 0, 0]);
    assert.deepEqual(q("~(frame > 0) | (num_peaks == 40)"), [1, 1, 0, 0, 1, 0]);
    assert.deepEqual(q("(frame > 0) & (num_peaks == 15)"), [0, 0, 0, 0, 0, 1]);
  });

  it("handles in / not in lists, string literals in both quote styles and escaped quotes", () => {
    assert.deepEqual(q("frame in [0, 2, 4]"), [0, 1, 0, 1, 0, 1]);
    assert.deepEqual(q("frame not in (0, 2, 4)"), [1, 0, 1, 0, 1, 0]);
    assert.deepEqual(q("sample == 'prot K'"), [0, 0, 1, 0, 0, 1]);
    assert.deepEqual(q('sample != "lyso"'), [0, 0, 1, 0, 1, 1]);
    assert.deepEqual(q("sample in ['lyso', 'x\\'y']"), [1, 1, 0, 1, 1, 0]);
  });

  it("treats bare boolean columns and True/False literals as conditions", () => {
    assert.deepEqual(q("selected"), [1, 1, 0, 1, 0, 1]);
    assert.deepEqual(q("selected and frame >= 0"), [0, 1, 0, 1, 0, 1]);
    assert.deepEqual(q("selected == False"), [0, 0, 1, 0, 1, 0]);
    assert.deepEqual(q("True"), [1, 1, 1, 1, 1, 1]);
    assert.deepEqual(q("false"), [0, 0, 0, 0, 0, 0]);
  });

  it("does arithmetic with usual precedence, chained comparisons and backtick column names", () => {
    assert.deepEqual(q("num_peaks - 2 * frame > 10"), [0, 1, 1, 0, 1, 0]);
    assert.deepEqual(q("(num_peaks + 5) / 5 == 4"), [0, 1, 0, 0, 0, 1]);
    assert.deepEqual(q("0 < frame <= 2"), [0, 0, 1, 1, 0, 0]);
    assert.deepEqual(q("`adf 1` >= 4.5e0"), [0, 0, 0, 0, 1, 1]);
    assert.deepEqual(q("frame % 2 == 0"), [0, 1, 0, 1, 0, 1]);
    assert.deepEqual(q("-frame > -1"), [1, 1, 0, 0, 0, 0]);
  });

  it("compares NaN as false (and != as true), like pandas", () => {
    assert.deepEqual(q("center_x > 0"), [1, 0, 1, 1, 1, 1]);
    assert.deepEqual(q("center_x != 780"), [1, 1, 0, 1, 1, 1]);
  });

  it("reports unknown columns with a suggestion and a caret at the column", () => {
    expectQueryError("num_peaks >= 15 and fram > 0", 20, /unknown column 'fram'; did you mean 'frame'/);
    expectQueryError("nPeaks > 3", 0, /unknown column 'nPeaks'.*columns: num_peaks, frame/);
  });

  it("points at syntax errors", () => {
    expectQueryError("frame = 1", 6, /use '=='/);
    expectQueryError("frame > ", 8, /unexpected end of query/);
    expectQueryError("(frame > 1", 0, /unclosed '\('/);
    expectQueryError("frame > 1)", 9, /unmatched '\)'/);
    expectQueryError("frame > 1 frame", 10, /unexpected 'frame'/);
    expectQueryError("sample == 'lyso", 10, /unterminated string/);
    expectQueryError("frame $ 2", 6, /unexpected character '\$'/);
    expectQueryError("frame in 3", 9, /expected a list/);
    expectQueryError("", 0, /empty query/);
    expectQueryError("frame > 1 and and", 14, /unexpected keyword 'and'/);
    expectQueryError("12ab > 3", 0, /invalid number/);
  });

  it("points at type errors", () => {
    expectQueryError("sample > 3", 0, /cannot compare a string with a number/);
    expectQueryError("num_peaks + 1", 0, /must be a condition.*number/);
    expectQueryError("frame and selected", 0, /'and' needs a condition/);
    expectQueryError("sample + 1 > 0", 0, /'\+' needs numbers/);
    expectQueryError("sample in [1, 2]", 10, /'in' list mixes/);
  });

  it("never evaluates JavaScript", () => {
    expectQueryError("process.exit(1)", 7, /unexpected character '\.'|unknown column/);
    assert.throws(() => evaluateQuery(t, "constructor"), /unknown column 'constructor'/);
  });
});
