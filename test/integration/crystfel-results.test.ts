/**
 * CrystFEL results in the built-in engine's panes (issue 9): check_hkl / compare_hkl shell files →
 * the stats.json of `serialed stats` (numbers equal to the fixture files), and the .sol that CrystFEL
 * integration needs, made from an indexed stream (lyso_ed.stream ↔ lyso_ed.sol, the fixture pair).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crystfelStats, readCheckHkl, readCompareHkl } from "../../src/main/crystfel/crystfel-outputs.ts";
import type { CrystfelStatsRow } from "../../src/main/crystfel/crystfel-outputs.ts";
import { parseCheckHklShells } from "../../src/core/formats/shell-table.ts";
import { parseSol } from "../../src/core/formats/sol-file.ts";
import type { SolEntry } from "../../src/core/formats/sol-file.ts";
import { parseStatsJson } from "../../src/renderer/plots/merging-stats.ts";
import { SERIALED_BIN } from "../../src/main/jobs/command-line.ts";
import { convertStepOptions } from "../../src/core/project/engine-options.ts";
import { emptyProject, withRun } from "../../src/core/project/project-model.ts";
import type { Project, StepConfig, StepName } from "../../src/core/project/project-model.ts";
import { withDefaultOptions } from "../../src/main/host/pipeline-demo.ts";
import type { CrystfelInstall } from "../../src/main/crystfel/crystfel-detect.ts";
import { stepCommand } from "../../src/main/project/pipeline-plan.ts";

const FIX = "/work/shared/fixtures/crystfel";
const serialed = (...args: string[]) => spawnSync(process.execPath, [SERIALED_BIN, ...args], { encoding: "utf8" });
const dat = (f: string): number[][] => readFileSync(join(FIX, f), "utf8").trim().split("\n").slice(1).map((l) => l.trim().split(/\s+/).map((t) => (t === "-nan" ? Number.NaN : Number(t))));

describe("CrystFEL shell files → statistics JSON", () => {
  for (const model of ["unity", "xsphere"]) {
    it(`${model}: rows are check_hkl's shells with its numbers, overall from its output, CC½/CC*/Rsplit from compare_hkl`, () => {
      const check = readCheckHkl(join(FIX, `check_hkl_${model}_shells.dat`), join(FIX, `check_hkl_${model}.txt`));
      const compares = ["CC", "CCstar", "Rsplit"].map((f) => readCompareHkl(join(FIX, `compare_hkl_${model}_${f}.dat`), join(FIX, `compare_hkl_${model}_${f}.txt`)));
      const out = crystfelStats({ check, compares, symmetry: "422" });
      const rows = out["shells"] as CrystfelStatsRow[];
      const table = dat(`check_hkl_${model}_shells.dat`);
      assert.equal(rows.length, table.length + 1);
      table.forEach((t, i) => {
        const r = rows[i]!;
        // Center Nref Possible Compl Meas Red SNR MeanI d Min Max
        assert.deepEqual([r.nref, r.possible, r.completeness, r.measurements, r.meanIOverSigma, r.meanI, r.minInvNm, r.maxInvNm], [t[1], t[2], t[3], t[4], t[6], t[7], t[9], t[10]], `shell ${i + 1}`);
        assert.ok(Math.abs(r.multiplicity - t[5]!) <= 0.05 + 1e-9, `shell ${i + 1}: redundancy ${r.multiplicity} vs printed ${t[5]}`);
        // compare_hkl binned the accepted pairs' range (0.126–8.979 nm⁻¹ for unity), not check_hkl's: no per-shell values on these rows
        assert.equal(r.ccHalf, null);
      });
      const txt = (f: string): string => readFileSync(join(FIX, f), "utf8");
      const grab = (s: string, re: RegExp): number => Number(re.exec(s)![1]);
      const o = rows[rows.length - 1]!;
      const c = txt(`check_hkl_${model}.txt`);
      assert.equal(o.shell, "overall");
      assert.equal(o.nref, grab(c, /^(\d+) reflections in total/m));
      assert.equal(o.possible, grab(c, /^(\d+) reflections possible/m));
      assert.equal(o.measurements, grab(c, /^(\d+) measurements in total/m));
      assert.equal(o.completeness, grab(c, /Overall completeness = (\S+)/));
      assert.equal(o.multiplicity, grab(c, /Overall redundancy = (\S+)/));
      assert.equal(o.meanIOverSigma, grab(c, /Overall <snr> = (\S+)/));
      assert.equal(o.ccHalf, grab(txt(`compare_hkl_${model}_CC.txt`), /Overall CC = (\S+)/));
      assert.equal(o.ccStar, grab(txt(`compare_hkl_${model}_CCstar.txt`), /Overall CC\* = (\S+)/));
      assert.equal(o.rsplit, grab(txt(`compare_hkl_${model}_Rsplit.txt`), /Overall Rsplit = (\S+) %/));
      assert.equal(o.pairs, grab(txt(`compare_hkl_${model}_CC.txt`), /^(\d+) reflection pairs accepted/m));
      assert.equal(out["invalidIOverSigma"], model === "unity" ? 1 : 4);
      // the per-shell tables are kept as printed, -nan as NaN
      const kept = (out["halfSetShells"] as Record<string, { value: number; nref: number }[]>)["Rsplit/%"]!;
      assert.deepEqual(kept.map((s) => s.nref), dat(`compare_hkl_${model}_Rsplit.dat`).map((t) => t[2]));
    });
  }

  it("fills per-shell CC½, CC* and Rsplit when compare_hkl binned check_hkl's shells (as the plan's --rmin/--rmax make it)", () => {
    const check = readCheckHkl(join(FIX, "check_hkl_unity_shells.dat"));
    // a compare_hkl table on the same edges (values made up: this checks the row matching, not CrystFEL)
    const shells = parseCheckHklShells(readFileSync(join(FIX, "check_hkl_unity_shells.dat"), "utf8"));
    const values = shells.map((_, i) => (i < 8 ? 0.9 - 0.1 * i : Number.NaN));
    const cmp = { fom: "CC", shells: shells.map((s, i) => ({ centerInvNm: s.centerInvNm, value: values[i]!, nref: 10 * i, dAngstrom: s.dAngstrom, minInvNm: s.minInvNm + 0.0004, maxInvNm: s.maxInvNm - 0.0004 })) };
    const rows = crystfelStats({ check, compares: [cmp] })["shells"] as CrystfelStatsRow[];
    assert.deepEqual(rows.slice(0, -1).map((r) => r.ccHalf), values.map((v) => (Number.isFinite(v) ? v : null)));
    assert.deepEqual(rows.slice(0, -1).map((r) => r.pairs), shells.map((_, i) => 10 * i));
    assert.ok(Math.abs(rows[0]!.ccStar! - Math.sqrt((2 * 0.9) / 1.9)) < 1e-12, "CC* from CC as compare_hkl computes it");
    // without check_hkl's terminal output the overall row is summed from the shells
    assert.equal(rows[rows.length - 1]!.nref, 9703);
    assert.equal(rows[rows.length - 1]!.measurements, 26958);
    // one edge off by more than the print precision: not the same shells, nothing filled
    const off = { ...cmp, shells: cmp.shells.map((s, i) => (i === 3 ? { ...s, maxInvNm: s.maxInvNm + 0.01 } : s)) };
    assert.ok((crystfelStats({ check, compares: [off] })["shells"] as CrystfelStatsRow[]).every((r) => r.shell === "overall" || r.ccHalf === null));
  });

  it("serialed crystfel stats writes stats.json that the wizard's statistics pane reads", () => {
    const d = mkdtempSync(join(tmpdir(), "cf-stats-"));
    const json = join(d, "stats.json");
    const r = serialed("crystfel", "stats", "--check", join(FIX, "check_hkl_xsphere_shells.dat"), "--check-log", join(FIX, "check_hkl_xsphere.txt"),
      ...["CC", "CCstar", "Rsplit"].flatMap((f) => ["--compare", join(FIX, `compare_hkl_xsphere_${f}.dat`)]), "--symmetry", "422", "--json", json);
    assert.equal(r.status, 0, r.stderr);
    const stats = parseStatsJson(JSON.parse(readFileSync(json, "utf8")), "validate-1");
    assert.equal(stats.shells.length, 10);
    assert.equal(stats.overall?.nref, 3627);
    assert.equal(stats.overall?.ccHalf, 0.9981241);
    assert.equal(stats.overall?.rsplit, 2.61);
    assert.match(r.stdout, /overall/);
    // a file that is not a shell table: error names it
    const bad = serialed("crystfel", "stats", "--check", join(FIX, "lyso_ed.cell"), "--json", join(d, "x.json"));
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /lyso_ed\.cell/);
    assert.equal(existsSync(join(d, "x.json")), false);
  });
});

/** The eight rotations of 422 (c unique) acting on a reciprocal basis, as indexamajig may re-express it (fixture README, item 5). */
type V = readonly number[];
const neg = (v: V): V => v.map((x) => -x);
const OPS: ((b: SolEntry["basis"]) => V[])[] = [];
for (const swap of [false, true]) for (const sa of [1, -1]) for (const sb of [1, -1]) {
  const proper = (swap ? -1 : 1) * sa * sb > 0;
  OPS.push((b) => { const a = swap ? b.bstar : b.astar, bb = swap ? b.astar : b.bstar; return [sa > 0 ? a : neg(a), sb > 0 ? bb : neg(bb), proper ? b.cstar : neg(b.cstar)]; });
}
const dist = (x: V[], e: SolEntry): number => { const r = [e.basis.astar, e.basis.bstar, e.basis.cstar]; return Math.max(...x.flatMap((v, j) => v.map((c, k) => Math.abs(c - r[j]![k]!)))); };

describe("CrystFEL stream → .sol", () => {
  it("serialed crystfel sol on lyso_ed.stream gives lyso_ed.sol's crystals (up to the 422 re-expression and prediction refinement)", () => {
    const d = mkdtempSync(join(tmpdir(), "cf-sol-"));
    const out = join(d, "run.sol");
    const r = serialed("crystfel", "sol", join(FIX, "lyso_ed.stream"), "--out", out);
    assert.equal(r.status, 0, r.stderr);
    const mine = parseSol(readFileSync(out, "utf8"), out);
    const ref = parseSol(readFileSync(join(FIX, "lyso_ed.sol"), "utf8"));
    assert.equal(mine.length, ref.length); // 29: //7 twice, no line for //28 (unindexed) and //29 (blank)
    assert.deepEqual(mine.map((e) => e.event).sort(), ref.map((e) => e.event).sort());
    const opsSeen = new Set<number>();
    for (const e of mine) {
      assert.equal(e.filename, "sim_ed.h5");
      const cands = ref.filter((x) => x.event === e.event);
      assert.ok(cands.every((x) => x.lattice === e.lattice && x.centering === e.centering && x.uniqueAxis === e.uniqueAxis), e.event);
      assert.ok(cands.every((x) => x.detShiftMm[0] === e.detShiftMm[0] && x.detShiftMm[1] === e.detShiftMm[1]), e.event);
      const scored = cands.flatMap((x) => OPS.map((op, i) => ({ i, d: dist(op(e.basis), x) }))).sort((a, b) => a.d - b.d);
      // indexamajig refined the orientations (no --no-refine): up to 0.0014 nm⁻¹ (~1 % of |a*|) here, most below 5e-5
      assert.ok(scored[0]!.d < 0.0015, `${e.event}: closest 422 equivalent is ${scored[0]!.d} nm⁻¹ off`);
      // and no other operation (or the other crystal of //7) comes close: the match is the orientation, not a coincidence
      assert.ok(scored[1]!.d > 0.02, `${e.event}: second-best ${scored[1]!.d}`);
      opsSeen.add(scored[0]!.i);
    }
    assert.equal(opsSeen.size, 8, "all eight 422 operations occur (fixture README)");
    // printed like the fixture: %+.7f vectors
    assert.match(readFileSync(out, "utf8").split("\n")[0]!, /^sim_ed\.h5 \/\/0 (?:[+-]\d\.\d{7} ){9}0\.0000 0\.0000 tPc$/);
  });

  it("a truncated stream is refused naming the file and the broken chunk; no .sol written", () => {
    const d = mkdtempSync(join(tmpdir(), "cf-sol-"));
    const out = join(d, "run.sol");
    const r = serialed("crystfel", "sol", join(FIX, "lyso_ed_truncated.stream"), "--out", out);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /lyso_ed_truncated\.stream.*chunk 3.*\/\/2/);
    assert.equal(existsSync(out), false);
    // a stream without crystals
    const empty = join(d, "empty.stream");
    writeFileSync(empty, readFileSync(join(FIX, "lyso_ed.stream"), "utf8").split("----- Begin chunk -----")[0]!);
    const e = serialed("crystfel", "sol", empty, "--out", out);
    assert.notEqual(e.status, 0);
    assert.match(e.stderr, /empty\.stream: no indexed crystals/);
  });
});

// ---- the plan: stats.json after a CrystFEL validation, .sol for integration after a CrystFEL index ----

const CRYSTFEL_NAMES = ["indexamajig", "partialator", "check_hkl", "compare_hkl", "ambigator", "list_events", "process_hkl", "get_hkl"];
const install = (dir: string): CrystfelInstall => ({
  usable: true, version: "0.12.0",
  programs: Object.fromEntries(CRYSTFEL_NAMES.map((n) => [n, { name: n, path: join(dir, n), version: "0.12.0" }])) as unknown as CrystfelInstall["programs"],
});

function done(p: Project, step: StepName, outputs: string[]): Project {
  return withRun(p, { id: `${step}-1`, step, n: 1, dataset: "main", state: "done", startedAt: "t", configHash: "h", options: {}, outputs });
}

/** Default project with earlier steps done; the index step ran with CrystFEL (a stream, no .sol); steps in `cf` use CrystFEL. */
function project(cf: readonly StepName[], indexOutputs = ["runs/index-1/run.stream"]): Project {
  let p = withDefaultOptions(emptyProject("demo", ["data/sim.lst"]));
  p = done(p, "centre-peaks", ["runs/centre-peaks-1/processed.lst"]);
  p = done(p, "geometry", ["runs/geometry-1/run.cell", "runs/geometry-1/run.geom"]);
  p = done(p, "index", indexOutputs);
  p = done(p, "merge", ["runs/merge-1/merged.hkl", "runs/merge-1/merged.hkl1", "runs/merge-1/merged.hkl2"]);
  for (const s of cf) {
    const old: StepConfig = p.steps[s] ?? { options: {} };
    p = { ...p, steps: { ...p.steps, [s]: { ...old, engine: "crystfel", options: convertStepOptions(s, "builtin", "crystfel", old.options) } } };
  }
  return p;
}

/** Fake CrystFEL programs (real executables, not CrystFEL): they copy fixture outputs and record their arguments. */
function fakePrograms(): string {
  const bin = mkdtempSync(join(tmpdir(), "fake-crystfel-"));
  const write = (name: string, body: string): void => { writeFileSync(join(bin, name), `#!/bin/sh\necho "$0 $*" >> ${bin}/calls.txt\n${body}`); chmodSync(join(bin, name), 0o755); };
  const shellFile = `sf=$(for a in "$@"; do case $a in --shell-file=*) echo "\${a#--shell-file=}";; esac; done)`;
  write("check_hkl", `${shellFile}\ncp ${FIX}/check_hkl_unity_shells.dat "$sf"\ncat ${FIX}/check_hkl_unity.txt >&2\n`);
  write("compare_hkl", `${shellFile}\nfom=$(for a in "$@"; do case $a in --fom=*) echo "\${a#--fom=}";; esac; done)\ncp ${FIX}/compare_hkl_unity_$fom.dat "$sf"\ncat ${FIX}/compare_hkl_unity_$fom.txt >&2\n`);
  write("indexamajig", `sol=$(for a in "$@"; do case $a in --fromfile-input-file=*) echo "\${a#--fromfile-input-file=}";; esac; done)\n[ -s "$sol" ] || { echo "Couldn't find solution file '$sol'" >&2; exit 1; }\nout=$(prev=; for a in "$@"; do [ "$prev" = -o ] && echo "$a"; prev=$a; done)\ncp ${FIX}/lyso_ed.stream "$out"\necho "Final: 30 images processed" >&2\n`);
  return bin;
}

describe("CrystFEL engine in the plan: panes and .sol", () => {
  it("validation: compare_hkl on check_hkl's range, then serialed crystfel stats → stats.json, in the same job", () => {
    const d = mkdtempSync(join(tmpdir(), "plan-cf-res-"));
    const rd = join(d, "runs", "validate-1");
    const v = stepCommand("validate", { projectDir: d, project: project(["merge", "validate"]), dataset: "main", runDir: rd, crystfel: install("/opt/crystfel/bin") });
    const lines = v.argv[2]!.split("\n");
    assert.equal(lines.length, 6); // check_hkl, range, 3 × compare_hkl, conversion
    assert.match(lines[1]!, /^range=\$\(awk '\/\^1\\\/d goes from \/ .*' check_hkl\.txt\)$/);
    assert.ok(lines.slice(2, 5).every((l) => /compare_hkl .* \$range; \} 2>compare_hkl_\w+\.txt/.test(l)), lines.join("\n"));
    assert.ok(lines[5]!.startsWith(`{ ${process.execPath} ${SERIALED_BIN} crystfel stats --check ${join(rd, "check_hkl_shells.dat")} --check-log ${join(rd, "check_hkl.txt")} --compare ${join(rd, "compare_hkl_CC.dat")} --compare ${join(rd, "compare_hkl_CCstar.dat")} --compare ${join(rd, "compare_hkl_Rsplit.dat")} `), lines[5]);
    assert.match(lines[5]!, /--json \S+\/stats\.json; \}/);
    // a resolution range chosen by the user goes to both programs: no $range
    const p = project(["merge", "validate"]);
    const own = { ...p, steps: { ...p.steps, validate: { ...p.steps.validate!, options: { ...p.steps.validate!.options, highres: 1.5 } } } };
    const w = stepCommand("validate", { projectDir: d, project: own, dataset: "main", runDir: rd, crystfel: install("/opt/crystfel/bin") });
    assert.ok(!w.argv[2]!.includes("$range"));
  });

  it("validation job run with fake check_hkl/compare_hkl (fixture outputs): stats.json for the pane, compare_hkl given check_hkl's range", () => {
    const bin = fakePrograms();
    const d = mkdtempSync(join(tmpdir(), "plan-cf-res-"));
    const rd = join(d, "runs", "validate-1");
    mkdirSync(rd, { recursive: true });
    const v = stepCommand("validate", { projectDir: d, project: project(["merge", "validate"]), dataset: "main", runDir: rd, crystfel: install(bin) });
    const r = spawnSync(v.argv[0]!, v.argv.slice(1), { cwd: v.cwd, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const calls = readFileSync(join(bin, "calls.txt"), "utf8").trim().split("\n");
    assert.equal(calls.length, 4);
    // check_hkl printed "1/d goes from 0.126422 to 11.131119 nm^-1": compare_hkl bins that range (widened by 1e-6 nm⁻¹), in m⁻¹
    for (const c of calls.slice(1)) assert.match(c, / --rmin=1\.264210000e\+08 --rmax=1\.113112000e\+10$/);
    const stats = parseStatsJson(JSON.parse(readFileSync(join(rd, "stats.json"), "utf8")), "validate-1");
    assert.equal(stats.shells.length, 10);
    assert.equal(stats.shells[0]!.nref, 6407);
    assert.equal(stats.overall?.completeness, 5.662976);
    assert.equal(stats.overall?.ccStar, 0.8441001);
    assert.ok(existsSync(join(rd, "crystfel_stats.txt")));
    // a failing program stops the job before the conversion
    writeFileSync(join(bin, "compare_hkl"), "#!/bin/sh\necho 'Please provide exactly two HKL files to compare.' >&2\nexit 1\n");
    rmSync(join(rd, "stats.json"));
    const f = spawnSync(v.argv[0]!, v.argv.slice(1), { cwd: v.cwd, encoding: "utf8" });
    assert.equal(f.status, 1);
    assert.match(f.stderr, /exactly two HKL files/);
    assert.equal(existsSync(join(rd, "stats.json")), false);
  });

  it("integrate after a CrystFEL index (stream only): the job writes the .sol from the index stream, then runs the integration", () => {
    const d = mkdtempSync(join(tmpdir(), "plan-cf-res-"));
    const rd = join(d, "runs", "integrate-1");
    const stream = join(d, "runs", "index-1", "run.stream");
    for (const engine of ["crystfel", "builtin"] as const) {
      const c = stepCommand("integrate", { projectDir: d, project: project(engine === "crystfel" ? ["index", "integrate"] : ["index"]), dataset: "main", runDir: rd, crystfel: install("/opt/crystfel/bin") });
      assert.equal(c.argv[0], "/bin/sh");
      const [conv, run] = c.argv[2]!.split("\n");
      assert.equal(conv, `${process.execPath} ${SERIALED_BIN} crystfel sol ${stream} --out ${join(rd, "index.sol")} || exit $?`);
      if (engine === "crystfel") {
        assert.ok(run!.startsWith("exec /opt/crystfel/bin/indexamajig "), run);
        assert.ok(run!.includes(` --indexing=file --fromfile-input-file=${join(rd, "index.sol")} `), run);
        assert.equal(c.program, "indexamajig");
      } else {
        assert.ok(run!.startsWith(`exec ${process.execPath} ${SERIALED_BIN} integrate --sol ${join(rd, "index.sol")} `), run);
      }
    }
    // an index run that wrote a .sol (built-in indexer): used as before, no conversion
    const b = stepCommand("integrate", { projectDir: d, project: project(["integrate"], ["runs/index-1/run.sol", "runs/index-1/run.stream"]), dataset: "main", runDir: rd, crystfel: install("/opt/crystfel/bin") });
    assert.equal(b.argv[0], "/opt/crystfel/bin/indexamajig");
    assert.ok(b.argv.includes(`--fromfile-input-file=${join(d, "runs/index-1/run.sol")}`));
  });

  it("integrate job run with a fake indexamajig on the fixture stream: index.sol = serialed crystfel sol of that stream, integration reads it", () => {
    const bin = fakePrograms();
    const d = mkdtempSync(join(tmpdir(), "plan-cf-res-"));
    mkdirSync(join(d, "runs", "index-1"), { recursive: true });
    copyFileSync(join(FIX, "lyso_ed.stream"), join(d, "runs", "index-1", "run.stream"));
    const rd = join(d, "runs", "integrate-1");
    mkdirSync(rd, { recursive: true });
    const c = stepCommand("integrate", { projectDir: d, project: project(["index", "integrate"]), dataset: "main", runDir: rd, crystfel: install(bin) });
    const r = spawnSync(c.argv[0]!, c.argv.slice(1), { cwd: c.cwd, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /29 crystals from 1 stream\(s\)/);
    assert.equal(parseSol(readFileSync(join(rd, "index.sol"), "utf8")).length, 29);
    assert.ok(existsSync(join(rd, "integrated.stream")));
    // the fixture's truncated stream as the index output: the job fails with the converter's message, indexamajig not started
    copyFileSync(join(FIX, "lyso_ed_truncated.stream"), join(d, "runs", "index-1", "run.stream"));
    rmSync(join(bin, "calls.txt"));
    const f = spawnSync(c.argv[0]!, c.argv.slice(1), { cwd: c.cwd, encoding: "utf8" });
    assert.notEqual(f.status, 0);
    assert.match(f.stderr, /run\.stream.*chunk 3/);
    assert.equal(existsSync(join(bin, "calls.txt")), false);
  });
});
