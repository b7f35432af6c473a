/**
 * The built-in indexer and ring integration against the real CrystFEL 0.12.0 fixture
 * (/work/shared/fixtures/crystfel): sim_ed.h5 CXI peaks + lyso_ed.geom/.cell must give the .sol
 * orientations (mod 4/mmm); integrating the frames at the stream's reflection positions must give
 * indexamajig's I, σ(I) and background (--int-radius=3,4,6).
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseGeom } from "../../src/core/formats/geom-file.ts";
import { parseCellFile } from "../../src/core/formats/cell-file.ts";
import { parseSol } from "../../src/core/formats/sol-file.ts";
import { parseStream } from "../../src/core/formats/stream-reader.ts";
import { peaksToQ } from "../../src/core/indexing/ewald-geometry.ts";
import { panelFromGeom } from "../../src/core/indexing/panel-from-geom.ts";
import { createIndexer } from "../../src/core/indexing/index-pattern.ts";
import { basisToMat9, misorientationDeg } from "../../src/core/indexing/lattice.ts";
import { integrateRings } from "../../src/core/integration/integrate-rings.ts";
import { openCxiFile, type CxiFile } from "../../src/main/indexing/cxi-input.ts";

const FIX = "/work/shared/fixtures/crystfel";
const geom = parseGeom(readFileSync(join(FIX, "lyso_ed.geom"), "utf8"));
const panel = panelFromGeom(geom);
const cell = parseCellFile(readFileSync(join(FIX, "lyso_ed.cell"), "utf8"));
const sol = parseSol(readFileSync(join(FIX, "lyso_ed.sol"), "utf8"));

describe("createIndexer on the CrystFEL fixture peaks", () => {
  let file: CxiFile;
  before(async () => { file = await openCxiFile(join(FIX, "sim_ed.h5"), geom.peakList ?? "/entry/data", geom.data ?? "/entry/data/data"); });
  after(() => file.close());

  it("finds every .sol crystal within 0.3° (mod 4/mmm) and no spurious lattice", () => {
    const ix = createIndexer(cell, { profileRadiusInvNm: 0.012 });
    assert.equal(ix.ops.length, 8);
    let found = 0;
    for (let k = 0; k < file.peaks.nShots; k++) {
      const n = file.peaks.nPeaks[k]!;
      const off = k * file.peaks.width;
      const fs = Array.from(file.peaks.x.subarray(off, off + n), (v) => v + 0.5);
      const ss = Array.from(file.peaks.y.subarray(off, off + n), (v) => v + 0.5);
      const lattices = ix.index(peaksToQ(panel, fs, ss, n), n);
      const truth = sol.filter((s) => s.event === file.event(k)).map((s) => basisToMat9(s.basis));
      if (k === 29) assert.equal(lattices.length, 0, "background-only frame");
      if (truth.length === 0) continue;
      assert.equal(lattices.length, truth.length, `frame ${k}: number of lattices`);
      for (const T of truth) {
        const best = Math.min(...lattices.map((l) => misorientationDeg(T, l.A, ix.ops)));
        assert.ok(best < 0.3, `frame ${k}: misorientation ${best.toFixed(3)}°`);
        found++;
      }
    }
    assert.equal(found, 29);
  });

  it("integrates like indexamajig rings-nograd-nocen 3,4,6 at the stream positions", () => {
    const stream = parseStream(readFileSync(join(FIX, "lyso_ed.stream"), "utf8"), "lyso_ed.stream");
    let nCmp = 0, bgDiff = 0, sigRatio = 0;
    const chunks = stream.chunks.filter((c) => ["//0", "//5"].includes(c.event));
    assert.equal(chunks.length, 2);
    for (const ch of chunks) {
      const frame = file.readFrame(Number(ch.event.slice(2)));
      const r = ch.crystals[0]!.reflections;
      const res = integrateRings(frame, r.fs, r.ss, r.count, { innerPx: 3, middlePx: 4, outerPx: 6 });
      for (let i = 0; i < r.count; i++) {
        if (!res.ok[i]) continue;
        nCmp++;
        // stream positions are printed with 0.1 px precision, so single pixels may switch rings: compare means
        bgDiff += res.background[i]! - r.background[i]!;
        sigRatio += res.sigma[i]! / r.sigma[i]!;
      }
      // strong reflections: correlation of our I with indexamajig's
      const a: number[] = [], b: number[] = [];
      for (let i = 0; i < r.count; i++) if (res.ok[i] && r.intensity[i]! > 50) { a.push(res.intensity[i]!); b.push(r.intensity[i]!); }
      assert.ok(pearson(a, b) > 0.995, `${ch.event}: CC with indexamajig ${pearson(a, b)}`);
    }
    assert.ok(nCmp > 3000, `compared ${nCmp}`);
    assert.ok(Math.abs(bgDiff / nCmp) < 0.03, `mean background difference ${bgDiff / nCmp}`);
    assert.ok(Math.abs(sigRatio / nCmp - 1) < 0.1, `mean σ ratio ${sigRatio / nCmp}`);
  });
});

function pearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n, mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) { sab += (a[i]! - ma) * (b[i]! - mb); saa += (a[i]! - ma) ** 2; sbb += (b[i]! - mb) ** 2; }
  return sab / Math.sqrt(saa * sbb);
}
