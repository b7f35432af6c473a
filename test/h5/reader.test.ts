import { describe, it, before, after } from "node:test";
import { rmSync } from "node:fs";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { openDataset, wasOpened } from "../../src/main/dataset/open-dataset.ts";
import { openNexusFile } from "../../src/main/h5/reader.ts";
import { stacksToShots } from "../../src/main/dataset/stacks-to-shots.ts";
import { columnValues, getSelection } from "../../src/core/dataset/selection.ts";
import { aggregate } from "../../src/core/dataset/aggregate.ts";
import { expectedFrame, makeFixtures } from "./fixture-frames.ts";

const SIM_ED = "/work/shared/fixtures/crystfel/sim_ed.h5";

function col(t: { columns: ReadonlyMap<string, Parameters<typeof columnValues>[0]> }, name: string): unknown[] {
  const c = t.columns.get(name);
  assert.ok(c, `column ${name}`);
  return columnValues(c);
}

describe("openDataset on h5py + hdf5plugin files", () => {
  let dir = "";
  before(() => { dir = makeFixtures(); });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  for (const [name, compression] of [["lz4.h5", "lz4"], ["bslz4.h5", "bitshuffle-lz4"], ["gzip.h5", "gzip"], ["plain.h5", "none"]] as const) {
    it(`reads ${name} (${compression}) frame by frame equal to the source arrays`, async () => {
      const od = await openDataset([join(dir, name)]);
      try {
        const raw = od.dataset.stacks.get("raw_counts");
        assert.ok(raw, "raw_counts found through the soft link");
        assert.equal(raw.compression, compression);
        assert.equal(raw.dtype, "<u2");
        assert.deepEqual(raw.shotShape, [40, 56]);
        assert.equal(od.diffStackLabel, "raw_counts");
        for (let i = 0; i < 6; i++) {
          const f = od.readFrame("raw_counts", i);
          assert.deepEqual(f.shape, [40, 56]);
          assert.ok(f.data instanceof Uint16Array);
          assert.deepEqual(f.data, expectedFrame(i, 40, 56), `frame ${i}`);
        }
      } finally {
        od.close();
      }
    });
  }

  it("reads tables, key columns, features, sample, instrument, map image and peaks", async () => {
    const od = await openDataset([join(dir, "lz4.h5")]);
    try {
      const s = od.dataset.shots;
      assert.deepEqual(col(s, "shot_in_subset"), [0, 1, 2, 3, 4, 5], "`shot` renamed");
      assert.ok(!s.columns.has("shot"));
      assert.deepEqual(col(s, "Event"), ["entry//0", "entry//1", "entry//2", "entry//3", "entry//4", "entry//5"]);
      assert.deepEqual(col(s, "selected"), [true, true, false, true, true, true], "h5py bool enum");
      assert.deepEqual(col(s, "note"), ["aux", "shot 1", "shot 2", "shot 3", "shot 4", "shot 5"]);
      assert.deepEqual(col(s, "frame"), [-1, 0, 1, 2, 3, 4]);
      assert.deepEqual(col(s, "region"), [1, 1, 1, 1, 1, 1]);
      assert.deepEqual(col(s, "sample"), Array(6).fill("lyso"));
      assert.deepEqual(col(s, "file"), Array(6).fill(join(dir, "lz4.h5")));
      assert.ok(Math.abs((col(s, "det_shift.x/mm")[5] as number) - 0.01) < 1e-12, "label attr gives the column name");
      assert.equal(od.dataset.features.length, 1);
      assert.deepEqual(col(od.dataset.features, "crystal_x"), [12.5]);
      assert.deepEqual(col(od.dataset.features, "region"), [1]);
      const file = od.dataset.files[0]!;
      assert.deepEqual(file.sample, { name: "lyso", regionId: 1, runId: 1 });
      assert.equal(file.instrument.get("detector/collection/shutter_time"), 0.025);
      assert.equal(file.instrument.get("name"), "Tecnai F30");
      assert.deepEqual(file.mapImageShape, [30, 20]);
      const map = od.mapImage(0)!;
      assert.deepEqual(map.shape, [30, 20]);
      assert.equal(map.data[21], 10.5);
      const p = od.readPeaks(3)!;
      assert.equal(p.count, 3);
      assert.deepEqual(Array.from(p.fsPx), [13.5, 14.5, 15.5]);
      assert.deepEqual(Array.from(p.ssPx), [20.25, 21.25, 22.25]);
      assert.deepEqual(Array.from(p.intensity), [100, 200, 300]);
      assert.equal(od.readPeaks(0)!.count, 0);
      assert.deepEqual(Array.from(od.readStackRow("nPeaks", 5).data), [1]);
      const withPeaks = stacksToShots(od, od.dataset, ["nPeaks"], { nPeaks: "num_peaks" });
      assert.deepEqual(col(withPeaks.shots, "num_peaks"), [0, 1, 2, 3, 0, 1]);
      assert.throws(() => stacksToShots(od, od.dataset, ["peakXPosRaw"]), /only 1-D stacks/);
      assert.ok(wasOpened(join(dir, "lz4.h5")));
      assert.ok(!wasOpened(join(dir, "bad_no_data.h5")));
      assert.throws(() => od.readFrame("raw_counts", 6), /shot index 6 out of range 0\.\.5/);
      assert.throws(() => od.readFrame("nPeaks", 0), /not an image stack/);
      assert.throws(() => od.readFrame("nope", 0), /no stack 'nope'/);
    } finally {
      od.close();
    }
  });

  it("opens many files, a glob, and a .lst with events as one dataset", async () => {
    const glob = await openDataset([join(dir, "[bglp][lsz]*.h5")]);
    try {
      assert.deepEqual(glob.dataset.files.map((f) => f.path), ["bslz4.h5", "gzip.h5", "lz4.h5", "plain.h5"].map((f) => join(dir, f)));
      assert.equal(glob.dataset.shots.length, 24);
      assert.deepEqual(col(glob.dataset.shots, "region").filter((_, i) => i % 6 === 0), [2, 3, 1, 4]);
      assert.deepEqual(glob.readFrame("raw_counts", 6 * 2 + 4).data, expectedFrame(4, 40, 56));
      assert.equal(glob.dataset.features.length, 4, "one feature per region");
    } finally {
      glob.close();
    }
    const lst = join(dir, "sel.lst");
    writeFileSync(lst, "gzip.h5 entry//1\nlz4.h5 //4\ngzip.h5 entry//3\nplain.h5\n");
    const viaGlob = await openDataset([join(dir, "se?.lst")]);
    assert.equal(viaGlob.dataset.files.length, 3, "a glob matching a .lst opens it as a list file");
    viaGlob.close();
    const od = await openDataset([lst]);
    try {
      assert.deepEqual(od.dataset.files.map((f) => f.path), ["gzip.h5", "lz4.h5", "plain.h5"].map((f) => join(dir, f)));
      const sel = col(od.dataset.shots, "selected");
      assert.deepEqual(sel.slice(0, 12), [false, true, false, true, false, false, false, false, false, false, true, false]);
      assert.deepEqual(sel.slice(12), Array(6).fill(true), "file listed without events: all shots");
      const s = getSelection(od.dataset);
      assert.equal(s.shots.length, 9);
      assert.deepEqual(od.readFrame("raw_counts", 2, s).data, expectedFrame(4, 40, 56), "derived dataset reads its source frame");
    } finally {
      od.close();
    }
  });

  it("reads aggregated frames as the sum (int32) / mean (float32) of the source frames", async () => {
    const od = await openDataset([join(dir, "lz4.h5")]);
    try {
      const agg = aggregate(od.dataset, { query: "frame >= 1 and frame <= 4" });
      assert.equal(agg.shots.length, 1);
      const f = od.readFrame("raw_counts", 0, agg);
      assert.equal(f.dtype, "<i4");
      const want = new Int32Array(40 * 56);
      for (let i = 2; i <= 5; i++) expectedFrame(i, 40, 56).forEach((v, k) => { want[k]! += v; });
      assert.deepEqual(f.data, want);
      const mean = od.readFrame("raw_counts", 0, aggregate(od.dataset, { query: "frame >= 1 and frame <= 4", how: "mean" }));
      assert.equal(mean.dtype, "<f4");
      assert.ok(Math.abs(mean.data[100]! - want[100]! / 4) < 1e-3);
    } finally {
      od.close();
    }
  });

  it("opens the CrystFEL fixture sim_ed.h5 (float32 gzip, CXI peaks, no shot table)", async () => {
    const od = await openDataset([SIM_ED]);
    try {
      assert.equal(od.dataset.shots.length, 30);
      assert.equal(od.diffStackLabel, "data");
      assert.deepEqual(col(od.dataset.shots, "Event").slice(0, 2), ["entry//0", "entry//1"]);
      const py = JSON.parse(execFileSync("/usr/bin/python3", ["-c", `
import h5py, json, hashlib, numpy as np
f = h5py.File(${JSON.stringify(SIM_ED)}, "r")
fr = f["entry/data/data"][3]
print(json.dumps({"sha": hashlib.sha256(fr.astype("<f4").tobytes()).hexdigest(), "sum": float(fr.astype(np.float64).sum()),
                  "n": int(f["entry/data/nPeaks"][3]), "x": f["entry/data/peakXPosRaw"][3, :5].tolist()}))`], { encoding: "utf8" })) as { sha: string; sum: number; n: number; x: number[] };
      const f = od.readFrame("data", 3);
      assert.equal(f.dtype, "<f4");
      const { createHash } = await import("node:crypto");
      assert.equal(createHash("sha256").update(new Uint8Array(f.data.buffer, f.data.byteOffset, f.data.byteLength)).digest("hex"), py.sha);
      const p = od.readPeaks(3)!;
      assert.equal(p.count, py.n);
      assert.deepEqual(Array.from(p.fsPx.subarray(0, 5)), py.x.map((v) => Math.fround(v)));
    } finally {
      od.close();
    }
  });
});

describe("bad input", () => {
  let dir = "";
  before(() => { dir = makeFixtures(); });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  const cases: [string, RegExp][] = [
    ["bad_truncated.h5", /bad_truncated\.h5: cannot open HDF5 file, truncated or corrupt/],
    ["bad_not_hdf5.h5", /bad_not_hdf5\.h5: not an HDF5 file/],
    ["bad_no_data.h5", /bad_no_data\.h5: missing group \/entry\/data/],
    ["bad_ragged_columns.h5", /bad_ragged_columns\.h5:\/entry\/shots: column '(crystal_id|frame)' has [23] rows, expected [23]/],
    ["bad_stack_axis0.h5", /bad_stack_axis0\.h5:\/entry\/data\/raw_counts: axis 0 has 5 entries but the file has 3 shots/],
    ["bad_broken_link.h5", /bad_broken_link\.h5:\/entry\/data\/raw_counts: broken soft link to \/entry\/instrument\/detector\/data/],
    ["missing.h5", /missing\.h5: file not found/],
  ];
  for (const [name, re] of cases) {
    it(`${name} gives a clear error naming the file`, async () => {
      await assert.rejects(openDataset([join(dir, name)]), (e: Error) => {
        assert.match(e.message, re);
        assert.ok(e.message.length < 600, `short message: ${e.message.length} chars`);
        return true;
      });
    });
  }

  it("rejects empty/malformed list files, unmatched globs and duplicate files", async () => {
    writeFileSync(join(dir, "empty.lst"), "\n# nothing\n");
    await assert.rejects(openDataset([join(dir, "empty.lst")]), /empty\.lst: list file is empty/);
    writeFileSync(join(dir, "bad.lst"), "lz4.h5 entry/3\n");
    await assert.rejects(openDataset([join(dir, "bad.lst")]), /bad\.lst:1: malformed event/);
    await assert.rejects(openDataset([join(dir, "nothing*.h5")]), /nothing\*\.h5: no files match/);
    await assert.rejects(openDataset([join(dir, "lz4.h5"), join(dir, "lz4.h5")]), /given twice/);
  });

  it("a good file opened after bad ones still works (no crash, no leaked state)", async () => {
    const h = await openNexusFile(join(dir, "plain.h5"));
    assert.deepEqual(h.readStackRow("entry", "raw_counts", 1).data, expectedFrame(1, 40, 56));
    h.close();
    assert.throws(() => h.readStackRow("entry", "raw_counts", 1), /file is closed/);
    assert.ok(resolve(dir).length > 0);
  });
});

describe("corrupted files", () => {
  it("bytes overwritten anywhere give an Error naming the file or correct data, never a crash", async () => {
    const dir = makeFixtures();
    const { readFileSync } = await import("node:fs");
    const good = readFileSync(join(dir, "plain.h5"));
    let errors = 0, opened = 0;
    for (let k = 0; k < 24; k++) {
      const bytes = Buffer.from(good);
      // deterministic spread of offsets, denser in the first 8 kB where the metadata lives
      const off = k < 12 ? 64 + k * 600 : Math.floor(((k - 12) / 12) * (bytes.length - 64));
      for (let j = 0; j < 48 && off + j < bytes.length; j++) bytes[off + j] = (j * 37 + k * 11) & 255;
      const path = join(dir, `corrupt_${k}.h5`);
      writeFileSync(path, bytes);
      try {
        const od = await openDataset([path]);
        try {
          opened++;
          for (let i = 0; i < od.dataset.shots.length; i++) {
            try { od.readFrame(od.diffStackLabel ?? "raw_counts", i); } catch (e) {
              assert.ok(e instanceof Error && e.message.includes(path), String(e));
            }
          }
        } finally {
          od.close();
        }
      } catch (e) {
        errors++;
        assert.ok(e instanceof Error, "an Error");
        assert.ok(e.message.includes(path), `message names the file: ${e.message}`);
        assert.ok(e.message.length < 800, `short message (${e.message.length})`);
      }
    }
    assert.equal(errors + opened, 24);
    assert.ok(errors > 0, "some corruptions are detected");
    rmSync(dir, { recursive: true, force: true });
  });
});
