/**
 * CrystFEL engine: command lines reproduce the exact fixture commands (fixtures README and the
 * command lines recorded in the stream/.hkl headers), log parsing of the real 0.12.0 output,
 * detection, runner behaviour, and — when CrystFEL is on PATH — real runs on the fixtures.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkHklArgs, compareHklArgs, indexamajigArgs, optionArgs, partialatorArgs, ambigatorArgs } from "../../src/main/crystfel/crystfel-options.ts";
import { parseIndexamajigLog, parsePartialatorLog } from "../../src/main/crystfel/crystfel-logs.ts";
import { detectCrystfel, describeInstall, parseCrystfelVersion } from "../../src/main/crystfel/crystfel-detect.ts";
import { describeFailure, runCrystfel } from "../../src/main/crystfel/crystfel-run.ts";
import { parseProgressLine } from "../../src/main/jobs/progress-parse.ts";
import { readCheckHkl, readCompareHkl, readMergedHkl } from "../../src/main/crystfel/crystfel-outputs.ts";

const FIX = "/work/shared/fixtures/crystfel";
const readme = readFileSync(join(FIX, "README.md"), "utf8");
const fixtureCommand = (prefix: string): string => {
  const l = readme.split("\n").find((x) => x.startsWith(prefix));
  assert.ok(l, `fixture command starting with '${prefix}'`);
  return l;
};

describe("CrystFEL command lines", () => {
  it("indexamajig with --indexing=file reproduces the recorded command, with the solution file made absolute", () => {
    const args = indexamajigArgs({
      input: "lyso_ed.lst", output: "lyso_ed.stream", geometry: "lyso_ed.geom", cell: "lyso_ed.cell", threads: 2, cwd: "/data/ed/run",
      options: { indexing: "file", "fromfile-input-file": "lyso_ed.sol", peaks: "cxi", "int-radius": [3, 4, 6] },
    });
    const recorded = readFileSync(join(FIX, "lyso_ed.stream"), "utf8").split("\n")[2];
    assert.equal(["indexamajig", ...args].join(" "), recorded);
    // the README shows the command as typed, with the relative path (which 0.12.0 cannot open)
    assert.equal(["indexamajig", ...args].join(" ").replace("/data/ed/run/", ""), fixtureCommand("indexamajig "));
  });

  it("partialator, check_hkl and compare_hkl reproduce the fixture commands", () => {
    for (const model of ["unity", "xsphere"]) {
      assert.equal(["partialator", ...partialatorArgs({ input: "lyso_ed.stream", output: `lyso_ed_${model}.hkl`, symmetry: "422", threads: 2, options: { model, iterations: 1 } })].join(" "), fixtureCommand(`partialator -i lyso_ed.stream -o lyso_ed_${model}.hkl`));
      assert.equal(["check_hkl", ...checkHklArgs({ hkl: `lyso_ed_${model}.hkl`, symmetry: "422", cell: "lyso_ed.cell", options: { "shell-file": `check_hkl_${model}_shells.dat` } })].join(" "), fixtureCommand(`check_hkl -y 422 -p lyso_ed.cell --shell-file=check_hkl_${model}`));
      for (const fom of ["CC", "CCstar", "Rsplit"]) {
        const cmd = ["compare_hkl", ...compareHklArgs({ hkl1: `lyso_ed_${model}.hkl1`, hkl2: `lyso_ed_${model}.hkl2`, symmetry: "422", cell: "lyso_ed.cell", fom, options: { "shell-file": `compare_hkl_${model}_${fom}.dat` } })].join(" ");
        assert.equal(cmd, fixtureCommand(`compare_hkl -y 422 -p lyso_ed.cell --fom=${fom} --shell-file=compare_hkl_${model}_${fom}.dat`));
      }
    }
    // and the partialator line recorded in the .hkl audit trailer
    const hkl = readFileSync(join(FIX, "lyso_ed_unity.hkl"), "utf8");
    assert.ok(hkl.includes(["partialator", ...partialatorArgs({ input: "lyso_ed.stream", output: "lyso_ed_unity.hkl", symmetry: "422", threads: 2, options: { model: "unity", iterations: 1 } })].join(" ")));
  });

  it("booleans are bare flags, false/undefined omitted, lists comma-joined; bad names rejected", () => {
    assert.deepEqual(optionArgs({ "no-refine": true, "no-retry": false, x: undefined, "int-radius": [3, 4, 6], "min-peaks": 15 }), ["--no-refine", "--int-radius=3,4,6", "--min-peaks=15"]);
    assert.throws(() => optionArgs({ "a b": 1 }), /not a valid option name/);
    assert.throws(() => indexamajigArgs({ input: "a", output: "b", geometry: "g", threads: 0 }), /-j/);
    assert.deepEqual(ambigatorArgs({ input: "in.stream", output: "out.stream", symmetry: "4", apparentSymmetry: "4/m", threads: 4, options: { iterations: 8 } }), ["in.stream", "-o", "out.stream", "-y", "4", "-w", "4/m", "--iterations=8", "-j", "4"]);
  });
});

describe("CrystFEL log parsing (real 0.12.0 output)", () => {
  it("indexamajig: final summary, the 6 retry warnings, both worker crashes", () => {
    const s = parseIndexamajigLog(readFileSync(join(FIX, "indexamajig.txt"), "utf8"));
    assert.deepEqual([s.imagesProcessed, s.hits, s.indexable, s.crystals, s.final], [30, 30, 28, 29, true]);
    assert.equal(s.warnings.filter((w) => w === "No solution for sim_ed.h5 //28").length, 6);
    assert.deepEqual(s.workerCrashes, [{ worker: 0, signal: 6, event: "sim_ed.h5 //27 28" }, { worker: 1, signal: 6, event: "sim_ed.h5 //29 30" }]);
    assert.deepEqual(parseProgressLine("21 images processed, 21 hits (100.0%), 21 indexable (100.0% of hits, 100.0% overall), 22 crystals, 2.8 images/sec.", 30), { done: 21, total: 30, note: "21 hits, 21 indexable, 22 crystals" });
  });

  it("partialator: CC1/2 per cycle, bad crystals, read errors of the truncated stream", () => {
    const u = parsePartialatorLog(readFileSync(join(FIX, "partialator_unity.txt"), "utf8"));
    assert.equal(u.finalCcHalfPercent, 51.709916);
    assert.equal(u.ccHalfHistory.at(-1)?.reflections, 9703);
    assert.equal(u.badCrystals, 1);
    assert.equal(u.cycles, 1);
    assert.equal(u.wroteOutput, "lyso_ed_unity.hkl");
    const x = parsePartialatorLog(readFileSync(join(FIX, "partialator_xsphere.txt"), "utf8"));
    assert.ok(Math.abs(x.finalCcHalfPercent! - 99.39) < 0.01, String(x.finalCcHalfPercent));
    const t = parsePartialatorLog(readFileSync(join(FIX, "partialator_truncated.txt"), "utf8"));
    assert.deepEqual(t.readErrors, [{ filename: "sim_ed.h5", event: "//2" }]);
  });

  it("version strings", () => {
    assert.equal(parseCrystfelVersion("CrystFEL: 0.12.0\n"), "0.12.0");
    assert.equal(parseCrystfelVersion("indexamajig version 0.8.0"), "0.8.0");
    assert.equal(parseCrystfelVersion("nothing"), undefined);
  });
});

describe("CrystFEL outputs", () => {
  it("reads the merged list, check_hkl and compare_hkl results into the same numbers the fixtures state", () => {
    const m = readMergedHkl(join(FIX, "lyso_ed_unity.hkl"));
    assert.equal(m.reflections.h.length, 9703);
    assert.equal(m.halfSets?.[0].h.length, 3438);
    assert.equal(m.halfSets?.[1].h.length, 4270);
    const c = readCheckHkl(join(FIX, "check_hkl_unity_shells.dat"), join(FIX, "check_hkl_unity.txt"));
    assert.equal(c.shells.length, 10);
    assert.ok(Math.abs(c.overall!.completenessPct - 5.662976) < 1e-6);
    const cc = readCompareHkl(join(FIX, "compare_hkl_unity_CC.dat"), join(FIX, "compare_hkl_unity_CC.txt"));
    assert.equal(cc.fom, "CC");
    assert.ok(Math.abs(cc.overall!.value - 0.553404) < 1e-6);
    assert.throws(() => readMergedHkl(join(FIX, "missing.hkl")), /missing\.hkl/);
  });
});

describe("CrystFEL detection and runs", () => {
  it("reports programs that are not installed clearly", async () => {
    const inst = await detectCrystfel([mkdtempSync(join(tmpdir(), "nocf-"))]);
    assert.equal(inst.usable, false);
    assert.equal(inst.programs.indexamajig.path, undefined);
    assert.match(describeInstall(inst), /CrystFEL not usable/);
  });

  it("finds a program and its version in a given folder", async () => {
    const d = mkdtempSync(join(tmpdir(), "cf-"));
    // a stand-in executable answering --version like CrystFEL 0.12.0 does
    for (const p of ["indexamajig", "partialator"]) {
      writeFileSync(join(d, p), "#!/bin/sh\necho 'CrystFEL: 0.12.0' >&2\n");
      chmodSync(join(d, p), 0o755);
    }
    const inst = await detectCrystfel([d]);
    assert.equal(inst.usable, true);
    assert.equal(inst.version, "0.12.0");
    assert.equal(inst.programs.check_hkl.path, undefined);
  });

  it("runs a program in its own process group: log streamed, progress parsed, cancel kills forked workers", async () => {
    const d = mkdtempSync(join(tmpdir(), "cf-"));
    // replays indexamajig's real stderr slowly and forks a worker like indexamajig does
    const prog = join(d, "replay");
    writeFileSync(prog, `#!/bin/sh\nsleep 300 &\necho $! > ${d}/worker.pid\nwhile IFS= read -r l; do echo "$l" >&2; sleep 0.05; done < ${FIX}/indexamajig.txt\nsleep 300\n`);
    chmodSync(prog, 0o755);
    const ac = new AbortController();
    const seen: number[] = [];
    const p = runCrystfel(prog, [], { cwd: d, logPath: join(d, "log.txt"), signal: ac.signal, progressTotal: 30, killAfterMs: 500, onProgress: (x) => { seen.push(x.done); if (x.done === 30) ac.abort(); } });
    const r = await p;
    assert.deepEqual(seen, [7, 21, 30]);
    assert.equal(r.cancelled, true);
    assert.equal(r.ok, false);
    assert.match(describeFailure(r), /was cancelled/);
    assert.match(readFileSync(join(d, "log.txt"), "utf8"), /Final: 30 images processed/);
    const wpid = Number(readFileSync(join(d, "worker.pid"), "utf8"));
    await new Promise((res) => setTimeout(res, 200));
    assert.equal(existsSync(`/proc/${wpid}`) && !/\) Z /.test(readFileSync(`/proc/${wpid}/stat`, "utf8")), false, "forked worker killed with the group");
  });

  it("reports exit status and the stderr tail of a failing program", async () => {
    const r = await runCrystfel("/bin/sh", ["-c", "echo \"Couldn't find solution file\" >&2; exit 1"], { cwd: tmpdir() });
    assert.equal(r.exitCode, 1);
    assert.match(describeFailure(r), /exited with status 1\.\nLast output:\nCouldn't find solution file/);
    const missing = await runCrystfel("/nonexistent/indexamajig", [], { cwd: tmpdir() });
    assert.equal(missing.ok, false);
    assert.match(describeFailure(missing), /could not be started|exited with status/);
  });

  it("real indexamajig + partialator on the fixtures", async (t) => {
    const inst = await detectCrystfel();
    if (!inst.usable) { t.skip("CrystFEL not on PATH: indexamajig/partialator not found; install CrystFEL to run this test"); return; }
    const d = mkdtempSync(join(tmpdir(), "cf-real-"));
    for (const f of ["lyso_ed.lst", "lyso_ed.geom", "lyso_ed.cell", "lyso_ed.sol", "sim_ed.h5"]) copyFileSync(join(FIX, f), join(d, f));
    const r = await runCrystfel(inst.programs.indexamajig.path!, indexamajigArgs({ input: "lyso_ed.lst", output: "out.stream", geometry: "lyso_ed.geom", cell: "lyso_ed.cell", threads: 2, cwd: d, options: { indexing: "file", "fromfile-input-file": "lyso_ed.sol", peaks: "cxi", "int-radius": [3, 4, 6] } }), { cwd: d, progressTotal: 30 });
    assert.equal(r.exitCode, 0, describeFailure(r));
    assert.equal(parseIndexamajigLog(r.output).crystals, 29);
    const m = await runCrystfel(inst.programs.partialator.path!, partialatorArgs({ input: "out.stream", output: "u.hkl", symmetry: "422", threads: 2, options: { model: "unity", iterations: 1 } }), { cwd: d });
    assert.equal(m.exitCode, 0, describeFailure(m));
    assert.ok(readMergedHkl(join(d, "u.hkl")).reflections.h.length > 9000);
  });
});

describe("CrystFEL inputs", () => {
  it("writes .lst/.cell/.sol/.geom that reproduce the fixture inputs", async () => {
    const { writeCrystfelInputs, eventsOfFile } = await import("../../src/main/crystfel/crystfel-inputs.ts");
    const { parseCellFile } = await import("../../src/core/formats/cell-file.ts");
    const { parseSol } = await import("../../src/core/formats/sol-file.ts");
    const { parseGeom } = await import("../../src/core/formats/geom-file.ts");
    const d = mkdtempSync(join(tmpdir(), "cf-in-"));
    const cell = parseCellFile(readFileSync(join(FIX, "lyso_ed.cell"), "utf8"));
    const sols = parseSol(readFileSync(join(FIX, "lyso_ed.sol"), "utf8"));
    const f = writeCrystfelInputs(d, "run", {
      geometry: { wavelengthAngstrom: 0.0251, cameraLength: 1.58, pixelSizeM: 55e-6, xsize: 1556, ysize: 516, ellipticityRatio: 1.023, ellipticityAngleDeg: 83 },
      cell, events: eventsOfFile("sim_ed.h5", 30), solutions: sols,
    });
    assert.equal(readFileSync(f.lst, "utf8"), readFileSync(join(FIX, "lyso_ed.lst"), "utf8"), "same as list_events output");
    assert.deepEqual(parseCellFile(readFileSync(f.cell, "utf8")), cell);
    assert.deepEqual(parseSol(readFileSync(f.sol!, "utf8")).map((s) => [s.filename, s.event]), sols.map((s) => [s.filename, s.event]));
    assert.equal(parseSol(readFileSync(f.sol!, "utf8")).length, 29);
    const g = readFileSync(f.geom, "utf8");
    assert.match(g, /Ellipticity correction with ratio 1\.023, angle 83/);
    assert.ok(parseGeom(g).panels.length === 1);
  });
});
