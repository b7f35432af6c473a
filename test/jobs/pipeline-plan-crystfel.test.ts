/**
 * Engine-specific step options (issue 9): the default project switched to CrystFEL gives the
 * command lines of the CrystFEL fixtures (../shared/fixtures/crystfel/README.md, "Exact command
 * lines") in option names and values, paths aside; an option the chosen engine does not have is
 * refused with the step and the option named; switching engines keeps shared options.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { convertStepOptions, CRYSTFEL_STEP_OPTIONS } from "../../src/core/project/engine-options.ts";
import { emptyProject, withRun } from "../../src/core/project/project-model.ts";
import type { Project, StepConfig, StepName } from "../../src/core/project/project-model.ts";
import { withDefaultOptions } from "../../src/main/host/pipeline-demo.ts";
import type { CrystfelInstall } from "../../src/main/crystfel/crystfel-detect.ts";
import { stepCommand } from "../../src/main/project/pipeline-plan.ts";
import { runPipeline } from "../../src/main/project/pipeline-driver.ts";
import { createProject, loadProject, updateProject } from "../../src/main/project/project-store.ts";
import { stepConfigHashes } from "../../src/core/project/staleness.ts";

const FIXTURE_README = join(import.meta.dirname, "..", "..", "..", "shared", "fixtures", "crystfel", "README.md");

/** The fixture README's command lines (the code block under "Exact command lines"), split into words. */
function fixtureCommands(): string[][] {
  const text = readFileSync(FIXTURE_README, "utf8");
  const block = /## Exact command lines[\s\S]*?```\n([\s\S]*?)```/.exec(text)?.[1];
  assert.ok(block, `${FIXTURE_README}: no "Exact command lines" block`);
  return block.split("\n").filter((l) => /^(indexamajig|partialator|check_hkl|compare_hkl) /.test(l)).map((l) => l.trim().split(/\s+/));
}

interface ParsedCommand { program: string; options: Map<string, string | true>; positional: string[] }

/** `-x value`, `--key=value`, `--flag`, positional words. */
function parseCommand(argv: readonly string[]): ParsedCommand {
  const options = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      if (eq > 0) options.set(a.slice(2, eq), a.slice(eq + 1)); else options.set(a.slice(2), true);
    } else if (/^-[a-z]$/.test(a)) options.set(a.slice(1), argv[++i]!);
    else positional.push(a);
  }
  return { program: basename(argv[0]!), options, positional };
}

/** Options whose values are paths (compared by extension only) or machine-dependent (-j). */
const PATH_OPTIONS = new Set(["i", "o", "g", "p", "fromfile-input-file", "shell-file"]);
const ext = (p: string): string => /\.[A-Za-z0-9]+$/.exec(p)?.[0] ?? "";

/** Every option of the fixture command is in ours with the same value (paths: same extension; -j present). */
function assertAgrees(ours: readonly string[], fixture: readonly string[]): void {
  const a = parseCommand(ours), f = parseCommand(fixture);
  const what = `\nours:    ${ours.join(" ")}\nfixture: ${fixture.join(" ")}`;
  assert.equal(a.program, f.program, what);
  for (const [k, v] of f.options) {
    assert.ok(a.options.has(k), `option ${k} missing${what}`);
    const mine = a.options.get(k)!;
    if (k === "j") continue;
    if (PATH_OPTIONS.has(k)) assert.equal(ext(String(mine)), ext(String(v)), `option ${k}${what}`);
    else assert.equal(mine, v, `option ${k}${what}`);
  }
  assert.deepEqual(a.positional.map(ext), f.positional.map(ext), `positional arguments${what}`);
}

const CRYSTFEL: CrystfelInstall = {
  usable: true, version: "0.12.0",
  programs: Object.fromEntries(["indexamajig", "partialator", "check_hkl", "compare_hkl", "ambigator", "list_events", "process_hkl", "get_hkl"].map((n) => [n, { name: n, path: `/opt/crystfel/bin/${n}`, version: "0.12.0" }])) as unknown as CrystfelInstall["programs"],
};

function done(p: Project, step: StepName, outputs: string[]): Project {
  return withRun(p, { id: `${step}-1`, step, n: 1, dataset: "main", state: "done", startedAt: "t", configHash: "h", options: {}, outputs });
}

/** The wizard's default project with earlier steps done (the built-in index run wrote a .sol; merge wrote half sets). */
function defaultProject(): Project {
  let p = withDefaultOptions(emptyProject("demo", ["data/sim.lst"]));
  p = done(p, "centre-peaks", ["runs/centre-peaks-1/processed.lst", "runs/centre-peaks-1/preproc.yaml"]);
  p = done(p, "geometry", ["runs/geometry-1/run.cell", "runs/geometry-1/run.geom"]);
  p = done(p, "index", ["runs/index-1/run.sol", "runs/index-1/run.stream"]);
  p = done(p, "integrate", ["runs/integrate-1/integrated.stream"]);
  p = done(p, "merge", ["runs/merge-1/merged.hkl", "runs/merge-1/merged.hkl1", "runs/merge-1/merged.hkl2"]);
  return p;
}

/** What the wizard does on choosing CrystFEL for a step (execution-service: options converted). */
function switchTo(p: Project, step: StepName, engine: "builtin" | "crystfel", extra: Record<string, unknown> = {}): Project {
  const old: StepConfig = p.steps[step] ?? { options: {} };
  const options = { ...convertStepOptions(step, old.engine ?? "builtin", engine, old.options), ...extra };
  const { engine: _e, ...rest } = old;
  return { ...p, steps: { ...p.steps, [step]: { ...rest, options, ...(engine === "crystfel" ? { engine } : {}) } } };
}

describe("CrystFEL engine options in the plan", () => {
  const d = mkdtempSync(join(tmpdir(), "plan-cf-"));
  const cmd = (p: Project, step: StepName) => stepCommand(step, { projectDir: d, project: p, dataset: "main", runDir: join(d, "runs", `${step}-2`), crystfel: CRYSTFEL });
  const fixtures = fixtureCommands();
  const fixture = (pred: (c: string[]) => boolean): string[][] => {
    const r = fixtures.filter(pred);
    assert.ok(r.length > 0, "fixture command not found in the README");
    return r;
  };

  it("the default project switched to CrystFEL runs the fixture README's commands (option names and values, paths aside)", () => {
    let p = defaultProject();
    for (const s of ["index", "integrate", "merge", "validate"] as const) p = switchTo(p, s, "crystfel");
    // indexamajig with --indexing=file (the fixture's indexing) on the integrate step, and on the index step when file is chosen
    const [ix] = fixture((c) => c[0] === "indexamajig");
    assertAgrees(cmd(p, "integrate").argv, ix!);
    const pf = { ...p, steps: { ...p.steps, index: { ...p.steps.index!, options: { ...p.steps.index!.options, indexing: "file" } } } };
    const idx = cmd(pf, "index");
    assertAgrees(idx.argv, ix!);
    assert.ok(idx.argv.includes(`--fromfile-input-file=${join(d, "runs/index-1/run.sol")}`), "file indexing uses the built-in indexer's .sol");
    // partialator, unity (the default) and xsphere
    for (const model of ["unity", "xsphere"]) {
      const [pa] = fixture((c) => c[0] === "partialator" && c.includes(`--model=${model}`) && !c.join(" ").includes("truncated"));
      const pm = { ...p, steps: { ...p.steps, merge: { ...p.steps.merge!, options: { ...p.steps.merge!.options, model } } } };
      assertAgrees(cmd(pm, "merge").argv, pa!);
    }
    // validation: check_hkl, then compare_hkl once per figure of merit (CC, CCstar, Rsplit)
    const v = cmd(p, "validate");
    assert.ok(v.commands, "validation runs several programs");
    const [ch] = fixture((c) => c[0] === "check_hkl");
    assertAgrees(v.commands![0]!, ch!);
    const cmps = fixture((c) => c[0] === "compare_hkl" && c.some((w) => w.includes("unity")));
    assert.equal(v.commands!.length, 1 + cmps.length);
    cmps.forEach((c, i) => assertAgrees(v.commands![i + 1]!, c));
    // the job runs exactly those commands, in order, stopping at the first failure, then converts their shell files to stats.json (node serialed crystfel stats)
    assert.equal(v.argv[0], "/bin/sh");
    assert.deepEqual(v.argv[2]!.split("\n").map((l) => /^\{ (\S+)/.exec(l)?.[1]).filter((x) => x !== undefined), [...v.commands!.map((c) => c[0]), process.execPath]);
    // the shared options kept their values on switching: validation's 8 shells, the merge point group
    assert.equal(parseCommand(v.commands![0]!).options.get("nshells"), "8");
    assert.equal(parseCommand(v.commands![0]!).options.get("y"), "422");
    // diffractem's indexing defaults with pinkIndexer (the index step's default method), the project's min peaks and camera length
    const pink = parseCommand(cmd(p, "index").argv).options;
    for (const [k, val] of Object.entries({ indexing: "pinkIndexer", peaks: "cxi", "int-radius": "3,4,6", "min-peaks": "10", "no-refine": true, "no-retry": true, "no-check-peaks": true, "max-indexer-threads": "2", "pinkIndexer-considered-peaks-count": "4", "pinkIndexer-tolerance": "0.1", "camera-length-estimate": "1.58" })) {
      assert.equal(pink.get(k), val, `index option ${k}`);
    }
    assert.ok(![...pink.keys()].some((k) => k.startsWith("xgandalf")), "no xgandalf options with pinkIndexer");
    assert.equal(parseCommand(cmd(p, "merge").argv).options.get("polarisation"), "none");
  });

  it("refuses an option the chosen engine does not have, naming the step and the option", () => {
    let p = defaultProject();
    p = { ...p, steps: { ...p.steps, validate: { ...p.steps.validate!, engine: "crystfel" } } }; // set by hand: spacegroup and shells are the built-in's
    assert.throws(() => cmd(p, "validate"), /^Error: step validate: options 'spacegroup', 'shells' are not options of the CrystFEL engine \(check_hkl\/compare_hkl\) \(they are options of the built-in engine\); remove them from steps\.validate\.options in project\.yaml, or switch the engine in the wizard/);
    p = { ...p, steps: { ...p.steps, integrate: { engine: "crystfel", options: { frames: "0-2" } } } };
    assert.throws(() => cmd(p, "integrate"), /step integrate: option 'frames' is not an option of the CrystFEL engine \(indexamajig\)/);
    // and the other way: a CrystFEL option with the built-in engine
    const q = { ...defaultProject(), steps: { ...defaultProject().steps, validate: { options: { nshells: 8 } } } };
    assert.throws(() => cmd(q, "validate"), /step validate: option 'nshells' is not an option of the built-in engine \(serialed stats\) \(it is an option of the CrystFEL engine\)/);
    // file indexing without any .sol says where one comes from
    const noSol = switchTo({ ...defaultProject(), runs: defaultProject().runs.filter((r) => r.step !== "index") }, "index", "crystfel", { indexing: "file" });
    assert.throws(() => cmd(noSol, "index"), /step index: indexing=file needs a \.sol file: run the index step once with the built-in engine/);
    const chosen = switchTo(noSol, "index", "crystfel", { "fromfile-input-file": "sols/mine.sol" });
    assert.ok(cmd(chosen, "index").argv.includes(`--fromfile-input-file=${join(d, "sols/mine.sol")}`));
    // values of the wrong type
    const badType = switchTo(defaultProject(), "merge", "crystfel", { iterations: 1.5, "no-scale": "yes" });
    assert.throws(() => cmd(badType, "merge"), /step merge: option 'iterations' = 1\.5 must be an integer; step merge: option 'no-scale' = "yes" must be true or false/);
    const twoLines = switchTo(defaultProject(), "index", "crystfel", { tolerance: "5,5,5\n1.5" });
    assert.throws(() => cmd(twoLines, "index"), /step index: option 'tolerance' = "5,5,5\\n1\.5" must be a single line/);
    // an unknown figure of merit
    const badFom = switchTo(defaultProject(), "validate", "crystfel", { fom: "CC,Rwork" });
    assert.throws(() => cmd(badFom, "validate"), /step validate: option 'fom': 'Rwork' is not a compare_hkl figure of merit/);
  });

  it("serialed run stops before starting the step, with the message, when an option does not belong to the engine", async () => {
    const dir = mkdtempSync(join(tmpdir(), "run-cf-"));
    const { path } = createProject(dir, "p", ["a.h5"]);
    updateProject(path, (p0) => {
      // validate set to CrystFEL by hand in project.yaml, keeping the built-in options; earlier steps up to date
      const p = { ...withDefaultOptions(p0), steps: { ...withDefaultOptions(p0).steps, validate: { engine: "crystfel" as const, options: { spacegroup: "P43212", nshells: 8 } } } };
      const h = stepConfigHashes(p, "main");
      let q: Project = p;
      (["import", "aggregate", "corrections", "centre-peaks", "geometry", "index", "integrate", "merge"] as const).forEach((s, i) => {
        const outputs = s === "merge" ? ["runs/merge-1/merged.hkl"] : s === "geometry" ? ["runs/geometry-1/run.cell"] : [];
        q = withRun(q, { id: `${s}-1`, step: s, n: 1, dataset: "main", state: "done", startedAt: `2026-01-01T00:00:0${i}Z`, configHash: h[s], options: {}, outputs });
      });
      return q;
    });
    const r = await runPipeline(path, { until: "validate", pollMs: 50 });
    assert.equal(r.code, 1);
    assert.match(r.message, /^error: step validate: option 'spacegroup' is not an option of the CrystFEL engine \(check_hkl\/compare_hkl\)/);
    assert.deepEqual(r.stepsRun, []);
    assert.equal(loadProject(path).project.runs.some((x) => x.step === "validate"), false, "no job started");
  });

  it("switching engines keeps shared options, fills CrystFEL's defaults, and gives the built-in options back", () => {
    const builtin = { spacegroup: "P43212", shells: 8, "crystals-curve": true };
    const cf = convertStepOptions("validate", "builtin", "crystfel", builtin);
    assert.deepEqual(cf, { nshells: 8, _builtin: { spacegroup: "P43212", "crystals-curve": true }, fom: "CC,CCstar,Rsplit" });
    assert.deepEqual(convertStepOptions("validate", "crystfel", "builtin", { ...cf, nshells: 12, "sigma-cutoff": 1 }), { shells: 12, spacegroup: "P43212", "crystals-curve": true, _crystfel: { "sigma-cutoff": 1, fom: "CC,CCstar,Rsplit" } });
    const merge = convertStepOptions("merge", "builtin", "crystfel", { symmetry: "422", model: "xsphere", highres: 2 });
    assert.equal(merge["symmetry"], "422");
    assert.equal(merge["model"], "xsphere");
    assert.equal(merge["polarisation"], "none");
    assert.deepEqual(merge["_builtin"], { highres: 2 });
    // every default filled in is an option of the set
    const keys = new Set(CRYSTFEL_STEP_OPTIONS.index!.map((o) => o.key));
    assert.ok(Object.keys(convertStepOptions("index", "builtin", "crystfel", {})).every((k) => keys.has(k)));
  });
});
