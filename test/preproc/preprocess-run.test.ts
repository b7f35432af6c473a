/**
 * `serialed preprocess` end to end on simulated raw files: outputs in the dataset layout, .lst, resume,
 * per-shot error isolation (a corrupted HDF5 chunk), clean cancellation, bad options, --watch mode.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { writeRawFiles } from "./make-raw-files.ts";
import type { Simulation } from "../../src/core/sim/simulation.ts";
import { parsePreProcOpts } from "../../src/core/options/preproc-opts.ts";
import { createWorkerPool } from "../../src/workers/pool.ts";
import { runPreprocess } from "../../src/main/preproc/run-preprocess.ts";
import { openDataset } from "../../src/main/dataset/open-dataset.ts";
import { run as runCli } from "../../src/main/cli/commands/preprocess.ts";
import { lysozymeYaml } from "./lysozyme-yaml.ts";

const optsYaml = `${lysozymeYaml.replace(/agg_query: .*/, "agg_query: 'frame >= 0 and frame <= 2'").replace(/pxmask: .*/, "pxmask: null").replace(/reference: .*/, "reference: null")}`;

describe("serialed preprocess", () => {
  let dir: string;
  let raw: string[];
  let sim: Simulation;
  const pool = createWorkerPool(2);
  const { opts } = parsePreProcOpts(optsYaml, "opts.yaml");
  after(async () => { await pool.close(); rmSync(dir, { recursive: true, force: true }); });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "serialed-preproc-"));
    ({ paths: raw, sim } = await writeRawFiles(dir, { seed: 3, nCrystals: 4, framesPerCrystal: 3, nFiles: 2, hitFraction: 1 }));
    writeFileSync(join(dir, "opts.yaml"), optsYaml);
  });

  it("writes one processed file per input with CXI peaks, analysis columns and a .lst", async () => {
    const out = join(dir, "out");
    const r = await runPreprocess({ inputs: raw, outDir: out, opts, pool });
    assert.deepEqual(r.files.map((f) => f.status), ["done", "done"]);
    assert.equal(r.failedShots.length, 0);
    const lst = readFileSync(join(out, "processed.lst"), "utf8").trim().split("\n");
    assert.deepEqual(lst, r.files.map((f) => f.output));
    const od = await openDataset([lst[0]!]);
    try {
      const ds = od.dataset;
      const f0 = sim.files[0]!;
      assert.equal(ds.shots.length, f0.crystals.length, "one aggregated pattern per crystal");
      for (const c of ["center_x", "center_y", "com_x", "lor_x", "lor_hwhm", "center_refine_score", "adf1", "adf2", "num_peaks", "det_shift_x_mm", "det_shift_y_mm", "agg_len"]) {
        assert.ok(ds.shots.columns.has(c), `column ${c}`);
      }
      const agg = ds.shots.columns.get("agg_len")!.data as Float64Array;
      assert.ok([...agg].every((v) => v === 3));
      const cx = ds.shots.columns.get("center_x")!.data as Float64Array;
      const np = ds.shots.columns.get("num_peaks")!.data as Float64Array;
      const cid = ds.shots.columns.get("crystal_id")!.data as Float64Array;
      let hits = 0;
      for (let i = 0; i < ds.shots.length; i++) {
        const peaks = od.readPeaks(i)!;
        assert.equal(peaks.count, np[i]);
        // the aggregated pattern's centre lies within the spread of its frames' true centres
        const ci = f0.crystals[cid[i]!]!;
        const shots = [...sim.truth.crystalIndex.keys()].filter((s) => sim.truth.crystalIndex[s] === ci);
        const xs = shots.map((s) => sim.truth.centerFs[s]!);
        if (np[i]! >= opts.min_peaks) {
          hits++;
          assert.ok(cx[i]! > Math.min(...xs) - 1 && cx[i]! < Math.max(...xs) + 1, `centre ${cx[i]} vs true ${xs.join(",")}`);
        }
      }
      assert.ok(hits >= 1, "at least one hit with enough peaks");
      assert.equal(od.diffStackLabel, "corrected");
      const frame = od.readFrame("corrected", 0);
      assert.equal(frame.dtype, "<f4");
      assert.ok(Number.isNaN(frame.data[200 * 1556 + 50]!), "edge columns are masked");
    } finally {
      od.close();
    }
  });

  it("skips finished files on a re-run (resume)", async () => {
    const out = join(dir, "out");
    const before = statSync(join(out, "sim_r01_agg.h5")).mtimeMs;
    const r = await runPreprocess({ inputs: raw, outDir: out, opts, pool });
    assert.deepEqual(r.files.map((f) => f.status), ["skipped", "skipped"]);
    assert.equal(statSync(join(out, "sim_r01_agg.h5")).mtimeMs, before);
    assert.equal(readFileSync(join(out, "processed.lst"), "utf8").trim().split("\n").length, 2);
  });

  it("reports a corrupt frame with its shot and goes on", async () => {
    const bad = join(dir, "corrupt", "sim_bad.h5");
    mkdirSync(join(dir, "corrupt"));
    copyFileSync(raw[0]!, bad);
    const frames = sim.files[0]!.shots.columns.get("frame")!.data as Float64Array;
    const row = [...frames.keys()].find((i) => i > 2 && frames[i]! >= 0)!;
    const info = execFileSync("/usr/bin/python3", ["-c", `import h5py\ni=h5py.File(${JSON.stringify(bad)},'r')['/entry/data/raw_counts'].id.get_chunk_info(${row})\nprint(i.byte_offset, i.size)`], { encoding: "utf8" });
    const [off, size] = info.trim().split(" ").map(Number);
    const fd = openSync(bad, "r+");
    writeSync(fd, Buffer.alloc(256, 0xab), 0, 256, off! + Math.floor(size! / 3));
    closeSync(fd);
    const out = join(dir, "out-corrupt");
    const logs: string[] = [];
    const r = await runPreprocess({ inputs: [bad], outDir: out, opts, pool, log: (s) => logs.push(s) });
    assert.equal(r.files[0]!.status, "done");
    assert.equal(r.failedShots.length, 1);
    assert.match(r.failedShots[0]!.error, new RegExp(`cannot read shot ${row}`));
    assert.ok(logs.some((l) => l.includes("written as invalid and deselected")));
    const od = await openDataset([r.files[0]!.output]);
    try {
      const sel = od.dataset.shots.columns.get("selected")!.data as Uint8Array;
      assert.equal(sel[r.failedShots[0]!.shot], 0);
      assert.equal(sel.reduce((a, b) => a + b, 0), od.dataset.shots.length - 1);
    } finally {
      od.close();
    }
  });

  it("stops cleanly when cancelled: no partial or temporary files, and a re-run finishes", async () => {
    const out = join(dir, "out-cancel");
    const ac = new AbortController();
    const r = await runPreprocess({ inputs: raw, outDir: out, opts, pool, signal: ac.signal, onProgress: (p) => { if (p.done === 1) ac.abort(); } });
    assert.equal(r.cancelled, true);
    const left = readdirSync(out);
    assert.ok(!left.some((f) => f.includes(".tmp-")), `temporary files left: ${left.join(", ")}`);
    assert.ok(!left.includes("sim_r01_agg.h5"), "the interrupted file was not kept");
    const again = await runPreprocess({ inputs: raw, outDir: out, opts, pool });
    assert.deepEqual(again.files.map((f) => f.status), ["done", "done"]);
  });

  it("rejects bad options with a clear error naming the key", async () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "min_peaks: many\n");
    await assert.rejects(runCli(["--opts", bad, "--out", join(dir, "x"), raw[0]!]), /bad\.yaml: option 'min_peaks' must be an integer, got string "many"/);
    writeFileSync(bad, "peak_search_params: [1, 2\n");
    await assert.rejects(runCli(["--opts", bad, "--out", join(dir, "x"), raw[0]!]), /bad\.yaml: not valid YAML/);
  });

  it("--watch processes a new file once it is complete and appends it to the list", async () => {
    const watch = join(dir, "incoming");
    mkdirSync(watch);
    const out = join(dir, "out-watch");
    const done = runCli(["--opts", join(dir, "opts.yaml"), "--out", out, "--watch", watch, "--poll-ms", "100", "--workers", "1"]);
    // a file is written under a temporary name, then renamed (as acquisition software does)
    copyFileSync(raw[1]!, join(watch, "sim_r02.h5.part"));
    renameSync(join(watch, "sim_r02.h5.part"), join(watch, "sim_r02.h5"));
    const lst = join(out, "processed.lst");
    const t0 = Date.now();
    try {
      // a hang guard, not a speed target (speed is in bench/preprocess.bench.ts)
      while (!(existsSync(lst) && readFileSync(lst, "utf8").includes("sim_r02_agg.h5"))) {
        assert.ok(Date.now() - t0 < 300000, "watch mode did not process the file within 300 s");
        await new Promise((res) => setTimeout(res, 100));
      }
    } finally {
      process.emit("SIGINT");
    }
    assert.equal(await done, 130);
    assert.ok(existsSync(join(out, "sim_r02_agg.h5")));
  });
});
