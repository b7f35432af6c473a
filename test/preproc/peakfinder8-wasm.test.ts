/**
 * The WebAssembly peakfinder8 (default engine) against the JS reference findPeaksPeakfinder8Js:
 * identical peak tables (count, order, every column bit-identical) over varied options, centres
 * (inside, near an edge, off the image), masks, NaN/±∞ pixels and image sizes, one reused workspace
 * (so the memory/segment reuse across frames is exercised too); and the embedded module is what
 * scripts/build-wasm.mjs builds from wasm/peakfinder8.ts.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createPeakfinder8Workspace, findPeaksPeakfinder8, findPeaksPeakfinder8Js, peakfinder8Defaults } from "../../src/core/preproc/peakfinder8.ts";
import type { PeakTable, Peakfinder8Options } from "../../src/core/preproc/peakfinder8.ts";
import { peakfinder8WasmBase64 } from "../../src/core/preproc/wasm/peakfinder8-wasm-bytes.ts";
import { Peakfinder8Wasm } from "../../src/core/preproc/wasm/peakfinder8-wasm.ts";
import { syntheticPattern } from "./synthetic-pattern.ts";
import { mulberry32 } from "./rng.ts";

function sameTable(a: PeakTable, b: PeakTable, what: string): void {
  assert.equal(a.count, b.count, `${what}: peak count`);
  for (const k of ["fs", "ss", "intensity", "npix", "maxIntensity", "localSigma", "snr"] as const) {
    assert.equal(a[k].length, b[k].length, `${what}: ${k} length`);
    for (let i = 0; i < a[k].length; i++) if (!Object.is(a[k][i], b[k][i])) assert.fail(`${what}: ${k}[${i}] ${a[k][i]} vs ${b[k][i]}`);
  }
}

describe("peakfinder8 WebAssembly engine", () => {
  it("gives the same peaks as the JS reference over varied options, centres, masks and frames", () => {
    const rnd = mulberry32(17);
    const wsW = createPeakfinder8Workspace(516 * 1556), wsJ = createPeakfinder8Workspace(516 * 1556);
    const engine = Peakfinder8Wasm.create();
    assert.ok(engine, "WebAssembly is available here");
    let total = 0, cases = 0, withPeaks = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const pat = syntheticPattern(seed);
      const [H, W] = pat.shape;
      const n = H * W;
      const pixels = pat.pixels.slice();
      for (let k = 0; k < 50; k++) pixels[Math.floor(rnd() * n)] = [NaN, Infinity, -Infinity, -5, 0][k % 5]!;
      const mask = new Uint8Array(n);
      for (let k = 0; k < 2000; k++) mask[Math.floor(rnd() * n)] = 1;
      for (let y = 250; y < 266; y++) mask.fill(1, y * W, (y + 1) * W); // a gap row band
      const centres: [number, number][] = [[pat.centerX, pat.centerY], [pat.centerX + 0.5, pat.centerY - 0.5], [3.2, 500.7], [-40.3, 260.1], [1600.5, -20.25]];
      for (const [cx, cy] of centres) {
        const opts: Peakfinder8Options = {
          threshold: [7, 20, 60][Math.floor(rnd() * 3)]!, minSnr: 3 + rnd() * 4, minPixCount: 1 + Math.floor(rnd() * 3), maxPixCount: [20, 200, 10000][Math.floor(rnd() * 3)]!,
          localBgRadius: 1 + Math.floor(rnd() * 5), minResPx: [0, 10, 30][Math.floor(rnd() * 3)]!, maxResPx: [300, 800, 1e9][Math.floor(rnd() * 3)]!, maxPeaks: [500, 40, 2000][Math.floor(rnd() * 3)]!,
        };
        for (const m of [mask, null]) {
          const frame = { pixels, shape: [H, W] as const };
          const a = findPeaksPeakfinder8(frame, m, cx, cy, opts, wsW);
          const b = findPeaksPeakfinder8Js(frame, m, cx, cy, opts, wsJ);
          assert.ok(wsW.wasm, "the WebAssembly engine is used");
          const what = `seed ${seed} centre (${cx}, ${cy}) ${JSON.stringify(opts)} mask ${m ? "yes" : "no"}`;
          sameTable(a, b, what);
          // The kernel called directly (not through the dispatch), on its own instance.
          const nBins = Math.ceil(Math.max(...[[0, 0], [W - 1, 0], [0, H - 1], [W - 1, H - 1]].map(([x, y]) => Math.hypot(x! - cx, y! - cy)))) + 1;
          sameTable(engine.find(pixels, m, H, W, cx, cy, nBins, opts), b, `${what} (kernel)`);
          total += a.count; cases++; if (a.count > 5) withPeaks++;
        }
      }
    }
    assert.ok(withPeaks >= cases / 2, `${withPeaks} of ${cases} cases found more than 5 peaks (${total} peaks in all)`);
  });

  it("gives the same peaks on small and odd image sizes (fresh workspace per call)", () => {
    const rnd = mulberry32(5);
    for (const [H, W] of [[7, 9], [64, 33], [300, 400]] as const) {
      const pixels = Float32Array.from({ length: H * W }, () => (rnd() < 0.02 ? 200 + 500 * rnd() : 5 * rnd()));
      for (const [cx, cy] of [[W / 2, H / 2], [0, 0], [W + 3, H / 3]]) {
        // Non-integer pixel counts / disc radius (YAML allows them) are handled as by the reference.
        for (const o of [{ minPixCount: 1, localBgRadius: 2 }, { minPixCount: 1.5, maxPixCount: 7.5, localBgRadius: 2.25 }]) {
          const opts = { ...peakfinder8Defaults, ...o };
          const frame = { pixels, shape: [H, W] as const };
          const want = findPeaksPeakfinder8Js(frame, null, cx!, cy!, opts);
          sameTable(findPeaksPeakfinder8(frame, null, cx!, cy!, opts), want, `${H}×${W} centre (${cx}, ${cy}) ${JSON.stringify(o)}`);
          // Without WebAssembly (wasm: null) the dispatch falls back to the JS reference.
          const noWasm = createPeakfinder8Workspace(H * W);
          noWasm.wasm = null;
          sameTable(findPeaksPeakfinder8(frame, null, cx!, cy!, opts, noWasm), want, `${H}×${W} without WebAssembly`);
        }
      }
    }
  });

  it("embeds the module that scripts/build-wasm.mjs builds from wasm/peakfinder8.ts (asc output is deterministic)", () => {
    // Exit 0 only if recompiling gives byte-for-byte the embedded module (a few seconds: asc -O3).
    const out = execFileSync(process.execPath, ["scripts/build-wasm.mjs", "--check"], { cwd: fileURLToPath(new URL("../..", import.meta.url)), encoding: "utf8" });
    assert.match(out, /peakfinder8-wasm-bytes\.ts: up to date/);
    assert.match(out, /pixelprep-wasm-bytes\.ts: up to date/);
    assert.ok(peakfinder8WasmBase64.startsWith("AGFzbQ"), "a wasm module (\\0asm magic)");
  });
});
