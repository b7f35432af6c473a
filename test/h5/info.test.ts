import { describe, it, before, after } from "node:test";
import { rmSync } from "node:fs";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { makeFixtures } from "./fixture-frames.ts";
import type { DatasetInfo } from "../../src/main/cli/commands/info.ts";
import { datasetInfo, formatInfo } from "../../src/main/cli/commands/info.ts";
import { openDataset } from "../../src/main/dataset/open-dataset.ts";
import { datasetFromFiles } from "../../src/core/dataset/dataset.ts";

const emptyLike = datasetFromFiles([{ file: { path: "x.h5", subset: "entry", nShots: 2, instrument: new Map() }, shots: undefined, features: undefined, stacks: [], diffStackLabel: undefined }]).dataset;

const bin = join(dirname(fileURLToPath(import.meta.url)), "../../bin/serialed.mjs");
const serialed = (...args: string[]): { code: number | null; out: string; err: string } => {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe("serialed info", () => {
  let dir = "";
  before(() => { dir = makeFixtures(); });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  it("prints files, shots, crystals, frames, stacks and columns of a .lst dataset", () => {
    writeFileSync(join(dir, "all.lst"), "lz4.h5\ngzip.h5 entry//2\ngzip.h5 entry//3\n");
    const r = serialed("info", join(dir, "all.lst"), "--json", "--query", "frame >= 1");
    assert.equal(r.code, 0, r.err);
    const info = JSON.parse(r.out) as DatasetInfo;
    assert.deepEqual(info.files.map((f) => [f.path, f.shots, f.region]), [[join(dir, "lz4.h5"), 6, 1], [join(dir, "gzip.h5"), 6, 3]]);
    assert.equal(info.shots, 12);
    assert.equal(info.selected, 6 + 2);
    assert.equal(info.matching, 8);
    assert.equal(info.crystals, 2);
    assert.equal(info.auxiliaryShots, 2);
    assert.deepEqual(info.frames, [-1, 0, 1, 2, 3, 4].map((frame) => ({ frame, shots: 2 })));
    assert.deepEqual(info.shotsPerCrystal, [{ shots: 5, crystals: 2 }]);
    const raw = info.stacks.find((s) => s.label === "raw_counts")!;
    assert.deepEqual(raw, { label: "raw_counts", shape: [12, 40, 56], dtype: "<u2", compression: "lz4", how: "first" });
    assert.ok(info.columns.some((c) => c.name === "det_shift.x/mm" && c.type === "float"));

  });

  it("formats the text summary", async () => {
    const od = await openDataset([join(dir, "lz4.h5")]);
    const text = formatInfo(datasetInfo(od.dataset, od.droppedStacks));
    od.close();
    assert.match(text, /Shots: 6 \(selected 5; auxiliary\/frame -1: 1\)/);
    assert.match(text, /Crystals: 1 \(shots per crystal: 5 × 1\)/);
    assert.match(text, /raw_counts +\(6, 40, 56\) +<u2 +lz4/);
    assert.match(text, /Frames: -1: 1, 0: 1, 1: 1, 2: 1, 3: 1, 4: 1/);
  });

  it("exits 1 with a one-line error for bad input, and shows help", () => {
    const bad = serialed("info", join(dir, "bad_stack_axis0.h5"));
    assert.equal(bad.code, 1);
    assert.match(bad.err, /^serialed info: .*bad_stack_axis0\.h5:\/entry\/data\/raw_counts: axis 0 has 5 entries/);
    assert.ok(bad.err.length < 500);
    assert.throws(() => datasetInfo({ ...emptyLike }, [], "frame >> 1"), /query error at position 7/);
    const help = serialed("info", "--help");
    assert.equal(help.code, 0);
    assert.match(help.out, /Usage: serialed info PATH/);
  });
});
