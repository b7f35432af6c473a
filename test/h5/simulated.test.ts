import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeSimulation } from "../../src/main/sim/write-simulation.ts";
import { openDataset } from "../../src/main/dataset/open-dataset.ts";
import { columnValues } from "../../src/core/dataset/selection.ts";
import { aggregate } from "../../src/core/dataset/aggregate.ts";

describe("files written by serialed simulate", () => {
  it("read through openDataset frame by frame equal to the simulator's frames, tables equal", async () => {
    const dir = mkdtempSync(join(tmpdir(), "serialed-simread-"));
    const w = await writeSimulation(dir, { nCrystals: 4, framesPerCrystal: 2, nFiles: 2, seed: 5 }, { workers: 0 });
    const od = await openDataset([w.listPath]);
    try {
      const ds = od.dataset;
      assert.equal(ds.shots.length, w.sim.nShots);
      assert.equal(ds.files.length, 2);
      assert.equal(od.diffStackLabel, "raw_counts");
      assert.equal(ds.stacks.get("raw_counts")!.compression, "lz4");
      for (const name of ["crystal_id", "frame", "Event", "region"]) {
        const got = ds.shots.columns.get(name), want = w.sim.shots.columns.get(name);
        assert.ok(got && want, name);
        assert.deepEqual(columnValues(got), columnValues(want), `column ${name}`);
      }
      for (let i = 0; i < w.sim.nShots; i += 3) {
        const f = od.readFrame("raw_counts", i);
        assert.deepEqual(f.shape, [516, 1556]);
        assert.ok(f.data instanceof Uint16Array);
        assert.ok(Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength).equals(Buffer.from(w.sim.renderShot(i).buffer)), `frame ${i} equals the rendered frame`);
      }
      // aggregated frames 0..1 of one crystal = sum of its rendered frames
      const agg = aggregate(ds, { query: "frame >= 0" });
      const first = agg.stacks.get("raw_counts")!.sources;
      const rows = Array.from(first.row.subarray(first.start[0]!, first.start[1]!));
      const sum = od.readFrame("raw_counts", 0, agg).data;
      const want = new Int32Array(516 * 1556);
      const base = ds.shots.columns.get("shot_in_subset")!;
      for (const r of rows) {
        const global = Array.from(base.data as Float64Array).findIndex((v, k) => v === r && ds.shots.columns.get("file")!.data[k] === ds.files[first.file[first.start[0]!]!]!.path);
        w.sim.renderShot(global).forEach((v, k) => { want[k]! += v; });
      }
      assert.deepEqual(sum, want);
      assert.ok(od.mapImage(0)!.data.length > 0);
    } finally {
      od.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
