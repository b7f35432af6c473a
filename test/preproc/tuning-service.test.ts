/**
 * Live tuning on the host (src/main/host/tuning-service.ts): the frame is read once per shot, masks are
 * built once per mask-affecting option set, the worker and the in-process path give exactly what
 * analyzePattern gives for the same options, and the frame cache is bounded.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { FrameImage } from "../../src/core/api/host-api.ts";
import { preProcOptsFromObject } from "../../src/core/options/preproc-opts.ts";
import { analyzePattern } from "../../src/core/preproc/analyze-pattern.ts";
import { buildPreprocMasks } from "../../src/core/preproc/preproc-masks.ts";
import { createTuningService, type TuningService } from "../../src/main/host/tuning-service.ts";
import { TuningAnalyzer } from "../../src/workers/tuning-kernel.ts";
import { syntheticPattern } from "./synthetic-pattern.ts";

const patterns = [11, 12, 13, 14, 15, 16].map((seed) => syntheticPattern(seed));
const reads: number[] = [];
const readFrame = async (datasetId: string, shotIndex: number): Promise<FrameImage> => {
  if (datasetId !== "ds1") throw new Error(`unknown dataset '${datasetId}'`);
  const p = patterns[shotIndex];
  if (!p) throw new Error(`shot ${shotIndex} out of range`);
  reads.push(shotIndex);
  // as the HDF5 reader hands it out: integer counts
  return { shotIndex, shape: [p.shape[0], p.shape[1]], dtype: "<u2", pixels: Uint16Array.from(p.pixels, (v) => Math.min(65535, Math.max(0, Math.round(v)))) as unknown as Float32Array };
};
const expected = (shot: number, options: Record<string, unknown>) => {
  const { opts } = preProcOptsFromObject(options);
  const p = patterns[shot]!;
  const pixels = Float32Array.from(p.pixels, (v) => Math.min(65535, Math.max(0, Math.round(v))));
  return analyzePattern({ pixels, shape: p.shape }, buildPreprocMasks(p.shape, null, opts).analysis, opts);
};
const snr = (v: number): Record<string, unknown> => ({ peak_search_params: { "min-snr": v } });

describe("live tuning service", { timeout: 120_000 }, () => {
  const services: TuningService[] = [];
  after(async () => { for (const s of services) await s.dispose(); });

  for (const worker of [true, false]) {
    it(`${worker ? "in the worker" : "in-process"}: one frame read per shot, results identical to analyzePattern`, async () => {
      const t = createTuningService(readFrame, { worker });
      services.push(t);
      reads.length = 0;
      const counts: number[] = [];
      for (const v of [4, 6, 9, 14]) {
        const r = await t.methods.tuneAnalyze({ datasetId: "ds1", shotIndex: 2, options: snr(v) });
        const e = expected(2, snr(v));
        assert.equal(r.nPeaks, e.num_peaks, `SNR ${v}: peak count`);
        assert.deepEqual(Array.from(r.fs), Array.from(e.peaks.peakXPosRaw.slice(0, e.num_peaks)), `SNR ${v}: fs`);
        assert.deepEqual(r.centre, [e.center_x, e.center_y]);
        counts.push(r.nPeaks);
      }
      assert.deepEqual(reads, [2], "the frame is read once for all option changes");
      assert.ok(counts[0]! > counts[3]!, `a higher SNR threshold finds fewer peaks (${counts.join(", ")})`);
      assert.equal(t.stats().where, worker ? "worker" : "host");
      // a second shot, then back: still cached (4 frames kept)
      await t.methods.tuneAnalyze({ datasetId: "ds1", shotIndex: 3, options: snr(6) });
      const back = await t.methods.tuneAnalyze({ datasetId: "ds1", shotIndex: 2, options: snr(6) });
      assert.equal(back.nPeaks, expected(2, snr(6)).num_peaks);
      assert.deepEqual(reads, [2, 3]);
    });
  }

  it("keeps at most the configured number of frames (worker and host side)", async () => {
    const t = createTuningService(readFrame, { worker: true, cachedFrames: 2 });
    services.push(t);
    reads.length = 0;
    for (const s of [0, 1, 2, 0]) {
      const r = await t.methods.tuneAnalyze({ datasetId: "ds1", shotIndex: s, options: {} });
      assert.equal(r.nPeaks, expected(s, {}).num_peaks, `shot ${s}`);
    }
    assert.deepEqual(reads, [0, 1, 2, 0], "shot 0 was evicted by shots 1 and 2 and read again");
    assert.equal(t.stats().frameReads, 4);
  });

  it("builds the analysis mask once per shape and mask options", () => {
    const a = new TuningAnalyzer();
    const p = patterns[0]!;
    a.putFrame("k", { pixels: p.pixels, shape: p.shape });
    for (const v of [4, 5, 6]) a.analyze("k", preProcOptsFromObject(snr(v)).opts, () => 0);
    assert.equal(a.masksBuilt, 1);
    const wide = a.analyze("k", preProcOptsFromObject({ edge_mask_x: 200 }).opts, () => 0)!;
    assert.equal(a.masksBuilt, 2);
    assert.ok(Array.from(wide.fs).every((x) => x >= 200 && x < p.shape[1] - 200), "an edge-mask change takes effect");
    assert.equal(a.analyze("missing", preProcOptsFromObject({}).opts, () => 0), null);
  });

  it("reports bad requests clearly", async () => {
    const t = createTuningService(readFrame, { worker: false });
    services.push(t);
    await assert.rejects(t.methods.tuneAnalyze({ datasetId: "ds1", shotIndex: 99, options: {} }), /shot 99 out of range/);
    await assert.rejects(t.methods.tuneAnalyze({ datasetId: "ds1", shotIndex: 0, options: { peak_search_params: { "min-snr": "high" } } }), /min-snr/);
  });
});
