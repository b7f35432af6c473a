import { describe, it, before, after } from "node:test";
import { rmSync } from "node:fs";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { openDataset } from "../../src/main/dataset/open-dataset.ts";
import { writeDataset } from "../../src/main/dataset/write-dataset.ts";
import { aggregate } from "../../src/core/dataset/aggregate.ts";
import { columnValues, getSelection } from "../../src/core/dataset/selection.ts";
import { expectedFrame, makeFixtures } from "./fixture-frames.ts";

const here = dirname(fileURLToPath(import.meta.url));

describe("read → write → read", () => {
  let dir = "";
  before(() => { dir = makeFixtures(); });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  it("a selection written by the project reads back identical (tables, stacks, map, metadata)", async () => {
    const od = await openDataset([join(dir, "lz4.h5"), join(dir, "bslz4.h5")]);
    try {
      const sel = getSelection(od.dataset, "frame >= 0 and selected", { newFolder: join(dir, "out") });
      const written = await writeDataset(od, sel);
      assert.deepEqual(written, [join(dir, "out/lz4_sel.h5"), join(dir, "out/bslz4_sel.h5")]);
      const back = await openDataset(written);
      try {
        assert.equal(back.dataset.shots.length, sel.shots.length);
        for (const [name, c] of sel.shots.columns) {
          const got = back.dataset.shots.columns.get(name);
          assert.ok(got, `column ${name}`);
          assert.equal(got.type, c.type, `type of ${name}`);
          assert.deepEqual(columnValues(got), columnValues(c), `column ${name}`);
        }
        assert.deepEqual(columnValues(back.dataset.shots.columns.get("file_raw")!).slice(0, 1), [join(dir, "lz4.h5")]);
        for (let i = 0; i < sel.shots.length; i++) {
          assert.deepEqual(back.readFrame("raw_counts", i).data, od.readFrame("raw_counts", i, sel).data, `frame ${i}`);
          assert.deepEqual(back.readPeaks(i), od.readPeaks(i, sel), `peaks ${i}`);
        }
        assert.equal(back.dataset.stacks.get("raw_counts")!.compression, "lz4");
        assert.equal(back.diffStackLabel, "raw_counts");
        assert.deepEqual(back.mapImage(1)!.data, od.mapImage(1)!.data);
        assert.deepEqual(back.dataset.files[1]!.sample, { name: "lyso", regionId: 2, runId: 1 });
        assert.equal(back.dataset.files[0]!.instrument.get("detector/collection/shutter_time"), 0.025);
        assert.equal(back.dataset.features.length, 2);
      } finally {
        back.close();
      }
      // the independent reader sees every column and stack
      const d = JSON.parse(execFileSync("/usr/bin/python3", [join(here, "../fixtures/h5/describe_h5.py"), written[0]!], { encoding: "utf8", maxBuffer: 64 << 20 })) as { datasets: Record<string, { values?: unknown; shape: number[]; filters: unknown[] }> };
      const n = sel.shots.length / 2;
      assert.deepEqual(d.datasets["/entry/data/raw_counts"]!.shape, [n, 40, 56]);
      assert.deepEqual(d.datasets["/entry/data/raw_counts"]!.filters, [32004]);
      assert.deepEqual((d.datasets["/entry/data/raw_counts"]!.values as number[][][])[0]![3]!.slice(0, 4), Array.from(expectedFrame(1, 40, 56).subarray(3 * 56, 3 * 56 + 4)));
      assert.deepEqual(d.datasets["/entry/shots/Event_raw"]!.values, ["entry//1", "entry//3", "entry//4", "entry//5"]);
      assert.deepEqual(d.datasets["/entry/shots/selected"]!.values, [1, 1, 1, 1]);
      execFileSync("h5dump", ["-H", written[0]!], { stdio: "pipe" });
    } finally {
      od.close();
    }
  });

  it("an aggregated dataset is written with summed frames", async () => {
    const od = await openDataset([join(dir, "gzip.h5")]);
    try {
      const agg = aggregate(od.dataset, { query: "frame >= 1 and frame <= 4", how: { raw_counts: "sum" } });
      const [path] = await writeDataset(od, agg);
      assert.equal(path, join(dir, "gzip_agg.h5"));
      const back = await openDataset([path!]);
      try {
        assert.deepEqual(columnValues(back.dataset.shots.columns.get("agg_len")!), [4]);
        const f = back.readFrame("raw_counts", 0);
        assert.equal(f.dtype, "<i4");
        const want = new Int32Array(40 * 56);
        for (let i = 2; i <= 5; i++) expectedFrame(i, 40, 56).forEach((v, k) => { want[k]! += v; });
        assert.deepEqual(f.data, want);
        assert.deepEqual(columnValues(back.dataset.shots.columns.get("file")!), [join(dir, "gzip_agg.h5")]);
      } finally {
        back.close();
      }
    } finally {
      od.close();
    }
  });
});
