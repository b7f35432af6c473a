import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Dataset, FileContentForDataset, SourceFile } from "./dataset.ts";
import { datasetFromFiles, ensureKeyColumns, KEY_COLUMNS } from "./dataset.ts";
import { makeTable } from "./table.ts";
import type { Table } from "./table.ts";
import { columnValues, getSelection, select } from "./selection.ts";
import { aggregate, longestCommonSubsequence } from "./aggregate.ts";
import { parseListFile, selectionFromList } from "./list-file.ts";
import { concatTables } from "./table-ops.ts";

function file(path: string, nShots: number, region: number): SourceFile {
  return { path, subset: "entry", nShots, sample: { name: "lyso", regionId: region, runId: 1 }, instrument: new Map() };
}

/** A raw movie file: one auxiliary shot, then `nCrystals` crystals × `frames` frames. */
function movieFile(path: string, region: number, nCrystals: number, frames: number): FileContentForDataset {
  const crystal: number[] = [-1], frame: number[] = [-1], peaks: number[] = [0];
  for (let c = 0; c < nCrystals; c++) for (let f = 0; f < frames; f++) { crystal.push(c); frame.push(f); peaks.push(10 * c + f); }
  const n = crystal.length;
  const shots = makeTable([
    ["shot", { type: "int", data: Float64Array.from({ length: n }, (_, i) => i) }],
    ["crystal_id", { type: "int", data: Float64Array.from(crystal) }],
    ["frame", { type: "int", data: Float64Array.from(frame) }],
    ["num_peaks", { type: "int", data: Float64Array.from(peaks) }],
    ["pos_x", { type: "float", data: Float64Array.from(crystal, (c) => c * 10 + 0.5) }],
  ]);
  const features = makeTable([
    ["crystal_id", { type: "int", data: Float64Array.from({ length: nCrystals }, (_, i) => i) }],
    ["crystal_x", { type: "float", data: Float64Array.from({ length: nCrystals }, (_, i) => i * 10 + 0.5) }],
  ]);
  return {
    file: file(path, n, region), shots, features, diffStackLabel: "raw_counts",
    stacks: [
      { label: "raw_counts", shotShape: [4, 5], dtype: "<u2", compression: "lz4" },
      { label: "nPeaks", shotShape: [], dtype: "<i8", compression: "none" },
    ],
  };
}

function col(t: Table, name: string): (number | boolean | string)[] {
  const c = t.columns.get(name);
  assert.ok(c, `column ${name}`);
  return columnValues(c);
}

function sourcesOf(ds: Dataset, label: string, shot: number): [number, number][] {
  const s = ds.stacks.get(label)!.sources;
  const out: [number, number][] = [];
  for (let k = s.start[shot]!; k < s.start[shot + 1]!; k++) out.push([s.file[k]!, s.row[k]!]);
  return out;
}

describe("ensureKeyColumns", () => {
  it("synthesises a shot table when a file has none", () => {
    const t = ensureKeyColumns(undefined, 3, { path: "a/sim.h5", subset: "entry", nShots: 3, instrument: new Map() });
    for (const k of KEY_COLUMNS) assert.ok(t.columns.has(k), k);
    assert.deepEqual(col(t, "Event"), ["entry//0", "entry//1", "entry//2"]);
    assert.deepEqual(col(t, "shot_in_subset"), [0, 1, 2]);
    assert.deepEqual(col(t, "frame"), [0, 0, 0]);
    assert.deepEqual(col(t, "selected"), [true, true, true]);
    assert.deepEqual(col(t, "file"), ["a/sim.h5", "a/sim.h5", "a/sim.h5"]);
  });

  it("renames shot, overwrites file/subset and takes sample metadata", () => {
    const c = movieFile("r1.h5", 7, 2, 2);
    const t = ensureKeyColumns(makeTable([...c.shots!.columns, ["file", { type: "string", data: Array(5).fill("old.h5") }]]), 5, c.file);
    assert.ok(!t.columns.has("shot"));
    assert.deepEqual(col(t, "shot_in_subset"), [0, 1, 2, 3, 4]);
    assert.deepEqual(col(t, "file"), Array(5).fill("r1.h5"));
    assert.deepEqual(col(t, "region"), Array(5).fill(7));
    assert.deepEqual(col(t, "sample"), Array(5).fill("lyso"));
  });
});

describe("datasetFromFiles", () => {
  it("concatenates files with stacks mapping every shot to its file row", () => {
    const { dataset: ds } = datasetFromFiles([movieFile("r1.h5", 1, 2, 3), movieFile("r2.h5", 2, 1, 3)]);
    assert.equal(ds.shots.length, 7 + 4);
    assert.deepEqual(sourcesOf(ds, "raw_counts", 8), [[1, 1]]);
    assert.deepEqual(col(ds.shots, "region").slice(6, 8), [1, 2]);
    assert.equal(ds.features.length, 3);
    assert.equal(ds.diffStackLabel, "raw_counts");
  });

  it("drops stacks missing from some files and rejects duplicate files", () => {
    const a = movieFile("r1.h5", 1, 1, 2), b = movieFile("r2.h5", 2, 1, 2);
    const { dataset, droppedStacks } = datasetFromFiles([a, { ...b, stacks: b.stacks.slice(0, 1) }]);
    assert.deepEqual([...dataset.stacks.keys()], ["raw_counts"]);
    assert.deepEqual(droppedStacks, ["nPeaks"]);
    assert.throws(() => datasetFromFiles([a, a]), /r1\.h5.*given twice/);
  });

  it("fills columns missing in one file with NaN / empty", () => {
    const t = concatTables([
      makeTable([["a", { type: "int", data: Float64Array.of(1) }], ["s", { type: "string", data: ["x"] }]]),
      makeTable([["b", { type: "bool", data: Uint8Array.of(1) }]]),
    ]);
    assert.deepEqual(columnValues(t.columns.get("a")!), [1, Number.NaN]);
    assert.equal(t.columns.get("a")!.type, "float");
    assert.deepEqual(columnValues(t.columns.get("s")!), ["x", ""]);
    assert.deepEqual(columnValues(t.columns.get("b")!), [false, true]);
  });
});

describe("select / getSelection", () => {
  const { dataset: ds } = datasetFromFiles([movieFile("data/r1.h5", 1, 2, 3), movieFile("data/r2.nxs", 2, 2, 3)]);

  it("select sets the selected column only", () => {
    const s = select(ds, "frame >= 1");
    assert.deepEqual(col(s.shots, "selected"), [false, false, true, true, false, true, true, false, false, true, true, false, true, true]);
    assert.equal(s.stacks, ds.stacks);
  });

  it("getSelection slices tables and stacks, renames files and resets ids", () => {
    const s = getSelection(ds, "num_peaks >= 10 and frame > 0");
    assert.equal(s.shots.length, 4);
    assert.deepEqual(col(s.shots, "file"), ["data/r1_sel.h5", "data/r1_sel.h5", "data/r2_sel.h5", "data/r2_sel.h5"]);
    assert.deepEqual(col(s.shots, "file_raw"), ["data/r1.h5", "data/r1.h5", "data/r2.nxs", "data/r2.nxs"]);
    assert.deepEqual(col(s.shots, "Event"), ["entry//0", "entry//1", "entry//0", "entry//1"]);
    assert.deepEqual(col(s.shots, "Event_raw"), ["entry//5", "entry//6", "entry//5", "entry//6"]);
    assert.deepEqual(col(s.shots, "shot_in_subset"), [0, 1, 0, 1]);
    assert.deepEqual(sourcesOf(s, "raw_counts", 2), [[1, 5]]);
    assert.deepEqual(sourcesOf(s, "nPeaks", 1), [[0, 6]]);
    assert.equal(s.features.length, 2, "only crystal 1 of each region");
    // original untouched
    assert.equal(ds.shots.length, 14);
    assert.deepEqual(col(ds.shots, "Event").slice(0, 2), ["entry//0", "entry//1"]);
  });

  it("without a query uses the selected column", () => {
    const s = getSelection(select(ds, "crystal_id == 0"), undefined, { fileSuffix: "_c0.h5", resetId: false });
    assert.equal(s.shots.length, 6);
    assert.deepEqual(col(s.shots, "Event").slice(0, 3), ["entry//1", "entry//2", "entry//3"]);
    assert.equal(col(s.shots, "file")[0], "data/r1_c0.h5");
  });
});

describe("aggregate", () => {
  const { dataset: ds } = datasetFromFiles([movieFile("data/r1.h5", 1, 2, 5), movieFile("data/r2.h5", 2, 1, 5)]);

  it("sums frames 1-4 per crystal, dropping auxiliary shots, keeping constant columns", () => {
    const a = aggregate(ds, { query: "frame >= 1 and frame <= 4" });
    assert.equal(a.shots.length, 3);
    assert.deepEqual(col(a.shots, "agg_len"), [4, 4, 4]);
    assert.deepEqual(col(a.shots, "crystal_id"), [0, 1, 0]);
    assert.deepEqual(col(a.shots, "region"), [1, 1, 2]);
    assert.deepEqual(col(a.shots, "pos_x"), [0.5, 10.5, 0.5], "constant per crystal: kept");
    assert.ok(!a.shots.columns.has("num_peaks"), "varies within crystal: dropped");
    assert.deepEqual(col(a.shots, "Event"), ["entry//0", "entry//1", "entry//0"]);
    assert.deepEqual(col(a.shots, "Event_raw"), ["entry//2", "entry//7", "entry//2"]);
    assert.deepEqual(col(a.shots, "file"), ["data/r1_agg.h5", "data/r1_agg.h5", "data/r2_agg.h5"]);
    for (const k of KEY_COLUMNS) assert.ok(a.shots.columns.has(k), `key column ${k}`);
    const raw = a.stacks.get("raw_counts")!;
    assert.equal(raw.how, "sum");
    assert.deepEqual(sourcesOf(a, "raw_counts", 1), [[0, 7], [0, 8], [0, 9], [0, 10]]);
    assert.deepEqual(sourcesOf(a, "raw_counts", 2), [[1, 2], [1, 3], [1, 4], [1, 5]]);
    assert.equal(a.features.length, 3);
  });

  it("supports per-stack how and re-aggregation of sums", () => {
    const a = aggregate(ds, { query: "frame >= 0", how: { raw_counts: "mean" } });
    assert.equal(a.stacks.get("raw_counts")!.how, "mean");
    assert.equal(a.stacks.get("nPeaks")!.how, "first");
    assert.deepEqual(sourcesOf(a, "nPeaks", 0), [[0, 1]]);
    const last = aggregate(ds, { query: "frame >= 0", how: "last" });
    assert.deepEqual(sourcesOf(last, "raw_counts", 0), [[0, 5]]);
    const s = aggregate(ds, { query: "frame >= 0", by: ["sample", "region", "run", "crystal_id"] });
    const twice = aggregate(s, { by: ["sample"] });
    assert.equal(twice.shots.length, 1);
    assert.equal(sourcesOf(twice, "raw_counts", 0).length, 15);
    assert.throws(() => aggregate(s, { by: ["sample"], how: "mean" }), /already aggregated with 'sum'/);
    assert.throws(() => aggregate(ds, { by: ["nope"] }), /unknown grouping column 'nope'/);
  });

  it("names groups spanning files by their common subsequence", () => {
    assert.equal(longestCommonSubsequence("data/r1_a.h5", "data/r1_b.h5"), "data/r1_.h5");
    const a = aggregate(ds, { query: "frame >= 0", by: ["sample", "crystal_id"] });
    assert.deepEqual(col(a.shots, "file_raw"), ["data/r.h5", "data/r1.h5"]);
  });
});

describe("list files", () => {
  it("parses files with and without events and selects listed events", () => {
    const entries = parseListFile("a.h5 entry//1\r\nb.h5 //2\n\n# comment\nc\\d.h5\n", "x.lst");
    assert.deepEqual(entries, [{ file: "a.h5", event: "entry//1" }, { file: "b.h5", event: "//2" }, { file: "c/d.h5" }]);
    const { dataset: ds } = datasetFromFiles([movieFile("a.h5", 1, 1, 2), movieFile("b.h5", 1, 1, 2), movieFile("c/d.h5", 1, 1, 2)]);
    assert.deepEqual(Array.from(selectionFromList(ds.shots, entries, (f) => f)), [0, 1, 0, 0, 0, 1, 1, 1, 1]);
    assert.throws(() => parseListFile("a.h5 entry/1", "bad.lst"), /bad\.lst:1: malformed event 'entry\/1'/);
    assert.throws(() => parseListFile("ok.h5\na b c", "bad.lst"), /bad\.lst:2:/);
  });
});

describe("mergeMeta", () => {
  it("copies a per-file instrument scalar into a shot column", async () => {
    const { mergeMeta } = await import("./merge-meta.ts");
    const a = movieFile("r1.h5", 1, 1, 2), b = movieFile("r2.h5", 2, 1, 2);
    const withMeta = (c: FileContentForDataset, v: number): FileContentForDataset => ({ ...c, file: { ...c.file, instrument: new Map([["detector/collection/shutter_time", v]]) } });
    const { dataset } = datasetFromFiles([withMeta(a, 0.05), withMeta(b, 0.1)]);
    const m = mergeMeta(dataset, "%/instrument/detector/collection/shutter_time");
    assert.deepEqual(col(m.shots, "shutter_time"), [0.05, 0.05, 0.05, 0.1, 0.1, 0.1]);
    const sel = getSelection(dataset, "frame >= 0");
    assert.deepEqual(col(mergeMeta(sel, "detector/collection/shutter_time", "t").shots, "t"), [0.05, 0.05, 0.1, 0.1], "matched through file_raw");
    assert.throws(() => mergeMeta(dataset, "nope/x"), /no file has instrument metadata 'nope\/x'/);
  });
});

describe("getRandomSubset", () => {
  it("picks n distinct matching shots deterministically from the seed", async () => {
    const { getRandomSubset } = await import("./selection.ts");
    const { dataset } = datasetFromFiles([movieFile("r1.h5", 1, 10, 5)]);
    const a = getRandomSubset(dataset, 7, 42, "frame >= 0");
    const b = getRandomSubset(dataset, 7, 42, "frame >= 0");
    const c = getRandomSubset(dataset, 7, 43, "frame >= 0");
    assert.equal(a.shots.length, 7);
    assert.deepEqual(col(a.shots, "Event_raw"), col(b.shots, "Event_raw"));
    assert.notDeepEqual(col(a.shots, "Event_raw"), col(c.shots, "Event_raw"));
    assert.ok(col(a.shots, "frame").every((f) => (f as number) >= 0));
    assert.equal(new Set(col(a.shots, "Event_raw")).size, 7);
    assert.equal(getRandomSubset(dataset, 100, 1, "frame == 0").shots.length, 10);
  });
});
