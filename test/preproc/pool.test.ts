import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { createWorkerPool } from "../../src/workers/pool.ts";
import { kernels } from "../../src/workers/kernels.ts";
import { defaultPreProcOpts } from "../../src/core/options/preproc-opts.ts";
import { syntheticPattern } from "./synthetic-pattern.ts";

describe("worker pool", () => {
  const pool = createWorkerPool(2);
  after(() => pool.close());
  const opts = { ...defaultPreProcOpts, float: true };
  const pats = [1, 2, 3].map((s) => syntheticPattern(s));
  const shape = [516, 1556] as const;

  it("runs processShot in workers with the same result as in-process, transferring frames", async () => {
    await pool.broadcast("configure", ["t1", { shape, deadMask: null, reference: null, opts }]);
    kernels.configure("local", { shape, deadMask: null, reference: null, opts });
    const inputs = pats.map((p) => p.pixels.slice());
    const results = await Promise.all(inputs.map((px) => pool.call("processShot", ["t1", px], { transfer: [px.buffer as ArrayBuffer] })));
    assert.equal(inputs[0]!.byteLength, 0, "input frame was transferred");
    for (let k = 0; k < pats.length; k++) {
      const local = kernels.processShot("local", pats[k]!.pixels.slice());
      const r = results[k]!;
      assert.equal(r.info.num_peaks, local.info.num_peaks);
      assert.ok(r.info.num_peaks > 100);
      assert.equal(r.info.center_x, local.info.center_x);
      assert.deepEqual([...r.info.peaks.peakXPosRaw], [...local.info.peaks.peakXPosRaw]);
      assert.equal(r.corrected.length, 516 * 1556);
      assert.equal(r.wasCorrected, true);
      assert.ok(Math.abs(r.info.center_x - pats[k]!.centerX) < 0.3);
    }
  });

  it("isolates a failing call: a bad frame rejects with a clear error, the others succeed", async () => {
    const good = pool.call("processShot", ["t1", pats[0]!.pixels.slice()]);
    const bad = pool.call("processShot", ["t1", new Float32Array(100)]);
    const unknown = pool.call("processShot", ["nope", pats[0]!.pixels.slice()]);
    await assert.rejects(bad, /frame has 100 pixels, expected 516×1556/);
    await assert.rejects(unknown, /context 'nope' is not configured/);
    assert.ok((await good).info.num_peaks > 100);
  });

  it("rejects cancelled calls", async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(pool.call("processShot", ["t1", pats[0]!.pixels.slice()], { signal: ac.signal }), /cancelled/);
    assert.equal(pool.pending, 0);
  });
});
