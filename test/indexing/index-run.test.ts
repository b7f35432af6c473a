/**
 * `runIndex` end to end on the CrystFEL fixture: cancel part-way, resume, and compare the stream
 * (read back with the project's stream reader) and .sol with the fixture's; then integrate with
 * the fixture's .sol (`serialed integrate` path).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseStream } from "../../src/core/formats/stream-reader.ts";
import { parseSol } from "../../src/core/formats/sol-file.ts";
import { parseCellFile } from "../../src/core/formats/cell-file.ts";
import { basisToMat9, cellMat9, latticeRotations, misorientationDeg } from "../../src/core/indexing/lattice.ts";
import { runIndex, type RunIndexOptions } from "../../src/main/indexing/run-index.ts";

const FIX = "/work/shared/fixtures/crystfel";
const base = (dir: string): RunIndexOptions => ({
  geomPath: join(FIX, "lyso_ed.geom"), cellPath: join(FIX, "lyso_ed.cell"), inputs: [join(FIX, "sim_ed.h5")],
  outStream: join(dir, "run.stream"), outSol: join(dir, "run.sol"), threads: 2, profileRadiusInvNm: 0.012, minPeaks: 15,
  rings: { innerPx: 3, middlePx: 4, outerPx: 6 }, integrate: true, resume: false, indexing: {}, commandLine: "test",
});

describe("runIndex", () => {
  it("indexes the fixture with cancel + resume into a stream that matches CrystFEL's", async () => {
    const dir = mkdtempSync(join(tmpdir(), "serialed-index-"));
    const ac = new AbortController();
    const first = await runIndex({ ...base(dir), signal: ac.signal, onProgress: (d) => { if (d >= 6) ac.abort(); } });
    assert.equal(first.cancelled, true);
    assert.ok(existsSync(join(dir, "run.stream.partial")) && !existsSync(join(dir, "run.stream")));
    const second = await runIndex({ ...base(dir), resume: true });
    assert.equal(second.cancelled, false);
    assert.ok(second.skipped >= 6, `resumed ${second.skipped}`);
    const ours = parseStream(readFileSync(join(dir, "run.stream"), "utf8"), "run.stream");
    const ref = parseStream(readFileSync(join(FIX, "lyso_ed.stream"), "utf8"), "lyso_ed.stream");
    assert.equal(ours.errors.length, 0);
    assert.equal(ours.chunks.length, 30);
    assert.equal(new Set(ours.chunks.map((c) => c.event)).size, 30, "no duplicate chunks after resume");
    assert.equal(ours.header.formatVersion, "2.3");
    const refChunk = ref.chunks.find((c) => c.event === "//0")!, ourChunk = ours.chunks.find((c) => c.event === "//0")!;
    for (const k of ["hit", "indexed_by", "photon_energy_eV", "beam_divergence", "beam_bandwidth", "average_camera_length", "num_peaks", "peak_resolution"]) {
      assert.ok(ourChunk.fields.has(k) || k === "hit" || k === "indexed_by", `chunk field ${k}`);
    }
    // CrystFEL 0.12 uses older values of h and e (493960.66 vs 493960.95 eV): compare to 1e-6
    assert.ok(Math.abs(Number(ourChunk.fields.get("photon_energy_eV")) / Number(refChunk.fields.get("photon_energy_eV")) - 1) < 1e-6);
    assert.equal(ourChunk.peaks.count, 670);
    const oc = ourChunk.crystals[0]!, rc = refChunk.crystals[0]!;
    assert.ok(oc.reflections.count > 1000, `reflections ${oc.reflections.count}`);
    // same orientation (mod 4/mmm) as indexamajig's crystal
    const ops = latticeRotations(cellMat9(parseCellFile(readFileSync(join(FIX, "lyso_ed.cell"), "utf8"))));
    assert.ok(misorientationDeg(basisToMat9(rc.basis), basisToMat9(oc.basis), ops) < 0.3);
    // the .sol has one line per crystal, with the fixture's 29 among them
    const sol = parseSol(readFileSync(join(dir, "run.sol"), "utf8"));
    const fixSol = parseSol(readFileSync(join(FIX, "lyso_ed.sol"), "utf8"));
    assert.equal(sol.length, ours.chunks.reduce((s, c) => s + c.crystals.length, 0));
    for (const f of fixSol) {
      const mine = sol.filter((s) => s.event === f.event);
      assert.ok(mine.some((s) => misorientationDeg(basisToMat9(f.basis), basisToMat9(s.basis), ops) < 0.3), `fixture crystal ${f.event}`);
    }
  });

  it("integrates with a given .sol (integrate mode)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "serialed-integrate-"));
    const r = await runIndex({ ...base(dir), outSol: undefined as unknown as string, solPath: join(FIX, "lyso_ed.sol"), minPeaks: 0 });
    assert.equal(r.crystals, 29);
    const s = parseStream(readFileSync(join(dir, "run.stream"), "utf8"), "run.stream");
    assert.equal(s.chunks.length, 28);
    assert.equal(s.chunks.find((c) => c.event === "//7")!.crystals.length, 2);
    assert.equal(s.chunks[0]!.indexedBy, "file");
  });
});
